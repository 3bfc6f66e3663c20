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
from .array import ArrayBase
from .errors import user_error
from .transforms import stop_gradient

__all__ = ["Bernoulli", "Categorical", "Distribution", "Normal", "kl_divergence"]

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


def kl_divergence(p: Distribution, q: Distribution) -> ArrayBase:
    """KL(p || q) in closed form (Normal-Normal, Bernoulli-Bernoulli,
    Categorical-Categorical)."""
    if isinstance(p, Normal) and isinstance(q, Normal):
        ratio = p.scale / q.scale
        return 0.5 * (ratio ** 2 + ((p.loc - q.loc) / q.scale) ** 2 - 1.0) - cnp.log(ratio)
    if isinstance(p, Bernoulli) and isinstance(q, Bernoulli):
        from .nn import softplus
        return (p.probs * (softplus(-q.logits) - softplus(-p.logits))
                + (1.0 - p.probs) * (softplus(q.logits) - softplus(p.logits)))
    if isinstance(p, Categorical) and isinstance(q, Categorical):
        return cnp.sum(p.probs * (p.logits - q.logits), axis=-1)
    raise user_error(NotImplementedError, f"no closed-form KL divergence between {type(p).__name__} and "
                                          f"{type(q).__name__}")
