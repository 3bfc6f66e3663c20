"""lax.reduce_window (JAX's signature) over the cotan.reduce_window op, and
the pooling layers of cotan.nn built on it."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from . import dtypes as _dt
from . import ops, shape_poly
from .array import ArrayBase
from .convolution import padding_amounts
from .core import Tracer
from .errors import user_error


def _kind(computation: Callable) -> str:
    from . import numpy as cnp
    kinds = {ops.add: "sum", cnp.add: "sum", ops.max: "max", cnp.maximum: "max",
             ops.min: "min", cnp.minimum: "min"}
    kind = kinds.get(computation)
    if kind is None:
        raise user_error(NotImplementedError, "reduce_window supports lax.add, lax.max and lax.min "
                                              f"(or cnp.add/maximum/minimum), got {computation!r}")
    return kind


def _identity(kind: str, dtype: np.dtype) -> Any:
    if kind == "sum":
        return 0
    if _dt.is_float(dtype):
        return -np.inf if kind == "max" else np.inf
    info = np.iinfo(dtype)
    return info.min if kind == "max" else info.max


def _window_args(x: ArrayBase, window: Sequence[int], strides: Sequence[int] | None,
                 padding: Any) -> tuple[tuple[int, ...], tuple[int, ...], tuple[tuple[int, int], ...]]:
    window = tuple(int(w) for w in window)
    strides = tuple(int(s) for s in strides) if strides is not None else (1,) * len(window)
    if len(window) != x.ndim or len(strides) != x.ndim:
        raise user_error(ValueError, f"reduce_window needs one window size and stride per dimension "
                                     f"of the {x.ndim}-d operand, got {window} and {strides}")
    if any(w <= 0 for w in window) or any(s <= 0 for s in strides):
        raise user_error(ValueError, f"window dimensions and strides must be positive, got {window} and {strides}")
    pads = padding_amounts(padding, x.shape, window, strides)
    for size, w, s, pad in zip(x.shape, window, strides, pads):
        if shape_poly.is_symbolic(size) and (w, s, tuple(pad)) != (1, 1, (0, 0)):
            raise shape_poly.static_required(
                size, "a static dimension for a pooling window (a symbolic dimension, such as "
                      "the batch, takes window 1, stride 1 and no padding)")
    if any(lo < 0 or hi < 0 for lo, hi in pads):
        raise user_error(ValueError, f"reduce_window padding must be non-negative, got {pads}")
    for i, (size, w, (lo, hi)) in enumerate(zip(x.shape, window, pads)):
        if size + lo + hi < w:
            raise user_error(ValueError, f"the window ({w}) is larger than the padded operand "
                                         f"({size + lo + hi}) in dimension {i}")
    return window, strides, pads


def reduce_window(operand: Any, init_value: Any, computation: Callable,
                  window_dimensions: Sequence[int], window_strides: Sequence[int] | None = None,
                  padding: Any = "VALID") -> ArrayBase:
    """JAX's lax.reduce_window for sums, maxima and minima: each window of
    the operand (padded with init_value's role, the identity) is combined
    with init_value and its elements."""
    from . import numpy as cnp
    x = cnp.asarray(operand)
    kind = _kind(computation)
    window, strides, pads = _window_args(x, window_dimensions, window_strides, padding)
    out = ops.reduce_window(x, kind=kind, window_dimensions=window, window_strides=strides, padding=pads)
    init = cnp.asarray(init_value)
    if init.shape != ():
        raise user_error(TypeError, f"reduce_window: init_value must be a scalar, got shape {init.shape}")
    identity = _identity(kind, x.dtype)
    if isinstance(init, Tracer) or float(np.asarray(init)) != identity:
        combine = {"sum": cnp.add, "max": cnp.maximum, "min": cnp.minimum}[kind]
        out = cnp.astype(combine(out, init), x.dtype)
    return out


def _pool(x: Any, kind: str, window_shape: Sequence[int], strides: Sequence[int] | None,
          padding: Any) -> tuple[ArrayBase, tuple[int, ...]]:
    """Pools the spatial dimensions of x ([batch..., spatial..., features],
    flax's layout): the window covers len(window_shape) dimensions before
    the last."""
    from . import numpy as cnp
    x = cnp.asarray(x)
    window_shape = tuple(int(w) for w in window_shape)
    spatial = len(window_shape)
    if x.ndim < spatial + 1:
        raise user_error(ValueError, f"pooling a {x.ndim}-d input over {spatial} spatial dimensions needs "
                                     "at least one more (features) dimension")
    strides = tuple(strides) if strides is not None else (1,) * spatial
    lead = x.ndim - spatial - 1
    window = (1,) * lead + window_shape + (1,)
    full_strides = (1,) * lead + tuple(int(s) for s in strides) + (1,)
    if not isinstance(padding, str):
        padding = ((0, 0),) * lead + tuple(tuple(p) for p in padding) + ((0, 0),)
    window, full_strides, pads = _window_args(x, window, full_strides, padding)
    out = ops.reduce_window(x, kind=kind, window_dimensions=window, window_strides=full_strides, padding=pads)
    return out, window_shape


def max_pool(x: Any, window_shape: Sequence[int], strides: Sequence[int] | None = None,
             padding: Any = "VALID") -> ArrayBase:
    """flax.linen.max_pool: the maximum of each window over the spatial
    dimensions of x [batch, spatial..., features] (NHWC for images)."""
    return _pool(x, "max", window_shape, strides, padding)[0]


def avg_pool(x: Any, window_shape: Sequence[int], strides: Sequence[int] | None = None,
             padding: Any = "VALID") -> ArrayBase:
    """flax.linen.avg_pool: the mean of each window (padding counts as
    zeros, as flax's default) over the spatial dimensions of x."""
    from . import numpy as cnp
    x = cnp._float(x)
    total, window_shape = _pool(x, "sum", window_shape, strides, padding)
    return total / float(np.prod(window_shape))
