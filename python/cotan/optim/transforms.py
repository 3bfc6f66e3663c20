"""The building blocks optimizers are chained from (optax's definitions):
scaling by a step size or schedule, momentum, Adam's and RMSProp's
moment estimates, decoupled weight decay and global-norm clipping."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .. import numpy as cnp
from ..array import ArrayBase
from ..errors import user_error
from ..tree_util import tree_leaves, tree_map
from .base import EmptyState, GradientTransformation, Params, Updates, needs_params, same_structure
from .schedules import ScalarOrSchedule, Schedule, check_rate


def _zeros_like(params: Params) -> Any:
    return tree_map(lambda p: cnp.zeros_like(p), params)


def _count_zero() -> ArrayBase:
    return cnp.zeros((), cnp.int32)


def _moment(grads: Updates, moment: Any, decay: float, order: int) -> Any:
    """decay * moment + (1 - decay) * grads**order, leaf by leaf."""
    same_structure("gradients", grads, moment, "optimizer state")
    power = (lambda g: g) if order == 1 else cnp.square
    return tree_map(lambda g, m: decay * m + (1.0 - decay) * power(g), grads, moment)


def scale(step_size: float) -> GradientTransformation:
    def update(updates: Updates, state: EmptyState, params: Params = None):
        return tree_map(lambda u: step_size * u, updates), state
    return GradientTransformation(lambda params: EmptyState(), update)


class ScaleByScheduleState(NamedTuple):
    count: ArrayBase


def scale_by_schedule(schedule: Schedule) -> GradientTransformation:
    """Updates times schedule(step), step counting from 0."""
    def init(params: Params) -> ScaleByScheduleState:
        return ScaleByScheduleState(_count_zero())

    def update(updates: Updates, state: ScaleByScheduleState, params: Params = None):
        step_size = schedule(state.count)
        updates = tree_map(lambda u: cnp.astype(step_size * u, cnp.asarray(u).dtype), updates)
        return updates, ScaleByScheduleState(state.count + 1)
    return GradientTransformation(init, update)


def scale_by_learning_rate(learning_rate: ScalarOrSchedule) -> GradientTransformation:
    """Updates times -learning_rate: a descent step."""
    if callable(check_rate(learning_rate)):
        return scale_by_schedule(lambda step: -learning_rate(step))
    return scale(-float(learning_rate))


class TraceState(NamedTuple):
    trace: Any


def trace(decay: float, nesterov: bool = False) -> GradientTransformation:
    """Momentum: trace = grads + decay * trace; the update is the trace,
    or grads + decay * trace with Nesterov's look-ahead."""
    def init(params: Params) -> TraceState:
        return TraceState(_zeros_like(params))

    def update(updates: Updates, state: TraceState, params: Params = None):
        same_structure("gradients", updates, state.trace, "optimizer state")
        new_trace = tree_map(lambda g, t: g + decay * t, updates, state.trace)
        if nesterov:
            updates = tree_map(lambda g, t: g + decay * t, updates, new_trace)
        else:
            updates = new_trace
        return updates, TraceState(new_trace)
    return GradientTransformation(init, update)


class ScaleByAdamState(NamedTuple):
    count: ArrayBase
    mu: Any
    nu: Any


def scale_by_adam(b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8,
                  eps_root: float = 0.0) -> GradientTransformation:
    """Adam's direction: the bias-corrected first moment over the square
    root of the bias-corrected second moment (plus eps)."""
    def init(params: Params) -> ScaleByAdamState:
        return ScaleByAdamState(_count_zero(), _zeros_like(params), _zeros_like(params))

    def update(updates: Updates, state: ScaleByAdamState, params: Params = None):
        mu = _moment(updates, state.mu, b1, 1)
        nu = _moment(updates, state.nu, b2, 2)
        count = state.count + 1

        def direction(m: ArrayBase, v: ArrayBase) -> ArrayBase:
            # Bias corrections in the moments' precision (at least float32).
            step = cnp.astype(count, np.promote_types(m.dtype, np.float32))
            m_hat = m / (1.0 - cnp.power(b1, step))
            v_hat = v / (1.0 - cnp.power(b2, step))
            return cnp.astype(m_hat / (cnp.sqrt(v_hat + eps_root) + eps), m.dtype)
        return tree_map(direction, mu, nu), ScaleByAdamState(count, mu, nu)
    return GradientTransformation(init, update)


class ScaleByRmsState(NamedTuple):
    nu: Any


def scale_by_rms(decay: float = 0.9, eps: float = 1e-8, initial_scale: float = 0.0) -> GradientTransformation:
    """grads / sqrt(nu + eps), nu the moving average of grads**2."""
    def init(params: Params) -> ScaleByRmsState:
        return ScaleByRmsState(tree_map(lambda p: cnp.full_like(p, initial_scale), params))

    def update(updates: Updates, state: ScaleByRmsState, params: Params = None):
        nu = _moment(updates, state.nu, decay, 2)
        return tree_map(lambda g, n: g / cnp.sqrt(n + eps), updates, nu), ScaleByRmsState(nu)
    return GradientTransformation(init, update)


class ScaleByStddevState(NamedTuple):
    mu: Any
    nu: Any


def scale_by_stddev(decay: float = 0.9, eps: float = 1e-8, initial_scale: float = 0.0) -> GradientTransformation:
    """Centered RMSProp: grads / sqrt(nu - mu**2 + eps)."""
    def init(params: Params) -> ScaleByStddevState:
        return ScaleByStddevState(_zeros_like(params), tree_map(lambda p: cnp.full_like(p, initial_scale), params))

    def update(updates: Updates, state: ScaleByStddevState, params: Params = None):
        mu = _moment(updates, state.mu, decay, 1)
        nu = _moment(updates, state.nu, decay, 2)
        updates = tree_map(lambda g, m, n: g / cnp.sqrt(n - cnp.square(m) + eps), updates, mu, nu)
        return updates, ScaleByStddevState(mu, nu)
    return GradientTransformation(init, update)


def add_decayed_weights(weight_decay: float, mask: Any = None) -> GradientTransformation:
    """updates + weight_decay * params (decoupled weight decay). `mask`, a
    pytree of bools like params or a function of params returning one,
    limits the decay to the leaves marked True (e.g. not biases)."""
    def update(updates: Updates, state: EmptyState, params: Params = None):
        needs_params("add_decayed_weights", params)
        same_structure("gradients", updates, params)
        marks = mask(params) if callable(mask) else mask
        if marks is None:
            return tree_map(lambda u, p: u + weight_decay * p, updates, params), state
        same_structure("weight-decay mask", marks, params)
        return tree_map(lambda u, p, m: u + weight_decay * p if m else u, updates, params, marks), state
    return GradientTransformation(lambda params: EmptyState(), update)


def global_norm(tree: Any) -> ArrayBase:
    """sqrt of the sum of squares of every element of every leaf."""
    leaves = tree_leaves(tree)
    if not leaves:
        return cnp.zeros((), cnp.float32)
    total = None
    for leaf in leaves:
        squares = cnp.sum(cnp.square(cnp.asarray(leaf)))
        total = squares if total is None else total + squares
    return cnp.sqrt(total)


def clip_by_global_norm(max_norm: float) -> GradientTransformation:
    """Scales all updates by max_norm / global_norm when that norm exceeds
    max_norm, keeping their direction."""
    if max_norm <= 0:
        raise user_error(ValueError, f"clip_by_global_norm needs max_norm > 0, got {max_norm}")

    def update(updates: Updates, state: EmptyState, params: Params = None):
        norm = global_norm(updates)
        factor = max_norm / cnp.maximum(norm, max_norm)
        return tree_map(lambda u: cnp.astype(u * factor, cnp.asarray(u).dtype), updates), state
    return GradientTransformation(lambda params: EmptyState(), update)


def clip(max_delta: float) -> GradientTransformation:
    """Each update element clipped to [-max_delta, max_delta]."""
    def update(updates: Updates, state: EmptyState, params: Params = None):
        return tree_map(lambda u: cnp.clip(u, -max_delta, max_delta), updates), state
    return GradientTransformation(lambda params: EmptyState(), update)
