"""cotan.nn: activations and normalizations, numerically stable, and
pooling (max_pool, avg_pool)."""

from __future__ import annotations

from typing import Any

from . import numpy as cnp
from . import ops
from .array import ArrayBase
from .pooling import avg_pool, max_pool

__all__ = ["avg_pool", "log_softmax", "logsumexp", "max_pool", "one_hot", "relu", "sigmoid",
           "silu", "softmax", "softplus"]


def relu(x: Any) -> ArrayBase:
    return cnp.maximum(x, 0)


def sigmoid(x: Any) -> ArrayBase:
    return ops.logistic(cnp._float(x))


def silu(x: Any) -> ArrayBase:
    x = cnp._float(x)
    return cnp.multiply(x, sigmoid(x))


def softplus(x: Any) -> ArrayBase:
    return cnp.logaddexp(x, 0.0)


def _shift(x: ArrayBase, axis: Any) -> ArrayBase:
    """The max along axis (0 where not finite), as a constant for
    differentiation: the shift cancels out of softmax and logsumexp."""
    from .transforms import stop_gradient
    m = cnp.max(x, axis, keepdims=True)
    return stop_gradient(cnp.where(cnp.isfinite(m), m, 0.0))


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> ArrayBase:
    """log(sum(exp(x))) shifted by the max so nothing overflows."""
    x = cnp._float(x)
    m = _shift(x, axis)
    s = cnp.log(cnp.sum(cnp.exp(cnp.subtract(x, m)), axis, keepdims=True))
    out = cnp.add(s, m)
    return out if keepdims else cnp.squeeze(out, cnp._axes(axis, x.ndim))


def log_softmax(x: Any, axis: int = -1) -> ArrayBase:
    x = cnp._float(x)
    return cnp.subtract(x, logsumexp(x, axis, keepdims=True))


def softmax(x: Any, axis: int = -1) -> ArrayBase:
    x = cnp._float(x)
    unnormalized = cnp.exp(cnp.subtract(x, _shift(x, axis)))
    return cnp.true_divide(unnormalized, cnp.sum(unnormalized, axis, keepdims=True))


def one_hot(labels: Any, num_classes: int, dtype: Any = None) -> ArrayBase:
    labels = cnp.asarray(labels)
    classes = cnp.arange(num_classes)
    hot = cnp.equal(cnp.expand_dims(labels, -1), classes)
    return cnp.astype(hot, dtype or cnp.float32)
