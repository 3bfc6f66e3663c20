"""Sequential (layers applied in order), Lambda (a parameter-free function
as a layer) and Flatten."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from .. import numpy as cnp
from ..array import Array, ArrayBase
from ..errors import user_error
from . import initializers as init
from .dropout import Dropout
from .module import ApplyContext, Layer, Params, State


@dataclass(frozen=True)
class Lambda(Layer):
    """A parameter-free function of the input, e.g. an activation."""

    fn: Callable[[Any], Any]

    def apply(self, params: Params, x: Any) -> Any:
        return self.fn(x)


@dataclass(frozen=True)
class Flatten(Layer):
    """[batch, d1, d2, ...] -> [batch, d1 * d2 * ...]."""

    def apply(self, params: Params, x: Any) -> ArrayBase:
        x = cnp.asarray(x)
        if x.ndim == 0:
            raise user_error(ValueError, "Flatten needs a batch axis, got a scalar")
        return cnp.reshape(x, (x.shape[0], math.prod(x.shape[1:])))


@dataclass(frozen=True, init=False)
class Sequential(Layer):
    """Layers applied one after another; plain functions (nn.relu) are
    parameter-free layers. Parameters and state are tuples with one entry
    per layer.

    `apply(params, x, state=None, train=False, masks=(), rng=None)`
    returns the output, or (output, new_state) when a state is passed
    (BatchNorm layers need one). Dropout layers training draw their masks
    from the PRNG key `rng` (split once per layer), or take `masks`, in
    layer order (see `dropout_masks`)."""

    layers: tuple[Layer, ...]

    def __init__(self, layers: Sequence[Any]):
        wrapped = []
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                if not callable(layer):
                    raise user_error(TypeError, f"Sequential layer {i} is a {type(layer).__name__}, neither "
                                                "a cotan.nn layer nor a function")
                layer = Lambda(layer)
            wrapped.append(layer)
        object.__setattr__(self, "layers", tuple(wrapped))

    def _walk(self, rng: init.Rng, input_shape: Sequence[int], params: Params = None):
        """Yields (layer, its params, its input shape) in order, drawing
        the params from rng unless given."""
        rngs = init.split(rng, len(self.layers))
        shape = tuple(input_shape)
        for i, layer in enumerate(self.layers):
            layer_params = layer.init(rngs[i], shape) if params is None else params[i]
            yield layer, layer_params, shape
            if i + 1 < len(self.layers):
                shape = layer.output_shape(layer_params, shape)

    def init(self, rng: init.Rng, input_shape: Sequence[int]) -> Params:
        return tuple(p for _, p, _ in self._walk(rng, input_shape))

    def init_state(self, input_shape: Sequence[int]) -> State:
        return tuple(layer.init_state(shape) for layer, _, shape in self._walk(0, input_shape))

    def dropout_masks(self, rng: init.Rng, params: Params, input_shape: Sequence[int]) -> tuple[Array, ...]:
        """Fresh keep-masks for the Dropout layers, for inputs of
        `input_shape`; draw new ones every training step."""
        self._check_params(params)
        masks = []
        for layer_rng, (layer, layer_params, shape) in zip(init.split(rng, len(self.layers)),
                                                           self._walk(0, input_shape, params)):
            if isinstance(layer, Dropout):
                masks.append(layer.make_mask(layer_rng, shape))
            elif isinstance(layer, Sequential):
                masks.extend(layer.dropout_masks(layer_rng, layer_params, shape))
        return tuple(masks)

    def _check_params(self, params: Params) -> None:
        if not isinstance(params, (tuple, list)) or len(params) != len(self.layers):
            raise user_error(ValueError, f"this Sequential has {len(self.layers)} layers; pass the tuple of "
                                         "per-layer parameters its init returned")

    def forward(self, params: Params, state: State, x: Any, ctx: ApplyContext) -> tuple[Any, State]:
        self._check_params(params)
        states = state if state is not None else ({},) * len(self.layers)
        new_states = []
        for layer, layer_params, layer_state in zip(self.layers, params, states):
            x, layer_state = layer.forward(layer_params, layer_state, x, ctx)
            new_states.append(layer_state)
        return x, tuple(new_states)

    def apply(self, params: Params, x: Any, state: State = None, train: bool = False,
              masks: Sequence[Any] = (), rng: Any = None) -> Any:
        if state is not None and (not isinstance(state, (tuple, list)) or len(state) != len(self.layers)):
            raise user_error(ValueError, f"this Sequential has {len(self.layers)} layers; pass the tuple of "
                                         "per-layer states its init_state returned")
        ctx = ApplyContext(train=train, masks=iter(masks), rng=rng)
        y, new_state = self.forward(params, state, x, ctx)
        if train and next(ctx.masks, None) is not None:
            dropouts = sum(isinstance(layer, Dropout) for layer in self.layers)
            raise user_error(ValueError, f"got {len(masks)} dropout masks for {dropouts} Dropout layer(s)")
        return y if state is None else (y, new_state)
