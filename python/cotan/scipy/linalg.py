"""cotan.scipy.linalg: SciPy's names and conventions for cotan.linalg."""

from __future__ import annotations

from typing import Any

from .. import linalg as _linalg
from .. import numpy as cnp
from ..array import ArrayBase

__all__ = ["cho_factor", "cho_solve", "cholesky", "solve_triangular"]


def cholesky(a: Any, lower: bool = False) -> ArrayBase:
    """The Cholesky factor of a: upper-triangular U with a = U^T U by
    default (SciPy's convention), lower L with a = L L^T if lower."""
    factor = _linalg.cholesky(a)
    return factor if lower else cnp.swapaxes(factor, -1, -2)


def cho_factor(a: Any, lower: bool = False) -> tuple[ArrayBase, bool]:
    return cholesky(a, lower), lower


def cho_solve(c_and_lower: tuple[Any, bool], b: Any) -> ArrayBase:
    """x with a x = b, from cho_factor(a)."""
    c, lower = c_and_lower
    return _linalg.cho_solve(c if lower else cnp.swapaxes(cnp._float(c), -1, -2), b)


def solve_triangular(a: Any, b: Any, trans: int | str = 0, lower: bool = False,
                     unit_diagonal: bool = False) -> ArrayBase:
    """x with a x = b (trans=0 or 'N') or a^T x = b (trans=1, 'T' or 'C')."""
    transpose = {0: False, "N": False, 1: True, "T": True, 2: True, "C": True}.get(trans)
    if transpose is None:
        from ..errors import user_error
        raise user_error(ValueError, f"solve_triangular: trans must be 0, 1, 2, 'N', 'T' or 'C', got {trans!r}")
    return _linalg.solve_triangular(a, b, lower=lower, transpose=transpose, unit_diagonal=unit_diagonal)
