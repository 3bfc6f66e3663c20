"""BatchNorm (batch statistics while training, running averages of them
for inference) and LayerNorm (per-example statistics over the features)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from .. import numpy as cnp
from ..array import ArrayBase
from ..errors import user_error
from ..transforms import stop_gradient
from . import initializers as init
from .module import ApplyContext, Layer, Params, State, param


def _feature_axis(layer: Layer, axis: int, ndim: int) -> int:
    if not -ndim <= axis < ndim:
        raise user_error(ValueError, f"{type(layer).__name__} axis {axis} is out of range for a "
                                     f"{ndim}-d input")
    return axis % ndim


def _scale_and_shift(layer: Any, params: Params, normalized: ArrayBase, stat_shape: tuple) -> ArrayBase:
    if layer.use_scale:
        normalized = normalized * cnp.reshape(param(layer, params, "scale"), stat_shape)
    if layer.use_bias:
        normalized = normalized + cnp.reshape(param(layer, params, "bias"), stat_shape)
    return normalized


def _affine_params(layer: Any, rng: init.Rng, features: int) -> Params:
    scale_rng, bias_rng = init.split(rng, 2)
    params = {}
    if layer.use_scale:
        params["scale"] = layer.scale_init(scale_rng, (features,), layer.param_dtype)
    if layer.use_bias:
        params["bias"] = layer.bias_init(bias_rng, (features,), layer.param_dtype)
    return params


@dataclass(frozen=True)
class BatchNorm(Layer):
    """Normalizes each feature (along `axis`) over every other axis.

    `apply(params, x, state, train)` returns (y, new_state): training uses
    the batch's mean and (biased) variance and moves the running averages
    towards them, `running = momentum * running + (1 - momentum) * batch`;
    inference uses the running averages and returns the state unchanged."""

    momentum: float = 0.99
    epsilon: float = 1e-5
    axis: int = -1
    use_scale: bool = True
    use_bias: bool = True
    scale_init: init.Initializer = init.ones
    bias_init: init.Initializer = init.zeros
    param_dtype: Any = np.float32

    def _features(self, input_shape: Sequence[int]) -> int:
        input_shape = tuple(input_shape)
        return int(input_shape[_feature_axis(self, self.axis, len(input_shape))])

    def init(self, rng: init.Rng, input_shape: Sequence[int]) -> Params:
        return _affine_params(self, rng, self._features(input_shape))

    def init_state(self, input_shape: Sequence[int]) -> State:
        features = self._features(input_shape)
        return {"mean": init.zeros(0, (features,), self.param_dtype),
                "var": init.ones(0, (features,), self.param_dtype)}

    def apply(self, params: Params, x: Any, state: State, train: bool = False) -> tuple[ArrayBase, State]:
        x = cnp._float(x)
        if not isinstance(state, dict) or set(state) != {"mean", "var"}:
            raise user_error(ValueError, "BatchNorm needs its state (the running mean and variance): pass "
                                         "state=layer.init_state(input_shape), then the state it returns")
        axis = _feature_axis(self, self.axis, x.ndim)
        features = state["mean"].shape[0]
        if x.shape[axis] != features:
            raise user_error(ValueError, f"BatchNorm was initialised for {features} features on axis "
                                         f"{self.axis}, got an input of shape {x.shape}")
        stat_shape = tuple(features if i == axis else 1 for i in range(x.ndim))
        if train:
            reduce_axes = tuple(i for i in range(x.ndim) if i != axis)
            mean = cnp.mean(x, axis=reduce_axes)
            var = cnp.var(x, axis=reduce_axes)
            state = {name: self._moved(state[name], batch) for name, batch in (("mean", mean), ("var", var))}
        else:
            mean, var = state["mean"], state["var"]
        normalized = (x - cnp.reshape(mean, stat_shape)) / cnp.sqrt(cnp.reshape(var, stat_shape) + self.epsilon)
        return _scale_and_shift(self, params, normalized, stat_shape), state

    def _moved(self, running: Any, batch: ArrayBase) -> ArrayBase:
        """The running average moved towards this batch's statistic; a
        constant for differentiation, and of the running value's dtype so
        the state's types never change between steps."""
        running = cnp.asarray(running)
        moved = self.momentum * running + (1 - self.momentum) * stop_gradient(batch)
        return cnp.astype(moved, running.dtype)

    def forward(self, params: Params, state: State, x: Any, ctx: ApplyContext) -> tuple[Any, State]:
        return self.apply(params, x, state, ctx.train)


@dataclass(frozen=True)
class LayerNorm(Layer):
    """Normalizes each example over its last axis (the features), then
    scales and shifts per feature."""

    epsilon: float = 1e-6
    use_scale: bool = True
    use_bias: bool = True
    scale_init: init.Initializer = init.ones
    bias_init: init.Initializer = init.zeros
    param_dtype: Any = np.float32

    def init(self, rng: init.Rng, input_shape: Sequence[int]) -> Params:
        input_shape = tuple(input_shape)
        if not input_shape:
            raise user_error(ValueError, "LayerNorm needs inputs with a features axis, got a scalar shape")
        return _affine_params(self, rng, int(input_shape[-1]))

    def apply(self, params: Params, x: Any) -> ArrayBase:
        x = cnp._float(x)
        if x.ndim == 0:
            raise user_error(ValueError, "LayerNorm needs inputs with a features axis, got a scalar")
        for name in ("scale", "bias"):
            if name in params and params[name].shape != (x.shape[-1],):
                raise user_error(ValueError, f"LayerNorm was initialised for {params[name].shape[0]} "
                                             f"features, got an input of shape {x.shape}")
        mean = cnp.mean(x, axis=-1, keepdims=True)
        var = cnp.var(x, axis=-1, keepdims=True)
        normalized = (x - mean) / cnp.sqrt(var + self.epsilon)
        return _scale_and_shift(self, params, normalized, (x.shape[-1],))
