"""cotan.debug: print and call back into Python from compiled code.

    @cotan.jit
    def step(x):
        y = cnp.tanh(x)
        cotan.debug.print("y = {y}, max {}", cnp.max(y), y=y)
        return y * 2

Each call becomes a `cotan.debug_callback` op, which compiles to a call of
a host function with the operands' current values: it runs when the
compiled code reaches it, in program order, once per loop iteration and,
under vmap, once per batch element; a gradient prints its forward values.
Outside any trace the function is simply called.
"""

from __future__ import annotations

import builtins
import ctypes
import itertools
import string
import threading
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import dtypes as _dt
from .array import ArrayBase
from .core import ShapedArray, current_trace, find_trace
from .errors import user_error
from .tree_util import PyTreeDef, tree_flatten, tree_map, tree_unflatten

__all__ = ["callback", "print"]


@dataclass(frozen=True)
class _Registered:
    fn: Callable[..., Any]
    tree: PyTreeDef
    avals: tuple[ShapedArray, ...]


_registry: dict[int, _Registered] = {}
_ids = itertools.count()
_pending = threading.local()  # the first exception a callback raised during a call


def callback(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Calls `fn(*args, **kwargs)` with NumPy arrays when the program
    reaches this point; `args` and `kwargs` are pytrees of arrays."""
    if not callable(fn):
        raise user_error(TypeError, f"debug.callback expects a function, got {type(fn).__name__}")
    leaves, tree = tree_flatten((args, kwargs))
    from .numpy import _operand
    try:
        operands = [leaf if isinstance(leaf, ArrayBase) else _operand(leaf) for leaf in leaves]
    except TypeError as error:
        raise user_error(TypeError, f"debug.callback arguments must be arrays or scalars: {error}") from None
    trace = find_trace(operands) or current_trace()
    if trace is None:  # eager: nothing to compile
        call_args, call_kwargs = tree_unflatten(tree, [np.asarray(x) for x in operands])
        fn(*call_args, **call_kwargs)
        return
    key = next(_ids)
    _registry[key] = _Registered(fn, tree, tuple(x.aval.strong() for x in operands))
    trace.emit_results(_build_callback, [], operands, callback=key)


def _build_callback(result_types: list, operands: list, callback: int) -> Any:
    from .mlir import ir
    from .mlir.dialects import cotan as cotan_d
    key = ir.IntegerAttr.get(ir.IntegerType.get_signless(64), callback)
    return cotan_d.debug_callback(operands, key)


class _AnyValue:
    """Stands for an argument when checking a format string at trace time:
    accepts any format spec, index and attribute."""

    def __format__(self, spec: str) -> str:
        return ""

    def __getitem__(self, key: Any) -> "_AnyValue":
        return self

    def __getattr__(self, name: str) -> "_AnyValue":
        return self


class _Scalar:
    """A 0-d value as debug.print shows it: `{}` gives the shortest digits
    of its own dtype (0.46211717 for a float32, where format() would give
    the float64 digits 0.46211716532707214); a format spec applies as
    usual."""

    def __init__(self, value: np.generic):
        self.value = value

    def __format__(self, spec: str) -> str:
        return str(self.value) if not spec else format(self.value, spec)


def print(fmt: str, *args: Any, **kwargs: Any) -> None:  # noqa: A001 - jax.debug.print's name
    """Prints `fmt.format(*args, **kwargs)` with the arguments' values when
    the program reaches this point."""
    if not isinstance(fmt, str):
        raise user_error(TypeError, f"debug.print expects a format string first, got {type(fmt).__name__}")
    try:
        fmt.format(*[_AnyValue() for _ in args], **{k: _AnyValue() for k in kwargs})
    except IndexError:
        fields = [f for _, f, _, _ in string.Formatter().parse(fmt) if f is not None]
        raise user_error(ValueError, f"debug.print format {fmt!r} has {len(fields)} field(s) but "
                                     f"{len(args)} positional argument(s) were given") from None
    except KeyError as missing:
        raise user_error(ValueError, f"debug.print format {fmt!r} names {missing} but the keyword "
                                     f"arguments are {sorted(kwargs)}") from None
    except ValueError as error:
        raise user_error(ValueError, f"debug.print format {fmt!r} is malformed: {error}") from None
    def show(*values: Any, **named: Any) -> None:
        values, named = tree_map(lambda v: _Scalar(v[()]) if v.ndim == 0 else v, (values, named))
        builtins.print(fmt.format(*values, **named))

    callback(show, *args, **kwargs)


# -- the host side of compiled callbacks ---------------------------------------

def _read_descriptor(address: int, aval: ShapedArray) -> np.ndarray:
    """A copy of the buffer a C-interface memref descriptor points at."""
    rank = len(aval.shape)
    fields = (ctypes.c_int64 * (3 + 2 * rank)).from_address(address)
    storage = np.dtype(np.uint8) if aval.dtype == _dt.bool_ else np.dtype(aval.dtype)
    sizes, strides = tuple(fields[3:3 + rank]), tuple(fields[3 + rank:3 + 2 * rank])
    if any(s == 0 for s in sizes):
        return np.zeros(sizes, aval.dtype)
    base = fields[1] + fields[2] * storage.itemsize
    span = (sum((s - 1) * st for s, st in zip(sizes, strides)) + 1) * storage.itemsize
    flat = np.frombuffer((ctypes.c_char * span).from_address(base), storage)
    values = np.lib.stride_tricks.as_strided(flat, sizes, [st * storage.itemsize for st in strides]).copy()
    return values.view(np.bool_) if aval.dtype == _dt.bool_ else values


def host_function(key: int) -> Any:
    """The C function compiled code calls for callback `key` (keep it alive
    as long as the code)."""
    registered = _registry[key]
    signature = ctypes.CFUNCTYPE(None, *[ctypes.c_void_p] * len(registered.avals))

    def run(*descriptors: int) -> None:
        if getattr(_pending, "error", None) is not None:
            return  # an earlier callback of this call failed: skip the rest
        try:
            values = [_read_descriptor(d, a) for d, a in zip(descriptors, registered.avals)]
            call_args, call_kwargs = tree_unflatten(registered.tree, values)
            registered.fn(*call_args, **call_kwargs)
        except BaseException as error:  # raised again once the compiled call returns
            _pending.error = error

    return signature(run)


def nonfinite_function(checks: list[dict]) -> Any:
    """The C function debug_nans checks call with their number when they
    find a NaN or an Inf: the first report of a call becomes its error."""
    def report(check: int) -> None:
        if getattr(_pending, "error", None) is not None:
            return
        what = checks[check]
        _pending.error = FloatingPointError(
            f"{what['loc']}: {what['op']} produced a NaN or Inf in the {what['pass']} pass "
            "(the first non-finite value of this call; config.debug_nans is set)")

    return ctypes.CFUNCTYPE(None, ctypes.c_int64)(report)


def raise_pending() -> None:
    """Re-raises what a callback raised during the compiled call that just
    returned (ctypes cannot unwind through compiled code)."""
    error = getattr(_pending, "error", None)
    if error is not None:
        _pending.error = None
        raise error
