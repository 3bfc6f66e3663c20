"""Activation functions and the softmax family, numerically stable."""

from __future__ import annotations

from typing import Any

from .. import numpy as cnp
from .. import ops
from ..array import ArrayBase

__all__ = ["elu", "gelu", "leaky_relu", "log_softmax", "logsumexp", "one_hot", "relu", "sigmoid",
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


def gelu(x: Any, approximate: bool = True) -> ArrayBase:
    """x * Phi(x) = x (1 + erf(x / sqrt(2))) / 2; with approximate=True
    (JAX's default) the tanh form 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    x = cnp._float(x)
    if not approximate:
        return cnp.multiply(cnp.multiply(0.5, x), cnp.add(1.0, ops.erf(cnp.multiply(0.7071067811865476, x))))
    inner = cnp.multiply(0.7978845608028654, cnp.add(x, cnp.multiply(0.044715, x * x * x)))
    return cnp.multiply(cnp.multiply(0.5, x), cnp.add(1.0, cnp.tanh(inner)))


def elu(x: Any, alpha: float = 1.0) -> ArrayBase:
    """x for x > 0, alpha (e^x - 1) otherwise (expm1 of the clamped input,
    so the unused branch never overflows)."""
    x = cnp._float(x)
    return cnp.where(x > 0, x, cnp.multiply(alpha, cnp.expm1(cnp.minimum(x, 0.0))))


def leaky_relu(x: Any, negative_slope: float = 0.01) -> ArrayBase:
    x = cnp._float(x)
    return cnp.where(x >= 0, x, cnp.multiply(negative_slope, x))


def _shift(x: ArrayBase, axis: Any) -> ArrayBase:
    """The max along axis (0 where not finite), as a constant for
    differentiation: the shift cancels out of softmax and logsumexp."""
    from ..transforms import stop_gradient
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
