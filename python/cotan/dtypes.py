"""Element types: the NumPy dtypes cotan supports, their MLIR types, and
JAX-style type promotion with weakly typed Python scalars."""

from __future__ import annotations

from typing import Any

import ml_dtypes
import numpy as np

bfloat16 = np.dtype(ml_dtypes.bfloat16)
float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)

SUPPORTED = (bool_, int32, int64, float16, bfloat16, float32, float64)
FLOATS = (float16, bfloat16, float32, float64)
INTS = (int32, int64)

default_float = float32
default_int = int32

# Narrow integer inputs widen losslessly; nothing is ever narrowed.
_WIDENED = {
    np.dtype(np.int8): int32,
    np.dtype(np.int16): int32,
    np.dtype(np.uint8): int32,
    np.dtype(np.uint16): int32,
    np.dtype(np.uint32): int64,
}


class DTypeError(TypeError):
    """A dtype cotan cannot represent."""


def canonicalize(dtype: Any) -> np.dtype:
    """The cotan dtype for `dtype` (anything np.dtype accepts, or a
    Python type), widening narrow integers; raises DTypeError otherwise."""
    if dtype is float:
        return default_float
    if dtype is int:
        return default_int
    if dtype is bool:
        return bool_
    try:
        dt = np.dtype(dtype)
    except TypeError as e:
        raise DTypeError(f"{dtype!r} is not a dtype") from e
    if dt in SUPPORTED:
        return dt
    if dt in _WIDENED:
        return _WIDENED[dt]
    raise DTypeError(
        f"dtype {dt} is not supported by cotan; supported: "
        + ", ".join(str(d) for d in SUPPORTED)
    )


def is_float(dtype: np.dtype) -> bool:
    return dtype in FLOATS


def is_int(dtype: np.dtype) -> bool:
    return dtype in INTS


def kind_rank(dtype: np.dtype) -> int:
    """bool < int < float."""
    if dtype == bool_:
        return 0
    return 1 if is_int(dtype) else 2


def _join_strong(a: np.dtype, b: np.dtype) -> np.dtype:
    if a == b:
        return a
    ka, kb = kind_rank(a), kind_rank(b)
    if ka != kb:
        return a if ka > kb else b
    if ka == 1:
        return int64
    # Floats: f16 and bf16 only meet in f32; otherwise the wider wins.
    if {a, b} == {float16, bfloat16}:
        return float32
    return a if a.itemsize > b.itemsize else b


def result_type(*typed: tuple[np.dtype, bool]) -> tuple[np.dtype, bool]:
    """Promotes (dtype, weak) pairs: strong types join on the lattice
    bool < int32 < int64 < float, f16/bf16 < f32 < f64; a weak Python scalar
    adopts the strong type when its kind fits, else becomes the default
    type of its kind."""
    strong = [d for d, w in typed if not w]
    weak = [d for d, w in typed if w]
    if not strong:
        return max(weak, key=lambda d: (kind_rank(d), d.itemsize)), True
    out = strong[0]
    for d in strong[1:]:
        out = _join_strong(out, d)
    for d in weak:
        if kind_rank(d) > kind_rank(out):
            out = default_float if kind_rank(d) == 2 else default_int
    return out, False


def scalar_dtype(value: Any) -> tuple[np.dtype, bool]:
    """The (dtype, weak) of a Python or NumPy scalar."""
    if isinstance(value, (bool, np.bool_)):
        return bool_, False
    if isinstance(value, np.generic):
        return canonicalize(value.dtype), False
    if isinstance(value, int):
        if -(2**31) <= value < 2**31:
            return int32, True
        if -(2**63) <= value < 2**63:
            return int64, True
        raise OverflowError(f"Python int {value} does not fit in int64")
    if isinstance(value, float):
        return float32, True
    raise TypeError(f"{type(value).__name__} is not a scalar")


def mlir_type(dtype: np.dtype):
    """The MLIR element type of `dtype` (in the current context)."""
    from .mlir import ir

    return {
        bool_: lambda: ir.IntegerType.get_signless(1),
        int32: lambda: ir.IntegerType.get_signless(32),
        int64: lambda: ir.IntegerType.get_signless(64),
        float16: ir.F16Type.get,
        bfloat16: ir.BF16Type.get,
        float32: ir.F32Type.get,
        float64: ir.F64Type.get,
    }[dtype]()


def from_mlir_type(element_type) -> np.dtype:
    s = str(element_type)
    return {
        "i1": bool_, "i32": int32, "i64": int64, "f16": float16,
        "bf16": bfloat16, "f32": float32, "f64": float64,
    }[s]
