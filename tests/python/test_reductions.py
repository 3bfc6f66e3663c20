"""Reductions against NumPy over axes (None, int, negative, tuples),
keepdims, dtypes and zero-size inputs."""

from __future__ import annotations

import numpy as np
import pytest

import cotan.numpy as cnp
from conftest import check_eager_and_jit, random_array

AXES = [None, 0, -1, (0, 2), (1,), ()]
REDUCTIONS = [
    ("sum", ["float32", "float64", "int32", "bool"]),
    ("prod", ["float64", "int64"]),
    ("max", ["float32", "int32", "bool"]),
    ("min", ["float64", "int64"]),
    ("mean", ["float32", "float64", "int32"]),
    ("var", ["float32", "float64"]),
    ("std", ["float64"]),
    ("all", ["bool", "float32"]),
    ("any", ["bool", "int32"]),
]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("name,dtypes", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
def test_reduction(name, dtypes, axis, keepdims, rng):
    for dtype in dtypes:
        low, high = (0.5, 1.5) if name == "prod" else (-3, 3)
        x = random_array(rng, (2, 3, 4), dtype, low, high)
        check_eager_and_jit(
            lambda a: getattr(cnp, name)(a, axis=axis, keepdims=keepdims),
            lambda a: getattr(np, name)(a, axis=axis, keepdims=keepdims),
            x, tolerance_dtype=np.float32 if dtype != "float64" else None)


@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "mean", "all", "any"])
def test_scalar_and_vector(name, rng):
    for shape in [(), (7,)]:
        x = random_array(rng, shape, "float32", 0.5, 1.5)
        check_eager_and_jit(getattr(cnp, name), getattr(np, name), x, tolerance_dtype=np.float32)


def test_zero_size():
    x = np.zeros((0, 3), np.float32)
    check_eager_and_jit(lambda a: cnp.sum(a, axis=0), lambda a: np.sum(a, axis=0), x)
    check_eager_and_jit(lambda a: cnp.prod(a, axis=0), lambda a: np.prod(a, axis=0), x)
    check_eager_and_jit(lambda a: cnp.any(a, axis=0), lambda a: np.any(a, axis=0), x)
    check_eager_and_jit(lambda a: cnp.all(a, axis=0), lambda a: np.all(a, axis=0), x)
    check_eager_and_jit(lambda a: cnp.max(a, axis=1), lambda a: np.max(a, axis=1), x)
    with pytest.raises(ValueError, match="zero-size array to reduction operation maximum"):
        cnp.max(x, axis=0)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_arg_reductions(name, axis, rng):
    for dtype in ["float32", "float64", "int32", "bool"]:
        x = random_array(rng, (4, 5), dtype)
        check_eager_and_jit(lambda a: getattr(cnp, name)(a, axis=axis),
                            lambda a: getattr(np, name)(a, axis=axis), x)
        check_eager_and_jit(lambda a: getattr(cnp, name)(a, axis=axis, keepdims=True),
                            lambda a: getattr(np, name)(a, axis=axis, keepdims=True), x)


def test_arg_reduction_ties_and_nans():
    x = np.array([[1.0, 3.0, 3.0, 0.0], [np.nan, 2.0, np.nan, 5.0], [-np.inf, -np.inf, -np.inf, -np.inf]], np.float32)
    for name in ["argmax", "argmin"]:
        check_eager_and_jit(lambda a: getattr(cnp, name)(a, axis=1), lambda a: getattr(np, name)(a, axis=1), x)
    with pytest.raises(ValueError, match="empty sequence"):
        cnp.argmax(np.zeros((0,), np.float32))


def test_var_ddof(rng):
    x = random_array(rng, (5, 6), "float64")
    check_eager_and_jit(lambda a: cnp.var(a, axis=0, ddof=1), lambda a: np.var(a, axis=0, ddof=1), x)
    check_eager_and_jit(lambda a: cnp.std(a, ddof=1), lambda a: np.std(a, ddof=1), x)


def test_reduction_methods(rng):
    x = random_array(rng, (3, 4), "float32")
    a = cnp.asarray(x)
    np.testing.assert_allclose(np.asarray(a.sum(axis=0)), x.sum(axis=0), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(a.mean()), x.mean(), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(a.max(axis=1, keepdims=True)), x.max(axis=1, keepdims=True))
    np.testing.assert_array_equal(np.asarray(a.argmin(axis=0)), x.argmin(axis=0))
