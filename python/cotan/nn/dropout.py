"""Dropout: while training, zeroes each element with probability `rate`
and scales the survivors by 1 / (1 - rate); at inference, the identity.

The random keep-mask comes from a PRNG key (`rng=`, drawn inside the
compiled step with cotan.random), or is given (`mask=`, e.g. from
`make_mask` on the host)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from .. import numpy as cnp
from ..array import Array, ArrayBase
from ..errors import user_error
from . import initializers as init
from .module import ApplyContext, Layer, Params, State


@dataclass(frozen=True)
class Dropout(Layer):
    rate: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate < 1.0:
            raise user_error(ValueError, f"Dropout rate must be in [0, 1), got {self.rate}")

    def make_mask(self, rng: init.Rng, shape: Sequence[int]) -> Array:
        """A boolean keep-mask of `shape`, each element True with
        probability 1 - rate."""
        return Array(init.as_generator(rng).random(tuple(shape)) >= self.rate)

    def apply(self, params: Params, x: Any, train: bool = False, mask: Any = None,
              rng: Any = None) -> ArrayBase:
        x = cnp._float(x)
        if not train or self.rate == 0.0:
            return x
        if mask is None and rng is not None:
            from .. import random
            mask = random.bernoulli(rng, 1.0 - self.rate, x.shape)
        if mask is None:
            raise user_error(ValueError, "Dropout in training needs randomness: pass rng=a PRNG key "
                                         "(random.split it every step) or mask=layer.make_mask(rng, x.shape)")
        mask = cnp.asarray(mask)
        if mask.dtype != np.bool_:
            raise user_error(TypeError, f"a Dropout mask must be boolean (True keeps), got dtype {mask.dtype}")
        try:
            fits = np.broadcast_shapes(mask.shape, x.shape) == x.shape
        except ValueError:
            fits = False
        if not fits:
            raise user_error(ValueError, f"a Dropout mask of shape {mask.shape} does not broadcast to the "
                                         f"input's shape {x.shape}")
        return cnp.where(mask, x / (1.0 - self.rate), 0.0)

    def forward(self, params: Params, state: State, x: Any, ctx: ApplyContext) -> tuple[Any, State]:
        if not ctx.train:
            return self.apply(params, x), state
        if ctx.rng is not None:
            from .. import random
            ctx.rng, layer_rng = random.split(ctx.rng)
            return self.apply(params, x, True, rng=layer_rng), state
        return self.apply(params, x, True, next(ctx.masks, None)), state
