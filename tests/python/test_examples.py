"""Every example runs to completion (each checks its own result), once per
session, in a scratch directory that receives any files it writes."""

from __future__ import annotations

import functools
import os
import pathlib
import struct
import subprocess
import sys
import tempfile
import zlib

import pytest

# Examples for several MPI processes run under mpirun in test_distributed.py.
MULTI_PROCESS = {"data_parallel_mlp", "tensor_parallel_mlp"}
EXAMPLES = {p.stem: p for p in sorted((pathlib.Path(__file__).parents[2] / "examples").glob("*.py"))
            if p.stem not in MULTI_PROCESS}
SCRATCH = pathlib.Path(tempfile.mkdtemp(prefix="cotan-examples-"))


@functools.cache
def run_example(name: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if env.get("PYTHONPATH"):  # relative entries would break in the scratch directory
        env["PYTHONPATH"] = os.pathsep.join(str(pathlib.Path(p).resolve()) for p in env["PYTHONPATH"].split(os.pathsep))
    return subprocess.run([sys.executable, str(EXAMPLES[name])], capture_output=True, text=True, timeout=600,
                          cwd=SCRATCH, env=env)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_runs(name):
    result = run_example(name)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_lstm_reproduces_the_sequence():
    out = run_example("lstm_language_model").stdout
    assert "after training, greedy decoding gives:  [4, 8, 15, 16, 23, 42]" in out
    assert "epoch   0" in out and "epoch  50" in out and "epoch 100" in out


def test_vae_writes_a_png_grid_of_samples():
    out = run_example("vae_digits").stdout
    assert "held-out ELBO rose from" in out
    data = (SCRATCH / "vae_digits_samples.png").read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height, depth, color = struct.unpack(">IIBB", data[16:26])
    assert (width, height, depth, color) == (331, 331, 8, 0)  # 10 x 10 images of 32 + 1 pixels, grayscale
    idat = data.index(b"IDAT")
    length = struct.unpack(">I", data[idat - 4:idat])[0]
    pixels = zlib.decompress(data[idat + 4:idat + 4 + length])
    assert len(pixels) == height * (width + 1)
    assert len(set(pixels)) > 50  # shades of gray, not a blank picture
