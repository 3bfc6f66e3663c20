"""cotan.distributions: a small, readable subset of numpyro.distributions.

Each distribution holds its parameters as arrays (traced or concrete), so
it can be built inside a jitted or differentiated function:

    d = Normal(loc, scale)
    x = d.rsample(key, (100,))        # reparameterized: grad flows to loc, scale
    lp = d.log_prob(x)
    kl = kl_divergence(d, Normal(0.0, 1.0))
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import numpy as cnp
from . import random
from .random import check_concrete
from .scipy import special
from .array import ArrayBase
from .errors import user_error
from .transforms import stop_gradient

__all__ = ["Bernoulli", "Beta", "Categorical", "Dirichlet", "Distribution", "Gamma", "MultivariateNormal", "Normal",
           "kl_divergence"]

_HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)


def _shape(sample_shape: Any) -> tuple[int, ...]:
    return (int(sample_shape),) if isinstance(sample_shape, (int, np.integer)) else tuple(sample_shape)


class Distribution:
    """batch_shape: independent distributions; event_shape: one draw's."""

    batch_shape: tuple[int, ...] = ()
    event_shape: tuple[int, ...] = ()
    reparameterized = False

    def sample(self, key: Any, sample_shape: Any = ()) -> ArrayBase:
        """Draws of shape sample_shape + batch_shape + event_shape; no
        gradient flows through them."""
        return stop_gradient(self.rsample(key, sample_shape)) if self.reparameterized else \
            self._sample(key, _shape(sample_shape))

    def rsample(self, key: Any, sample_shape: Any = ()) -> ArrayBase:
        raise user_error(NotImplementedError, f"{type(self).__name__} has no reparameterized sampler; "
                                              "use sample (and a score-function estimator)")

    def _sample(self, key: Any, sample_shape: tuple[int, ...]) -> ArrayBase:
        raise NotImplementedError

    def log_prob(self, value: Any) -> ArrayBase:
        raise NotImplementedError

    def entropy(self) -> ArrayBase:
        raise NotImplementedError


class Normal(Distribution):
    reparameterized = True

    def __init__(self, loc: Any = 0.0, scale: Any = 1.0):
        self.loc, self.scale = cnp._promote(cnp._float(loc), cnp._float(scale))
        check_concrete(self.scale, lambda s: s > 0, "Normal: scale must be positive")
        self.batch_shape = tuple(np.broadcast_shapes(self.loc.shape, self.scale.shape))

    @property
    def mean(self) -> ArrayBase:
        return cnp.broadcast_to(self.loc, self.batch_shape)

    @property
    def variance(self) -> ArrayBase:
        return cnp.broadcast_to(self.scale ** 2, self.batch_shape)

    def rsample(self, key: Any, sample_shape: Any = ()) -> ArrayBase:
        """loc + scale * eps with eps ~ N(0, 1): differentiable in loc and scale."""
        shape = _shape(sample_shape) + self.batch_shape
        eps = random.normal(key, shape, np.dtype(self.loc.dtype))
        return self.loc + self.scale * eps

    def log_prob(self, value: Any) -> ArrayBase:
        z = (cnp._float(value) - self.loc) / self.scale
        return -0.5 * z * z - cnp.log(self.scale) - _HALF_LOG_TWO_PI

    def entropy(self) -> ArrayBase:
        return cnp.broadcast_to(0.5 + _HALF_LOG_TWO_PI + cnp.log(self.scale), self.batch_shape)


def _logits_and_probs(probs: Any, logits: Any, name: str, axis: int | None) -> tuple[ArrayBase, ArrayBase]:
    """(logits, probs) from exactly one of them; for categories (axis=-1)
    the logits are normalized log-probabilities."""
    from .nn import log_softmax, sigmoid, softmax
    if (probs is None) == (logits is None):
        raise user_error(ValueError, f"{name} takes exactly one of probs and logits")
    if probs is not None:
        probs = cnp._float(probs)
        check_concrete(probs, lambda p: (p >= 0) & (p <= 1), f"{name}: probs must lie in [0, 1]")
        if axis is None:
            return cnp.log(probs) - cnp.log1p(-probs), probs
        return cnp.log(probs / cnp.sum(probs, axis=-1, keepdims=True)), probs / cnp.sum(probs, axis=-1,
                                                                                        keepdims=True)
    logits = cnp._float(logits)
    if axis is None:
        return logits, sigmoid(logits)
    return log_softmax(logits, axis=-1), softmax(logits, axis=-1)


class Bernoulli(Distribution):
    def __init__(self, probs: Any = None, logits: Any = None):
        self.logits, self.probs = _logits_and_probs(probs, logits, "Bernoulli", None)
        self.batch_shape = tuple(self.logits.shape)

    @property
    def mean(self) -> ArrayBase:
        return self.probs

    def _sample(self, key: Any, sample_shape: tuple[int, ...]) -> ArrayBase:
        return random.bernoulli(key, self.probs, sample_shape + self.batch_shape)

    def log_prob(self, value: Any) -> ArrayBase:
        """x log p + (1 - x) log(1 - p), from the logits (stable)."""
        from .nn import softplus
        x = cnp._float(value)
        return -(x * softplus(-self.logits) + (1.0 - x) * softplus(self.logits))

    def entropy(self) -> ArrayBase:
        from .nn import softplus
        return self.probs * softplus(-self.logits) + (1.0 - self.probs) * softplus(self.logits)


class Categorical(Distribution):
    """Categories 0..K-1 along the last axis of probs or logits."""

    def __init__(self, probs: Any = None, logits: Any = None):
        self.logits, self.probs = _logits_and_probs(probs, logits, "Categorical", -1)
        if self.logits.ndim == 0:
            raise user_error(ValueError, "Categorical needs probs or logits with a category axis")
        self.batch_shape = tuple(self.logits.shape[:-1])

    def _sample(self, key: Any, sample_shape: tuple[int, ...]) -> ArrayBase:
        return random.categorical(key, self.logits, axis=-1, shape=sample_shape + self.batch_shape)

    def log_prob(self, value: Any) -> ArrayBase:
        from .nn import one_hot
        value = cnp.astype(cnp.asarray(value), np.int32)
        chosen = one_hot(value, self.logits.shape[-1], self.logits.dtype)
        return cnp.sum(chosen * self.logits, axis=-1)

    def entropy(self) -> ArrayBase:
        return -cnp.sum(self.probs * self.logits, axis=-1)


class MultivariateNormal(Distribution):
    """N(loc, Sigma) over the last axis, from covariance_matrix or its
    lower Cholesky factor scale_tril (exactly one)."""

    reparameterized = True

    def __init__(self, loc: Any = 0.0, covariance_matrix: Any = None, scale_tril: Any = None):
        from . import linalg
        if (covariance_matrix is None) == (scale_tril is None):
            raise user_error(ValueError, "MultivariateNormal takes exactly one of covariance_matrix and scale_tril")
        if scale_tril is None:
            covariance_matrix = linalg.square_matrices(covariance_matrix, "MultivariateNormal's covariance_matrix")
            scale_tril = linalg.cholesky(covariance_matrix)
            check_concrete(scale_tril, lambda f: ~np.isnan(f),
                           "MultivariateNormal: covariance_matrix is not positive-definite")
        else:
            scale_tril = cnp.tril(linalg.square_matrices(scale_tril, "MultivariateNormal's scale_tril"))
            check_concrete(cnp.diagonal(scale_tril, axis1=-2, axis2=-1), lambda d: d > 0,
                           "MultivariateNormal: scale_tril must have a positive diagonal")
        loc, self.scale_tril = cnp._promote(cnp._float(loc), scale_tril)
        k = self.scale_tril.shape[-1]
        self.loc = loc if loc.ndim else cnp.broadcast_to(loc, (k,))
        if self.loc.shape[-1] != k:
            raise user_error(ValueError, f"MultivariateNormal: loc of shape {self.loc.shape} does not match a "
                                         f"{k}x{k} covariance")
        self.event_shape = (k,)
        self.batch_shape = tuple(np.broadcast_shapes(self.loc.shape[:-1], self.scale_tril.shape[:-2]))

    @property
    def mean(self) -> ArrayBase:
        return cnp.broadcast_to(self.loc, self.batch_shape + self.event_shape)

    @property
    def covariance_matrix(self) -> ArrayBase:
        return self.scale_tril @ cnp.swapaxes(self.scale_tril, -1, -2)

    def rsample(self, key: Any, sample_shape: Any = ()) -> ArrayBase:
        """loc + L eps with eps ~ N(0, I): differentiable in loc and L."""
        shape = _shape(sample_shape) + self.batch_shape + self.event_shape
        eps = random.normal(key, shape, np.dtype(self.loc.dtype))
        return self.loc + cnp.einsum("...ij,...j->...i", self.scale_tril, eps)

    def _half_log_det(self) -> ArrayBase:
        return cnp.sum(cnp.log(cnp.diagonal(self.scale_tril, axis1=-2, axis2=-1)), axis=-1)

    def log_prob(self, value: Any) -> ArrayBase:
        from .linalg import solve_triangular
        diff = cnp._float(value) - self.loc
        z = solve_triangular(self.scale_tril, diff[..., None], lower=True)[..., 0]
        k = self.event_shape[0]
        return -0.5 * cnp.sum(z * z, axis=-1) - self._half_log_det() - k * _HALF_LOG_TWO_PI

    def entropy(self) -> ArrayBase:
        k = self.event_shape[0]
        return cnp.broadcast_to(k * (0.5 + _HALF_LOG_TWO_PI) + self._half_log_det(), self.batch_shape)


def _positive(x: Any, message: str) -> ArrayBase:
    x = cnp._float(x)
    check_concrete(x, lambda v: v > 0, message)
    return x


class Gamma(Distribution):
    """Gamma(concentration, rate): density x^(a-1) e^(-rate x) rate^a / Gamma(a)."""

    def __init__(self, concentration: Any, rate: Any = 1.0):
        self.concentration, self.rate = cnp._promote(
            _positive(concentration, "Gamma: concentration must be positive"),
            _positive(rate, "Gamma: rate must be positive"))
        self.batch_shape = tuple(np.broadcast_shapes(self.concentration.shape, self.rate.shape))

    @property
    def mean(self) -> ArrayBase:
        return cnp.broadcast_to(self.concentration / self.rate, self.batch_shape)

    @property
    def variance(self) -> ArrayBase:
        return cnp.broadcast_to(self.concentration / self.rate ** 2, self.batch_shape)

    def _sample(self, key: Any, sample_shape: tuple[int, ...]) -> ArrayBase:
        shape = sample_shape + self.batch_shape
        draws = random.gamma(key, self.concentration, shape, np.dtype(self.concentration.dtype))
        return draws / self.rate

    def log_prob(self, value: Any) -> ArrayBase:
        a, rate = self.concentration, self.rate
        x = cnp._float(value)
        return special.xlogy(a - 1.0, x) - rate * x + a * cnp.log(rate) - special.gammaln(a)

    def entropy(self) -> ArrayBase:
        a = self.concentration
        value = a - cnp.log(self.rate) + special.gammaln(a) + (1.0 - a) * special.digamma(a)
        return cnp.broadcast_to(value, self.batch_shape)


class Beta(Distribution):
    """Beta(concentration1, concentration0) on [0, 1]: density
    x^(a-1) (1-x)^(b-1) / B(a, b)."""

    def __init__(self, concentration1: Any, concentration0: Any):
        self.concentration1, self.concentration0 = cnp._promote(
            _positive(concentration1, "Beta: concentration1 must be positive"),
            _positive(concentration0, "Beta: concentration0 must be positive"))
        self.batch_shape = tuple(np.broadcast_shapes(self.concentration1.shape, self.concentration0.shape))

    @property
    def mean(self) -> ArrayBase:
        a, b = self.concentration1, self.concentration0
        return cnp.broadcast_to(a / (a + b), self.batch_shape)

    def _sample(self, key: Any, sample_shape: tuple[int, ...]) -> ArrayBase:
        a, b = self.concentration1, self.concentration0
        return random.beta(key, a, b, sample_shape + self.batch_shape, np.dtype(a.dtype))

    def log_prob(self, value: Any) -> ArrayBase:
        a, b = self.concentration1, self.concentration0
        x = cnp._float(value)
        return special.xlogy(a - 1.0, x) + special.xlog1py(b - 1.0, -x) - special.betaln(a, b)

    def entropy(self) -> ArrayBase:
        a, b = self.concentration1, self.concentration0
        psi = special.digamma
        value = special.betaln(a, b) - (a - 1.0) * psi(a) - (b - 1.0) * psi(b) + (a + b - 2.0) * psi(a + b)
        return cnp.broadcast_to(value, self.batch_shape)


class Dirichlet(Distribution):
    """Dirichlet(concentration) over probability vectors along the last axis."""

    def __init__(self, concentration: Any):
        self.concentration = _positive(concentration, "Dirichlet: concentration must be positive")
        if self.concentration.ndim == 0:
            raise user_error(ValueError, "Dirichlet needs concentrations with a last (category) axis")
        self.batch_shape = tuple(self.concentration.shape[:-1])
        self.event_shape = tuple(self.concentration.shape[-1:])

    @property
    def mean(self) -> ArrayBase:
        alpha = self.concentration
        return alpha / cnp.sum(alpha, axis=-1, keepdims=True)

    def _sample(self, key: Any, sample_shape: tuple[int, ...]) -> ArrayBase:
        alpha = self.concentration
        return random.dirichlet(key, alpha, sample_shape + self.batch_shape, np.dtype(alpha.dtype))

    def _log_normalizer(self) -> ArrayBase:
        alpha = self.concentration
        return cnp.sum(special.gammaln(alpha), axis=-1) - special.gammaln(cnp.sum(alpha, axis=-1))

    def log_prob(self, value: Any) -> ArrayBase:
        x = cnp._float(value)
        return cnp.sum(special.xlogy(self.concentration - 1.0, x), axis=-1) - self._log_normalizer()

    def entropy(self) -> ArrayBase:
        alpha = self.concentration
        total = cnp.sum(alpha, axis=-1)
        k = alpha.shape[-1]
        psi = special.digamma
        return (self._log_normalizer() + (total - k) * psi(total)
                - cnp.sum((alpha - 1.0) * psi(alpha), axis=-1))


def kl_divergence(p: Distribution, q: Distribution) -> ArrayBase:
    """KL(p || q) in closed form (Normal-Normal, Bernoulli-Bernoulli,
    Categorical-Categorical, MultivariateNormal-MultivariateNormal)."""
    if isinstance(p, Normal) and isinstance(q, Normal):
        ratio = p.scale / q.scale
        return 0.5 * (ratio ** 2 + ((p.loc - q.loc) / q.scale) ** 2 - 1.0) - cnp.log(ratio)
    if isinstance(p, Bernoulli) and isinstance(q, Bernoulli):
        from .nn import softplus
        return (p.probs * (softplus(-q.logits) - softplus(-p.logits))
                + (1.0 - p.probs) * (softplus(q.logits) - softplus(p.logits)))
    if isinstance(p, Categorical) and isinstance(q, Categorical):
        return cnp.sum(p.probs * (p.logits - q.logits), axis=-1)
    if isinstance(p, MultivariateNormal) and isinstance(q, MultivariateNormal):
        from .linalg import solve_triangular
        k = p.event_shape[0]
        # tr(Sq^-1 Sp) = |Lq^-1 Lp|^2 and the Mahalanobis term |Lq^-1 (mu_q - mu_p)|^2.
        spread = solve_triangular(q.scale_tril, p.scale_tril, lower=True)
        shift = solve_triangular(q.scale_tril, (q.loc - p.loc)[..., None], lower=True)[..., 0]
        return (0.5 * (cnp.sum(spread * spread, axis=(-2, -1)) + cnp.sum(shift * shift, axis=-1) - k)
                + q._half_log_det() - p._half_log_det())
    raise user_error(NotImplementedError, f"no closed-form KL divergence between {type(p).__name__} and "
                                          f"{type(q).__name__}")
