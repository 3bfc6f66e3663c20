"""Learning-rate schedules: functions of the step count (an int32 array,
traced inside jit) to the step size, as in optax."""

from __future__ import annotations

import math
from typing import Any, Callable, Union

from .. import numpy as cnp
from ..array import ArrayBase
from ..errors import user_error

Schedule = Callable[[Any], Any]
ScalarOrSchedule = Union[float, Schedule]


def _count(step: Any) -> ArrayBase:
    return cnp.astype(step, cnp.float32)


def constant_schedule(value: float) -> Schedule:
    return lambda step: cnp.full((), value, cnp.float32)


def linear_schedule(init_value: float, end_value: float, transition_steps: int,
                    transition_begin: int = 0) -> Schedule:
    """init_value until transition_begin, then a straight line to
    end_value over transition_steps, then end_value."""
    if transition_steps <= 0:
        return constant_schedule(init_value)

    def schedule(step: Any) -> ArrayBase:
        fraction = cnp.clip((_count(step) - transition_begin) / transition_steps, 0.0, 1.0)
        return init_value + (end_value - init_value) * fraction
    return schedule


def cosine_decay_schedule(init_value: float, decay_steps: int, alpha: float = 0.0) -> Schedule:
    """init_value * ((1 - alpha) * (1 + cos(pi * t / decay_steps)) / 2 +
    alpha), t capped at decay_steps."""
    if decay_steps <= 0:
        raise user_error(ValueError, f"cosine_decay_schedule needs decay_steps > 0, got {decay_steps}")

    def schedule(step: Any) -> ArrayBase:
        t = cnp.minimum(_count(step), float(decay_steps)) / decay_steps
        cosine = 0.5 * (1.0 + cnp.cos(math.pi * t))
        return init_value * ((1.0 - alpha) * cosine + alpha)
    return schedule


def warmup_cosine_decay_schedule(init_value: float, peak_value: float, warmup_steps: int,
                                 decay_steps: int, end_value: float = 0.0) -> Schedule:
    """A linear warm-up from init_value to peak_value over warmup_steps,
    then cosine decay to end_value at decay_steps (the total, warm-up
    included)."""
    if decay_steps <= warmup_steps:
        raise user_error(ValueError, f"decay_steps ({decay_steps}) must exceed warmup_steps ({warmup_steps})")
    warmup = linear_schedule(init_value, peak_value, warmup_steps)
    decay = cosine_decay_schedule(peak_value - end_value, decay_steps - warmup_steps)

    def schedule(step: Any) -> ArrayBase:
        count = _count(step)
        return cnp.where(count < warmup_steps, warmup(count), decay(count - warmup_steps) + end_value)
    return schedule


def check_rate(value: ScalarOrSchedule) -> ScalarOrSchedule:
    """value, if it is a number or a schedule."""
    if not callable(value) and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise user_error(TypeError, f"a learning rate is a number or a schedule (a function of the step), "
                                    f"got {type(value).__name__}")
    return value
