"""cotan.scipy.special: the special functions of jax.scipy.special that
probabilistic code needs.

erf and erfc are cotan ops (lowered to MLIR's `math.erf`/`math.erfc`);
the rest are compositions of cotan ops, so jit, grad and vmap see through
them. Derivatives are those of the formulas, which track the true ones to
a few ULP.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .. import numpy as cnp
from .. import ops
from ..array import ArrayBase

__all__ = ["betaln", "digamma", "erf", "erfc", "erfinv", "expit", "gammaln", "logit", "logsumexp", "ndtr",
           "ndtri", "xlog1py", "xlogy"]


def erf(x: Any) -> ArrayBase:
    return ops.erf(cnp._float(x))


def erfc(x: Any) -> ArrayBase:
    """1 - erf(x), without the cancellation for large x."""
    return ops.erfc(cnp._float(x))


# Giles' single-precision erfinv ("Approximating the erfinv function",
# GPU Computing Gems, 2011): two polynomials in w = -log(1 - x^2), as XLA
# computes it, so random.normal matches JAX's.
_ERFINV_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                   -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_ERFINV_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


def _polynomial(coefficients: Sequence[float], w: ArrayBase) -> ArrayBase:
    p = cnp.full_like(w, coefficients[0])
    for c in coefficients[1:]:
        p = p * w + c
    return p


def erfinv_single(x: ArrayBase) -> ArrayBase:
    """Giles' approximation (relative error ~1e-7) in x's precision."""
    w = -cnp.log((1.0 - x) * (1.0 + x))
    central = _polynomial(_ERFINV_CENTRAL, w - 2.5)
    tail = _polynomial(_ERFINV_TAIL, cnp.sqrt(cnp.maximum(w, 5.0)) - 3.0)
    return cnp.where(w < 5.0, central, tail) * x


def erfinv(x: Any) -> ArrayBase:
    """The inverse of erf on (-1, 1) (+-inf at +-1, NaN outside). float64
    refines Giles' approximation by two Newton steps on erf."""
    x = cnp._float(x)
    y = erfinv_single(x)
    if x.dtype == np.float64:
        inside = cnp.abs(x) < 1.0
        for _ in range(2):
            step = (erf(y) - x) / (1.1283791670955126 * cnp.exp(-y * y))
            y = cnp.where(inside, y - step, y)
    return cnp.where(x == 1.0, math.inf, cnp.where(x == -1.0, -math.inf, y))


def ndtr(x: Any) -> ArrayBase:
    """The standard normal CDF, Phi(x) = erfc(-x / sqrt(2)) / 2."""
    return 0.5 * erfc(-cnp._float(x) * (1 / math.sqrt(2)))


def ndtri(p: Any) -> ArrayBase:
    """The inverse of ndtr: sqrt(2) erfinv(2p - 1)."""
    return math.sqrt(2) * erfinv(2.0 * cnp._float(p) - 1.0)


# Lanczos' approximation with g = 7 and nine terms (as in Numerical
# Recipes): Gamma(z + 1) = sqrt(2 pi) t^(z + 1/2) e^-t A(z), t = z + g + 1/2.
_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7)


def _lgamma_positive(x: ArrayBase) -> ArrayBase:
    """log Gamma(x) for x >= 1/2."""
    z = x - 1.0
    series = cnp.full_like(z, _LANCZOS[0])
    for i, c in enumerate(_LANCZOS[1:], start=1):
        series = series + c / (z + float(i))
    t = z + (_LANCZOS_G + 0.5)
    return 0.5 * math.log(2 * math.pi) + (z + 0.5) * cnp.log(t) - t + cnp.log(series)


def gammaln(x: Any) -> ArrayBase:
    """log |Gamma(x)|; below 1/2 by reflection, Gamma(x) Gamma(1 - x) =
    pi / sin(pi x) (+inf at the poles 0, -1, -2, ...)."""
    x = cnp._float(x)
    reflect = x < 0.5
    # Each branch gets inputs where it is finite, so neither poisons the
    # other's gradient through where.
    direct = _lgamma_positive(cnp.where(reflect, 1.0, x))
    xr = cnp.where(reflect, x, 0.25)
    reflected = math.log(math.pi) - cnp.log(cnp.abs(cnp.sin(math.pi * xr))) - _lgamma_positive(1.0 - xr)
    pole = reflect & (cnp.floor(x) == x)  # sin(pi x) rounds to a tiny nonzero there
    return cnp.where(pole, math.inf, cnp.where(reflect, reflected, direct))


_DIGAMMA_SHIFT = 8  # psi(x) = psi(x + 8) - sum_k 1/(x + k); the series then converges fast
# Asymptotic series psi(y) ~ log y - 1/(2y) - sum_n B_2n / (2n y^2n).
_DIGAMMA_SERIES = (-1 / 12, 1 / 120, -1 / 252, 1 / 240, -1 / 132, 691 / 32760, -1 / 12)


def digamma(x: Any) -> ArrayBase:
    """psi(x) = d/dx log Gamma(x); below 0 by reflection, psi(1 - x) -
    pi / tan(pi x) (NaN at the poles 0, -1, -2, ...)."""
    x = cnp._float(x)
    reflect = x <= 0
    xr = cnp.where(reflect, x, -0.5)
    positive = cnp.where(reflect, 1.0 - xr, x)
    pole = reflect & (cnp.floor(x) == x)
    shifted = positive + float(_DIGAMMA_SHIFT)
    inverse_square = 1.0 / (shifted * shifted)
    tail = cnp.full_like(shifted, _DIGAMMA_SERIES[-1])
    for c in reversed(_DIGAMMA_SERIES[:-1]):
        tail = tail * inverse_square + c
    value = cnp.log(shifted) - 0.5 / shifted + tail * inverse_square
    for k in range(_DIGAMMA_SHIFT):
        value = value - 1.0 / (positive + float(k))
    reflected = value - math.pi / cnp.tan(math.pi * xr)
    return cnp.where(pole, math.nan, cnp.where(reflect, reflected, value))


def betaln(a: Any, b: Any) -> ArrayBase:
    """log |B(a, b)| = gammaln(a) + gammaln(b) - gammaln(a + b)."""
    a, b = cnp._promote(cnp._float(a), cnp._float(b))
    return gammaln(a) + gammaln(b) - gammaln(a + b)


def xlogy(x: Any, y: Any) -> ArrayBase:
    """x * log(y), and 0 where x == 0 (even where y <= 0)."""
    x, y = cnp._promote(cnp._float(x), cnp._float(y))
    # Only where x == 0 and log y is not finite does x log y need help; the
    # derivative in x stays log y, also at x == 0.
    return x * cnp.log(cnp.where((x == 0) & ~(y > 0), 1.0, y))


def xlog1py(x: Any, y: Any) -> ArrayBase:
    """x * log1p(y), and 0 where x == 0 (even where y <= -1)."""
    x, y = cnp._promote(cnp._float(x), cnp._float(y))
    return x * cnp.log1p(cnp.where((x == 0) & ~(y > -1), 0.0, y))


def expit(x: Any) -> ArrayBase:
    """1 / (1 + e^-x)."""
    return ops.logistic(cnp._float(x))


def logsumexp(a: Any, axis: Any = None, keepdims: bool = False) -> ArrayBase:
    """log(sum(exp(a))) without overflow (cotan.nn.logsumexp)."""
    from ..nn.activations import logsumexp as stable
    return stable(a, axis, keepdims)


def logit(p: Any) -> ArrayBase:
    """log(p / (1 - p)), the inverse of expit."""
    p = cnp._float(p)
    return cnp.log(p) - cnp.log1p(-p)
