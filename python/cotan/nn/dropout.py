"""Dropout: while training, zeroes each element with probability `rate`
and scales the survivors by 1 / (1 - rate); at inference, the identity.

cotan has no in-graph PRNG keys yet, so the random keep-mask is an
argument: draw it on the host with `make_mask` and pass it into the
compiled step, a fresh one per step."""

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

    def apply(self, params: Params, x: Any, train: bool = False, mask: Any = None) -> ArrayBase:
        x = cnp._float(x)
        if not train or self.rate == 0.0:
            return x
        if mask is None:
            raise user_error(ValueError, "Dropout in training needs a keep-mask: pass "
                                         "mask=layer.make_mask(rng, x.shape), drawn afresh each step")
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
        mask = next(ctx.masks, None) if ctx.train else None
        return self.apply(params, x, ctx.train, mask), state
