"""Cumulative reductions (cumsum, cumprod, cummax, cummin) as a
Hillis-Steele scan: log2(n) steps, each combining the array with itself
shifted by 1, 2, 4, ... positions (padded with the identity). O(n log n)
work in whole-array ops, so jit, grad and vmap apply unchanged."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import dtypes as _dt
from . import numpy as cnp
from . import ops
from .array import ArrayBase


def _scan(x: ArrayBase, axis: int, combine: Callable, identity: Any, reverse: bool) -> ArrayBase:
    n = x.shape[axis]
    fill = cnp.asarray(np.array(identity, dtype=x.dtype))
    step = 1
    while step < n:
        low = [0] * x.ndim
        high = [0] * x.ndim
        start, limit = [0] * x.ndim, list(x.shape)
        if reverse:  # x[i] combines with x[i + step]
            start[axis], high[axis] = step, step
        else:        # x[i] combines with x[i - step]
            limit[axis], low[axis] = n - step, step
        part = ops.slice(x, start=tuple(start), limit=tuple(limit), strides=(1,) * x.ndim)
        shifted = ops.pad(part, fill, low=tuple(low), high=tuple(high), interior=(0,) * x.ndim)
        x = combine(x, shifted)
        step *= 2
    return x


def _cumulative(name: str, combine: Callable, identity: Callable[[np.dtype], Any]) -> Callable:
    def reduce(a: Any, axis: Any = None, dtype: Any = None, reverse: bool = False) -> ArrayBase:
        x = cnp.asarray(a)
        if dtype is not None:
            x = cnp.astype(x, dtype)
        elif x.dtype == _dt.bool_ and name in ("cumsum", "cumprod"):
            x = cnp.astype(x, _dt.default_int)
        if axis is None:
            x, axis = cnp.ravel(x), 0
        (axis,) = cnp._axes(axis, x.ndim) if x.ndim else (0,)
        if x.ndim == 0:
            x = cnp.reshape(x, (1,))
        return _scan(x, axis, combine, identity(np.dtype(x.dtype)), reverse)
    reduce.__name__ = name
    reduce.__doc__ = f"{name} along axis (the flattened array for None); reverse=True runs from the end."
    return reduce


def _extreme(dtype: np.dtype, largest: bool) -> Any:
    if dtype == np.bool_:
        return largest
    if np.issubdtype(dtype, np.integer):
        return np.iinfo(dtype).max if largest else np.iinfo(dtype).min
    return np.inf if largest else -np.inf


cumsum = _cumulative("cumsum", cnp.add, lambda dtype: 0)
cumprod = _cumulative("cumprod", cnp.multiply, lambda dtype: 1)
cummax = _cumulative("cummax", cnp.maximum, lambda dtype: _extreme(dtype, largest=False))
cummin = _cumulative("cummin", cnp.minimum, lambda dtype: _extreme(dtype, largest=True))
