"""Elementwise loops large enough to be split over threads by
cotan-vectorize-elementwise, with ragged tails, broadcasting, booleans and
integers, against NumPy; and the fused gradient of a large elementwise sum."""

from __future__ import annotations

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp
from conftest import assert_matches, random_array

LARGE = 262_147  # past the parallel threshold, not a multiple of any vector


def silu(np_like):
    return lambda x: np_like.where(x > 0, x, x / (1 + np_like.exp(-x)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_large_ragged_elementwise(dtype, rng):
    x = random_array(rng, (LARGE,), dtype)
    assert_matches(cotan.jit(silu(cnp))(x), silu(np)(x))
    assert_matches(cotan.jit(lambda v: cnp.tanh(v * v + 1))(x), np.tanh(x * x + 1))


def test_large_broadcasting_compare_and_integers(rng):
    a = random_array(rng, (600, 501), "float32")
    row = random_array(rng, (501,), "float32")
    col = random_array(rng, (600, 1), "float32")
    assert_matches(cotan.jit(lambda a, r, c: a * r - c)(a, row, col), a * row - col)
    assert_matches(cotan.jit(lambda a, r: a < r)(a, row), a < row)
    i = random_array(rng, (600, 501), "int32", low=-50, high=50)
    j = random_array(rng, (501,), "int32", low=1, high=9)
    assert_matches(cotan.jit(lambda i, j: i * j + (i // j))(i, j), i * j + (i // j))
    b = i > 0
    assert_matches(cotan.jit(lambda b, i: cnp.where(b, i, -i))(b, i), np.where(b, i, -i))


def test_large_gradient_fuses_and_matches():
    x = np.linspace(-4, 4, LARGE)
    g = cotan.jit(cotan.grad(lambda v: cnp.sum(1 / (1 + cnp.exp(-v)))))(x)
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(np.asarray(g), s * (1 - s), rtol=1e-12, atol=1e-15)



@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_large_reductions_split_over_threads(dtype, rng):
    x = random_array(rng, (LARGE,), dtype, low=-2, high=2)
    y = random_array(rng, (LARGE,), dtype, low=-2, high=2)
    tolerance = {"float32": 1e-3, "float64": 1e-9}.get(dtype)
    got = cotan.jit(lambda a, b: cnp.sum(a * b + a))(x, y)
    want = np.sum(x.astype(np.float64) * y + x)
    if tolerance is None:
        assert int(np.asarray(got)) == int(want)
    else:
        np.testing.assert_allclose(np.asarray(got), want, rtol=tolerance, atol=tolerance * 100)
    assert_matches(cotan.jit(cnp.max)(x), np.max(x))
    assert_matches(cotan.jit(cnp.min)(x), np.min(x))


def test_row_reductions_and_booleans(rng):
    a = random_array(rng, (37, 5003), "float32")
    assert_matches(cotan.jit(lambda v: cnp.max(cnp.exp(v), axis=1))(a), np.max(np.exp(a), axis=1))
    np.testing.assert_allclose(np.asarray(cotan.jit(lambda v: cnp.sum(v * v, axis=1))(a)),
                               np.sum(a.astype(np.float64) ** 2, axis=1), rtol=1e-4)
    b = a > 2.9
    assert_matches(cotan.jit(lambda v: cnp.any(v, axis=1))(b), np.any(b, axis=1))
    assert_matches(cotan.jit(lambda v: cnp.all(v, axis=1))(~b), np.all(~b, axis=1))
    big = random_array(rng, (LARGE,), "float32") > 2.99
    assert_matches(cotan.jit(cnp.any)(big), np.any(big))
    # A NaN anywhere in a max survives the vector accumulation and the split.
    x = random_array(rng, (LARGE,), "float32")
    x[LARGE - 1] = np.nan
    assert np.isnan(np.asarray(cotan.jit(cnp.max)(x)))


def test_column_reductions(rng):
    a = random_array(rng, (600, 5003), "float32")
    np.testing.assert_allclose(np.asarray(cotan.jit(lambda v: cnp.sum(v, axis=0))(a)),
                               np.sum(a.astype(np.float64), axis=0), rtol=1e-4, atol=1e-3)
    assert_matches(cotan.jit(lambda v: cnp.max(v, axis=0))(a), np.max(a, axis=0))
    t = random_array(rng, (4, 300, 77), "float64")
    assert_matches(cotan.jit(lambda v: cnp.mean(v, axis=(0, 1)))(t), np.mean(t, axis=(0, 1)))


def test_long_rows_split_into_partials(rng):
    # Each of the 3 rows spans several tasks; partials fold back per row.
    a = random_array(rng, (3, LARGE), "float64")
    np.testing.assert_allclose(np.asarray(cotan.jit(lambda v: cnp.sum(v, axis=1))(a)),
                               np.sum(a, axis=1), rtol=1e-10)
    assert_matches(cotan.jit(lambda v: cnp.max(v, axis=1))(a), np.max(a, axis=1))
