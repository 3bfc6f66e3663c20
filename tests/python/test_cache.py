"""The persistent compilation cache: a second process loads what a first
compiled; other options or versions miss; a damaged entry is recompiled;
concurrent writers of one key both succeed."""

from __future__ import annotations

import os
import subprocess
import sys

import cotan
from cotan import cache

PROGRAM = """
import numpy as np, cotan, cotan.numpy as cnp, sys
cotan.config.update("log_compiles", True)
if len(sys.argv) > 1:
    cotan.config.update("num_threads", int(sys.argv[1]))
f = cotan.jit(lambda x, w: cnp.tanh(x @ w).sum(axis=0))
x = np.linspace(-1, 1, 64 * 48, dtype=np.float32).reshape(64, 48)
print(np.asarray(f(x, x.T)).sum())
"""


def run(folder, *args, env=None):
    environment = {**os.environ, "COTAN_CACHE": "1", "COTAN_CACHE_DIR": str(folder),
                   "COTAN_CACHE_MIN_COMPILE_SECONDS": "0", **(env or {})}
    if environment.get("PYTHONPATH"):
        environment["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p)
                                                    for p in environment["PYTHONPATH"].split(os.pathsep))
    return subprocess.Popen([sys.executable, "-c", PROGRAM, *args], env=environment, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(process) -> tuple[str, str]:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return out, err


def test_a_second_process_compiles_nothing(tmp_path):
    first_out, first_log = finish(run(tmp_path))
    assert "compiled `<lambda>`" in first_log
    entries = sorted(p.suffix for p in tmp_path.iterdir())
    assert entries == [".json", ".so"]
    second_out, second_log = finish(run(tmp_path))
    assert "from the compilation cache" in second_log and "compiled `<lambda>`" not in second_log
    assert second_out == first_out
    # Another pipeline option is another entry.
    _, third_log = finish(run(tmp_path, "1"))
    assert "compiled `<lambda>`" in third_log
    assert len(list(tmp_path.glob("*.so"))) == 2


def test_a_damaged_entry_is_recompiled(tmp_path):
    expected, _ = finish(run(tmp_path))
    (library,) = tmp_path.glob("*.so")
    library.write_bytes(library.read_bytes()[:1000])  # truncated
    out, log = finish(run(tmp_path))
    assert "compiled `<lambda>`" in log and out == expected
    out, log = finish(run(tmp_path))  # and written again, whole
    assert "from the compilation cache" in log and out == expected


def test_concurrent_writers_both_succeed(tmp_path):
    outputs = [finish(p)[0] for p in [run(tmp_path), run(tmp_path)]]
    assert outputs[0] == outputs[1]
    assert len(list(tmp_path.glob("*.so"))) == 1 and not list(tmp_path.glob(".tmp-*"))
    _, log = finish(run(tmp_path))
    assert "from the compilation cache" in log


def test_off_switch_and_clear_cache(tmp_path, monkeypatch):
    finish(run(tmp_path, env={"COTAN_CACHE": "0"}))
    assert not list(tmp_path.iterdir())
    finish(run(tmp_path))
    monkeypatch.setenv("COTAN_CACHE_DIR", str(tmp_path))
    cotan.clear_cache()
    assert not list(tmp_path.iterdir())


def test_the_key_covers_version_pipeline_and_ir(monkeypatch):
    base = cache.key("module {}", "cotan-cpu-pipeline{threads=0}", 2)
    assert cache.key("module {}", "cotan-cpu-pipeline{threads=1}", 2) != base
    assert cache.key("module { }", "cotan-cpu-pipeline{threads=0}", 2) != base
    monkeypatch.setattr(cotan, "__version__", "99.0")
    cache._fingerprint.cache_clear()
    try:
        assert cache.key("module {}", "cotan-cpu-pipeline{threads=0}", 2) != base
    finally:
        cache._fingerprint.cache_clear()
