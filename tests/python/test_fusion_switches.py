"""Results do not depend on the CPU pipeline's optimizations: each program
gives the same numbers with fusion and the CPU kernels on and off (up to
the reassociation of sums the kernels allow)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp


@pytest.fixture
def restore_config():
    yield
    cotan.config.update("cotan_fusion", True)
    cotan.config.update("cotan_cpu_kernels", True)


def silu(x):
    return cnp.where(x > 0, x, x / (1 + cnp.exp(-x)))


def dense_relu(x, w, b):
    return cotan.nn.relu(x @ w + b)


def mlp_loss(params, x):
    h = x
    for w, b in params:
        h = cnp.tanh(h @ w + b)
    return cnp.mean(h ** 2)


def programs(rng):
    x = rng.standard_normal(300_001).astype(np.float32)
    m = rng.standard_normal((130, 70)).astype(np.float32)
    w = rng.standard_normal((70, 90)).astype(np.float32)
    b = rng.standard_normal(90).astype(np.float32)
    params = [(rng.standard_normal((70, 64)) / 8, np.zeros(64)), (rng.standard_normal((64, 5)) / 8, np.zeros(5))]
    return [
        ("silu", silu, (x,)),
        ("grad silu", cotan.grad(lambda v: cnp.sum(silu(v))), (x,)),
        ("sum(x*y+z)", lambda a, b_, c: cnp.sum(a * b_ + c), (x, x[::-1].copy(), x)),
        ("dense relu", dense_relu, (m, w, b)),
        ("softmax rows", lambda v: cotan.nn.softmax(v, axis=1), (m,)),
        ("mlp grad", cotan.grad(mlp_loss), (params, m.astype(np.float64))),
    ]


@pytest.mark.usefixtures("restore_config")
def test_results_unchanged_with_fusion_and_kernels_off():
    rng = np.random.default_rng(0)
    for name, fn, args in programs(rng):
        results = {}
        for fusion, kernels in itertools.product([True, False], repeat=2):
            cotan.config.update("cotan_fusion", fusion)
            cotan.config.update("cotan_cpu_kernels", kernels)
            results[fusion, kernels] = cotan.tree_util.tree_leaves(cotan.jit(fn)(*args))
        reference = results[False, False]
        for key, leaves in results.items():
            for got, want in zip(leaves, reference):
                np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=2e-5, atol=1e-4,
                                           err_msg=f"{name} with fusion, kernels = {key}")


@pytest.mark.usefixtures("restore_config")
def test_switches_change_the_compiled_code():
    x = np.ones(4096, np.float32)
    fused = cotan.jit(lambda v: cnp.sum(cnp.exp(v) * v)).lower(x).as_text("llvm")
    cotan.config.update("cotan_fusion", False)
    unfused = cotan.jit(lambda v: cnp.sum(cnp.exp(v) * v)).lower(x).as_text("llvm")
    assert "@malloc" not in fused.split("llvm.func @_mlir_ciface")[0].split("llvm.func @cotan_lambda")[-1]
    assert "llvm.call @malloc" in unfused


def test_bad_options_are_clear_errors():
    with pytest.raises(ValueError, match="unknown cotan option 'cotan_fuse'.*cotan_fusion"):
        cotan.config.update("cotan_fuse", False)
    with pytest.raises(TypeError, match="takes True or False"):
        cotan.config.update("cotan_fusion", "no")
