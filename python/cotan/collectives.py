"""Collectives over named mesh axes (JAX's lax API): psum, pmean, pmax,
pmin, all_gather, psum_scatter, all_to_all, pbroadcast and axis_index.

They run inside `cotan.shard_map`, whose mesh binds the axis names; each
becomes one cotan collective op, which the compiler turns into MPI calls.
An axis name may be a string or a tuple of them (the group is then the
processes that differ along those axes, in the order given).
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any, Iterator

import numpy as np

from . import dtypes
from . import ops
from .core import current_trace
from .errors import user_error
from .tree_util import tree_map

_env = threading.local()


@contextlib.contextmanager
def bind_axes(mesh: Any) -> Iterator[None]:
    """Makes the axis names of `mesh` usable by collectives within."""
    stack = _stack()
    stack.append(mesh)
    try:
        yield
    finally:
        stack.pop()


def _stack() -> list:
    stack = getattr(_env, "meshes", None)
    if stack is None:
        stack = _env.meshes = []
    return stack


def group(axis_name: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(mesh shape, axis positions) of the group `axis_name` names."""
    names = tuple(axis_name) if isinstance(axis_name, (tuple, list)) else (axis_name,)
    if not names:
        raise user_error(ValueError, "a collective needs at least one axis name")
    for mesh in reversed(_stack()):
        if all(name in mesh.axis_names for name in names):
            if len(set(names)) != len(names):
                raise user_error(ValueError, f"axis names repeat in {names}")
            return mesh.shape, tuple(mesh.axis_names.index(name) for name in names)
    bound = sorted({n for mesh in _stack() for n in mesh.axis_names})
    raise user_error(NameError, (
        f"unbound axis name {axis_name!r}: collectives run inside cotan.shard_map over a mesh "
        f"with that axis (bound here: {bound if bound else 'none'})"))


def axis_size(axis_name: Any) -> int:
    """The number of processes in the group `axis_name` names."""
    shape, axes = group(axis_name)
    return int(np.prod([shape[a] for a in axes]))


# MPI moves 32- and 64-bit numbers: others travel widened.
_TRANSPORT = {dtypes.bool_: dtypes.int32, dtypes.float16: dtypes.float32,
              dtypes.bfloat16: dtypes.float32}


def _operand(x: Any):
    from . import numpy as cnp
    x = cnp.asarray(x)
    transport = _TRANSPORT.get(x.dtype)
    return (x if transport is None else x.astype(transport)), x.dtype


def _reduce(x: Any, axis_name: Any, reduction: str) -> Any:
    shape, axes = group(axis_name)

    def one(leaf: Any) -> Any:
        value, dtype = _operand(leaf)
        out = ops.all_reduce(value, reduction=reduction, mesh=shape, axes=axes)
        if dtype == dtypes.bool_:
            # A sum of booleans counts them (as NumPy's sum does).
            return out if reduction == "sum" else out != 0
        return out.astype(dtype) if out.dtype != dtype else out
    return tree_map(one, x)


def psum(x: Any, axis_name: Any) -> Any:
    """The sum of `x` over the processes of the group (a pytree works;
    booleans are counted, as int32)."""
    return _reduce(x, axis_name, "sum")


def pmax(x: Any, axis_name: Any) -> Any:
    return _reduce(x, axis_name, "max")


def pmin(x: Any, axis_name: Any) -> Any:
    return _reduce(x, axis_name, "min")


def pmean(x: Any, axis_name: Any) -> Any:
    """The mean of `x` over the group (floating point, like jnp.mean)."""
    from . import numpy as cnp
    n = axis_size(axis_name)

    def one(leaf: Any) -> Any:
        leaf = cnp.asarray(leaf)
        if not dtypes.is_float(leaf.dtype):
            leaf = leaf.astype(dtypes.default_float)
        return psum(leaf, axis_name) / n
    return tree_map(one, x)


def _moved(x: Any, axis_name: Any, build) -> Any:
    """A data-movement collective on `x`, carried as 32/64-bit values."""
    value, dtype = _operand(x)
    shape, axes = group(axis_name)
    out = build(value, shape, axes)
    if dtype == dtypes.bool_:
        return out != 0
    return out.astype(dtype) if out.dtype != dtype else out


def _axis(axis: int, rank: int, what: str) -> int:
    if not -rank <= axis < rank:
        raise user_error(ValueError, f"{what} {axis} is out of range for an array of rank {rank}")
    return axis % rank


def _check_blocks(what: str, dim: int, shape: tuple[int, ...], n: int, tiled: bool) -> None:
    """Dimension `dim` of `shape` must split into the group's n blocks:
    tiled, a multiple of n; untiled, exactly n."""
    if shape[dim] % n or (not tiled and shape[dim] != n):
        need = f"equal to the group size {n}" if not tiled else f"a multiple of the group size {n}"
        raise user_error(ValueError, f"{what} {dim} of shape {shape} must be {need}")


def all_gather(x: Any, axis_name: Any, *, axis: int = 0, tiled: bool = False) -> Any:
    """Every process gets the group's `x`s: stacked along a new `axis`, or
    concatenated along `axis` with `tiled=True`."""
    from . import numpy as cnp

    def one(leaf: Any) -> Any:
        leaf = cnp.asarray(leaf)
        if tiled:
            if leaf.ndim == 0:
                raise user_error(ValueError, "all_gather(tiled=True) needs an array of rank >= 1")
            dim = _axis(axis, leaf.ndim, "all_gather axis")
        else:
            dim = _axis(axis, leaf.ndim + 1, "all_gather axis")
            leaf = cnp.expand_dims(leaf, dim)
        return _moved(leaf, axis_name, lambda v, shape, axes: ops.all_gather(
            v, dimension=dim, mesh=shape, axes=axes))
    return tree_map(one, x)


def psum_scatter(x: Any, axis_name: Any, *, scatter_dimension: int = 0, tiled: bool = False) -> Any:
    """The group's sum of `x`, split along `scatter_dimension`: the process
    at group position k keeps block k (with `tiled=False` the dimension's
    size must be the group size, and it is removed)."""
    from . import numpy as cnp
    n = axis_size(axis_name)

    def one(leaf: Any) -> Any:
        leaf = cnp.asarray(leaf)
        dim = _axis(scatter_dimension, leaf.ndim, "psum_scatter scatter_dimension")
        _check_blocks("psum_scatter: dimension", dim, leaf.shape, n, tiled)
        value, dtype = _operand(leaf)
        shape, axes = group(axis_name)
        out = ops.reduce_scatter(value, dimension=dim, mesh=shape, axes=axes)
        out = out.astype(dtype) if out.dtype != dtype and dtype != dtypes.bool_ else out
        return out if tiled else cnp.squeeze(out, dim)
    return tree_map(one, x)


def all_to_all(x: Any, axis_name: Any, split_axis: int, concat_axis: int, *,
               tiled: bool = False) -> Any:
    """Splits `x` along `split_axis` into one block per process, sends block
    j to the process at group position j and concatenates what arrives
    along `concat_axis`. Untiled (JAX's default), the split axis's size is
    the group size; it is removed and a new axis of that size is inserted at
    `concat_axis`."""
    from . import numpy as cnp
    n = axis_size(axis_name)

    def one(leaf: Any) -> Any:
        leaf = cnp.asarray(leaf)
        split = _axis(split_axis, leaf.ndim, "all_to_all split_axis")
        concat = _axis(concat_axis, leaf.ndim, "all_to_all concat_axis")
        _check_blocks("all_to_all: split axis", split, leaf.shape, n, tiled)
        if not tiled:
            # A new unit axis where the result's concat axis will be; the
            # exchange grows it to n and shrinks the split axis to 1.
            new = concat if concat <= split else concat + 1
            leaf = cnp.expand_dims(leaf, new)
            split, concat = (split + 1 if new <= split else split), new
        out = _moved(leaf, axis_name, lambda v, shape, axes: ops.all_to_all(
            v, split_dimension=split, concat_dimension=concat, mesh=shape, axes=axes))
        return out if tiled else cnp.squeeze(out, split)
    return tree_map(one, x)


def pbroadcast(x: Any, axis_name: Any, source: int) -> Any:
    """Every process of the group gets the `x` of the process at group
    position `source`."""
    n = axis_size(axis_name)
    if not isinstance(source, (int, np.integer)) or not 0 <= source < n:
        raise user_error(ValueError, f"pbroadcast source {source!r} is not a position in a group of {n}")
    return tree_map(lambda leaf: _moved(leaf, axis_name, lambda v, shape, axes: ops.collective_broadcast(
        v, root=int(source), mesh=shape, axes=axes)), x)


def axis_index(axis_name: Any) -> Any:
    """This process's position in the group (an int32 scalar)."""
    shape, axes = group(axis_name)
    trace = current_trace()
    if trace is None:
        return ops.axis_index(mesh=shape, axes=axes)
    return ops.axis_index.build(trace, mesh=shape, axes=axes)


__all__ = ["all_gather", "all_to_all", "axis_index", "axis_size", "pbroadcast", "pmax", "pmean",
           "pmin", "psum", "psum_scatter"]
