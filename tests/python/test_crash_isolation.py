"""The suite's pytest configuration (pyproject.toml) runs tests in worker
processes, so a test that kills its interpreter (a segfault, an LLVM
assertion's abort) is reported as that test failing and the run goes on.
Checked on a throwaway test file run under the same configuration."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

CRASHING_TESTS = textwrap.dedent("""
    import ctypes
    import os

    def test_segfaults():
        ctypes.string_at(0)

    def test_aborts():
        os.abort()

    def test_passes_after_the_crashes():
        assert sum(range(4)) == 6
""")


def test_a_crashing_test_fails_only_itself(tmp_path):
    pytest.importorskip("xdist")
    test_file = tmp_path / "test_crashing.py"
    test_file.write_text(CRASHING_TESTS)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"),
         "--rootdir", str(tmp_path), "-p", "no:cacheprovider", "-q", str(test_file)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    report = run.stdout + run.stderr
    assert run.returncode == 1, report
    assert "2 failed, 1 passed" in report, report
    for name in ("test_segfaults", "test_aborts"):
        assert f"crashed while running 'test_crashing.py::{name}'" in report, report
