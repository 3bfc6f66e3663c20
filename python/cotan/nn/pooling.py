"""MaxPool and AvgPool: nn.max_pool and nn.avg_pool as layers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from ..array import ArrayBase
from ..pooling import avg_pool, max_pool
from .module import Layer, Params


def _tuple_or_none(values: Any) -> Any:
    return None if values is None else tuple(int(v) for v in values)


@dataclass(frozen=True)
class _Pool(Layer):
    """A window over the spatial dimensions of [batch, spatial...,
    features] inputs; strides default to 1."""

    window_shape: Sequence[int]
    strides: Sequence[int] | None = None
    padding: Any = "VALID"

    def __post_init__(self) -> None:
        # Tuples keep the layer hashable (usable as a static argument).
        object.__setattr__(self, "window_shape", _tuple_or_none(self.window_shape))
        object.__setattr__(self, "strides", _tuple_or_none(self.strides))
        if not isinstance(self.padding, str):
            object.__setattr__(self, "padding", tuple(tuple(p) for p in self.padding))


class MaxPool(_Pool):
    """The maximum of each window."""

    def apply(self, params: Params, x: Any) -> ArrayBase:
        return max_pool(x, self.window_shape, self.strides, self.padding)


class AvgPool(_Pool):
    """The mean of each window (padding counts as zeros)."""

    def apply(self, params: Params, x: Any) -> ArrayBase:
        return avg_pool(x, self.window_shape, self.strides, self.padding)
