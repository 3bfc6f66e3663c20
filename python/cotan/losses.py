"""Losses (optax's definitions), numerically stable: from logits, never
from probabilities."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes as _dt
from .array import ArrayBase
from .core import Tracer
from .errors import user_error


def softmax_cross_entropy(logits: Any, labels: Any) -> ArrayBase:
    """Per-example -sum(p * log_softmax(logits)) over the last axis. `labels`
    are integer class indices (shape logits.shape[:-1]) or probabilities
    of logits' shape (one-hot or soft)."""
    from . import numpy as cnp
    from .nn import log_softmax
    logits = cnp._float(logits)
    labels = cnp.asarray(labels)
    if logits.ndim == 0:
        raise user_error(ValueError, "softmax_cross_entropy needs logits with a class axis, got a scalar")
    log_p = log_softmax(logits, axis=-1)
    if _dt.is_int(labels.dtype):
        if labels.shape != logits.shape[:-1]:
            raise user_error(ValueError, f"integer labels must have shape {logits.shape[:-1]} (the logits' "
                                         f"shape without the class axis), got {labels.shape}")
        classes = logits.shape[-1]
        if not isinstance(labels, Tracer):
            values = np.asarray(labels)
            if values.size and (values.min() < 0 or values.max() >= classes):
                bad = values[(values < 0) | (values >= classes)].flat[0]
                raise user_error(ValueError, f"label {int(bad)} is out of range for {classes} classes")
        from .nn import one_hot
        return -cnp.sum(cnp.multiply(one_hot(labels, classes, log_p.dtype), log_p), axis=-1)
    if labels.shape != logits.shape:
        raise user_error(ValueError, f"probability labels must have the logits' shape {logits.shape}, "
                                     f"got {labels.shape}")
    return -cnp.sum(cnp.multiply(labels, log_p), axis=-1)


def sigmoid_binary_cross_entropy(logits: Any, labels: Any) -> ArrayBase:
    """Elementwise -(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))), as
    max(x, 0) - x y + log(1 + e^-|x|)."""
    from . import numpy as cnp
    logits = cnp._float(logits)
    labels = cnp.asarray(labels)
    if labels.shape != logits.shape:
        raise user_error(ValueError, f"labels must have the logits' shape {logits.shape}, got {labels.shape}")
    labels = cnp.astype(labels, logits.dtype)
    return (cnp.maximum(logits, 0.0) - logits * labels) + cnp.log1p(cnp.exp(-cnp.abs(logits)))


def mse(predictions: Any, targets: Any) -> ArrayBase:
    """Mean of the squared differences over all elements."""
    from . import numpy as cnp
    diff = cnp.subtract(predictions, targets)
    return cnp.mean(diff * diff)
