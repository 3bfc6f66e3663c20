"""cotan.lax: the primitives, one per cotan op (cotan.ops), structured
control flow (cond, switch, while_loop, fori_loop, scan), JAX's
convolution and windowed-reduction API (conv_general_dilated, conv,
reduce_window), sorting (sort, sort_key_val, top_k), cumulative
reductions (cumsum, cumprod, cummax, cummin) and collectives over named
mesh axes (psum, pmean, pmax, pmin, all_gather, psum_scatter, all_to_all,
pbroadcast, axis_index)."""

from __future__ import annotations

from typing import Any

from . import ops as _ops
from .collectives import (all_gather, all_to_all, axis_index, axis_size, pbroadcast, pmax, pmean, pmin,
                          psum, psum_scatter)
from .control_flow import cond, fori_loop, scan, switch, while_loop
from .convolution import conv, conv_general_dilated
from . import cumulative as _cumulative
from .pooling import reduce_window
from .sorting import lax_sort as sort
from .sorting import sort_key_val, top_k

__all__ = ["all_gather", "all_to_all", "axis_index", "axis_size", "cond", "conv", "conv_general_dilated",
           "cummax", "cummin", "cumprod", "cumsum", "fori_loop", "pbroadcast", "pmax", "pmean", "pmin",
           "psum", "psum_scatter", "reduce_window", "scan", "sort", "sort_key_val", "switch", "top_k",
           "while_loop"]


def cumsum(operand: Any, axis: int = 0, reverse: bool = False) -> Any:
    return _cumulative.cumsum(operand, axis=axis, reverse=reverse)


def cumprod(operand: Any, axis: int = 0, reverse: bool = False) -> Any:
    return _cumulative.cumprod(operand, axis=axis, reverse=reverse)


def cummax(operand: Any, axis: int = 0, reverse: bool = False) -> Any:
    return _cumulative.cummax(operand, axis=axis, reverse=reverse)


def cummin(operand: Any, axis: int = 0, reverse: bool = False) -> Any:
    return _cumulative.cummin(operand, axis=axis, reverse=reverse)


def __getattr__(name: str) -> Any:
    """Every primitive of cotan.ops, e.g. lax.dot_general or lax.pad."""
    if name.startswith("_"):
        raise AttributeError(name)
    try:
        return getattr(_ops, name)
    except AttributeError:
        raise AttributeError(f"module 'cotan.lax' has no attribute {name!r}") from None
