"""Abstract values, traced values and the trace that turns Python calls on
them into a func.func of cotan ops."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from . import dtypes
from .errors import CompileError, TracerLeakError, user_location, where
from .mlir import ir
from .mlir.dialects import cotan as cotan_d
from .mlir.dialects import func as func_d

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
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def mlir_type(self) -> ir.RankedTensorType:
        return ir.RankedTensorType.get(list(self.shape), dtypes.mlir_type(self.dtype))

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
        self.inputs = [Tracer(self, v, a) for v, a in zip(self.block.arguments, in_avals)]

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
            inner = Tracer(self, arg, outer.aval)
            self._capture_args[key] = inner
            self.captured.append(outer)
        return inner

    # -- building ---------------------------------------------------------

    def emit(self, builder: Callable[..., Any], *args: Any,
             result: ShapedArray | None = None, **attrs: Any) -> "Tracer":
        """Calls an ODS builder at the user's source location on the values
        of `args` (an argument may be a list, for variadic operands);
        `result` is the result type for ops that do not infer it."""
        operands = [o for a in args for o in (a if isinstance(a, list) else [a])]
        with self.ctx, ir.Location.unknown():
            values = [[self.value_of(o) for o in a] if isinstance(a, list)
                      else self.value_of(a) for a in args]
            if result is not None:
                values.insert(0, result.mlir_type())
        return self._wrap(self._build(builder, values, attrs), operands)

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

    def _wrap(self, value: ir.Value, operands: Sequence[Any]) -> "Tracer":
        type_ = ir.RankedTensorType(value.type)
        weak = bool(operands) and all(getattr(o, "weak_type", False) for o in operands)
        aval = ShapedArray(tuple(type_.shape), dtypes.from_mlir_type(type_.element_type), weak)
        return Tracer(self, value, aval)

    def value_of(self, x: Any) -> ir.Value:
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
        return [Tracer(self, r, ShapedArray(a.shape, a.dtype, weak and a.weak_type))
                for r, a in zip(results, result_avals)]


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
