"""NumPy indexing on cotan arrays: ints, slices (any step), None, Ellipsis,
traced integer scalars, and integer-array (advanced) indices.

Static indices are bounds-checked like NumPy (IndexError). Traced and
integer-array indices are wrapped when negative and clamped into range at
run time, as in JAX, so they can never read out of bounds."""

from __future__ import annotations

from typing import Any

import numpy as _np

from . import dtypes as _dt
from . import ops, shape_poly
from .array import Array, ArrayBase
from .errors import user_error


def _is_array_index(item: Any) -> bool:
    if isinstance(item, (list, _np.ndarray)):
        return True
    return isinstance(item, ArrayBase) and (item.ndim > 0 or isinstance(item, Array))


def _is_traced_scalar(item: Any) -> bool:
    return isinstance(item, ArrayBase) and not isinstance(item, Array) and item.ndim == 0


def _is_negative_int(item: Any) -> bool:
    return isinstance(item, (int, _np.integer)) and not isinstance(item, bool) and item < 0


def _expand_ellipsis(index: tuple, ndim: int) -> tuple:
    if sum(i is Ellipsis for i in index) > 1:
        raise user_error(IndexError, "an index can only have a single ellipsis ('...')")
    consumed = sum(1 for i in index if i is not None and i is not Ellipsis)
    if consumed > ndim:
        raise user_error(IndexError, f"too many indices for array: array is {ndim}-dimensional, but {consumed} were indexed")
    if Ellipsis in [i for i in index if not isinstance(i, (ArrayBase, _np.ndarray, list))]:
        at = next(k for k, i in enumerate(index) if i is Ellipsis)
        return index[:at] + (slice(None),) * (ndim - consumed) + index[at + 1:]
    return index + (slice(None),) * (ndim - consumed)


def _static_int(item: Any, size: int, axis: int) -> int:
    i = int(item)
    if not -size <= i < size:
        raise user_error(IndexError, f"index {i} is out of bounds for axis {axis} with size {size}")
    return i % size


def _wrap_negative(index: ArrayBase, size: int) -> ArrayBase:
    from . import numpy as cnp
    return cnp.where(cnp.less(index, 0), cnp.add(index, size), index)


def getitem(x: ArrayBase, index: Any) -> ArrayBase:
    if not isinstance(index, tuple):
        index = (index,)
    for item in index:
        dt = getattr(item, "dtype", None)
        if dt is not None and _np.dtype(dt) == _np.bool_ and (_is_array_index(item) or _is_traced_scalar(item)):
            raise user_error(IndexError, "boolean mask indexing has a data-dependent shape; use cnp.where(mask, x, other) instead")
        if isinstance(item, float) or (dt is not None and _np.dtype(dt).kind == "f"):
            raise user_error(IndexError, "only integers, slices (`:`), ellipsis (`...`), None and integer arrays are valid indices")
    index = _expand_ellipsis(index, x.ndim)
    if any(_is_array_index(i) for i in index):
        return _advanced(x, index)
    return _basic(x, index)


def _basic(x: ArrayBase, index: tuple) -> ArrayBase:
    start, limit, strides, flips, dynamic = [], [], [], [], {}
    out_shape: list[int] = []
    d = 0
    for item in index:
        if item is None:
            out_shape.append(1)
            continue
        n = x.shape[d]
        if shape_poly.is_symbolic(n) and isinstance(item, slice):
            # Static offsets from both ends ([1:], [:-1]); ops.slice
            # explains what else a symbolic dimension cannot take.
            lo = 0 if item.start is None else item.start
            hi = n if item.stop is None else n + item.stop if _is_negative_int(item.stop) else item.stop
            start.append(lo), limit.append(hi), strides.append(1 if item.step is None else item.step)
            out_shape.append(hi - lo)
        elif shape_poly.is_symbolic(n) and not _is_traced_scalar(item):
            # An integer index into a symbolic dimension would need its size.
            shape_poly.check_whole(x.shape, "cannot index", lambda k: k == d)
        elif isinstance(item, slice):
            lo, hi, step = item.indices(n)
            count = len(range(lo, hi, step))
            if step < 0:
                flips.append(d)
                lo, step = n - 1 - lo, -step
            if count == 0:
                lo = 0
            start.append(lo)
            limit.append(lo + (count - 1) * step + 1 if count else lo)
            strides.append(step)
            out_shape.append(count)
        elif _is_traced_scalar(item):
            if not _dt.is_int(item.dtype):
                raise user_error(IndexError, f"indices must be integers, got {item.dtype}")
            dynamic[d] = _wrap_negative(item, n)
            start.append(0), limit.append(n), strides.append(1)
        else:
            try:
                i = _static_int(item, n, d)
            except TypeError:
                raise user_error(IndexError, f"invalid index {item!r} of type {type(item).__name__}") from None
            start.append(i), limit.append(i + 1), strides.append(1)
        d += 1
    y = x
    if flips:
        y = ops.reverse(y, dimensions=tuple(flips))
    if (tuple(start), tuple(limit)) != ((0,) * y.ndim, y.shape) or any(s != 1 for s in strides):
        y = ops.slice(y, start=tuple(start), limit=tuple(limit), strides=tuple(strides))
    if dynamic:
        from . import numpy as cnp
        starts = [cnp.asarray(dynamic[k], _dt.int64) if k in dynamic else cnp.asarray(0, _dt.int64)
                  for k in range(y.ndim)]
        sizes = tuple(1 if k in dynamic else s for k, s in enumerate(y.shape))
        y = ops.dynamic_slice(y, starts, slice_sizes=sizes)
    # Int and traced-scalar indices drop their dimension; None adds one.
    return ops.reshape(y, shape=tuple(out_shape)) if y.shape != tuple(out_shape) else y


def _index_array(item: Any, size: int, axis: int) -> ArrayBase:
    """Integer indices into an axis of `size`. Concrete indices are checked
    like NumPy (IndexError) and wrapped now; traced ones are wrapped at run
    time (and clamped by the op that reads with them)."""
    from . import numpy as cnp
    if isinstance(item, ArrayBase) and not isinstance(item, Array):
        if not _dt.is_int(item.dtype):
            raise user_error(IndexError, f"arrays used as indices must be of integer type, got {item.dtype}")
        return _wrap_negative(item, size)
    concrete = _np.asarray(item)
    if concrete.dtype.kind not in "iu":
        raise user_error(IndexError, f"arrays used as indices must be of integer type, got {concrete.dtype}")
    if concrete.size and (concrete.min() < -size or concrete.max() >= size):
        bad = concrete[(concrete < -size) | (concrete >= size)].flat[0]
        raise user_error(IndexError, f"index {bad} is out of bounds for axis {axis} with size {size}")
    wrapped = _np.where(concrete < 0, concrete + size, concrete)
    return cnp.asarray(wrapped.astype(_np.int64 if size >= 2**31 else _np.int32))


def take_along(x: ArrayBase, indices: Any, axis: int) -> ArrayBase:
    """x's elements at integer `indices` along `axis` (NumPy take)."""
    return ops.take(x, _index_array(indices, x.shape[axis], axis), axis=axis)


def _advanced(x: ArrayBase, index: tuple) -> ArrayBase:
    from . import numpy as cnp
    if any(i is None for i in index):
        raise user_error(NotImplementedError, "combining None with integer-array indices is not supported")
    positions = [k for k, i in enumerate(index)
                 if _is_array_index(i) or not isinstance(i, slice)]
    # Slices first, keeping the advanced dimensions whole.
    y = _basic(x, tuple(slice(None) if k in positions else i for k, i in enumerate(index)))
    sizes = [y.shape[k] for k in positions]
    arrays = [_index_array(index[k], size, k) for k, size in zip(positions, sizes)]
    arrays = cnp.broadcast_arrays(*[cnp.asarray(a, _dt.int64) for a in arrays])
    # Linear index over the advanced dimensions, moved to the front.
    linear = arrays[-1]
    stride = 1
    for a, size in zip(reversed(arrays[:-1]), reversed(sizes[1:])):
        stride *= size
        linear = cnp.add(linear, cnp.multiply(a, stride))
    rest = [k for k in range(y.ndim) if k not in positions]
    moved = cnp.transpose(y, positions + rest)
    flat = cnp.reshape(moved, (int(_np.prod(sizes, dtype=_np.int64)),) + tuple(y.shape[k] for k in rest))
    out = ops.take(flat, linear, axis=0)
    adjacent = positions == list(range(positions[0], positions[0] + len(positions)))
    if adjacent and positions[0] > 0:
        nb = linear.ndim
        lead = positions[0]
        perm = list(range(nb, nb + lead)) + list(range(nb)) + list(range(nb + lead, out.ndim))
        out = cnp.transpose(out, perm)
    return out
