"""The usual optimizers as chains of transforms (optax's definitions)."""

from __future__ import annotations

from typing import Any

from .base import GradientTransformation, chain
from .schedules import ScalarOrSchedule
from .transforms import (add_decayed_weights, scale_by_adam, scale_by_learning_rate, scale_by_rms,
                         scale_by_stddev, trace)


def sgd(learning_rate: ScalarOrSchedule, momentum: float | None = None,
        nesterov: bool = False) -> GradientTransformation:
    """Stochastic gradient descent, with (Nesterov) momentum if given."""
    if momentum is None:
        return scale_by_learning_rate(learning_rate)
    return chain(trace(momentum, nesterov), scale_by_learning_rate(learning_rate))


def adam(learning_rate: ScalarOrSchedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8,
         eps_root: float = 0.0) -> GradientTransformation:
    return chain(scale_by_adam(b1, b2, eps, eps_root), scale_by_learning_rate(learning_rate))


def adamw(learning_rate: ScalarOrSchedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8,
          eps_root: float = 0.0, weight_decay: float = 1e-4, mask: Any = None) -> GradientTransformation:
    """Adam with decoupled weight decay: the decay is added to Adam's
    direction, then both are scaled by the learning rate."""
    return chain(scale_by_adam(b1, b2, eps, eps_root), add_decayed_weights(weight_decay, mask),
                 scale_by_learning_rate(learning_rate))


def rmsprop(learning_rate: ScalarOrSchedule, decay: float = 0.9, eps: float = 1e-8,
            initial_scale: float = 0.0, centered: bool = False, momentum: float | None = None,
            nesterov: bool = False) -> GradientTransformation:
    scaling = (scale_by_stddev if centered else scale_by_rms)(decay, eps, initial_scale)
    steps = [scaling, scale_by_learning_rate(learning_rate)]
    if momentum is not None:
        steps.insert(1, trace(momentum, nesterov))
    return chain(*steps)
