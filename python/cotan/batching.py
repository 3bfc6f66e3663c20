"""cotan.vmap: map a function over an axis of its arguments.

The function is traced once, for a single example, into a private
func.func; a `cotan.vmap` request names it and the C++ pass cotan-vmap
builds the batched function from the ops' batching rules. The batch axis
of every argument is moved to the front first and every result's to its
out_axes afterwards. Requests nest with each other and with derivative
requests, so vmap composes with jit, grad and itself."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from .array import ArrayBase
from .core import ShapedArray, Trace, polymorphic
from .errors import user_error
from .mlir import ir
from .mlir.dialects import cotan as cotan_d
from .transforms import _as_operand, _function_name, _in_trace
from .tree_util import (keystr, tree_flatten, tree_flatten_with_path, tree_structure,
                        tree_unflatten)

Axis = "int | None"


def _leaf_axes(in_axes: Any, args: tuple, fname: str) -> list:
    """One axis (or None) per leaf of args, from JAX-style in_axes."""
    if in_axes is None or isinstance(in_axes, int):
        return [in_axes] * len(tree_flatten(args)[0])
    if not isinstance(in_axes, (tuple, list)) or len(in_axes) != len(args):
        raise user_error(ValueError, f"vmap in_axes must be an int, None, or a tuple with one entry per "
                                     f"argument of `{fname}` ({len(args)}), got {in_axes!r}")
    axes = []
    for i, (arg, axis) in enumerate(zip(args, in_axes)):
        leaves = tree_flatten(arg)[0]
        if axis is None or isinstance(axis, int):
            axes += [axis] * len(leaves)
            continue
        axis_leaves, axis_tree = tree_flatten(axis, is_leaf=lambda x: x is None)
        if axis_tree != tree_structure(arg, is_leaf=lambda x: x is None):
            raise user_error(ValueError, f"vmap in_axes[{i}] has structure {axis_tree} but argument {i} of "
                                         f"`{fname}` has {tree_structure(arg)}")
        axes += axis_leaves
    return axes


def vmap(fun: Callable, in_axes: Any = 0, out_axes: Any = 0) -> Callable:
    """fun mapped over axis `in_axes` of its arguments (int, None for
    arguments shared by all examples, or a tuple per argument whose entries
    may be pytrees); results are stacked along `out_axes`."""
    from . import numpy as cnp
    fname = _function_name(fun)

    def vmap_impl(trace: Trace, *args):
        leaves, in_tree = tree_flatten(args)
        names = [f"args[{p[0]}]{keystr(p[1:])}" for p, _ in tree_flatten_with_path(args)]
        axes = _leaf_axes(in_axes, args, fname)
        operands, batched, size, first = [], [], None, None
        for name, leaf, axis in zip(names, leaves, axes):
            x = _as_operand(leaf)
            if axis is None:
                operands.append(x)
                batched.append(False)
                continue
            if not isinstance(axis, int) or not -x.ndim <= axis < x.ndim:
                raise user_error(ValueError, f"vmap in_axes {axis!r} is out of range for {name} "
                                             f"of `{fname}` with shape {x.shape}")
            n = x.shape[axis]
            if size is not None and n != size:
                raise user_error(ValueError, f"vmap got inconsistent batch sizes for `{fname}`: "
                                             f"{first[0]} has {size} along axis {first[1]}, {name} "
                                             f"has {n} along axis {axis}")
            size, first = n, first or (name, axis)
            operands.append(cnp.moveaxis(x, axis, 0) if axis % x.ndim else x)
            batched.append(True)
        if size is None:
            raise user_error(ValueError, f"vmap of `{fname}` needs at least one batched argument (in_axes all None)")
        avals = [ShapedArray(o.shape[1:] if b else o.shape, o.dtype, o.weak_type)
                 for o, b in zip(operands, batched)]
        inner = Trace(fname, avals, parent=trace)
        try:
            with inner.active():
                out = fun(*tree_unflatten(in_tree, inner.inputs))
            out_leaves, out_tree = tree_flatten(out)
            outputs = [_as_operand(x) for x in out_leaves]
            inner.finish(outputs)
        finally:
            inner.alive = False
        flags = batched + [False] * len(inner.captured)
        result_avals = [ShapedArray((size,) + o.shape, o.dtype) for o in outputs]
        results = trace.emit_results(_vmap_builder(inner.name, flags), result_avals,
                                     operands + list(inner.captured))
        results = [_move_out(r, axis, fname) for r, axis in zip(results, _out_axes(out_axes, out_tree, fname))]
        return tree_unflatten(out_tree, results)

    vmap_impl.__name__ = f"vmap_{fname}"
    return _in_trace(vmap_impl)


def _out_axes(out_axes: Any, out_tree, fname: str) -> list:
    if isinstance(out_axes, int):
        return [out_axes] * out_tree.num_leaves
    if isinstance(out_axes, (tuple, list)) and len(out_axes) == out_tree.num_leaves and \
            all(isinstance(a, int) for a in out_axes):
        return list(out_axes)
    raise user_error(ValueError, f"vmap out_axes must be an int or a tuple of ints, one per output of "
                                 f"`{fname}` ({out_tree.num_leaves}), got {out_axes!r}")


def _move_out(result: ArrayBase, axis: int, fname: str) -> ArrayBase:
    from . import numpy as cnp
    if not -result.ndim <= axis < result.ndim:
        raise user_error(ValueError, f"vmap out_axes {axis} is out of range for an output of `{fname}` "
                                     f"with {result.ndim - 1} dimensions")
    return cnp.moveaxis(result, 0, axis) if axis % result.ndim else result


def _vmap_builder(callee: str, flags: Sequence[bool]) -> Callable:
    def request(result_types, operands, *, loc=None, ip=None):
        return cotan_d.vmap(result_types, ir.FlatSymbolRefAttr.get(callee),
                            ir.DenseBoolArrayAttr.get(list(flags)), operands, loc=loc, ip=ip)
    request.__name__ = "vmap"
    return polymorphic(request)  # the batch and example shapes may be symbolic
