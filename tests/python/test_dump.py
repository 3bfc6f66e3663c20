"""config.dump_dir / COTAN_DUMP_DIR: the IR of every stage of every
compile, one folder per compile."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp

HERE = r"test_dump.py:\d+"


def test_every_stage_is_written(tmp_path):
    cotan.config.update("dump_dir", tmp_path)
    try:
        f = cotan.jit(lambda x, w: cotan.grad(lambda w: cnp.sum(cnp.tanh(x @ w)))(w))
        f(np.ones((4, 3), np.float32), np.ones((3, 2), np.float32))
    finally:
        cotan.config.update("dump_dir", None)
    (folder,) = list(tmp_path.iterdir())
    assert folder.name.startswith("cotan_lambda-")
    assert "cotan.vjp" in (folder / "0-cotan.mlir").read_text()
    passes = {p.name.split("_", 1)[1]: p for p in (folder / "passes").rglob("*.mlir") if "_" in p.name}
    assert "linalg.generic" in passes["convert-cotan-to-linalg.mlir"].read_text()
    assert "memref<" in passes["one-shot-bufferize.mlir"].read_text()
    assert "llvm.func" in (folder / "llvm-dialect.mlir").read_text()
    assert "define void @_mlir_ciface_cotan_lambda" in (folder / "module.ll").read_text()
    assert "_mlir_ciface_cotan_lambda:" in (folder / "module.s").read_text()


def test_dump_dir_from_the_environment(tmp_path):
    code = "import numpy as np, cotan; cotan.jit(lambda x: x * 2)(np.ones(3))"
    env = dict(os.environ, COTAN_DUMP_DIR=str(tmp_path))
    if env.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) for p in env["PYTHONPATH"].split(os.pathsep))
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=300)
    (folder,) = list(tmp_path.iterdir())
    assert (folder / "0-cotan.mlir").exists() and (folder / "module.s").exists()


def test_bad_dump_dir():
    with pytest.raises(TypeError, match=HERE + ".*'dump_dir' takes a folder path, not 3"):
        cotan.config.update("dump_dir", 3)
