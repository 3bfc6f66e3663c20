"""Contractions large enough for cotan-tile-matmul (blocked, vectorized,
multithreaded, A read in place) against NumPy in float64: ragged edges,
transposed and batched operands, and the gradients that contract them."""

from __future__ import annotations

import re

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp
from cotan.testing import check_grads
from conftest import random_array

# (m, k, n): tile multiples, ragged in every dimension, one row, one
# column wider than a register tile, more k than one slice, and shapes that
# split into many tasks.
SHAPES = [(64, 64, 64), (37, 129, 71), (1, 600, 100), (300, 700, 33), (5, 200, 1000),
          (250, 40, 260)]


def assert_close(actual, expected, k: int, dtype) -> None:
    actual = np.asarray(actual)
    assert actual.dtype == np.dtype(dtype) and actual.shape == expected.shape
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(actual, expected, rtol=0, atol=20 * eps * np.sqrt(k) * 9)


@pytest.mark.parametrize("m,k,n", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matmul(m, k, n, dtype, rng):
    a = random_array(rng, (m, k), dtype)
    b = random_array(rng, (k, n), dtype)
    got = cotan.jit(lambda x, y: x @ y)(a, b)
    assert_close(got, a.astype(np.float64) @ b, k, dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_transposed_operands(dtype, rng):
    a = random_array(rng, (130, 90), dtype)   # used as a.T: (90, 130)
    b = random_array(rng, (75, 130), dtype)   # used as b.T: (130, 75)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    assert_close(cotan.jit(lambda x, y: x.T @ y.T)(a, b), a64.T @ b64.T, 130, dtype)
    assert_close(cotan.jit(lambda x, y: x.T @ y)(a, a), a64.T @ a64, 130, dtype)
    assert_close(cotan.jit(lambda x, y: x @ y.T)(b, b), b64 @ b64.T, 130, dtype)


def test_batched_and_einsum(rng):
    a = random_array(rng, (3, 50, 70), "float32")
    b = random_array(rng, (3, 70, 45), "float32")
    want = np.einsum("bij,bjk->bik", a.astype(np.float64), b)
    assert_close(cotan.jit(lambda x, y: x @ y)(a, b), want, 70, "float32")
    assert_close(cotan.jit(lambda x, y: cnp.einsum("bij,bjk->bik", x, y))(a, b), want, 70, "float32")
    # Batch dimension in the middle of the operands.
    c = random_array(rng, (50, 3, 70), "float32")
    got = cotan.jit(lambda x, y: cnp.einsum("ibj,bjk->bik", x, y))(c, b)
    assert_close(got, np.einsum("ibj,bjk->bik", c.astype(np.float64), b), 70, "float32")


def test_matches_unblocked_loops(rng):
    # Below the kernel's threshold the contraction keeps its plain loops;
    # the blocked kernel on a larger matrix agrees with them block by block.
    a = random_array(rng, (96, 80), "float64")
    b = random_array(rng, (80, 100), "float64")
    big = np.asarray(cotan.jit(lambda x, y: x @ y)(a, b))
    small = cotan.jit(lambda x, y: x @ y)
    for i in range(0, 96, 16):
        for j in range(0, 100, 20):
            block = np.asarray(small(a[i:i + 16, :16], b[:16, j:j + 20]))
            rest = a[i:i + 16, 16:] @ b[16:, j:j + 20]
            np.testing.assert_allclose(big[i:i + 16, j:j + 20], block + rest, rtol=1e-12, atol=1e-12)


def test_gradient_of_dense_layer():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((40, 60))
    w = rng.standard_normal((60, 50)) / 8

    def loss(x, w):
        return cnp.sum(cnp.tanh(x @ w) ** 2)

    check_grads(loss, (x, w), rtol=1e-5, atol=1e-6)
    gx, gw = cotan.jit(cotan.grad(loss, argnums=(0, 1)))(x, w)
    t = np.tanh(x @ w)
    upstream = 2 * t * (1 - t ** 2)
    np.testing.assert_allclose(np.asarray(gx), upstream @ w.T, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(np.asarray(gw), x.T @ upstream, rtol=1e-10, atol=1e-10)


def test_compiled_code_is_vectorized_and_threaded(rng):
    a = random_array(rng, (128, 128), "float32")
    text = cotan.jit(lambda x, y: x @ y).lower(a, a).as_text("llvm")
    assert re.search(r"llvm\.intr\.fmuladd.*: \(vector<", text), "no vector FMAs"
    assert "llvm.call @mlirAsyncRuntimeExecute" in text, "no worker threads"


def _resident_mib() -> float:
    with open("/proc/self/status") as status:
        line = next(l for l in status if l.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


@pytest.mark.skipif(not __import__("os").path.exists("/proc/self/status"), reason="needs Linux /proc")
def test_intermediates_and_packing_buffers_are_freed(rng):
    # Each call allocates ~2 MiB of intermediates (two 512x512 f32 products)
    # plus the kernels' packing buffers; a leak would grow by that per call.
    a = random_array(rng, (512, 512), "float32")
    f = cotan.jit(lambda x: cnp.tanh(x @ x) @ x)
    for _ in range(5):
        f(a)
    before = _resident_mib()
    for _ in range(100):
        f(a)
    assert _resident_mib() - before < 16


EPILOGUES = {
    "bias_relu": (lambda y, b, r, s: cotan.nn.relu(y + b), lambda y, b, r, s: np.maximum(y + b, 0)),
    "tanh_row_scale": (lambda y, b, r, s: cnp.tanh(y) * s[:, None], lambda y, b, r, s: np.tanh(y) * s[:, None]),
    "residual": (lambda y, b, r, s: y * 0.5 + r, lambda y, b, r, s: y * 0.5 + r),
    "compare": (lambda y, b, r, s: cnp.where(y > b, y, -1.0), lambda y, b, r, s: np.where(y > b, y, -1.0)),
}


@pytest.mark.parametrize("name", EPILOGUES)
@pytest.mark.parametrize("m,k,n", [(64, 64, 64), (37, 129, 71), (250, 40, 260)], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matmul_epilogues(name, m, k, n, dtype, rng):
    """Elementwise ops after a matmul run on its register tile: the same
    numbers as NumPy, whatever the edges."""
    ours, numpy = EPILOGUES[name]
    a, w = random_array(rng, (m, k), dtype), random_array(rng, (k, n), dtype)
    b, r, s = random_array(rng, (n,), dtype), random_array(rng, (m, n), dtype), random_array(rng, (m,), dtype)
    got = cotan.jit(lambda a, w, b, r, s: ours(a @ w, b, r, s))(a, w, b, r, s)
    expected = numpy(a.astype(np.float64) @ w, b, r, s)
    assert_close(got, expected, k, dtype)


def test_matmul_result_also_returned_is_not_fused(rng):
    a, w = random_array(rng, (64, 96), "float32"), random_array(rng, (96, 80), "float32")
    b = random_array(rng, (80,), "float32")
    y, z = cotan.jit(lambda a, w, b: (a @ w, cotan.nn.relu(a @ w + b)))(a, w, b)
    exact = a.astype(np.float64) @ w
    assert_close(y, exact, 96, "float32")
    assert_close(z, np.maximum(exact + b, 0), 96, "float32")


def test_layer_stack_reusing_buffers(rng):
    """Three dense layers: bufferization gives the second layer's activation
    the buffer of its input, which the fused epilogue must not overwrite
    while the matmul still reads it."""
    x = random_array(rng, (600, 2), "float32")
    w1, w2, w3 = (random_array(rng, s, "float32") for s in ((2, 64), (64, 64), (64, 3)))
    b1, b2, b3 = (random_array(rng, (s,), "float32") for s in (64, 64, 3))

    def mlp(x, w1, b1, w2, b2, w3, b3, relu):
        h = relu(x @ w1 + b1)
        return relu(h @ w2 + b2) @ w3 + b3

    got = cotan.jit(lambda *a: mlp(*a, cotan.nn.relu))(x, w1, b1, w2, b2, w3, b3)
    f64 = [np.asarray(v, np.float64) for v in (x, w1, b1, w2, b2, w3, b3)]
    expected = mlp(*f64, lambda v: np.maximum(v, 0))
    assert_close(got, expected, 64 * 64, "float32")


def test_zero_filled_results_start_from_zero(rng):
    """Products into fresh (zero-filled) buffers skip reading them: the
    numbers match however many contraction slices there are."""
    for k in (3, 300, 2000):
        a, w = random_array(rng, (70, k), "float32"), random_array(rng, (k, 50), "float32")
        assert_close(cotan.jit(lambda a, w: a @ w)(a, w), a.astype(np.float64) @ w, k, "float32")


hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=25, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(m=st.integers(1, 300), k=st.integers(1, 300), n=st.integers(1, 300),
       batch=st.sampled_from([(), (2,), (3,)]), transpose_a=st.booleans(),
       transpose_b=st.booleans(), epilogue=st.booleans(),
       dtype=st.sampled_from(["float32", "float64"]), seed=st.integers(0, 2**31 - 1))
def test_random_contractions(m, k, n, batch, transpose_a, transpose_b, epilogue, dtype, seed):
    """Fuzzed: any sizes (ragged against every tile), stored layouts, batch
    dimensions and a fused bias + relu equal NumPy."""
    rng = np.random.default_rng(seed)
    a = random_array(rng, (*batch, k, m) if transpose_a else (*batch, m, k), dtype)
    b = random_array(rng, (*batch, n, k) if transpose_b else (*batch, k, n), dtype)
    bias = random_array(rng, (n,), dtype)

    def f(xp, a, b, bias, relu):
        x = xp.swapaxes(a, -1, -2) if transpose_a else a
        y = xp.swapaxes(b, -1, -2) if transpose_b else b
        z = x @ y
        return relu(z + bias) if epilogue else z

    got = cotan.jit(lambda a, b, bias: f(cnp, a, b, bias, cotan.nn.relu))(a, b, bias)
    f64 = [v.astype(np.float64) for v in (a, b, bias)]
    assert_close(got, f(np, *f64, lambda v: np.maximum(v, 0)), k, dtype)
