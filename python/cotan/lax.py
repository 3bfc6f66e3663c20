"""cotan.lax: the primitives, one per cotan op (cotan.ops), and structured
control flow (cond, switch, while_loop, fori_loop, scan)."""

from __future__ import annotations

from typing import Any

from . import ops as _ops
from .control_flow import cond, fori_loop, scan, switch, while_loop

__all__ = ["cond", "fori_loop", "scan", "switch", "while_loop"]


def __getattr__(name: str) -> Any:
    """Every primitive of cotan.ops, e.g. lax.dot_general or lax.pad."""
    if name.startswith("_"):
        raise AttributeError(name)
    try:
        return getattr(_ops, name)
    except AttributeError:
        raise AttributeError(f"module 'cotan.lax' has no attribute {name!r}") from None
