"""matmul, dot, einsum and friends against NumPy."""

from __future__ import annotations

import numpy as np
import pytest

import cotan.numpy as cnp
from conftest import check_eager_and_jit, random_array

MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
                 ((5, 2, 3), (5, 3, 4)), ((2, 1, 2, 3), (4, 3, 2)), ((0, 3), (3, 2)), ((2, 0), (0, 4))]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_matmul(shapes, dtype, rng):
    a = random_array(rng, shapes[0], dtype)
    b = random_array(rng, shapes[1], dtype)
    check_eager_and_jit(cnp.matmul, np.matmul, a, b)
    check_eager_and_jit(lambda x, y: cnp.asarray(x) @ y, lambda x, y: x @ y, a, b)


DOT_SHAPES = [((), (3,)), ((3,), (3,)), ((2, 3), (3, 4)), ((2, 3), (3,)), ((2, 3, 4), (4,)), ((2, 3, 4), (5, 4, 2))]


@pytest.mark.parametrize("shapes", DOT_SHAPES, ids=str)
def test_dot(shapes, rng):
    a = random_array(rng, shapes[0], "float64")
    b = random_array(rng, shapes[1], "float64")
    check_eager_and_jit(cnp.dot, np.dot, a, b)


def test_inner_outer_vdot_tensordot(rng):
    a = random_array(rng, (3, 4), "float32")
    b = random_array(rng, (5, 4), "float32")
    check_eager_and_jit(cnp.inner, np.inner, a, b)
    check_eager_and_jit(cnp.outer, np.outer, a, b)
    check_eager_and_jit(cnp.vdot, np.vdot, a, a)
    c = random_array(rng, (4, 3, 2), "float32")
    d = random_array(rng, (3, 2, 5), "float32")
    check_eager_and_jit(lambda x, y: cnp.tensordot(x, y, 2), lambda x, y: np.tensordot(x, y, 2), c, d)
    check_eager_and_jit(lambda x, y: cnp.tensordot(x, y, ((0,), (1,))), lambda x, y: np.tensordot(x, y, ((0,), (1,))), a, random_array(rng, (2, 3), "float32"))


EINSUMS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]),
    ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("i,i->", [(4,), (4,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("abc,cd->abd", [(2, 3, 4), (4, 5)]),
    ("ij,kj->", [(2, 3), (4, 3)]),
    ("...ij,...j->...i", [(5, 1, 3, 3), (4, 3)]),
    ("...ij,...j->...i", [(3, 3), (3,)]),
    ("...i,...i", [(2, 3), (3,)]),
    ("i...,i...->...", [(4, 2, 3), (4, 1, 3)]),
    ("ij,ij->ij", [(1, 3), (2, 3)]),
    ("ij,jk", [(2, 1), (3, 4)]),
    ("b...,b->...", [(2,), (2,)]),
]


@pytest.mark.parametrize("spec,shapes", EINSUMS, ids=[e[0] for e in EINSUMS])
def test_einsum(spec, shapes, rng):
    operands = [random_array(rng, s, "float32") for s in shapes]
    check_eager_and_jit(lambda *ops: cnp.einsum(spec, *ops), lambda *ops: np.einsum(spec, *ops), *operands)


def test_linalg_errors(rng):
    with pytest.raises(ValueError, match=r"test_linalg.py:\d+: matmul: contracting dimensions differ"):
        cnp.matmul(np.ones((2, 3)), np.ones((4, 5)))
    with pytest.raises(ValueError, match="matmul: input operand does not have enough dimensions"):
        cnp.matmul(np.float32(1), np.ones(3))
    with pytest.raises(ValueError, match="einsum: label 'j' has sizes 3 and 4"):
        cnp.einsum("ij,jk->ik", np.ones((2, 3)), np.ones((4, 5)))
    with pytest.raises(NotImplementedError, match="repeated label"):
        cnp.einsum("ii->i", np.ones((3, 3)))
    with pytest.raises(ValueError, match="einsum: the inputs of '...i->i' have '...' dimensions but its output"):
        cnp.einsum("...i->i", np.ones((2, 3)))
    with pytest.raises(ValueError, match="einsum: operand with 1 dimensions does not match subscript '...ij'"):
        cnp.einsum("...ij->...", np.ones(3))
