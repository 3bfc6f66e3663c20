"""The cotan primitives: one function per op of CotanOps.td, in the same
order. Operands must already agree in dtype and shape where the op says so
(cotan.numpy does promotion and broadcasting). Shape rules live in C++ and
run when the op is built; given concrete arrays, a primitive runs eagerly
as a compiled single-op function, cached per shapes, dtypes and params."""

from __future__ import annotations

import functools
from typing import Any, Callable, Sequence

import numpy as np

from . import dtypes, shape_poly
from .core import ShapedArray, Trace, find_trace
from .core import polymorphic as _polymorphic
from .mlir import ir
from .mlir.dialects import cotan as d


def _leaves(operands: Sequence[Any]) -> list:
    return [o for a in operands for o in (a if isinstance(a, list) else [a])]


def primitive(build: Callable[..., Any]) -> Callable[..., Any]:
    """Makes `build(trace, *operands, **params)` callable on traced values
    (adds the op to their trace) and on concrete Arrays (runs it)."""

    @functools.wraps(build)
    def bind(*operands: Any, **params: Any) -> Any:
        operands = tuple([_array(x) for x in a] if isinstance(a, list) else _array(a)
                         for a in operands)
        trace = find_trace(_leaves(operands))
        if trace is not None:
            return build(trace, *operands, **params)
        return _run_eagerly(build, operands, params)

    bind.build = build  # type: ignore[attr-defined]
    return bind


def _array(x: Any) -> Any:
    """NumPy arrays and Python scalars as cotan arrays."""
    from .array import ArrayBase
    if isinstance(x, ArrayBase):
        return x
    from .numpy import _operand
    return _operand(x)


def _run_eagerly(build: Callable[..., Any], operands: Sequence[Any], params: dict) -> Any:
    from . import compiler
    from .array import Array

    leaves = _leaves(operands)
    structure = tuple(len(a) if isinstance(a, list) else None for a in operands)
    avals = tuple(x.aval for x in leaves)
    key = (build, structure, avals, tuple(sorted(params.items())))
    cached = _EAGER_CACHE.get(key)
    if cached is None:
        several = []

        def body(trace: Trace, inputs: list) -> list:
            it = iter(inputs)
            args = [[next(it) for _ in range(n)] if n is not None else next(it)
                    for n in structure]
            out = build(trace, *args, **params)
            several.append(isinstance(out, list))
            return out if several[0] else [out]

        executable = compiler.compile_traced(build.__name__, avals, body)
        cached = _EAGER_CACHE[key] = executable, several[0]
    executable, several = cached
    weak = bool(leaves) and all(x.weak_type for x in leaves)
    outs = [Array(out, weak_type=weak) for out in executable([x._value for x in leaves])]
    return outs if several else outs[0]


_EAGER_CACHE: dict[Any, Any] = {}


def _dims(values: Sequence[int]) -> list[int]:
    return [int(v) for v in values]


# -- constants ----------------------------------------------------------------

@primitive
def iota(trace: Trace, *, shape: tuple[int, ...], dtype: np.dtype, dimension: int):
    return trace.emit(d.iota, result=ShapedArray(shape, dtype), dimension=dimension,
                      dynamic_sizes=trace.dim_values(shape))


def _unary(builder: Callable) -> Callable:
    _polymorphic(builder)

    @primitive
    def op(trace: Trace, x):
        return trace.emit(builder, x, shape=x.shape)
    op.__name__ = op.build.__name__ = builder.__name__.rstrip("_")
    return op


def _binary(builder: Callable) -> Callable:
    _polymorphic(builder)

    @primitive
    def op(trace: Trace, x, y):
        return trace.emit(builder, x, y, shape=x.shape)
    op.__name__ = op.build.__name__ = builder.__name__.rstrip("_")
    return op


# -- elementwise --------------------------------------------------------------

neg = _unary(d.neg)
abs = _unary(d.abs)  # noqa: A001
exp = _unary(d.exp)
log = _unary(d.log)
log1p = _unary(d.log1p)
expm1 = _unary(d.expm1)
tanh = _unary(d.tanh)
erf = _unary(d.erf)
erfc = _unary(d.erfc)
logistic = _unary(d.logistic)
sqrt = _unary(d.sqrt)
rsqrt = _unary(d.rsqrt)
sin = _unary(d.sin)
cos = _unary(d.cos)
floor = _unary(d.floor)
sign = _unary(d.sign)
not_ = _unary(d.not_)
stop_gradient = _unary(d.stop_gradient)

add = _binary(d.add)
sub = _binary(d.sub)
mul = _binary(d.mul)
div = _binary(d.div)
rem = _binary(d.rem)
pow = _binary(d.pow)  # noqa: A001
max = _binary(d.max)  # noqa: A001
min = _binary(d.min)  # noqa: A001
atan2 = _binary(d.atan2)
and_ = _binary(d.and_)
or_ = _binary(d.or_)
xor = _binary(d.xor)
shift_left = _binary(d.shift_left)
shift_right_logical = _binary(d.shift_right_logical)

_DIRECTIONS = {"eq": 0, "ne": 1, "lt": 2, "le": 3, "gt": 4, "ge": 5}


def _build_compare(lhs, rhs, *, direction):
    return d.compare(direction, lhs, rhs)


_build_compare.__name__ = "compare"

# The ops with builders used directly below that accept symbolic (dynamic)
# dimensions; the elementwise and reduction factories mark theirs.
for _builder in (_build_compare, d.select, d.convert, d.broadcast_in_dim, d.reshape,
                 d.transpose, d.slice, d.concatenate, d.pad, d.take, d.dot_general, d.iota,
                 d.convolution, d.reverse):
    _polymorphic(_builder)
del _builder


@primitive
def compare(trace: Trace, x, y, *, direction: str):
    with trace.ctx:
        attr = ir.IntegerAttr.get(ir.IntegerType.get_signless(32), _DIRECTIONS[direction])
    return trace.emit(_build_compare, x, y, shape=x.shape, direction=attr)


@primitive
def select(trace: Trace, pred, on_true, on_false):
    return trace.emit(d.select, pred, on_true, on_false, shape=pred.shape)


@primitive
def convert(trace: Trace, x, *, dtype: np.dtype):
    return trace.emit(d.convert, x, result=ShapedArray(x.shape, dtype))


@primitive
def bitcast_convert(trace: Trace, x, *, dtype: np.dtype):
    return trace.emit(d.bitcast_convert, x, result=ShapedArray(x.shape, dtype))


def _build_threefry(result_types, key0, key1, x0, x1):
    return d.threefry2x32(key0, key1, x0, x1, results=result_types)


_build_threefry.__name__ = "threefry2x32"


def threefry2x32(key0, key1, x0, x1):
    """The two words of Threefry-2x32 for each counter pair (traced i32
    operands of one shape; cotan.random calls it under jit)."""
    from .core import current_trace
    trace = find_trace([key0, key1, x0, x1]) or current_trace()
    return trace.emit_results(_build_threefry, [x0.aval.strong()] * 2, key0, key1, x0, x1)


# -- shape --------------------------------------------------------------------

@primitive
def broadcast_in_dim(trace: Trace, x, *, shape: tuple[int, ...], broadcast_dimensions: tuple[int, ...]):
    return trace.emit(d.broadcast_in_dim, x, result=ShapedArray(shape, x.dtype),
                      broadcast_dimensions=_dims(broadcast_dimensions),
                      dynamic_sizes=trace.dim_values(shape))


@primitive
def reshape(trace: Trace, x, *, shape: tuple[int, ...]):
    return trace.emit(d.reshape, x, result=ShapedArray(shape, x.dtype),
                      dynamic_sizes=trace.dim_values(shape))


@primitive
def transpose(trace: Trace, x, *, permutation: tuple[int, ...]):
    return trace.emit(d.transpose, x, shape=[x.shape[p] for p in permutation],
                      permutation=_dims(permutation))


@primitive
def slice(trace: Trace, x, *, start: tuple[int, ...], limit: tuple[int, ...], strides: tuple[int, ...]):  # noqa: A001
    # The op counts a dynamic dimension's limit from its end (-1 - e).
    limits = [shape_poly.edge_slice_limit(x.shape, k, start[k], hi, strides[k])
              if shape_poly.is_symbolic(n) else hi for k, (n, hi) in enumerate(zip(x.shape, limit))]
    shape = [hi - lo for lo, hi in zip(start, limit)]
    return trace.emit(d.slice, x, shape=shape, start_indices=_dims(start),
                      limit_indices=_dims(limits), strides=_dims(strides))


@primitive
def concatenate(trace: Trace, xs: list, *, dimension: int):
    for x in xs:
        shape_poly.check_whole(x.shape, "cannot concatenate along", lambda k: k == dimension)
    return trace.emit(d.concatenate, xs, shape=xs[0].shape, dimension=dimension)


@primitive
def pad(trace: Trace, x, padding_value, *, low: tuple[int, ...], high: tuple[int, ...], interior: tuple[int, ...]):
    shape_poly.check_whole(x.shape, "cannot pad between the elements of", lambda k: interior[k] != 0)
    shape = [n + lo + hi for n, lo, hi in zip(x.shape, low, high)]
    return trace.emit(d.pad, x, padding_value, shape=shape, edge_padding_low=_dims(low),
                      edge_padding_high=_dims(high), interior_padding=_dims(interior))


@primitive
def reverse(trace: Trace, x, *, dimensions: tuple[int, ...]):
    shape_poly.check_whole(x.shape, "cannot reverse", lambda k: k in dimensions)
    return trace.emit(d.reverse, x, shape=x.shape, dimensions=_dims(dimensions))


@primitive
def take(trace: Trace, x, indices, *, axis: int):
    shape_poly.check_whole(x.shape, "cannot take along", lambda k: k == axis)
    shape = (*x.shape[:axis], *indices.shape, *x.shape[axis + 1:])
    return trace.emit(d.take, x, indices, shape=shape, axis=axis)


@primitive
def dynamic_slice(trace: Trace, x, start_indices: list, *, slice_sizes: tuple[int, ...]):
    return trace.emit(d.dynamic_slice, x, start_indices, slice_sizes=_dims(slice_sizes))


@primitive
def dynamic_update_slice(trace: Trace, x, update, start_indices: list):
    return trace.emit(d.dynamic_update_slice, x, update, start_indices)


# -- reductions ---------------------------------------------------------------

def _reduction(builder: Callable) -> Callable:
    _polymorphic(builder)

    @primitive
    def op(trace: Trace, x, *, dimensions: tuple[int, ...]):
        kept = [n for k, n in enumerate(x.shape) if k not in dimensions]
        return trace.emit(builder, x, shape=kept, dimensions=_dims(dimensions))
    op.__name__ = op.build.__name__ = builder.__name__
    return op


reduce_sum = _reduction(d.reduce_sum)
reduce_prod = _reduction(d.reduce_prod)
reduce_max = _reduction(d.reduce_max)
reduce_min = _reduction(d.reduce_min)


def _build_sort(result_types, inputs, *, dimension: int, num_keys: int, descending: bool):
    return list(d.SortOp(inputs, dimension, num_keys, descending=descending or None, results=result_types).results)


_build_sort.__name__ = "sort"


@primitive
def sort(trace: Trace, operands: list, *, dimension: int, num_keys: int = 1, descending: bool = False):
    """Stable sort of same-shaped operands along `dimension` by the first
    `num_keys` (lexicographically); returns them all, permuted alike."""
    return trace.emit_results(_build_sort, [o.aval.strong() for o in operands], operands,
                              dimension=dimension, num_keys=num_keys, descending=descending)


def _arg_reduction(builder: Callable) -> Callable:
    _polymorphic(builder)

    @primitive
    def op(trace: Trace, x, *, dimension: int, index_dtype: np.dtype = dtypes.int32):
        shape = x.shape[:dimension] + x.shape[dimension + 1:]
        return trace.emit(builder, x, result=ShapedArray(shape, index_dtype),
                          dimension=dimension)
    op.__name__ = op.build.__name__ = builder.__name__
    return op


argmax = _arg_reduction(d.argmax)
argmin = _arg_reduction(d.argmin)


# -- contractions -------------------------------------------------------------

@primitive
def dot_general(trace: Trace, lhs, rhs, *, contracting: tuple[tuple[int, ...], tuple[int, ...]],
                batch: tuple[tuple[int, ...], tuple[int, ...]] = ((), ())):
    lhs_used, rhs_used = (*batch[0], *contracting[0]), (*batch[1], *contracting[1])
    shape = [lhs.shape[k] for k in batch[0]] + \
        [n for k, n in enumerate(lhs.shape) if k not in lhs_used] + \
        [n for k, n in enumerate(rhs.shape) if k not in rhs_used]
    return trace.emit(d.dot_general, lhs, rhs, shape=shape,
                      lhs_contracting_dimensions=_dims(contracting[0]),
                      rhs_contracting_dimensions=_dims(contracting[1]),
                      lhs_batching_dimensions=_dims(batch[0]),
                      rhs_batching_dimensions=_dims(batch[1]))


@primitive
def convolution(trace: Trace, lhs, rhs, *, window_strides: tuple[int, ...], padding: tuple[tuple[int, int], ...],
                lhs_dilation: tuple[int, ...], rhs_dilation: tuple[int, ...], feature_group_count: int):
    """lhs [N, C, in...] * rhs [O, C/G, window...] -> [N, O, out...]."""
    return trace.emit(d.convolution, lhs, rhs, shape=lhs.shape[:1] + (None,) * (lhs.ndim - 1),
                      window_strides=_dims(window_strides),
                      padding_low=_dims([lo for lo, _ in padding]),
                      padding_high=_dims([hi for _, hi in padding]),
                      lhs_dilation=_dims(lhs_dilation), rhs_dilation=_dims(rhs_dilation),
                      feature_group_count=feature_group_count)


_WINDOW_REDUCTIONS = {"sum": 0, "max": 1, "min": 2}


def _build_reduce_window(operand, *, kind, **attrs):
    return d.reduce_window(operand, kind, **attrs)


_build_reduce_window.__name__ = "reduce_window"
_polymorphic(_build_reduce_window)  # dimensions with window 1 may be symbolic


@primitive
def reduce_window(trace: Trace, x, *, kind: str, window_dimensions: tuple[int, ...],
                  window_strides: tuple[int, ...], padding: tuple[tuple[int, int], ...]):
    """Sum, max or min over sliding windows of x padded with the identity."""
    with trace.ctx:
        attr = ir.IntegerAttr.get(ir.IntegerType.get_signless(32), _WINDOW_REDUCTIONS[kind])
    return trace.emit(_build_reduce_window, x, shape=x.shape, kind=attr,
                      window_dimensions=_dims(window_dimensions),
                      window_strides=_dims(window_strides),
                      padding_low=_dims([lo for lo, _ in padding]),
                      padding_high=_dims([hi for _, hi in padding]))


# -- collectives --------------------------------------------------------------

_COLLECTIVE_REDUCTIONS = {"sum": 0, "max": 1, "min": 2}


def _build_all_reduce(operand, *, reduction, mesh, axes):
    return d.all_reduce(reduction, operand, mesh, axes)


_build_all_reduce.__name__ = "all_reduce"


@primitive
def all_reduce(trace: Trace, x, *, reduction: str, mesh: tuple[int, ...], axes: tuple[int, ...]):
    """The sum (max, min) of x over the processes of the group `axes` of
    the process `mesh`."""
    with trace.ctx:
        attr = ir.IntegerAttr.get(ir.IntegerType.get_signless(32), _COLLECTIVE_REDUCTIONS[reduction])
    return trace.emit(_build_all_reduce, x, reduction=attr, mesh=_dims(mesh), axes=_dims(axes))


@primitive
def all_gather(trace: Trace, x, *, dimension: int, mesh: tuple[int, ...], axes: tuple[int, ...]):
    return trace.emit(d.all_gather, x, dimension=dimension, mesh=_dims(mesh), axes=_dims(axes))


@primitive
def reduce_scatter(trace: Trace, x, *, dimension: int, mesh: tuple[int, ...], axes: tuple[int, ...]):
    return trace.emit(d.reduce_scatter, x, dimension=dimension, mesh=_dims(mesh), axes=_dims(axes))


@primitive
def all_to_all(trace: Trace, x, *, split_dimension: int, concat_dimension: int,
               mesh: tuple[int, ...], axes: tuple[int, ...]):
    return trace.emit(d.all_to_all, x, split_dimension=split_dimension,
                      concat_dimension=concat_dimension, mesh=_dims(mesh), axes=_dims(axes))


@primitive
def collective_broadcast(trace: Trace, x, *, root: int, mesh: tuple[int, ...], axes: tuple[int, ...]):
    return trace.emit(d.collective_broadcast, x, root=root, mesh=_dims(mesh), axes=_dims(axes))


@primitive
def axis_index(trace: Trace, *, mesh: tuple[int, ...], axes: tuple[int, ...]):
    return trace.emit(d.axis_index, result=ShapedArray((), dtypes.int32), mesh=_dims(mesh),
                      axes=_dims(axes))
