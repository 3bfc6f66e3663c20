"""cotan.lax: the primitives, one per cotan op (cotan.ops), structured
control flow (cond, switch, while_loop, fori_loop, scan), and JAX's
convolution and windowed-reduction API (conv_general_dilated, conv,
reduce_window)."""

from __future__ import annotations

from typing import Any

from . import ops as _ops
from .control_flow import cond, fori_loop, scan, switch, while_loop
from .convolution import conv, conv_general_dilated
from .pooling import reduce_window

__all__ = ["cond", "conv", "conv_general_dilated", "fori_loop", "reduce_window", "scan", "switch",
           "while_loop"]


def __getattr__(name: str) -> Any:
    """Every primitive of cotan.ops, e.g. lax.dot_general or lax.pad."""
    if name.startswith("_"):
        raise AttributeError(name)
    try:
        return getattr(_ops, name)
    except AttributeError:
        raise AttributeError(f"module 'cotan.lax' has no attribute {name!r}") from None
