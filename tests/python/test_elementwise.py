"""Elementwise cnp functions against NumPy: shapes (scalar, vectors,
non-square, zero-size, broadcasting) and dtypes, eagerly and under jit."""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest

import cotan
import cotan.numpy as cnp
from conftest import assert_matches, check_eager_and_jit, random_array

SHAPES = [(), (5,), (2, 3), (0, 3), (3, 1, 4)]


def positive(rng, shape, dtype):
    return random_array(rng, shape, dtype, 0.1, 4.0)


def any_real(rng, shape, dtype):
    return random_array(rng, shape, dtype)


def unit(rng, shape, dtype):
    return random_array(rng, shape, dtype, -0.9, 0.9)


# name, domain, dtypes
UNARY = [
    ("negative", any_real, ["float32", "float64", "int32", "int64"]),
    ("abs", any_real, ["float32", "float64", "int32", "bool"]),
    ("sign", any_real, ["float32", "float64", "int32"]),
    ("exp", any_real, ["float32", "float64"]),
    ("exp2", any_real, ["float32", "float64"]),
    ("log", positive, ["float32", "float64"]),
    ("log2", positive, ["float32", "float64"]),
    ("log10", positive, ["float32", "float64"]),
    ("log1p", unit, ["float32", "float64"]),
    ("expm1", any_real, ["float32", "float64"]),
    ("tanh", any_real, ["float32", "float64"]),
    ("sinh", any_real, ["float32", "float64"]),
    ("cosh", any_real, ["float32", "float64"]),
    ("sqrt", positive, ["float32", "float64"]),
    ("sin", any_real, ["float32", "float64"]),
    ("cos", any_real, ["float32", "float64"]),
    ("tan", unit, ["float32", "float64"]),
    ("floor", any_real, ["float32", "float64"]),
    ("ceil", any_real, ["float32", "float64"]),
    ("square", any_real, ["float32", "int32"]),
    ("reciprocal", positive, ["float32", "float64"]),
    ("logical_not", any_real, ["bool", "float32"]),
    ("isnan", any_real, ["float32", "int32"]),
    ("isfinite", any_real, ["float64"]),
]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name,domain,dtypes", UNARY, ids=[u[0] for u in UNARY])
def test_unary(name, domain, dtypes, shape, rng):
    for dtype in dtypes:
        x = domain(rng, shape, dtype)
        check_eager_and_jit(getattr(cnp, name), getattr(np, name), x,
                            tolerance_dtype=np.float32 if dtype != "float64" else None)


def nonzero(rng, shape, dtype):
    x = random_array(rng, shape, dtype, 1, 4)
    signs = np.where(rng.random(shape) < 0.5, -1, 1).astype(x.dtype)
    return x * signs


BINARY = [
    ("add", any_real, any_real, ["float32", "float64", "int32", "int64", "bool"]),
    ("subtract", any_real, any_real, ["float32", "float64", "int32"]),
    ("multiply", any_real, any_real, ["float32", "int64", "bool"]),
    ("true_divide", any_real, nonzero, ["float32", "float64", "int32"]),
    ("floor_divide", any_real, nonzero, ["float32", "int32", "int64"]),
    ("remainder", any_real, nonzero, ["float32", "float64", "int32"]),
    ("fmod", any_real, nonzero, ["float32", "int32"]),
    ("power", positive, any_real, ["float32", "float64"]),
    ("maximum", any_real, any_real, ["float32", "int32", "bool"]),
    ("minimum", any_real, any_real, ["float64", "int64"]),
    ("arctan2", any_real, any_real, ["float32", "float64"]),
    ("logaddexp", any_real, any_real, ["float32", "float64"]),
    ("equal", any_real, any_real, ["float32", "int32", "bool"]),
    ("not_equal", any_real, any_real, ["float32", "int32"]),
    ("less", any_real, any_real, ["float32", "int32", "bool"]),
    ("less_equal", any_real, any_real, ["float64", "int64"]),
    ("greater", any_real, any_real, ["float32", "int32"]),
    ("greater_equal", any_real, any_real, ["float32", "int32"]),
    ("logical_and", any_real, any_real, ["bool", "int32"]),
    ("logical_or", any_real, any_real, ["bool", "float32"]),
    ("logical_xor", any_real, any_real, ["bool"]),
    ("bitwise_and", any_real, any_real, ["int32", "bool"]),
    ("bitwise_or", any_real, any_real, ["int64", "bool"]),
    ("bitwise_xor", any_real, any_real, ["int32", "bool"]),
]

BROADCAST_PAIRS = [((), ()), ((4,), ()), ((), (4,)), ((2, 3), (2, 3)), ((3, 1), (1, 4)),
                   ((2, 1, 3), (4, 1)), ((0, 3), (1, 3))]


@pytest.mark.parametrize("shapes", BROADCAST_PAIRS, ids=str)
@pytest.mark.parametrize("name,dom_x,dom_y,dtypes", BINARY, ids=[b[0] for b in BINARY])
def test_binary(name, dom_x, dom_y, dtypes, shapes, rng):
    for dtype in dtypes:
        x = dom_x(rng, shapes[0], dtype)
        y = dom_y(rng, shapes[1], dtype)
        check_eager_and_jit(getattr(cnp, name), getattr(np, name), x, y,
                            tolerance_dtype=np.float32 if dtype != "float64" else None)


def test_integer_power(rng):
    x = random_array(rng, (3, 4), "int32", -4, 4)
    y = random_array(rng, (3, 4), "int32", 0, 5)
    check_eager_and_jit(cnp.power, np.power, x, y)


def test_python_operators(rng):
    x = random_array(rng, (3, 4), "float32")
    y = random_array(rng, (4,), "float32", 1, 2)
    a, b = cnp.asarray(x), cnp.asarray(y)
    assert_matches(a + b, x + y)
    assert_matches(a - 1.5, x - 1.5)
    assert_matches(2 * a, 2 * x)
    assert_matches(a / b, x / y)
    assert_matches(a // b, x // y)
    assert_matches(a % b, x % y)
    assert_matches(b ** 2, y ** 2)
    assert_matches(-a, -x)
    assert_matches(abs(a), abs(x))
    assert_matches(a > 0, x > 0)
    assert_matches((a > 0) & (a < 1), (x > 0) & (x < 1))
    assert_matches(~(a > 0), ~(x > 0))
    assert_matches(1.0 - a, 1.0 - x)


def test_where_and_clip(rng):
    x = random_array(rng, (3, 4), "float32")
    y = random_array(rng, (4,), "float32")
    check_eager_and_jit(lambda a, b: cnp.where(a > 0, a, b), lambda a, b: np.where(a > 0, a, b), x, y)
    check_eager_and_jit(lambda a: cnp.where(a > 0, a, 0.0), lambda a: np.where(a > 0, a, 0.0).astype(np.float32), x)
    check_eager_and_jit(lambda a: cnp.clip(a, -1.0, 0.5), lambda a: np.clip(a, -1.0, 0.5), x)
    check_eager_and_jit(lambda a: cnp.clip(a, None, 0.5), lambda a: np.clip(a, None, 0.5), x)


def test_nan_semantics():
    x = np.array([np.nan, 1.0, -np.inf, np.inf, 0.0, -0.0], np.float32)
    assert_matches(cnp.isnan(x), np.isnan(x))
    assert_matches(cnp.isinf(x), np.isinf(x))
    assert_matches(cnp.isfinite(x), np.isfinite(x))
    assert_matches(cnp.sign(x), np.sign(x))
    assert_matches(cnp.maximum(x, 0.5), np.maximum(x, 0.5))
    assert_matches(cnp.minimum(x, 0.5), np.minimum(x, 0.5))
    assert_matches(cnp.equal(x, x), np.equal(x, x))
    assert_matches(cnp.not_equal(x, x), np.not_equal(x, x))
    assert_matches(cnp.logaddexp(x, x), np.logaddexp(x, x))


def test_integer_division_by_zero_is_defined():
    # x86 traps on integer division by zero; cotan defines x / 0 = -1 and
    # x % 0 = x (as XLA does) instead of crashing.
    x = np.array([7, -7, 0], np.int32)
    z = np.zeros(3, np.int32)
    np.testing.assert_array_equal(np.asarray(cotan.lax.div(cnp.asarray(x), cnp.asarray(z))), [-1, -1, -1])
    np.testing.assert_array_equal(np.asarray(cotan.lax.rem(cnp.asarray(x), cnp.asarray(z))), x)
    big = np.array([np.iinfo(np.int32).min], np.int32)
    minus_one = np.array([-1], np.int32)
    np.testing.assert_array_equal(np.asarray(cotan.lax.div(cnp.asarray(big), cnp.asarray(minus_one))), big)


@pytest.mark.parametrize("dtype", [np.float16, ml_dtypes.bfloat16])
def test_half_precision(dtype, rng):
    x = random_array(rng, (4, 5), dtype, 0.1, 2.0)
    y = random_array(rng, (5,), dtype, 0.1, 2.0)
    ref = lambda f: lambda *a: f(*[v.astype(np.float32) for v in a]).astype(dtype)
    for cfn, nfn in [(cnp.exp, np.exp), (cnp.log, np.log), (cnp.tanh, np.tanh), (cnp.sqrt, np.sqrt)]:
        out = check_eager_and_jit(cfn, ref(nfn), x)
        assert out.dtype == np.dtype(dtype)
    for cfn, nfn in [(cnp.add, np.add), (cnp.multiply, np.multiply), (cnp.true_divide, np.true_divide)]:
        out = check_eager_and_jit(cfn, ref(nfn), x, y)
        assert out.dtype == np.dtype(dtype)
