"""cotan.numpy: jax.numpy's names and semantics over the cotan primitives.

Import as `import cotan.numpy as cnp`. Functions work on concrete arrays
(running eagerly) and on traced values inside `cotan.jit` alike. NumPy
broadcasting and JAX type promotion apply: Python scalars are weakly typed
and take the other operand's dtype; integer inputs to float functions
become float32; no dtype is ever silently narrowed.
"""

from __future__ import annotations

import builtins
import math
from typing import Any, Sequence

import numpy as _np

from . import dtypes as _dt
from . import shape_poly
from . import ops
from .array import Array, ArrayBase
from .dlpack import from_dlpack  # noqa: F401  (np.from_dlpack's counterpart)
from .core import current_trace, find_trace
from .errors import user_error

# dtypes, as in jax.numpy
bool_ = _np.bool_
int32 = _np.int32
int64 = _np.int64
float16 = _np.float16
bfloat16 = _dt.bfloat16.type
float32 = _np.float32
float64 = _np.float64
pi = math.pi
e = math.e
inf = math.inf
nan = math.nan
newaxis = None
ndarray = ArrayBase


# -- operands, promotion, broadcasting ---------------------------------------

def _operand(x: Any) -> ArrayBase:
    """x as a cotan array; Python scalars stay weakly typed."""
    if isinstance(x, ArrayBase):
        return x
    if isinstance(x, shape_poly.DimExpr):
        return _symbolic_size(x)
    if isinstance(x, (bool, int, float, _np.generic)):
        dtype, weak = _dt.scalar_dtype(x)
        return Array(_np.asarray(x, dtype), weak_type=weak)
    if isinstance(x, _np.ndarray):
        # Arrays are immutable: a caller's writable array is copied, not
        # frozen (setting its writeable flag would break the caller's code).
        value = _np.asarray(x, _dt.canonicalize(x.dtype))
        return Array(value.copy() if value is x and x.flags.writeable else value)
    if isinstance(x, (list, tuple)):
        if builtins.any(isinstance(v, ArrayBase) or isinstance(v, (list, tuple)) for v in x):
            return stack([_operand(v) for v in x]) if len(x) else asarray(_np.zeros(0))
        return _operand(_np.asarray(x))
    raise user_error(TypeError, f"expected an array or scalar, got {type(x).__name__}")


def _symbolic_size(d: "shape_poly.DimExpr") -> ArrayBase:
    """A symbolic dimension used as a number (x.shape[0] in a mean, say):
    its size read at run time, as a weakly typed integer scalar."""
    trace = current_trace()
    if trace is None:
        raise user_error(TypeError, f"the symbolic dimension {d} has no value outside the "
                                    "function being traced")
    dtype, _ = _dt.scalar_dtype(1)
    return ops.convert(trace.dim_as_array(d), dtype=dtype)


def _convert(x: ArrayBase, dtype: Any) -> ArrayBase:
    dtype = _dt.canonicalize(dtype)
    if x.dtype == dtype:
        return x
    if isinstance(x, Array) and x.size <= 1:  # literals: convert in NumPy
        return Array(_np.asarray(x._value).astype(dtype), x.weak_type)
    return ops.convert(x, dtype=dtype)


def _is_literal(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, (bool, _np.generic))


def _promote(*xs: Any) -> list[ArrayBase]:
    """One dtype for all of xs. Python literals are materialized directly in
    that dtype, so 0.1 next to a float64 array keeps double precision."""
    typed = [_dt.scalar_dtype(x) if _is_literal(x) else None for x in xs]
    arrays = [None if t else _operand(x) for x, t in zip(xs, typed)]
    dtype, _ = _dt.result_type(*[t or (a.dtype, a.weak_type) for t, a in zip(typed, arrays)])
    return [Array(_np.asarray(x, dtype), weak_type=True) if t else _convert(a, dtype)
            for x, t, a in zip(xs, typed, arrays)]


def _broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    ndim = builtins.max((len(s) for s in shapes), default=0)
    out = []
    for i in range(ndim):
        sizes = {s[i - ndim + len(s)] for s in shapes if i - ndim + len(s) >= 0}
        sizes.discard(1)
        if len(sizes) > 1:
            shown = " ".join(str(tuple(s)) for s in shapes)
            raise user_error(ValueError, f"operands could not be broadcast together with shapes {shown}")
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


def _broadcast(x: ArrayBase, shape: tuple[int, ...], trace: Any = None) -> ArrayBase:
    """x broadcast to `shape`. Eagerly, a scalar is spread in NumPy; inside
    `trace` a concrete x becomes a constant of the trace first, so the
    broadcast is an op (folded to a splat constant) instead of a full-size
    array baked into the function."""
    if x.shape == shape:
        return x
    if isinstance(x, Array) and trace is not None:
        x = trace.constant(x._value, x.weak_type)
    elif isinstance(x, Array) and x.size == 1:
        return Array(_np.broadcast_to(_np.asarray(x._value), shape).copy(), x.weak_type)
    lead = len(shape) - x.ndim
    return ops.broadcast_in_dim(x, shape=tuple(shape), broadcast_dimensions=tuple(range(lead, len(shape))))


def _elementwise(*xs: Any) -> list[ArrayBase]:
    """Promote to one dtype and broadcast to one shape."""
    arrays = _promote(*xs)
    shape = _broadcast_shapes(*[a.shape for a in arrays])
    trace = find_trace(arrays)
    return [_broadcast(a, shape, trace) for a in arrays]


def _full_like(value: Any, like: ArrayBase) -> ArrayBase:
    """The scalar `value` in like's dtype, broadcast to like's shape."""
    return _broadcast(_convert(_operand(value), like.dtype), like.shape, find_trace([like]))


def _float(x: Any) -> ArrayBase:
    x = _operand(x)
    if not _dt.is_float(x.dtype):
        return _convert(x, _dt.default_float)
    return x


def _numeric(x: ArrayBase, name: str) -> None:
    if x.dtype == _dt.bool_:
        raise user_error(TypeError, f"{name} does not accept boolean arrays")


# -- creation -----------------------------------------------------------------

def asarray(a: Any, dtype: Any = None) -> ArrayBase:
    x = _operand(a)
    if dtype is not None:
        return _convert(x, dtype)
    if x.weak_type and isinstance(x, Array):
        return Array(x._value)
    return x


def array(a: Any, dtype: Any = None) -> ArrayBase:
    return asarray(a, dtype)


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, _np.integer, shape_poly.DimExpr)):
        shape = (shape,)
    shape = tuple(s if shape_poly.is_symbolic(s) else int(s) for s in shape)
    if builtins.any(s < 0 for s in shape):
        raise user_error(ValueError, f"negative dimensions are not allowed: {shape}")
    return shape


def full(shape: Any, fill_value: Any, dtype: Any = None) -> ArrayBase:
    shape = _shape(shape)
    if isinstance(fill_value, ArrayBase) and not isinstance(fill_value, Array):
        v = fill_value if dtype is None else _convert(fill_value, dtype)
        return _broadcast(v, shape)
    value = _operand(fill_value)
    dt = _dt.canonicalize(dtype) if dtype is not None else value.dtype
    if shape_poly.is_polymorphic(shape):  # spread at run time, to its sizes
        scalar = Array(_np.asarray(_np.asarray(value), dtype=dt))
        return _broadcast(scalar, shape, current_trace())
    return Array(_np.full(shape, _np.asarray(value), dtype=dt))


def zeros(shape: Any, dtype: Any = None) -> ArrayBase:
    return full(shape, 0, _dt.canonicalize(dtype or _dt.default_float))


def ones(shape: Any, dtype: Any = None) -> ArrayBase:
    return full(shape, 1, _dt.canonicalize(dtype or _dt.default_float))


empty = zeros


def zeros_like(a: Any, dtype: Any = None) -> ArrayBase:
    a = _operand(a)
    return zeros(a.shape, dtype or a.dtype)


def ones_like(a: Any, dtype: Any = None) -> ArrayBase:
    a = _operand(a)
    return ones(a.shape, dtype or a.dtype)


def full_like(a: Any, fill_value: Any, dtype: Any = None) -> ArrayBase:
    a = _operand(a)
    return full(a.shape, fill_value, dtype or a.dtype)


empty_like = zeros_like


def arange(start: Any, stop: Any = None, step: Any = None, dtype: Any = None) -> ArrayBase:
    values = [v for v in (start, stop, step) if v is not None]
    for v in values:
        if shape_poly.is_symbolic(v):
            raise shape_poly.static_required(v, "a static arange bound (its length)")
    if builtins.any(isinstance(v, ArrayBase) and not isinstance(v, Array) for v in values):
        raise user_error(TypeError, "arange needs concrete bounds; its length must be known when tracing")
    if dtype is None:
        dtype = _dt.default_float if builtins.any(isinstance(v, float) or (isinstance(v, (Array, _np.ndarray, _np.generic)) and _np.asarray(v).dtype.kind == "f") for v in values) else _dt.default_int
    out = _np.arange(*[_np.asarray(v).item() for v in values])
    return Array(out.astype(_dt.canonicalize(dtype)))


def linspace(start: float, stop: float, num: int = 50, endpoint: bool = True, dtype: Any = None) -> ArrayBase:
    out = _np.linspace(float(start), float(stop), int(num), endpoint=endpoint)
    return Array(out.astype(_dt.canonicalize(dtype or _dt.default_float)))


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> ArrayBase:
    return Array(_np.eye(N, M, k, dtype=_dt.canonicalize(dtype or _dt.default_float)))


def identity(n: int, dtype: Any = None) -> ArrayBase:
    return eye(n, dtype=dtype)


def astype(x: Any, dtype: Any) -> ArrayBase:
    try:
        return _convert(_operand(x), dtype)
    except _dt.DTypeError as e:
        raise user_error(TypeError, str(e)) from None


# -- elementwise arithmetic ---------------------------------------------------

def add(x: Any, y: Any) -> ArrayBase:
    a, b = _elementwise(x, y)
    return ops.or_(a, b) if a.dtype == _dt.bool_ else ops.add(a, b)


def subtract(x: Any, y: Any) -> ArrayBase:
    a, b = _elementwise(x, y)
    _numeric(a, "subtract")
    return ops.sub(a, b)


def multiply(x: Any, y: Any) -> ArrayBase:
    a, b = _elementwise(x, y)
    return ops.and_(a, b) if a.dtype == _dt.bool_ else ops.mul(a, b)


def true_divide(x: Any, y: Any) -> ArrayBase:
    a, b = _elementwise(x, y)
    return ops.div(_float(a), _float(b))


divide = true_divide


def _signs_differ(a: ArrayBase, b: ArrayBase) -> ArrayBase:
    zero = _full_like(0, a)
    return ops.compare(ops.compare(a, zero, direction="lt"), ops.compare(b, zero, direction="lt"), direction="ne")


def floor_divide(x: Any, y: Any) -> ArrayBase:
    a, b = _elementwise(x, y)
    _numeric(a, "floor_divide")
    if _dt.is_float(a.dtype):
        return ops.floor(ops.div(a, b))
    # Truncating quotient, moved down by one where the signs differ and
    # the division is inexact (Python semantics).
    q = ops.div(a, b)
    zero = _full_like(0, a)
    inexact = ops.compare(ops.rem(a, b), zero, direction="ne")
    one = _full_like(1, a)
    return ops.select(ops.and_(inexact, _signs_differ(a, b)), ops.sub(q, one), q)


def remainder(x: Any, y: Any) -> ArrayBase:
    """Python's %: the result has the sign of the divisor."""
    a, b = _elementwise(x, y)
    _numeric(a, "remainder")
    r = ops.rem(a, b)
    zero = _full_like(0, a)
    nonzero = ops.compare(r, zero, direction="ne")
    return ops.select(ops.and_(nonzero, _signs_differ(r, b)), ops.add(r, b), r)


mod = remainder


def fmod(x: Any, y: Any) -> ArrayBase:
    a, b = _elementwise(x, y)
    _numeric(a, "fmod")
    return ops.rem(a, b)


def power(x: Any, y: Any) -> ArrayBase:
    a, b = _elementwise(x, y)
    if a.dtype == _dt.bool_:
        a, b = _convert(a, _dt.default_int), _convert(b, _dt.default_int)
    return ops.pow(a, b)


def maximum(x: Any, y: Any) -> ArrayBase:
    a, b = _elementwise(x, y)
    return ops.or_(a, b) if a.dtype == _dt.bool_ else ops.max(a, b)


def minimum(x: Any, y: Any) -> ArrayBase:
    a, b = _elementwise(x, y)
    return ops.and_(a, b) if a.dtype == _dt.bool_ else ops.min(a, b)


def arctan2(x: Any, y: Any) -> ArrayBase:
    a, b = _elementwise(_float(x), _float(y))
    return ops.atan2(a, b)


def negative(x: Any) -> ArrayBase:
    x = _operand(x)
    _numeric(x, "negative")
    return ops.neg(x)


def positive(x: Any) -> ArrayBase:
    return _operand(x)


def abs(x: Any) -> ArrayBase:  # noqa: A001
    x = _operand(x)
    return x if x.dtype == _dt.bool_ else ops.abs(x)


absolute = abs


def sign(x: Any) -> ArrayBase:
    x = _operand(x)
    _numeric(x, "sign")
    return ops.sign(x)


def _float_unary(prim):
    def f(x: Any) -> ArrayBase:
        return prim(_float(x))
    f.__name__ = prim.__name__
    return f


exp = _float_unary(ops.exp)
log = _float_unary(ops.log)
log1p = _float_unary(ops.log1p)
expm1 = _float_unary(ops.expm1)
tanh = _float_unary(ops.tanh)
sqrt = _float_unary(ops.sqrt)
sin = _float_unary(ops.sin)
cos = _float_unary(ops.cos)


def floor(x: Any) -> ArrayBase:
    x = _operand(x)
    return ops.floor(x) if _dt.is_float(x.dtype) else _float(x)


def ceil(x: Any) -> ArrayBase:
    x = _operand(x)
    return ops.neg(ops.floor(ops.neg(x))) if _dt.is_float(x.dtype) else _float(x)


def tan(x: Any) -> ArrayBase:
    x = _float(x)
    return ops.div(ops.sin(x), ops.cos(x))


def sinh(x: Any) -> ArrayBase:
    x = _float(x)
    return multiply(subtract(ops.exp(x), ops.exp(ops.neg(x))), 0.5)


def cosh(x: Any) -> ArrayBase:
    x = _float(x)
    return multiply(add(ops.exp(x), ops.exp(ops.neg(x))), 0.5)


def exp2(x: Any) -> ArrayBase:
    return ops.exp(multiply(_float(x), math.log(2.0)))


def log2(x: Any) -> ArrayBase:
    return multiply(ops.log(_float(x)), 1.0 / math.log(2.0))


def log10(x: Any) -> ArrayBase:
    return multiply(ops.log(_float(x)), 1.0 / math.log(10.0))


def square(x: Any) -> ArrayBase:
    x = _operand(x)
    return multiply(x, x)


def reciprocal(x: Any) -> ArrayBase:
    return true_divide(1.0, _float(x))


def logaddexp(x: Any, y: Any) -> ArrayBase:
    """log(exp(x) + exp(y)) without overflow."""
    a, b = _elementwise(_float(x), _float(y))
    m = ops.max(a, b)
    d = ops.abs(ops.sub(a, b))
    safe = add(m, ops.log1p(ops.exp(ops.neg(d))))
    # Equal infinities would give NaN through d = inf - inf; the answer is m.
    return where(logical_and(ops.compare(a, b, direction="eq"), isinf(a)), m, safe)


def clip(a: Any, a_min: Any = None, a_max: Any = None) -> ArrayBase:
    x = _operand(a)
    if a_min is not None:
        x = maximum(x, a_min)
    if a_max is not None:
        x = minimum(x, a_max)
    return x


def where(condition: Any, x: Any = None, y: Any = None) -> ArrayBase:
    if x is None or y is None:
        raise user_error(NotImplementedError, "where(condition) with one argument has a data-dependent shape; pass x and y")
    c = _operand(condition)
    if c.dtype != _dt.bool_:
        c = _convert(c, _dt.bool_)
    a, b = _promote(x, y)
    shape = _broadcast_shapes(c.shape, a.shape, b.shape)
    trace = find_trace([c, a, b])
    return ops.select(_broadcast(c, shape, trace), _broadcast(a, shape, trace),
                      _broadcast(b, shape, trace))


# -- comparisons and logic ----------------------------------------------------

def _comparison(direction: str):
    def f(x: Any, y: Any) -> ArrayBase:
        a, b = _elementwise(x, y)
        return ops.compare(a, b, direction=direction)
    return f


equal = _comparison("eq")
not_equal = _comparison("ne")
less = _comparison("lt")
less_equal = _comparison("le")
greater = _comparison("gt")
greater_equal = _comparison("ge")


def isnan(x: Any) -> ArrayBase:
    x = _operand(x)
    if not _dt.is_float(x.dtype):
        return zeros(x.shape, _dt.bool_)
    return ops.compare(x, x, direction="ne")


def isinf(x: Any) -> ArrayBase:
    x = _operand(x)
    if not _dt.is_float(x.dtype):
        return zeros(x.shape, _dt.bool_)
    return equal(ops.abs(x), inf)


def isfinite(x: Any) -> ArrayBase:
    x = _operand(x)
    if not _dt.is_float(x.dtype):
        return ones(x.shape, _dt.bool_)
    return less(ops.abs(x), inf)


def nextafter(x1: Any, x2: Any) -> ArrayBase:
    """The next representable float after x1 in the direction of x2: one
    step of the bit pattern, which orders floats of one sign by magnitude."""
    a, b = _promote(_float(x1), _float(x2))
    shape = _broadcast_shapes(a.shape, b.shape)
    a, b = _broadcast(a, shape), _broadcast(b, shape)
    word = _np.dtype(_np.int32 if a.dtype == _np.float32 else _np.int64)
    bits = ops.bitcast_convert(a, dtype=word)
    away_from_zero = equal(greater(b, a), greater(a, 0))
    step = where(away_from_zero, ones((), word), full((), -1, word))
    stepped = ops.bitcast_convert(add(bits, step), dtype=_np.dtype(a.dtype))
    tiny = _np.array(_np.finfo(a.dtype).smallest_subnormal, a.dtype)
    stepped = where(equal(a, 0), where(greater(b, 0), tiny, -tiny), stepped)
    stepped = where(equal(a, b), b, stepped)
    return where(logical_or(isnan(a), isnan(b)), _np.array(_np.nan, a.dtype), stepped)


def _logical(x: Any) -> ArrayBase:
    return _convert(_operand(x), _dt.bool_)


def logical_not(x: Any) -> ArrayBase:
    return ops.not_(_logical(x))


def logical_and(x: Any, y: Any) -> ArrayBase:
    a, b = _elementwise(_logical(x), _logical(y))
    return ops.and_(a, b)


def logical_or(x: Any, y: Any) -> ArrayBase:
    a, b = _elementwise(_logical(x), _logical(y))
    return ops.or_(a, b)


def logical_xor(x: Any, y: Any) -> ArrayBase:
    a, b = _elementwise(_logical(x), _logical(y))
    return ops.compare(a, b, direction="ne")


def _bitwise(x: Any, y: Any, name: str) -> list[ArrayBase]:
    a, b = _elementwise(x, y)
    if _dt.is_float(a.dtype):
        raise user_error(TypeError, f"{name} needs integer or boolean arrays, got {a.dtype}")
    return [a, b]


def bitwise_and(x: Any, y: Any) -> ArrayBase:
    return ops.and_(*_bitwise(x, y, "bitwise_and"))


def bitwise_or(x: Any, y: Any) -> ArrayBase:
    return ops.or_(*_bitwise(x, y, "bitwise_or"))


def bitwise_xor(x: Any, y: Any) -> ArrayBase:
    a, b = _bitwise(x, y, "bitwise_xor")
    return ops.and_(ops.or_(a, b), ops.not_(ops.and_(a, b)))


def invert(x: Any) -> ArrayBase:
    x = _operand(x)
    if _dt.is_float(x.dtype):
        raise user_error(TypeError, f"invert needs integer or boolean arrays, got {x.dtype}")
    return ops.not_(x)


bitwise_not = invert


# -- reductions ---------------------------------------------------------------

def _axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    items = axis if isinstance(axis, (tuple, list)) else (axis,)
    out = []
    for a in items:
        if not isinstance(a, (int, _np.integer)):
            raise user_error(TypeError, f"axis must be an int or a tuple of ints, got {a!r}")
        if not -ndim <= a < ndim:
            raise user_error(_np.exceptions.AxisError, f"axis {a} is out of bounds for array of dimension {ndim}")
        out.append(int(a) % ndim if ndim else 0)
    if len(set(out)) != len(out):
        raise user_error(ValueError, f"duplicate value in 'axis': {axis}")
    return tuple(sorted(out))


def _keep(x: ArrayBase, reduced: ArrayBase, axes: tuple[int, ...], keepdims: bool) -> ArrayBase:
    if not keepdims:
        return reduced
    shape = tuple(1 if i in axes else s for i, s in enumerate(x.shape))
    return ops.reshape(reduced, shape=shape)


def _reduce(prim, x: ArrayBase, axis: Any, keepdims: bool) -> ArrayBase:
    axes = _axes(axis, x.ndim)
    return _keep(x, prim(x, dimensions=axes), axes, keepdims)


def sum(a: Any, axis: Any = None, dtype: Any = None, out: None = None, keepdims: bool = False) -> ArrayBase:  # noqa: A001
    x = _operand(a)
    if dtype is not None:
        x = _convert(x, dtype)
    elif x.dtype == _dt.bool_:
        x = _convert(x, _dt.default_int)
    return _reduce(ops.reduce_sum, x, axis, keepdims)


def prod(a: Any, axis: Any = None, dtype: Any = None, out: None = None, keepdims: bool = False) -> ArrayBase:
    x = _operand(a)
    if dtype is not None:
        x = _convert(x, dtype)
    elif x.dtype == _dt.bool_:
        x = _convert(x, _dt.default_int)
    return _reduce(ops.reduce_prod, x, axis, keepdims)


def _extreme(prim, name: str, a: Any, axis: Any, keepdims: bool) -> ArrayBase:
    x = _operand(a)
    axes = _axes(axis, x.ndim)
    if builtins.any(x.shape[i] == 0 for i in axes) or (x.size == 0 and not axes):
        raise user_error(ValueError, f"zero-size array to reduction operation {name} which has no identity")
    return _keep(x, prim(x, dimensions=axes), axes, keepdims)


def max(a: Any, axis: Any = None, out: None = None, keepdims: bool = False) -> ArrayBase:  # noqa: A001
    return _extreme(ops.reduce_max, "maximum", a, axis, keepdims)


def min(a: Any, axis: Any = None, out: None = None, keepdims: bool = False) -> ArrayBase:  # noqa: A001
    return _extreme(ops.reduce_min, "minimum", a, axis, keepdims)


amax = max
amin = min


def all(a: Any, axis: Any = None, keepdims: bool = False) -> ArrayBase:  # noqa: A001
    return _reduce(ops.reduce_min, _logical(a), axis, keepdims)


def any(a: Any, axis: Any = None, keepdims: bool = False) -> ArrayBase:  # noqa: A001
    return _reduce(ops.reduce_max, _logical(a), axis, keepdims)


def _count(x: ArrayBase, axis: Any) -> Any:
    """The number of elements reduced over `axis` (symbolic if one of its
    dimensions is)."""
    return math.prod(x.shape[i] for i in _axes(axis, x.ndim))


def mean(a: Any, axis: Any = None, dtype: Any = None, out: None = None, keepdims: bool = False) -> ArrayBase:
    x = _operand(a)
    x = _convert(x, dtype) if dtype is not None else _float(x)
    total = sum(x, axis, keepdims=keepdims)
    return _divide_by_count(total, _count(x, axis))


def _divide_by_count(total: ArrayBase, n: Any) -> ArrayBase:
    """total / n for an element count n (NaN when it is not positive); a
    symbolic count is read at run time."""
    if shape_poly.is_symbolic(n):
        return true_divide(total, _convert(_operand(n), total.dtype))
    return true_divide(total, float(n) if n > 0 else nan)


def var(a: Any, axis: Any = None, dtype: Any = None, out: None = None, ddof: int = 0, keepdims: bool = False) -> ArrayBase:
    x = _operand(a)
    x = _convert(x, dtype) if dtype is not None else _float(x)
    centered = subtract(x, mean(x, axis, keepdims=True))
    return _divide_by_count(sum(multiply(centered, centered), axis, keepdims=keepdims), _count(x, axis) - ddof)


def std(a: Any, axis: Any = None, dtype: Any = None, out: None = None, ddof: int = 0, keepdims: bool = False) -> ArrayBase:
    return sqrt(var(a, axis, dtype, ddof=ddof, keepdims=keepdims))


def _arg_extreme(prim, name: str, a: Any, axis: Any, keepdims: bool) -> ArrayBase:
    x = _operand(a)
    if x.dtype == _dt.bool_:
        x = _convert(x, _dt.default_int)
    if axis is None:
        flat = ravel(x)
        if flat.size == 0:
            raise user_error(ValueError, f"attempt to get {name} of an empty sequence")
        out = prim(flat, dimension=0)
        return reshape(out, (1,) * x.ndim) if keepdims else out
    (ax,) = _axes(axis, x.ndim)
    if x.shape[ax] == 0:
        raise user_error(ValueError, f"attempt to get {name} of an empty sequence")
    return _keep(x, prim(x, dimension=ax), (ax,), keepdims)


def argmax(a: Any, axis: Any = None, out: None = None, keepdims: bool = False) -> ArrayBase:
    return _arg_extreme(ops.argmax, "argmax", a, axis, keepdims)


def argmin(a: Any, axis: Any = None, out: None = None, keepdims: bool = False) -> ArrayBase:
    return _arg_extreme(ops.argmin, "argmin", a, axis, keepdims)


# -- shapes -------------------------------------------------------------------

def reshape(a: Any, newshape: Any, order: str = "C") -> ArrayBase:
    if order != "C":
        raise user_error(NotImplementedError, "only order='C' reshapes are supported")
    x = _operand(a)
    dims = (newshape,) if isinstance(newshape, (int, _np.integer, shape_poly.DimExpr)) else newshape
    shape = [s if shape_poly.is_symbolic(s) else int(s) for s in dims]
    if shape.count(-1) > 1:
        raise user_error(ValueError, "can only specify one unknown dimension")
    try:
        if -1 in shape:
            known = math.prod(s for s in shape if s != -1)
            if known == 0 or x.size % known:
                raise user_error(ValueError, f"cannot reshape array of size {x.size} into shape {tuple(newshape)}")
            shape[shape.index(-1)] = x.size // known
        if math.prod(shape) != x.size or builtins.any(s < 0 for s in shape):
            raise user_error(ValueError, f"cannot reshape array of size {x.size} into shape {tuple(shape)}")
    except shape_poly.InconclusiveDimensionOperation as e:
        raise user_error(shape_poly.ShapePolymorphismError,
                         f"cannot reshape an array of shape {x.shape} into {tuple(newshape)}: {e}") from None
    if tuple(shape) == x.shape:
        return x
    return ops.reshape(x, shape=tuple(shape))


def ravel(a: Any) -> ArrayBase:
    return reshape(a, (-1,))


def transpose(a: Any, axes: Any = None) -> ArrayBase:
    x = _operand(a)
    if axes is None:
        perm = tuple(reversed(range(x.ndim)))
    else:
        perm = tuple(int(p) % x.ndim if -x.ndim <= p < x.ndim else p for p in axes)
        if sorted(perm) != list(range(x.ndim)):
            raise user_error(ValueError, f"axes {tuple(axes)} don't match array of dimension {x.ndim}")
    if perm == tuple(range(x.ndim)):
        return x
    return ops.transpose(x, permutation=perm)


def swapaxes(a: Any, axis1: int, axis2: int) -> ArrayBase:
    x = _operand(a)
    (i,), (j,) = _axes(axis1, x.ndim), _axes(axis2, x.ndim)
    perm = list(range(x.ndim))
    perm[i], perm[j] = perm[j], perm[i]
    return transpose(x, perm)


def moveaxis(a: Any, source: int, destination: int) -> ArrayBase:
    x = _operand(a)
    (s,), (d,) = _axes(source, x.ndim), _axes(destination, x.ndim)
    perm = [i for i in range(x.ndim) if i != s]
    perm.insert(d, s)
    return transpose(x, perm)


def _band(x: ArrayBase, k: int, lower: bool) -> ArrayBase:
    """x with the entries above (lower) or below the k-th diagonal of its
    last two axes set to zero."""
    if x.ndim < 2:
        raise user_error(ValueError, f"{'tril' if lower else 'triu'} needs an array with at least 2 "
                                     f"dimensions, got shape {x.shape}")
    n, m = x.shape[-2:]
    keep = _np.tri(n, m, k, dtype=bool) if lower else ~_np.tri(n, m, k - 1, dtype=bool)
    return where(keep, x, zeros((), x.dtype))


def tril(m: Any, k: int = 0) -> ArrayBase:
    return _band(_operand(m), int(k), lower=True)


def triu(m: Any, k: int = 0) -> ArrayBase:
    return _band(_operand(m), int(k), lower=False)


def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> ArrayBase:
    """The offset-th diagonal of the (axis1, axis2) planes, as a last axis."""
    x = _operand(a)
    if x.ndim < 2:
        raise user_error(ValueError, f"diagonal needs an array with at least 2 dimensions, got shape {x.shape}")
    (i,), (j,) = _axes(axis1, x.ndim), _axes(axis2, x.ndim)
    if i == j:
        raise user_error(ValueError, "diagonal: axis1 and axis2 cannot be the same")
    rest = [d for d in range(x.ndim) if d not in (i, j)]
    x = transpose(x, rest + [i, j])
    n, m = x.shape[-2:]
    offset = int(offset)
    first = builtins.min(n, builtins.max(0, -offset))
    length = builtins.max(0, builtins.min(n - first, m - builtins.max(0, offset)))
    picked = where(_np.eye(n, m, offset, dtype=bool), x, zeros((), x.dtype))
    total = sum(picked, axis=-1) if x.dtype != _dt.bool_ else any(picked, axis=-1)
    return ops.slice(total, start=(0,) * (x.ndim - 2) + (first,), limit=total.shape[:-1] + (first + length,),
                     strides=(1,) * (x.ndim - 1))


def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> ArrayBase:
    return sum(diagonal(a, offset, axis1, axis2), axis=-1)


def expand_dims(a: Any, axis: Any) -> ArrayBase:
    x = _operand(a)
    items = axis if isinstance(axis, (tuple, list)) else (axis,)
    ndim = x.ndim + len(items)
    axes = _axes(tuple(items), ndim)
    it = iter(x.shape)
    shape = tuple(1 if i in axes else next(it) for i in range(ndim))
    return ops.reshape(x, shape=shape)


def squeeze(a: Any, axis: Any = None) -> ArrayBase:
    x = _operand(a)
    if axis is None:
        axes = tuple(i for i, s in enumerate(x.shape) if s == 1)
    else:
        axes = _axes(axis, x.ndim)
        if builtins.any(x.shape[i] != 1 for i in axes):
            raise user_error(ValueError, "cannot select an axis to squeeze out which has size not equal to one")
    if not axes:
        return x
    return ops.reshape(x, shape=tuple(s for i, s in enumerate(x.shape) if i not in axes))


def broadcast_to(a: Any, shape: Any) -> ArrayBase:
    x = _operand(a)
    shape = _shape(shape)
    lead = len(shape) - x.ndim
    if lead < 0 or builtins.any(s != 1 and s != t for s, t in zip(x.shape, shape[lead:])):
        raise user_error(ValueError, f"cannot broadcast an array of shape {x.shape} to shape {shape}")
    return _broadcast(x, shape)


def broadcast_arrays(*args: Any) -> list[ArrayBase]:
    arrays = [_operand(a) for a in args]
    shape = _broadcast_shapes(*[a.shape for a in arrays])
    trace = find_trace(arrays)
    return [_broadcast(a, shape, trace) for a in arrays]


def concatenate(arrays: Sequence[Any], axis: int | None = 0) -> ArrayBase:
    if not len(arrays):
        raise user_error(ValueError, "need at least one array to concatenate")
    xs = _promote(*arrays)
    if axis is None:
        xs, axis = [ravel(x) for x in xs], 0
    if builtins.any(x.ndim == 0 for x in xs):
        raise user_error(ValueError, "zero-dimensional arrays cannot be concatenated")
    (ax,) = _axes(axis, xs[0].ndim)
    for i, x in enumerate(xs[1:], 1):
        if x.ndim != xs[0].ndim or builtins.any(a != b for d, (a, b) in enumerate(zip(x.shape, xs[0].shape)) if d != ax):
            raise user_error(ValueError, f"all the input array dimensions except for the concatenation axis must match exactly, but array 0 has shape {xs[0].shape} and array {i} has shape {x.shape}")
    if len(xs) == 1:
        return xs[0]
    return ops.concatenate(list(xs), dimension=ax)


def stack(arrays: Sequence[Any], axis: int = 0) -> ArrayBase:
    if not len(arrays):
        raise user_error(ValueError, "need at least one array to stack")
    xs = [_operand(a) for a in arrays]
    if len({x.shape for x in xs}) != 1:
        raise user_error(ValueError, f"all input arrays must have the same shape, got {[x.shape for x in xs]}")
    (ax,) = _axes(axis, xs[0].ndim + 1)
    return concatenate([expand_dims(x, ax) for x in xs], ax)


def split(a: Any, indices_or_sections: Any, axis: int = 0) -> list[ArrayBase]:
    x = _operand(a)
    (ax,) = _axes(axis, x.ndim)
    n = x.shape[ax]
    if isinstance(indices_or_sections, (int, _np.integer)):
        sections = int(indices_or_sections)
        if sections <= 0 or n % sections:
            raise user_error(ValueError, "array split does not result in an equal division")
        bounds = [i * (n // sections) for i in range(sections + 1)]
    else:
        bounds = [0] + [builtins.min(builtins.max(int(i), 0), n) for i in indices_or_sections] + [n]
    out = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        hi = builtins.max(lo, hi)
        start = [0] * x.ndim
        limit = list(x.shape)
        start[ax], limit[ax] = lo, hi
        out.append(ops.slice(x, start=tuple(start), limit=tuple(limit), strides=(1,) * x.ndim))
    return out


def flip(a: Any, axis: Any = None) -> ArrayBase:
    x = _operand(a)
    axes = _axes(axis, x.ndim)
    return ops.reverse(x, dimensions=axes) if axes else x


def pad(array: Any, pad_width: Any, mode: str = "constant", constant_values: Any = 0) -> ArrayBase:
    if mode != "constant":
        raise user_error(NotImplementedError, f"pad mode {mode!r} is not supported; use 'constant'")
    x = _operand(array)
    widths = _np.broadcast_to(_np.asarray(pad_width, dtype=_np.int64), (x.ndim, 2))
    if (widths < 0).any():
        raise user_error(ValueError, "index can't contain negative values")
    value = _convert(_operand(constant_values), x.dtype)
    if value.ndim:
        raise user_error(NotImplementedError, "only a scalar constant_values is supported")
    return ops.pad(x, value, low=tuple(widths[:, 0].tolist()), high=tuple(widths[:, 1].tolist()),
                   interior=(0,) * x.ndim)


def take(a: Any, indices: Any, axis: int | None = None) -> ArrayBase:
    from .indexing import take_along
    x = _operand(a)
    if axis is None:
        x, axis = ravel(x), 0
    (ax,) = _axes(axis, x.ndim)
    return take_along(x, indices, ax)


# -- linear algebra -----------------------------------------------------------

def matmul(a: Any, b: Any) -> ArrayBase:
    x, y = _promote(a, b)
    if x.ndim == 0 or y.ndim == 0:
        raise user_error(ValueError, "matmul: input operand does not have enough dimensions (scalars are not allowed; use *)")
    x2 = reshape(x, (1, x.shape[0])) if x.ndim == 1 else x
    y2 = reshape(y, (y.shape[0], 1)) if y.ndim == 1 else y
    if x2.shape[-1] != y2.shape[-2]:
        raise user_error(ValueError, f"matmul: contracting dimensions differ: {x.shape} @ {y.shape} ({x2.shape[-1]} != {y2.shape[-2]})")
    batch = _broadcast_shapes(x2.shape[:-2], y2.shape[:-2])
    x3 = _broadcast(x2, batch + x2.shape[-2:])
    y3 = _broadcast(y2, batch + y2.shape[-2:])
    nb = len(batch)
    out = ops.dot_general(x3, y3, contracting=((nb + 1,), (nb,)),
                          batch=(tuple(range(nb)), tuple(range(nb))))
    shape = batch + ((x.shape[-2],) if x.ndim > 1 else ()) + ((y.shape[-1],) if y.ndim > 1 else ())
    return reshape(out, shape) if out.shape != shape else out


def dot(a: Any, b: Any) -> ArrayBase:
    x, y = _promote(a, b)
    if x.ndim == 0 or y.ndim == 0:
        return multiply(x, y)
    if y.ndim == 1 or x.ndim == 1 and y.ndim <= 2:
        return matmul(x, y) if x.ndim <= 2 else tensordot(x, y, ((x.ndim - 1,), (0,)))
    return tensordot(x, y, ((x.ndim - 1,), (y.ndim - 2,)))


def vdot(a: Any, b: Any) -> ArrayBase:
    return dot(ravel(a), ravel(b))


def inner(a: Any, b: Any) -> ArrayBase:
    x, y = _promote(a, b)
    if x.ndim == 0 or y.ndim == 0:
        return multiply(x, y)
    return tensordot(x, y, ((x.ndim - 1,), (y.ndim - 1,)))


def outer(a: Any, b: Any) -> ArrayBase:
    x, y = ravel(a), ravel(b)
    return multiply(reshape(x, (-1, 1)), reshape(y, (1, -1)))


def tensordot(a: Any, b: Any, axes: Any = 2) -> ArrayBase:
    x, y = _promote(a, b)
    if isinstance(axes, (int, _np.integer)):
        ax_a = tuple(range(x.ndim - axes, x.ndim))
        ax_b = tuple(range(axes))
    else:
        ax_a, ax_b = (tuple(v) if isinstance(v, (tuple, list)) else (v,) for v in axes)
    ax_a = tuple(i % x.ndim for i in ax_a)
    ax_b = tuple(i % y.ndim for i in ax_b)
    for i, j in zip(ax_a, ax_b):
        if x.shape[i] != y.shape[j]:
            raise user_error(ValueError, f"shape-mismatch for sum: {x.shape} axis {i} vs {y.shape} axis {j}")
    return ops.dot_general(x, y, contracting=(ax_a, ax_b))


def einsum(subscripts: str, *operands: Any) -> ArrayBase:
    from .einsum import einsum as _einsum
    return _einsum(subscripts, *operands)


# -- dtype introspection ------------------------------------------------------

def result_type(*args: Any) -> _np.dtype:
    return _dt.result_type(*[(x.dtype, x.weak_type) for x in map(_operand, args)])[0]


def issubdtype(a: Any, b: Any) -> bool:
    return _np.issubdtype(a, b)


dtype = _np.dtype
finfo = _np.finfo
iinfo = _np.iinfo


# Built on the functions above.
from .cumulative import cumprod, cumsum  # noqa: E402
from .sorting import argsort, median, percentile, quantile, searchsorted, sort  # noqa: E402


def __getattr__(name: str) -> Any:
    """cotan.numpy.linalg, imported on first use (it builds on this module)."""
    if name == "linalg":
        from . import numpy_linalg
        return numpy_linalg
    raise AttributeError(f"module 'cotan.numpy' has no attribute {name!r}")
