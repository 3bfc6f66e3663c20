"""cotan.numpy.linalg: NumPy's names for the parts of cotan.linalg that
NumPy has, and norm."""

from __future__ import annotations

from typing import Any

from . import numpy as cnp
from .array import ArrayBase
from .errors import user_error
from .linalg import cholesky

__all__ = ["cholesky", "norm"]


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> ArrayBase:  # noqa: A002
    """Vector norms (ord None/2, 1, inf, -inf, or any p) over one axis, the
    Frobenius norm over two axes or of a whole matrix (ord None/'fro');
    with axis=None and ord=None, the 2-norm of the flattened array."""
    x = cnp._float(x)
    if axis is None and ord is None:
        return cnp.sqrt(cnp.sum(x * x, keepdims=keepdims))
    axes = cnp._axes(tuple(range(x.ndim)) if axis is None else axis, x.ndim)
    if len(axes) == 2:
        if ord not in (None, "fro"):
            raise user_error(NotImplementedError, f"norm: matrix norm ord={ord!r} is not supported; use None or 'fro'")
        return cnp.sqrt(cnp.sum(x * x, axis=axes, keepdims=keepdims))
    if len(axes) != 1:
        raise user_error(ValueError, f"norm: axis must name one or two axes, got {axis!r}")
    magnitude = cnp.abs(x)
    if ord is None or ord == 2:
        return cnp.sqrt(cnp.sum(x * x, axis=axes, keepdims=keepdims))
    if ord == float("inf"):
        return cnp.max(magnitude, axis=axes, keepdims=keepdims)
    if ord == float("-inf"):
        return cnp.min(magnitude, axis=axes, keepdims=keepdims)
    if ord == 0:
        return cnp.sum(cnp.astype(x != 0, x.dtype), axis=axes, keepdims=keepdims)
    if ord == 1:
        return cnp.sum(magnitude, axis=axes, keepdims=keepdims)
    if isinstance(ord, str):
        raise user_error(ValueError, f"norm: invalid ord {ord!r} for a vector norm")
    return cnp.sum(magnitude ** ord, axis=axes, keepdims=keepdims) ** (1.0 / ord)
