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

