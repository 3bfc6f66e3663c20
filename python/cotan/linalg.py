"""Dense linear algebra on the last two axes (batched over the others):
Cholesky factorization and triangular solves, with the determinants and
solves built on them. cotan.numpy.linalg and cotan.scipy.linalg expose
these under NumPy's and SciPy's names and conventions.

Each algorithm is a fori_loop (a scan) over rows or columns whose body is
dense arithmetic on the whole matrix: one row or column is picked and
written with one-hot masks, not dynamic indexing, so jit, grad and vmap
apply unchanged. The work is O(n^3), as for the textbook algorithms.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import numpy as cnp
from .array import ArrayBase
from .errors import user_error


def square_matrices(a: Any, what: str) -> ArrayBase:
    a = cnp._float(a)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise user_error(ValueError, f"{what} needs square matrices in the last two axes, got shape {a.shape}")
    return a


def _unit(i: ArrayBase, n: int, dtype: np.dtype) -> ArrayBase:
    """The one-hot vector e_i of length n."""
    return cnp.astype(cnp.arange(n, dtype=np.int32) == i, dtype)


def cholesky(a: Any) -> ArrayBase:
    """The lower-triangular L with L L^T = a, for symmetric positive-definite
    a (only its lower triangle is read). Where a is not positive-definite the
    factor holds NaN, as in JAX."""
    from .control_flow import fori_loop
    a = square_matrices(a, "cholesky")
    n = a.shape[-1]
    a = cnp.tril(a)

    def column(j, factor):
        e = _unit(j, n, a.dtype)
        row_j = cnp.einsum("...jk,j->...k", factor, e)                      # L[j, :j]
        v = cnp.einsum("...ij,j->...i", a, e) - cnp.einsum("...ik,...k->...i", factor, row_j)
        pivot = cnp.sqrt(cnp.sum(v * e, axis=-1, keepdims=True))            # sqrt(v[j])
        below = cnp.arange(n, dtype=np.int32) > j
        col = cnp.where(below, v / pivot, e * pivot)
        return factor + col[..., :, None] * e
    return fori_loop(0, n, column, cnp.zeros(a.shape, a.dtype))


def solve_triangular(a: Any, b: Any, lower: bool = True, transpose: bool = False,
                     unit_diagonal: bool = False) -> ArrayBase:
    """x with a x = b (a^T x = b if transpose) for triangular a [..., n, n]
    and b [..., n] (one fewer dimension than a) or [..., n, k]; batch
    dimensions broadcast. Only a's triangle is read."""
    from .control_flow import fori_loop
    a = square_matrices(a, "solve_triangular")
    a, b = cnp._promote(a, cnp._float(b))
    n = a.shape[-1]
    vector = b.ndim == a.ndim - 1
    if b.ndim < a.ndim - 1 or b.shape[-1 if vector else -2] != n:
        raise user_error(ValueError, f"solve_triangular: b of shape {b.shape} does not match a of shape "
                                     f"{a.shape}; expected [..., {n}] or [..., {n}, k]")
    if transpose:
        a, lower = cnp.swapaxes(a, -1, -2), not lower
    a = cnp.tril(a) if lower else cnp.triu(a)
    rhs = b[..., None] if vector else b
    diagonal = cnp.ones(a.shape[:-1], a.dtype) if unit_diagonal else cnp.diagonal(a, axis1=-2, axis2=-1)

    def row(step, x):
        i = step if lower else n - 1 - step
        e = _unit(i, n, a.dtype)
        a_i = cnp.einsum("...ij,i->...j", a, e)                            # row i of a
        # x is zero in row i and the rows not solved yet, so this is the
        # sum over the solved rows only.
        solved = cnp.einsum("...j,...jk->...k", a_i, x)
        b_i = cnp.einsum("...ik,i->...k", rhs, e)
        d_i = cnp.sum(diagonal * e, axis=-1)[..., None]
        return x + e[:, None] * ((b_i - solved) / d_i)[..., None, :]
    batch = np.broadcast_shapes(a.shape[:-2], rhs.shape[:-2])
    x = fori_loop(0, n, row, cnp.zeros(tuple(batch) + rhs.shape[-2:], a.dtype))
    return x[..., 0] if vector else x


def cho_solve(factor: Any, b: Any) -> ArrayBase:
    """x with (L L^T) x = b from the Cholesky factor L."""
    y = solve_triangular(factor, b, lower=True)
    return solve_triangular(factor, y, lower=True, transpose=True)


def slogdet_from_cholesky(factor: ArrayBase) -> ArrayBase:
    """log det(L L^T) = 2 sum log diag(L)."""
    return 2.0 * cnp.sum(cnp.log(cnp.diagonal(factor, axis1=-2, axis2=-1)), axis=-1)
