"""cotan.scipy.special against scipy.special (float32 and float64, eagerly
and under jit), derivatives against central differences, and poles."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special as ss

import cotan
import cotan.numpy as cnp
from cotan.scipy import special
from cotan.testing import check_grads

REAL = np.array([-5.0, -2.2, -0.7, -1e-3, 0.0, 0.3, 1.0, 1.9, 3.5, 6.0])
POSITIVE = np.array([1e-3, 0.1, 0.5, 1.0, 1.5, 2.0, 3.7, 10.0, 123.4, 1e5])
NEGATIVE = np.array([-0.5, -1.3, -2.7, -10.25])
OPEN_UNIT = np.array([-0.9999, -0.9, -0.3, 0.0, 1e-4, 0.5, 0.97, 0.99999])

# name: (ours, scipy's, inputs, float32 tolerance (absolute and relative))
FUNCTIONS = {
    "erf": (special.erf, ss.erf, REAL, 2e-7),
    "erfc": (special.erfc, ss.erfc, REAL, 2e-6),
    "erfinv": (special.erfinv, ss.erfinv, OPEN_UNIT, 3e-6),
    "ndtr": (special.ndtr, ss.ndtr, REAL, 2e-6),
    "ndtri": (special.ndtri, ss.ndtri, (OPEN_UNIT + 1) / 2.0001 + 1e-5, 1e-5),
    "gammaln": (special.gammaln, ss.gammaln, np.concatenate([POSITIVE, NEGATIVE]), 2e-5),
    "digamma": (special.digamma, ss.digamma, np.concatenate([POSITIVE, NEGATIVE]), 2e-5),
    "expit": (special.expit, ss.expit, REAL, 2e-7),
    "logit": (special.logit, ss.logit, (OPEN_UNIT + 1) / 2.0001 + 1e-5, 2e-6),
}


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_against_scipy(name, dtype):
    ours, reference, x, tol32 = FUNCTIONS[name]
    x = x.astype(dtype)
    expected = reference(x.astype(np.float64))  # at the rounded inputs
    tol = 1e-13 if dtype == np.float64 else tol32
    for got in (ours(x), cotan.jit(ours)(x)):
        got = np.asarray(got)
        assert got.dtype == dtype
        # Absolute error for values below 1, relative above.
        error = np.abs(got - expected) / np.maximum(1, np.abs(expected))
        assert error.max() <= tol, f"{name}({x}) = {got}, expected {expected}"


def test_two_argument_functions():
    a = np.array([0.5, 1.0, 2.5, 30.0])
    b = np.array([2.0, 0.1, 2.5, 7.0])
    np.testing.assert_allclose(np.asarray(special.betaln(a, b)), ss.betaln(a, b), rtol=1e-12)
    x = np.array([0.0, 0.0, 2.0, 1.5])
    y = np.array([0.0, 3.0, 0.5, -1.0])
    np.testing.assert_allclose(np.asarray(special.xlogy(x, y)), ss.xlogy(x, y), rtol=1e-14)
    np.testing.assert_allclose(np.asarray(special.xlog1py(x[:3], y[:3] - 1)), ss.xlog1py(x[:3], y[:3] - 1),
                               rtol=1e-14)
    assert float(special.xlog1py(0.0, -1.0)) == 0.0 and float(special.xlogy(0.0, -1.0)) == 0.0
    check_grads(lambda u: special.xlogy(u, np.array([0.5, 2.0])), (np.array([0.0, 1.0]),))
    logits = np.array([[1.0, 2.0, 800.0], [-3.0, 0.0, 1.0]])
    np.testing.assert_allclose(np.asarray(special.logsumexp(logits, axis=1)), ss.logsumexp(logits, axis=1),
                               rtol=1e-14)


def test_poles_and_edges():
    poles = np.array([0.0, -1.0, -4.0])
    assert np.all(np.isinf(np.asarray(special.gammaln(poles))))
    assert np.all(np.isnan(np.asarray(special.digamma(poles))))  # scipy gives -inf at 0, NaN below
    np.testing.assert_array_equal(np.asarray(special.erfinv(np.array([-1.0, 1.0, 2.0]))), [-np.inf, np.inf, np.nan])
    assert float(special.erfc(np.float32(9.0))) == pytest.approx(ss.erfc(9.0), rel=1e-3)  # not 1 - erf
    assert float(special.gammaln(3)) == pytest.approx(np.log(2.0))  # integers become floats


@pytest.mark.parametrize("name, x", [
    ("erf", REAL), ("erfc", REAL), ("erfinv", OPEN_UNIT[1:-1]), ("ndtr", REAL),
    ("gammaln", np.concatenate([POSITIVE[1:-1], NEGATIVE])), ("digamma", np.concatenate([POSITIVE[1:-1], NEGATIVE])),
])
def test_derivatives_match_finite_differences(name, x):
    check_grads(lambda v: FUNCTIONS[name][0](v), (x,), eps=1e-6, rtol=1e-6, atol=1e-7)


def test_gammaln_gradient_is_digamma():
    x = np.concatenate([POSITIVE[1:], NEGATIVE])
    grad = cotan.jit(cotan.grad(lambda v: cnp.sum(special.gammaln(v))))(x)
    np.testing.assert_allclose(np.asarray(grad), ss.digamma(x), rtol=1e-12, atol=1e-12)


def test_vmap_and_broadcasting():
    a = np.array([[0.5], [2.0]])
    b = np.array([1.0, 3.0, 9.0])
    np.testing.assert_allclose(np.asarray(special.betaln(a, b)), ss.betaln(a, b), rtol=1e-12)
    batched = cotan.vmap(special.digamma)(POSITIVE.reshape(5, 2))
    np.testing.assert_allclose(np.asarray(batched), ss.digamma(POSITIVE).reshape(5, 2), rtol=1e-13)
    assert np.asarray(special.erf(np.zeros((0, 3)))).shape == (0, 3)
