"""cotan.ffi_call: call your own C (or any C-ABI) function from traced code.

    lib = ctypes.CDLL("./libkernels.so")
    def softplus(x):   # void softplus(const float *x, float *out) on 8 floats
        return cotan.ffi_call(lib.softplus, cotan.ShapeDtypeStruct((8,), np.float32), x)

The function receives one pointer per argument (contiguous row-major
data), then one per result, which it fills; the shapes are static, so it
knows them. It becomes a `cotan.ffi_call` op calling the function's
address directly from compiled code. Derivatives come from wrapping it in
cotan.custom_vjp / custom_jvp; under vmap it is called once per batch
element (with a warning).
"""

from __future__ import annotations

import ctypes
import itertools
import warnings
from typing import Any

from . import dtypes as _dt
from .array import ArrayBase
from .core import ShapedArray, current_trace, find_trace
from .errors import user_error

__all__ = ["ffi_call"]

# Target number -> (address, the object that owns it, kept alive).
_targets: dict[int, tuple[int, Any]] = {}
_numbers = itertools.count()


def _address(target: Any) -> tuple[int, Any]:
    """The code address of a symbol name or ctypes function."""
    if isinstance(target, str):
        try:
            function = getattr(ctypes.CDLL(None), target)
        except AttributeError:
            raise user_error(ValueError, f"ffi_call: no symbol {target!r} in the process; load its library "
                                         "with ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL) or pass the "
                                         "ctypes function itself") from None
        return ctypes.cast(function, ctypes.c_void_p).value, function
    if isinstance(target, ctypes._CFuncPtr):  # a library function or a CFUNCTYPE callback
        return ctypes.cast(target, ctypes.c_void_p).value, target
    raise user_error(TypeError, "ffi_call target must be a symbol name or a ctypes function, got "
                                f"{type(target).__name__}")


def _result_avals(result_shape_dtypes: Any) -> tuple[list[ShapedArray], bool]:
    """(result avals, whether a single result was asked for)."""
    single = hasattr(result_shape_dtypes, "shape") and hasattr(result_shape_dtypes, "dtype")
    specs = [result_shape_dtypes] if single else result_shape_dtypes
    if not isinstance(specs, (list, tuple)) or not all(hasattr(s, "shape") and hasattr(s, "dtype")
                                                         for s in specs):
        raise user_error(TypeError, "ffi_call result_shape_dtypes must be a ShapeDtypeStruct (anything with "
                                    "shape and dtype) or a tuple of them, got "
                                    f"{type(result_shape_dtypes).__name__}")
    try:
        avals = [ShapedArray(tuple(int(d) for d in s.shape), _dt.canonicalize(s.dtype)) for s in specs]
    except (TypeError, ValueError, _dt.DTypeError) as error:
        raise user_error(TypeError, f"ffi_call result_shape_dtypes: {error}") from None
    return avals, single


def ffi_call(target: Any, result_shape_dtypes: Any, *args: Any) -> Any:
    """Calls `target(arg pointers..., result pointers...)` and returns the
    results it filled: an array, or a tuple for a tuple of shapes."""
    address, owner = _address(target)
    avals, single = _result_avals(result_shape_dtypes)
    from .numpy import _operand
    try:
        operands = [a if isinstance(a, ArrayBase) else _operand(a) for a in args]
    except TypeError as error:
        raise user_error(TypeError, f"ffi_call arguments must be arrays or scalars: {error}") from None
    trace = find_trace(operands) or current_trace()
    if trace is None:  # eager: compile the one call, once per function and result types
        from .jit import jit_once
        call = jit_once(("ffi_call", address, tuple(avals), single),
                        lambda *a: ffi_call(target, result_shape_dtypes, *a))
        return call(*operands)
    number = next(_numbers)
    _targets[number] = (address, owner)
    results = trace.emit_results(_build_call, avals, operands, target=f"cotan_ffi_{number}")
    return results[0] if single else tuple(results)


def _build_call(result_types: list, operands: list, target: str) -> Any:
    from .mlir import ir
    from .mlir.dialects import cotan as cotan_d
    return cotan_d.ffi_call(result_types, operands, ir.StringAttr.get(target))


def register_targets(engine: Any, module: Any) -> tuple:
    """Points each `cotan_ffi_N` the lowered `module` calls at its function;
    returns the objects that must outlive the code."""
    from .compiler import llvm_function_names
    owners = []
    for name in llvm_function_names(module, "cotan_ffi_"):
        address, owner = _targets[int(name[len("cotan_ffi_"):])]
        engine.raw_register_runtime(name, ctypes.c_void_p(address))
        owners.append(owner)
    return tuple(owners)


def warn_if_batched(module: Any) -> None:
    """ffi_call has no batching rule: a vmap of a function that calls one
    runs it once per batch element."""
    if not _targets:  # no ffi_call was ever traced: nothing to look for
        return
    from .mlir import ir
    callers: set[str] = set()
    requests: list[tuple[str, Any]] = []

    def visit(op: Any, function: str) -> None:
        name = op.operation.name
        if name == "cotan.ffi_call":
            callers.add(function)
        elif name == "cotan.vmap":
            requests.append((ir.FlatSymbolRefAttr(op.attributes["callee"]).value, op.location))
        for region in op.regions:
            for block in region:
                for inner in block:
                    visit(inner, function)

    for function in module.body.operations:
        if "sym_name" in function.attributes:
            visit(function, ir.StringAttr(function.attributes["sym_name"]).value)
    for callee, location in requests:
        if callee in callers:
            warnings.warn(f"vmap of a function calling ffi_call ({location}): ffi_call has no batching "
                          "rule, so it runs once per batch element", stacklevel=4)

