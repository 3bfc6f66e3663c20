"""Abstract values, traced values and the trace that turns Python calls on
them into a func.func of cotan ops."""

from __future__ import annotations

import contextlib
import math
import threading
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from . import dtypes, shape_poly
from .errors import CompileError, TracerLeakError, user_location, where
from .mlir import ir
from .mlir.dialects import arith as arith_d
from .mlir.dialects import cotan as cotan_d
from .mlir.dialects import func as func_d
from .mlir.dialects import tensor as tensor_d

# NumPy constants at least this large are passed to the compiled function
# as hidden arguments instead of being baked into the IR.
HOIST_THRESHOLD = 4096


@dataclass(frozen=True)
class ShapedArray:
    """The abstract value of an array: shape, dtype and weak typing (a
    Python scalar's type yields to the other operand's in promotion)."""

    shape: tuple[int, ...]
    dtype: np.dtype
    weak_type: bool = False

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> "int | shape_poly.DimExpr":
        if shape_poly.is_polymorphic(self.shape):
            return math.prod(self.shape)
        return int(np.prod(self.shape, dtype=np.int64))

    def mlir_type(self) -> ir.RankedTensorType:
        """The tensor type; a symbolic dimension is dynamic (`?`)."""
        dynamic = ir.ShapedType.get_dynamic_size()
        sizes = [dynamic if shape_poly.is_symbolic(d) else d for d in self.shape]
        return ir.RankedTensorType.get(sizes, dtypes.mlir_type(self.dtype))

    def strong(self) -> "ShapedArray":
        return ShapedArray(self.shape, self.dtype, False)

    def __str__(self) -> str:
        weak = "~" if self.weak_type else ""
        return f"{weak}{self.dtype}[{','.join(map(str, self.shape))}]"


def _note_lines(diagnostic) -> list[str]:
    """A diagnostic's notes, without MLIR's dump of the failing op (the
    message already names it and the user's source line)."""
    return [f"  note: {n.message}" for n in diagnostic.notes
            if not n.message.startswith("see current operation")]


class _Diagnostics:
    """Collects MLIR diagnostics emitted outside a pass run (e.g. by a
    builder's shape rule) so they become exceptions, not stderr noise."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def __call__(self, diagnostic) -> bool:
        self.messages.append(f"{diagnostic.location}: {diagnostic.message}")
        self.messages.extend(_note_lines(diagnostic))
        return True

    def take(self) -> list[str]:
        out, self.messages = self.messages, []
        return out


_state = threading.local()


def context() -> ir.Context:
    """The MLIR context of this thread (cotan dialect registered)."""
    ctx = getattr(_state, "context", None)
    if ctx is None:
        ctx = ir.Context()
        ctx.load_all_available_dialects()
        _state.diagnostics = _Diagnostics()
        _state.handler = ctx.attach_diagnostic_handler(_state.diagnostics)
        _state.context = ctx
    return ctx


def take_diagnostics() -> list[str]:
    context()
    return _state.diagnostics.take()


def mlir_error_messages(error: Exception) -> list[str]:
    diags = getattr(error, "error_diagnostics", None)
    if not diags:
        return take_diagnostics() or [str(error)]
    lines = []
    for d in diags:
        lines.append(f"{d.location}: {d.message}")
        lines.extend(_note_lines(d))
    return lines


def _op_name(builder: Callable[..., Any]) -> str:
    return getattr(builder, "__name__", "op").rstrip("_")


def _location() -> ir.Location:
    filename, line = user_location()
    return ir.Location.file(filename, line, 0)


class Trace:
    """One function being traced: a func.func whose body grows as traced
    values are combined. Concrete inputs are lifted into it as constants
    (large ones as hidden arguments)."""

    def __init__(self, name: str, in_avals: Sequence[ShapedArray],
                 parent: "Trace | None" = None):
        """A public function in a new module, or, with `parent`, a private
        function in the parent's module (the callee of a derivative request).
        A nested trace captures values of enclosing traces as extra
        arguments (closure conversion), listed in `captured`."""
        self.name = name
        self.origin = where()
        self.alive = True
        self.parent = parent
        self.ctx = context()
        self.hoisted: list[np.ndarray] = []
        self.captured: list[Tracer] = []  # values of the parent trace
        self._capture_args: dict[int, Tracer] = {}
        # Where each dimension symbol can be read: a value whose dimension
        # is exactly that symbol; and the index values already computed.
        self._symbol_sources: dict[str, tuple[Tracer, int]] = {}
        self._dim_values: dict[Any, ir.Value] = {}
        with self.ctx, ir.Location.unknown():
            if parent is None:
                self.module = ir.Module.create()
            else:
                self.module = parent.module
                self.name = name = f"{name}_{len(self.module.body.operations)}"
            with ir.InsertionPoint(self.module.body):
                ftype = ir.FunctionType.get([a.mlir_type() for a in in_avals], [])
                self.func = func_d.FuncOp(name, ftype)
                if parent is None:
                    self.func.attributes["llvm.emit_c_interface"] = ir.UnitAttr.get()
                else:
                    self.func.attributes["sym_visibility"] = ir.StringAttr.get("private")
            self.block = self.func.add_entry_block()
        self.inputs = [self._note(Tracer(self, v, a)) for v, a in zip(self.block.arguments, in_avals)]

    @contextlib.contextmanager
    def active(self):
        """Marks this trace as the one user code is running in: transformations
        called with concrete arguments (closing over traced values) build
        into it instead of starting a separate compilation."""
        stack = _active_traces()
        stack.append(self)
        try:
            yield self
        finally:
            stack.pop()

    @property
    def root(self) -> "Trace":
        return self if self.parent is None else self.parent.root

    def encloses(self, other: "Trace") -> bool:
        """True if `other` is this trace or one it is nested in."""
        t: Trace | None = self
        while t is not None:
            if t is other:
                return True
            t = t.parent
        return False

    def _capture(self, outer: "Tracer") -> "Tracer":
        """A value of an enclosing trace as an argument of this function."""
        key = id(outer)
        inner = self._capture_args.get(key)
        if inner is None:
            if outer._trace is not self.parent:
                outer = self.parent._capture(outer)
            with self.ctx, ir.Location.unknown():
                arg = self.block.add_argument(outer.aval.mlir_type(), ir.Location.unknown())
            inner = self._note(Tracer(self, arg, outer.aval))
            self._capture_args[key] = inner
            self.captured.append(outer)
        return inner

    # -- symbolic dimensions ----------------------------------------------

    def _note(self, t: "Tracer") -> "Tracer":
        """Records the dimensions of `t` that are exactly a symbol, as places
        to read that symbol's size from."""
        for k, d in enumerate(t.aval.shape):
            if shape_poly.is_symbolic(d):
                name = d.as_symbol()
                if name is not None and name not in self._symbol_sources:
                    self._symbol_sources[name] = (t, k)
        return t

    def _symbol_source(self, name: str) -> tuple["Tracer", int]:
        trace: Trace | None = self
        while trace is not None:
            source = trace._symbol_sources.get(name)
            if source is not None:
                tracer, k = source
                return (tracer if trace is self else self._capture(tracer)), k
            trace = trace.parent
        raise CompileError(f"{where()}: the size of the dimension symbol {name} cannot be "
                           "found in any traced value")

    def dim_value(self, d: Any) -> ir.Value:
        """The size `d` (an int or a DimExpr) as an `index` value of this
        function: `tensor.dim` of a value that has the symbol as a
        dimension, combined with `arith`."""
        key = d if shape_poly.is_symbolic(d) else int(d)
        value = self._dim_values.get(key)
        if value is not None:
            return value
        with self.ctx, _location(), ir.InsertionPoint(self.block):
            index = ir.IndexType.get()
            if not shape_poly.is_symbolic(d):
                value = arith_d.constant(index, ir.IntegerAttr.get(index, key))
            elif d.as_symbol() is not None:
                tracer, k = self._symbol_source(d.as_symbol())
                value = tensor_d.dim(tracer.value, self.dim_value(k))
            else:
                value = None
                for monomial, coeff in d.terms():
                    term = self.dim_value(coeff) if coeff != 1 or not monomial else None
                    for name, power in monomial:
                        for _ in range(power):
                            factor = self.dim_value(shape_poly.DimExpr.symbol(name))
                            term = factor if term is None else arith_d.muli(term, factor)
                    value = term if value is None else arith_d.addi(value, term)
        self._dim_values[key] = value
        return value

    def dim_values(self, shape: Sequence[Any]) -> list[ir.Value]:
        """The `index` values of `shape`'s symbolic dimensions, in order
        (the `dynamic_sizes` of an op creating a tensor of that shape)."""
        return [self.dim_value(d) for d in shape if shape_poly.is_symbolic(d)]

    def dim_as_array(self, d: "shape_poly.DimExpr") -> "Tracer":
        """A symbolic size as a 0-d int64 array of this function (the
        number of elements a mean divides by, say)."""
        with self.ctx, _location(), ir.InsertionPoint(self.block):
            i64 = ir.IntegerType.get_signless(64)
            scalar = arith_d.index_cast(i64, self.dim_value(d))
            value = tensor_d.from_elements(ir.RankedTensorType.get([], i64), [scalar])
        return Tracer(self, value, ShapedArray((), np.dtype(np.int64), True))

    def _check_polymorphism(self, builder: Callable[..., Any], operands: Sequence[Any],
                            results: Sequence[ShapedArray]) -> None:
        """Ops outside the shape-polymorphic set refuse symbolic dimensions
        with an error naming the op and the dimension."""
        if getattr(builder, "cotan_polymorphic", False):
            return
        for i, o in enumerate(operands):
            shape = getattr(getattr(o, "aval", None), "shape", ())
            for k, d in enumerate(shape):
                if shape_poly.is_symbolic(d):
                    raise shape_poly.ShapePolymorphismError(
                        f"{where()}: cotan.{_op_name(builder)} does not support symbolic "
                        f"dimensions: dimension {k} of its operand {i} is {d} (shape "
                        f"{_shape_str(shape)}; {shape_poly.describe(d)}); keep that dimension "
                        "static (`_` in polymorphic_shapes)")
        for result in results:
            if shape_poly.is_polymorphic(result.shape):
                raise shape_poly.ShapePolymorphismError(
                    f"{where()}: cotan.{_op_name(builder)} needs a static result shape, got "
                    f"{_shape_str(result.shape)}")

    # -- building ---------------------------------------------------------

    def emit(self, builder: Callable[..., Any], *args: Any,
             result: ShapedArray | None = None, shape: Sequence[Any] | None = None,
             **attrs: Any) -> "Tracer":
        """Calls an ODS builder at the user's source location on the values
        of `args` (an argument may be a list, for variadic operands);
        `result` is the result type for ops that do not infer it. Where the
        result has symbolic dimensions, `shape` (or `result.shape`) states
        them."""
        operands = [o for a in args for o in (a if isinstance(a, list) else [a])]
        self._check_polymorphism(builder, operands, [result] if result is not None else [])
        with self.ctx, ir.Location.unknown():
            values = [[self.value_of(o) for o in a] if isinstance(a, list)
                      else self.value_of(a) for a in args]
            if result is not None:
                values.insert(0, result.mlir_type())
        if shape is None and result is not None:
            shape = result.shape
        return self._wrap(self._build(builder, values, attrs), operands, shape)

    def _build(self, builder: Callable[..., Any], args: list, attrs: dict) -> ir.Value:
        with self.ctx, _location(), ir.InsertionPoint(self.block):
            try:
                return builder(*args, **attrs)
            except ir.MLIRError as e:
                raise CompileError(f"{where()}: cannot build cotan.{_op_name(builder)}",
                                   mlir_error_messages(e)) from None
            except (ValueError, TypeError) as e:
                raise CompileError(f"{where()}: cannot build cotan.{_op_name(builder)}: {e}",
                                   take_diagnostics()) from None

    def _wrap(self, value: ir.Value, operands: Sequence[Any],
              shape: Sequence[Any] | None = None) -> "Tracer":
        type_ = ir.RankedTensorType(value.type)
        weak = bool(operands) and all(getattr(o, "weak_type", False) for o in operands)
        sizes = tuple(type_.shape)
        if any(ir.ShapedType.is_dynamic_size(n) for n in sizes):
            if shape is None or len(shape) != len(sizes):
                raise CompileError(f"{where()}: internal error: the symbolic shape of a "
                                   f"{type_} result is not known")
            sizes = tuple(d if ir.ShapedType.is_dynamic_size(n) else n for n, d in zip(sizes, shape))
        aval = ShapedArray(sizes, dtypes.from_mlir_type(type_.element_type), weak)
        return self._note(Tracer(self, value, aval))

    def value_of(self, x: Any) -> ir.Value:
        if isinstance(x, ir.Value):
            return x
        if isinstance(x, Tracer):
            self.check(x)
            if x._trace is not self:
                return self._capture(x).value
            return x.value
        from .array import Array

        if isinstance(x, Array):
            return self.constant(x._value, x.weak_type).value
        raise TypeError(f"cannot use {type(x).__name__} as an operand")

    def check(self, t: "Tracer") -> None:
        if not t._trace.alive:
            raise TracerLeakError(
                f"{where()}: a value traced in `{t._trace.name}` (traced at "
                f"{t._trace.origin}) was used after that trace ended. Return "
                "it from the jitted function instead of storing it."
            )
        if not self.encloses(t._trace):
            raise TracerLeakError(
                f"{where()}: values from two different traces were combined "
                f"(`{t._trace.name}` and `{self.name}`)"
            )

    def constant(self, array: np.ndarray, weak_type: bool = False) -> "Tracer":
        """`array` as a value of this trace: a cotan.constant, or a hidden
        argument when it is large."""
        array = np.asarray(array)
        aval = ShapedArray(array.shape, array.dtype, weak_type)
        if array.size >= HOIST_THRESHOLD and self.parent is not None:
            return self._capture(self.root.constant(array, weak_type))
        if array.size >= HOIST_THRESHOLD:
            with self.ctx, ir.Location.unknown():
                arg = self.block.add_argument(aval.mlir_type(), ir.Location.unknown())
            self.hoisted.append(np.asarray(array, order="C"))
            return Tracer(self, arg, aval)
        with self.ctx, _location(), ir.InsertionPoint(self.block):
            attr = _dense_attr(array, aval)
            return Tracer(self, cotan_d.constant(attr), aval)

    # -- finishing --------------------------------------------------------

    def finish(self, outputs: Sequence["Tracer"], donated: Sequence[bool] = ()) -> ir.Module:
        """Returns `outputs` and seals the function; the trace dies. Inputs
        flagged in `donated` may be overwritten (their buffers may hold
        results)."""
        with self.ctx, _location(), ir.InsertionPoint(self.block):
            values = [self.value_of(o) for o in outputs]
            func_d.ReturnOp(values)
            arg_types = [a.type for a in self.block.arguments]
            result_types = [v.type for v in values]
            self.func.attributes["function_type"] = ir.TypeAttr.get(
                ir.FunctionType.get(arg_types, result_types))
            if self.parent is None:
                # Inputs belong to the caller: bufferization must not write
                # them, unless donated.
                readonly = ir.DictAttr.get({"bufferization.writable": ir.BoolAttr.get(False)})
                writable = ir.DictAttr.get({"bufferization.writable": ir.BoolAttr.get(True),
                                            "cotan.donated": ir.UnitAttr.get()})
                flags = list(donated) + [False] * (len(arg_types) - len(donated))
                self.func.attributes["arg_attrs"] = ir.ArrayAttr.get(
                    [writable if flag else readonly for flag in flags])
        self.alive = False
        return self.module

    def emit_results(self, builder: Callable[..., Any], result_avals: Sequence[ShapedArray],
                     *args: Any, **attrs: Any) -> list["Tracer"]:
        """Like `emit`, for ops with several results of the given types."""
        operands = [o for a in args for o in (a if isinstance(a, list) else [a])]
        self._check_polymorphism(builder, operands, result_avals)
        with self.ctx, ir.Location.unknown():
            values = [[self.value_of(o) for o in a] if isinstance(a, list)
                      else self.value_of(a) for a in args]
            types = [a.mlir_type() for a in result_avals]
        results = self._build(builder, [types, *values], attrs)
        if isinstance(results, ir.Value):
            results = [results]
        elif not isinstance(results, (list, ir.OpResultList)):
            results = []
        weak = bool(operands) and all(getattr(o, "weak_type", False) for o in operands)
        return [self._note(Tracer(self, r, ShapedArray(a.shape, a.dtype, weak and a.weak_type)))
                for r, a in zip(results, result_avals)]


def polymorphic(builder: Callable) -> Callable:
    """Marks an op builder as accepting symbolic (dynamic) dimensions; the
    others refuse them with an error naming the op and the dimension."""
    builder.cotan_polymorphic = True  # type: ignore[attr-defined]
    return builder


def _shape_str(shape: Sequence[Any]) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _dense_attr(array: np.ndarray, aval: ShapedArray) -> ir.Attribute:
    type_ = aval.mlir_type()
    if array.size > 0 and np.all(array == array.flat[0]):
        element = dtypes.mlir_type(aval.dtype)
        scalar = array.flat[0]
        if dtypes.is_float(aval.dtype):
            attr = ir.FloatAttr.get(element, float(scalar))
        else:
            attr = ir.IntegerAttr.get(element, int(scalar))
        return ir.DenseElementsAttr.get_splat(type_, attr)
    if aval.dtype == dtypes.bool_:
        # MLIR stores i1 elements bit-packed, least significant bit first.
        packed = np.packbits(np.asarray(array, order="C"), axis=None, bitorder="little")
        return ir.DenseElementsAttr.get(packed, type=type_)
    if aval.dtype == dtypes.bfloat16:
        raw = np.asarray(array, order="C").view(np.uint16)
        return ir.DenseElementsAttr.get(raw, type=type_)
    return ir.DenseElementsAttr.get(np.asarray(array, order="C"), type=type_)


def _active_traces() -> list:
    stack = getattr(_state, "active", None)
    if stack is None:
        stack = _state.active = []
    return stack


def current_trace() -> Trace | None:
    """The innermost trace whose function is being traced, if any."""
    stack = _active_traces()
    return stack[-1] if stack else None


def find_trace(values: Sequence[Any]) -> Trace | None:
    """The innermost trace of the Tracers among `values` (checked alive and
    nested in one another), or None."""
    trace = None
    for v in values:
        if isinstance(v, Tracer):
            if not v._trace.alive:
                v._trace.check(v)  # raises the leak error
            if trace is None or v._trace.encloses(trace):
                trace = v._trace
            else:
                trace.check(v)
    return trace


from .array import ArrayBase  # noqa: E402  (ArrayBase needs nothing from here)


class Tracer(ArrayBase):
    """A symbolic array inside a trace: an MLIR value and its abstract value."""

    __slots__ = ("_trace", "value", "aval")

    def __init__(self, trace: Trace, value: ir.Value, aval: ShapedArray):
        self._trace = trace
        self.value = value
        self.aval = aval

    def __repr__(self) -> str:
        return f"Traced<{self.aval}>"

    def __bool__(self) -> bool:
        from .errors import ConcretizationError

        raise ConcretizationError(
            f"{where()}: the truth value of a traced array is not known at trace "
            "time, so a Python `if` or `while` cannot branch on it. Use "
            "cotan.lax.cond (or lax.switch) for data-dependent branches, "
            "cotan.lax.while_loop / fori_loop / scan for loops, cnp.where for "
            "elementwise choices, or mark the argument static "
            "(jit(f, static_argnums=...))."
        )

    def _concrete_error(self, what: str):
        from .errors import ConcretizationError

        return ConcretizationError(
            f"{where()}: {what} of a traced array is not known at trace time; "
            "mark the argument static (jit(f, static_argnums=...)) if it must "
            "be a Python value."
        )

    def __float__(self):
        raise self._concrete_error("the float value")

    def __int__(self):
        raise self._concrete_error("the int value")

    def __index__(self):
        raise self._concrete_error("the index value")

    def __array__(self, dtype=None, copy=None):
        raise self._concrete_error("the NumPy value")
