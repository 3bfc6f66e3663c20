"""Every example runs to completion (each checks its own result)."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

EXAMPLES = sorted((pathlib.Path(__file__).parents[2] / "examples").glob("*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(path):
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_lstm_reproduces_the_sequence():
    path = next(p for p in EXAMPLES if p.stem == "lstm_language_model")
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=600).stdout
    assert "after training, greedy decoding gives:  [4, 8, 15, 16, 23, 42]" in out
    assert "epoch   0" in out and "epoch  50" in out and "epoch 100" in out
