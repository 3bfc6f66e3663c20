"""Array creation, dtype promotion and cotan.nn against NumPy."""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest

import cotan
import cotan.numpy as cnp
from conftest import assert_matches, check_eager_and_jit, random_array


def test_creation():
    assert_matches(cnp.zeros((2, 3)), np.zeros((2, 3)))
    assert cnp.zeros((2, 3)).dtype == np.float32
    assert_matches(cnp.ones(4, dtype=cnp.int32), np.ones(4, np.int32))
    assert_matches(cnp.full((2, 2), 7), np.full((2, 2), 7))
    assert cnp.full((2, 2), 7).dtype == np.int32
    assert_matches(cnp.arange(5), np.arange(5))
    assert_matches(cnp.arange(1, 10, 3), np.arange(1, 10, 3))
    assert cnp.arange(0.0, 1.0, 0.25).dtype == np.float32
    assert_matches(cnp.linspace(0, 1, 5), np.linspace(0, 1, 5))
    assert_matches(cnp.eye(3, 4, 1), np.eye(3, 4, 1))
    assert_matches(cnp.identity(2), np.identity(2))
    x = np.ones((2, 3), np.int64)
    assert_matches(cnp.zeros_like(x), np.zeros_like(x))
    assert cnp.ones_like(x).dtype == np.int64
    assert_matches(cnp.full_like(x, 3), np.full_like(x, 3))
    assert_matches(cnp.array([[1, 2], [3, 4]]), np.array([[1, 2], [3, 4]]))
    assert_matches(cnp.zeros((0, 2)), np.zeros((0, 2)))


def test_creation_inside_jit(rng):
    x = random_array(rng, (3,), "float32")
    check_eager_and_jit(lambda a: a + cnp.arange(3), lambda a: a + np.arange(3), x)
    check_eager_and_jit(lambda a: cnp.full((3,), a[0]), lambda a: np.full((3,), a[0]), x)


PROMOTIONS = [
    (np.float32, np.float64, np.float64), (np.int32, np.int64, np.int64), (np.int32, np.float32, np.float32),
    (np.int64, np.float16, np.float16), (np.float16, ml_dtypes.bfloat16, np.float32), (np.bool_, np.int32, np.int32),
    (np.bool_, np.bool_, np.bool_), (np.float16, np.float32, np.float32),
]


@pytest.mark.parametrize("a,b,expected", PROMOTIONS, ids=str)
def test_promotion(a, b, expected):
    out = cnp.add(np.ones(2, a), np.ones(2, b))
    assert out.dtype == np.dtype(expected)


def test_weak_scalars_keep_array_dtype():
    h = np.ones(3, np.float16)
    assert (cnp.asarray(h) * 2.0).dtype == np.float16
    assert (cnp.asarray(h) + 1).dtype == np.float16
    i = np.ones(3, np.int64)
    assert (cnp.asarray(i) + 1).dtype == np.int64
    assert (cnp.asarray(i) * 0.5).dtype == np.float32
    d = np.ones(3, np.float64)
    # A double-precision literal stays double precision next to float64.
    np.testing.assert_array_equal(np.asarray(cnp.asarray(d) * 0.1), d * 0.1)
    assert cotan.jit(lambda x, s: x * s)(h, 3.0).dtype == np.float16


def test_astype(rng):
    x = random_array(rng, (2, 3), "float32", -5, 5)
    for dtype in [np.int32, np.int64, np.float64, np.float16, ml_dtypes.bfloat16, np.bool_]:
        check_eager_and_jit(lambda a: cnp.astype(a, dtype), lambda a: a.astype(dtype), x,
                            tolerance_dtype=np.float32 if np.dtype(dtype).kind == "f" else None)
    b = random_array(rng, (4,), "bool")
    check_eager_and_jit(lambda a: cnp.asarray(a).astype(np.float32), lambda a: a.astype(np.float32), b)


def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_nn(dtype, rng):
    x = random_array(rng, (3, 5), dtype)
    tol = None if dtype == "float64" else np.float32
    check_eager_and_jit(cotan.nn.relu, lambda a: np.maximum(a, 0), x, tolerance_dtype=tol)
    check_eager_and_jit(cotan.nn.sigmoid, lambda a: 1 / (1 + np.exp(-a)), x, tolerance_dtype=tol)
    check_eager_and_jit(cotan.nn.softmax, np_softmax, x, tolerance_dtype=tol)
    check_eager_and_jit(lambda a: cotan.nn.softmax(a, axis=0), lambda a: np_softmax(a, axis=0), x, tolerance_dtype=tol)
    check_eager_and_jit(cotan.nn.log_softmax, lambda a: np.log(np_softmax(a)), x, tolerance_dtype=tol)
    check_eager_and_jit(cotan.nn.logsumexp, np_logsumexp, x, tolerance_dtype=tol)
    check_eager_and_jit(lambda a: cotan.nn.logsumexp(a, axis=1, keepdims=True),
                        lambda a: np_logsumexp(a, axis=1, keepdims=True), x, tolerance_dtype=tol)
    check_eager_and_jit(cotan.nn.silu, lambda a: a / (1 + np.exp(-a)), x, tolerance_dtype=tol)
    check_eager_and_jit(cotan.nn.softplus, lambda a: np.logaddexp(a, 0), x, tolerance_dtype=tol)


def test_nn_is_stable():
    big = np.array([1000.0, 1000.0, -1000.0], np.float32)
    assert_matches(cotan.nn.logsumexp(big), np.float32(1000.0 + np.log(2.0)))
    assert_matches(cotan.nn.softmax(big), np.array([0.5, 0.5, 0.0], np.float32))
    assert np.isfinite(np.asarray(cotan.nn.log_softmax(big))[:2]).all()
    assert_matches(cotan.nn.sigmoid(np.array([-200.0, 200.0], np.float32)), np.array([0.0, 1.0], np.float32))
    assert_matches(cotan.nn.logsumexp(np.full(3, -np.inf, np.float32)), np.float32(-np.inf))


def test_one_hot():
    labels = np.array([2, 0, 1], np.int32)
    assert_matches(cotan.nn.one_hot(labels, 4), np.eye(4, dtype=np.float32)[labels])
