"""cotan.config's num_threads (and OMP_NUM_THREADS): serial code with one
thread, parallel loops split over the threads otherwise, small loops
serial whatever the setting; results do not depend on it."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp

HERE = r"test_threads.py:\d+"


@pytest.fixture
def threads():
    yield cotan.config
    cotan.config.update("num_threads", 0)


def compiled(f, *args):
    """The executable `f` compiled to for these arguments."""
    f(*args)
    return next(iter(f._cache.values())).executable


def workload(x, w):
    return cnp.sum(cnp.tanh(x @ w) * 2.0 + 1.0, axis=1)


@pytest.mark.parametrize("count", [1, 2])
def test_thread_count_selects_serial_or_parallel_code(threads, count, rng):
    x = rng.standard_normal((1024, 512)).astype(np.float32)
    w = rng.standard_normal((512, 512)).astype(np.float32)
    threads.update("num_threads", count)
    f = cotan.jit(workload)
    executable = compiled(f, x, w)
    assert executable._threaded == (count > 1)
    np.testing.assert_allclose(np.asarray(f(x, w)), np.sum(np.tanh(x @ w) * 2 + 1, axis=1), rtol=2e-4)


def test_small_workloads_stay_serial(threads, rng):
    threads.update("num_threads", 2)
    small = cotan.jit(lambda v: cnp.tanh(v) + 1)
    assert not compiled(small, rng.standard_normal(1000).astype(np.float32))._threaded


def test_thread_count_is_a_compile_option(threads):
    f = cotan.jit(lambda v: v * 3)
    f(np.ones(4, np.float32))
    threads.update("num_threads", 1)
    f(np.ones(4, np.float32))
    assert f.trace_count == 2


@pytest.mark.parametrize("value, expected", [("3", 3), ("1", 1), ("4,2", 4), ("", 0), ("zero", 0), ("-2", 0)])
def test_omp_num_threads_sets_the_default(value, expected):
    env = dict(os.environ, OMP_NUM_THREADS=value)
    out = subprocess.run([sys.executable, "-c", "import cotan; print(cotan.config.num_threads)"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == str(expected), out.stderr


@pytest.mark.parametrize("value", [-1, 1.5, True, "2"])
def test_bad_thread_counts(threads, value):
    with pytest.raises(ValueError, match=HERE + ".*'num_threads' takes a thread count"):
        threads.update("num_threads", value)
