"""The protocol every cotan.nn layer follows.

A layer is an immutable description (its hyperparameters); its parameters
and state are plain pytrees the user owns, as in flax.linen and haiku:

    layer = Dense(10)
    params = layer.init(rng, input_shape)      # a dict of arrays
    y = layer.apply(params, x)

Layers with running statistics (BatchNorm) also have `init_state` and
return their new state from `apply`; Dropout takes a keep-mask while
training. `forward` is the one signature containers such as Sequential
call, so they need not know which layer wants what."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

import numpy as np

from ..abstract_eval import ShapeDtypeStruct, eval_shape
from ..errors import user_error
from .initializers import Rng

Params = Any
State = Any


@dataclass
class ApplyContext:
    """What a container passes down to its layers in one application:
    training or inference, and the dropout randomness: a PRNG key, or the
    keep-masks still to be used, in layer order."""

    train: bool = False
    masks: Iterator[Any] = field(default_factory=lambda: iter(()))
    rng: Any = None  # a PRNG key the Dropout layers split their masks from


class Layer:
    """Base of all layers; stateless and parameter-free by default."""

    def init(self, rng: Rng, input_shape: Sequence[int]) -> Params:
        """The layer's parameters for inputs of `input_shape` (batch
        dimensions included; their sizes do not matter)."""
        return {}

    def init_state(self, input_shape: Sequence[int]) -> State:
        """The layer's non-trainable state (e.g. running statistics)."""
        return {}

    def apply(self, params: Params, x: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.apply")

    def forward(self, params: Params, state: State, x: Any, ctx: ApplyContext) -> tuple[Any, State]:
        return self.apply(params, x), state

    def output_shape(self, params: Params, input_shape: Sequence[int], dtype: Any = np.float32,
                     state: State = None) -> tuple[int, ...]:
        """The shape of this layer's output for an input of `input_shape`,
        found by tracing (nothing is compiled or run)."""
        state = self.init_state(input_shape) if state is None else state
        x = ShapeDtypeStruct(input_shape, dtype)
        ctx = ApplyContext(train=False)
        out = eval_shape(lambda p, s, v: self.forward(p, s, v, ctx)[0], params, state, x)
        return out.shape


def feature_count(layer: Layer, input_shape: Sequence[int]) -> int:
    """The size of the last (features) axis of `input_shape`."""
    input_shape = tuple(input_shape)
    if not input_shape:
        raise user_error(ValueError, f"{type(layer).__name__} needs inputs with a features axis, "
                                     "got the shape of a scalar ()")
    return int(input_shape[-1])


def param(layer: Layer, params: Params, name: str) -> Any:
    """params[name], or a clear error when `params` are not what the
    layer's init returned (another layer's, or a Sequential's tuple)."""
    try:
        return params[name]
    except (KeyError, TypeError, IndexError):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise user_error(ValueError, f"{type(layer).__name__} expects the parameters its init returned, "
                                     f"with {name!r}; got {got}") from None


def check_features(layer: Layer, x: Any, expected: int) -> None:
    """A clear error when x's last axis does not match the parameters."""
    shape = tuple(x.shape) if hasattr(x, "shape") else np.shape(x)
    if not shape or shape[-1] != expected:
        raise user_error(ValueError, f"{type(layer).__name__} was initialised for {expected} input "
                                     f"features (the last axis), got an input of shape {shape}")
