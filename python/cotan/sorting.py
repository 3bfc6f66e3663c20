"""Sorting and what is built on it (cotan.sort underneath): NumPy's sort,
argsort, searchsorted, median and quantile, and lax's sort, sort_key_val
and top_k. Sorts are stable; floats ascend with NaN last, as in NumPy."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import numpy as cnp
from . import ops
from .array import ArrayBase
from .errors import user_error


def _line_axis(x: ArrayBase, axis: Any, what: str) -> tuple[ArrayBase, int]:
    """x and the axis to sort along (None: the flattened array)."""
    if axis is None:
        return cnp.ravel(x), 0
    if x.ndim == 0:
        raise user_error(np.exceptions.AxisError, f"{what}: axis {axis} is out of bounds for a 0-d array")
    return x, cnp._axes(axis, x.ndim)[0]


def _positions(x: ArrayBase, axis: int) -> ArrayBase:
    return ops.iota(shape=x.shape, dtype=np.dtype(np.int32), dimension=axis)


def _check_kind(kind: Any, order: Any, what: str) -> None:
    if order is not None:
        raise user_error(NotImplementedError, f"{what}: order= (structured arrays) is not supported")
    if kind not in (None, "stable", "mergesort", "quicksort", "heapsort"):
        raise user_error(ValueError, f"{what}: unknown kind {kind!r}")


def sort(a: Any, axis: Any = -1, kind: Any = None, order: Any = None, *, stable: bool = True,
         descending: bool = False) -> ArrayBase:
    """a sorted along axis (always stably)."""
    _check_kind(kind, order, "sort")
    x, axis = _line_axis(cnp.asarray(a), axis, "sort")
    return ops.sort([x], dimension=axis, descending=bool(descending))[0]


def argsort(a: Any, axis: Any = -1, kind: Any = None, order: Any = None, *, stable: bool = True,
            descending: bool = False) -> ArrayBase:
    """The int32 indices that sort a along axis; equal elements keep their order."""
    _check_kind(kind, order, "argsort")
    x, axis = _line_axis(cnp.asarray(a), axis, "argsort")
    return ops.sort([x, _positions(x, axis)], dimension=axis, descending=bool(descending))[1]


def sort_key_val(keys: Any, values: Any, dimension: int = -1, is_stable: bool = True) -> tuple[ArrayBase, ArrayBase]:
    """(keys sorted, values permuted alike), as lax.sort_key_val."""
    k, v = cnp.asarray(keys), cnp.asarray(values)
    if k.shape != v.shape:
        raise user_error(ValueError, f"sort_key_val: keys of shape {k.shape} and values of shape {v.shape} differ")
    k, axis = _line_axis(k, dimension, "sort_key_val")
    sorted_keys, sorted_values = ops.sort([k, v], dimension=axis)
    return sorted_keys, sorted_values


def lax_sort(operand: Any, dimension: int = -1, is_stable: bool = True, num_keys: int = 1) -> Any:
    """lax.sort: one array, or a sequence sorted by its first num_keys."""
    if isinstance(operand, (list, tuple)):
        xs = [cnp.asarray(o) for o in operand]
        shapes = {x.shape for x in xs}
        if len(shapes) != 1:
            raise user_error(ValueError, f"sort: operands must share one shape, got {sorted(shapes)}")
        if not 1 <= num_keys <= len(xs):
            raise user_error(ValueError, f"sort: num_keys must be in [1, {len(xs)}], got {num_keys}")
        _, axis = _line_axis(xs[0], dimension, "sort")
        return tuple(ops.sort(xs, dimension=axis, num_keys=int(num_keys)))
    x, axis = _line_axis(cnp.asarray(operand), dimension, "sort")
    return ops.sort([x], dimension=axis)[0]


def top_k(operand: Any, k: int) -> tuple[ArrayBase, ArrayBase]:
    """The k largest entries along the last axis, largest first, and their
    int32 indices (the lower index first among equals)."""
    x = cnp.asarray(operand)
    if x.ndim == 0:
        raise user_error(ValueError, "top_k needs an array with at least one dimension, got a scalar")
    n = x.shape[-1]
    if not isinstance(k, (int, np.integer)) or not 0 <= k <= n:
        raise user_error(ValueError, f"top_k: k must be an integer in [0, {n}], got {k!r}")
    axis = x.ndim - 1
    values, indices = ops.sort([x, _positions(x, axis)], dimension=axis, descending=True)
    return values[..., :k], indices[..., :k]


def searchsorted(a: Any, v: Any, side: str = "left", sorter: Any = None) -> ArrayBase:
    """Insertion indices of v into the sorted 1-d a (int32): for each
    value, how many entries of a precede it. Compares every pair, like
    JAX's method='compare_all'."""
    x = cnp.asarray(a)
    if x.ndim != 1:
        raise user_error(ValueError, f"searchsorted: a must be 1-dimensional, got shape {x.shape}")
    if side not in ("left", "right"):
        raise user_error(ValueError, f"searchsorted: side must be 'left' or 'right', got {side!r}")
    if sorter is not None:
        x = cnp.take(x, sorter)
    values = cnp.asarray(v)
    x, values = cnp._promote(x, values)
    spread = cnp.expand_dims(values, -1)
    before = cnp.less(x, spread) if side == "left" else cnp.less_equal(x, spread)
    return cnp.sum(before, axis=-1, dtype=np.int32)


def quantile(a: Any, q: Any, axis: Any = None, keepdims: bool = False, method: str = "linear") -> ArrayBase:
    """The q-th quantiles (q in [0, 1]) along axis, interpolating linearly
    between the sorted entries (NumPy's default); NaN where a line has one."""
    if method != "linear":
        raise user_error(NotImplementedError, f"quantile: method {method!r} is not supported; use 'linear'")
    x = cnp._float(a)
    if axis is None:
        lines, axis_index = cnp.ravel(x), 0
    else:
        (axis_index,) = cnp._axes(axis, x.ndim)
        lines = x
    n = lines.shape[axis_index]
    if n == 0:
        raise user_error(ValueError, "quantile of an empty array")
    probabilities = np.asarray(q, dtype=np.float64)
    if probabilities.ndim > 1:
        raise user_error(NotImplementedError, f"quantile: q must be a scalar or 1-d, got shape {probabilities.shape}")
    if np.any((probabilities < 0) | (probabilities > 1)):
        raise user_error(ValueError, "quantile: q must lie in [0, 1]")
    ordered = cnp.moveaxis(sort(lines, axis=axis_index), axis_index, -1)
    position = probabilities * (n - 1)
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, n - 1)
    weight = (position - below).astype(x.dtype)
    low = cnp.take(ordered, below.ravel(), axis=-1)
    high = cnp.take(ordered, above.ravel(), axis=-1)
    value = low + (high - low) * weight.ravel()
    value = cnp.where(cnp.any(cnp.isnan(ordered), axis=-1, keepdims=True), np.nan, value)
    value = cnp.moveaxis(value, -1, 0) if probabilities.ndim else value[..., 0]  # q first, as NumPy
    if keepdims:
        if axis is None:
            value = cnp.reshape(value, probabilities.shape + (1,) * x.ndim)
        else:
            value = cnp.expand_dims(value, axis_index + probabilities.ndim)
    return value


def median(a: Any, axis: Any = None, keepdims: bool = False) -> ArrayBase:
    return quantile(a, 0.5, axis=axis, keepdims=keepdims)


def percentile(a: Any, q: Any, axis: Any = None, keepdims: bool = False, method: str = "linear") -> ArrayBase:
    return quantile(a, np.asarray(q, dtype=np.float64) / 100, axis=axis, keepdims=keepdims, method=method)


__all__: Sequence[str] = ["argsort", "lax_sort", "median", "percentile", "quantile", "searchsorted", "sort",
                          "sort_key_val", "top_k"]
