"""Cholesky factorization, triangular solves, and the band/diagonal helpers
against NumPy/SciPy; their derivatives against central differences."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg

import cotan
import cotan.numpy as cnp
from cotan import scipy as csp
from cotan.testing import check_grads
from conftest import assert_matches, check_eager_and_jit

HERE = r"test_decompositions.py:\d+"


def spd(rng, shape, dtype=np.float64):
    """Symmetric positive-definite matrices of shape [..., n, n]."""
    n = shape[-1]
    a = rng.standard_normal(shape)
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype(dtype)


@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (6, 6), (2, 4, 4), (2, 3, 5, 5), (0, 0)], ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cholesky_matches_numpy(shape, dtype, rng):
    a = spd(rng, shape, dtype)
    check_eager_and_jit(cnp.linalg.cholesky, np.linalg.cholesky, a,
                        tolerance_dtype=None if dtype == np.float64 else np.float16)
    upper = np.asarray(csp.linalg.cholesky(a))
    assert_matches(np.swapaxes(upper, -1, -2) @ upper, a, tolerance_dtype=np.float16 if dtype == np.float32 else None)


def test_cholesky_reads_the_lower_triangle_and_flags_indefinite_matrices(rng):
    a = spd(rng, (4, 4))
    garbage_above = np.tril(a) + np.triu(rng.standard_normal((4, 4)), 1)
    np.testing.assert_allclose(np.asarray(cnp.linalg.cholesky(garbage_above)), np.linalg.cholesky(a), rtol=1e-12)
    assert np.isnan(np.asarray(cnp.linalg.cholesky(np.array([[1.0, 2.0], [2.0, 1.0]])))).any()


@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("trans", [0, 1])
@pytest.mark.parametrize("unit_diagonal", [False, True])
@pytest.mark.parametrize("rhs", [(5,), (5, 3)], ids=str)
def test_solve_triangular_matches_scipy(lower, trans, unit_diagonal, rhs, rng):
    a = rng.standard_normal((5, 5)) + 4 * np.eye(5)
    b = rng.standard_normal(rhs)
    ours = csp.linalg.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal)
    expected = scipy.linalg.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal)
    np.testing.assert_allclose(np.asarray(ours), expected, rtol=1e-12, atol=1e-12)


def test_batched_solves_and_cho_solve(rng):
    a = spd(rng, (3, 4, 4))
    b = rng.standard_normal((3, 4, 2))
    factor = csp.linalg.cho_factor(a, lower=True)
    x = cotan.jit(lambda c, rhs: csp.linalg.cho_solve((c, True), rhs))(factor[0], b)
    np.testing.assert_allclose(np.asarray(x), np.linalg.solve(a, b), rtol=1e-10)
    upper = csp.linalg.cho_factor(a)
    np.testing.assert_allclose(np.asarray(csp.linalg.cho_solve(upper, b)), np.linalg.solve(a, b), rtol=1e-10)
    # One matrix against a batch of right-hand sides, and the reverse.
    v = rng.standard_normal((6, 4))
    low = np.linalg.cholesky(a[0])
    got = cotan.linalg.solve_triangular(low, v.T, lower=True)
    np.testing.assert_allclose(np.asarray(got), np.linalg.solve(low, v.T), rtol=1e-12)
    got = cotan.vmap(lambda m: cotan.linalg.solve_triangular(m, v[0], lower=True))(np.linalg.cholesky(a))
    np.testing.assert_allclose(np.asarray(got), np.linalg.solve(np.linalg.cholesky(a), v[0]), rtol=1e-12)


def test_decomposition_derivatives(rng):
    a = spd(rng, (4, 4))
    b = rng.standard_normal(4)
    check_grads(lambda m: cnp.linalg.cholesky(m), (a,), rtol=1e-6, atol=1e-8)
    check_grads(lambda m, v: cotan.linalg.solve_triangular(m, v, lower=True), (np.linalg.cholesky(a), b),
                rtol=1e-6, atol=1e-8)
    # log det through the factor: d/dA log det A = A^-1, where the factor
    # reads each off-diagonal pair once, from the lower triangle.
    grad = cotan.grad(lambda m: cotan.linalg.slogdet_from_cholesky(cnp.linalg.cholesky(m)))(a)
    inverse = np.linalg.inv(a)
    np.testing.assert_allclose(np.asarray(grad), 2 * np.tril(inverse) - np.diag(np.diag(inverse)), rtol=1e-10,
                               atol=1e-14)


def test_bad_decomposition_inputs():
    with pytest.raises(ValueError, match=HERE + ".*cholesky needs square matrices.*shape \\(2, 3\\)"):
        cnp.linalg.cholesky(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=HERE + ".*b of shape \\(4,\\) does not match a of shape \\(3, 3\\)"):
        cotan.linalg.solve_triangular(np.eye(3), np.zeros(4))
    with pytest.raises(ValueError, match=HERE + ".*trans must be"):
        csp.linalg.solve_triangular(np.eye(3), np.zeros(3), trans="X")


@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 3), (2, 3, 4), (0, 3)], ids=str)
@pytest.mark.parametrize("k", [0, 1, -2])
def test_tril_triu_diagonal_trace(shape, k, rng):
    x = rng.standard_normal(shape)
    check_eager_and_jit(lambda v: cnp.tril(v, k), lambda v: np.tril(v, k), x)
    check_eager_and_jit(lambda v: cnp.triu(v, k), lambda v: np.triu(v, k), x)
    check_eager_and_jit(lambda v: cnp.diagonal(v, k, -2, -1), lambda v: np.diagonal(v, k, -2, -1), x)
    check_eager_and_jit(lambda v: cnp.trace(v, k, -2, -1), lambda v: np.trace(v, k, -2, -1), x)
    if len(shape) == 3:
        check_eager_and_jit(lambda v: cnp.diagonal(v, k, 0, 2), lambda v: np.diagonal(v, k, 0, 2), x)
    ints = rng.integers(-3, 4, shape).astype(np.int32)
    check_eager_and_jit(lambda v: cnp.tril(v, k), lambda v: np.tril(v, k), ints)


@pytest.mark.parametrize("ord_axis", [(None, None), (2, 0), (1, 1), (np.inf, 1), (-np.inf, 0), (3, 1),
                                      (0, 1), ("fro", (0, 1)), (None, (1, 0))], ids=str)
def test_norm(ord_axis, rng):
    order, axis = ord_axis
    x = rng.standard_normal((3, 4))
    check_eager_and_jit(lambda v: cnp.linalg.norm(v, order, axis), lambda v: np.linalg.norm(v, order, axis), x)


def test_nextafter():
    x = np.array([1.0, -1.0, 0.0, 0.0, np.inf, 3.0, np.nan], np.float32)
    y = np.array([2.0, 2.0, 1.0, -1.0, 0.0, 3.0, 0.0], np.float32)
    np.testing.assert_array_equal(np.asarray(cnp.nextafter(x, y)), np.nextafter(x, y))
    np.testing.assert_array_equal(np.asarray(cotan.jit(cnp.nextafter)(x.astype(np.float64), y.astype(np.float64))),
                                  np.nextafter(x.astype(np.float64), y.astype(np.float64)))
