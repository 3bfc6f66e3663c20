"""Differential fuzzing (hypothesis): random cotan.numpy programs over
random shapes (scalars, broadcasting, zero sizes) and dtypes (f32, f64,
i32), checked against NumPy under jit, their gradients against central
differences, and invalid programs for clean Python errors. Every case runs
in a worker process, so a crash fails the case with its program.

CI runs a fixed, bounded budget; for a longer search set
COTAN_FUZZ_EXAMPLES (examples per test, random seeds):

    COTAN_FUZZ_EXAMPLES=2000 pytest tests/python/test_fuzz.py
"""

from __future__ import annotations

import json
import os

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fuzz.programs import programs  # noqa: E402
from fuzz.runner import Worker  # noqa: E402

LONG_RUN = int(os.environ.get("COTAN_FUZZ_EXAMPLES", "0"))


def budget(examples_in_ci: int):
    return settings(max_examples=LONG_RUN or examples_in_ci, deadline=None, database=None,
                    derandomize=not LONG_RUN, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def worker():
    w = Worker()
    yield w
    w.close()


seeds = st.integers(0, 2**31 - 1)


def _expect_ok(reply: dict, program: dict) -> None:
    assert reply["ok"], f"{reply['message']}\nprogram: {json.dumps(program)}"


@budget(150)
@given(program=programs(), seed=seeds)
def test_jit_matches_numpy(worker, program, seed):
    _expect_ok(worker.check("value", program, seed), program)


@budget(50)
@given(program=programs(smooth=True), seed=seeds)
def test_gradients_match_finite_differences(worker, program, seed):
    _expect_ok(worker.check("grad", program, seed), program)


@budget(100)
@given(program=programs(invalid=True), seed=seeds)
def test_invalid_programs_raise_clean_errors(worker, program, seed):
    _expect_ok(worker.check("invalid", program, seed), program)


def test_a_crash_fails_only_its_case(worker):
    program = {"dtype": "float32", "inputs": [[2]], "ops": [["unary", "neg", 0]]}
    reply = worker.check("abort", program, 0)
    assert not reply["ok"] and reply.get("crashed") and "SIGABRT" in reply["message"]
    # The next case runs in a fresh worker.
    _expect_ok(worker.check("value", program, 0), program)
