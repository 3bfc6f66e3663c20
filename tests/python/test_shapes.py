"""Shape manipulation and indexing against NumPy."""

from __future__ import annotations

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp
from conftest import assert_matches, check_eager_and_jit, random_array


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_reshape_family(dtype, rng):
    x = random_array(rng, (2, 3, 4), dtype)
    cases = [
        (lambda a: cnp.reshape(a, (4, 6)), lambda a: np.reshape(a, (4, 6))),
        (lambda a: cnp.reshape(a, (-1, 2)), lambda a: np.reshape(a, (-1, 2))),
        (lambda a: a.reshape(24), lambda a: a.reshape(24)),
        (cnp.ravel, np.ravel),
        (cnp.transpose, np.transpose),
        (lambda a: cnp.transpose(a, (1, 2, 0)), lambda a: np.transpose(a, (1, 2, 0))),
        (lambda a: a.T, lambda a: a.T),
        (lambda a: cnp.swapaxes(a, 0, 2), lambda a: np.swapaxes(a, 0, 2)),
        (lambda a: cnp.moveaxis(a, 0, -1), lambda a: np.moveaxis(a, 0, -1)),
        (lambda a: cnp.expand_dims(a, 1), lambda a: np.expand_dims(a, 1)),
        (lambda a: cnp.expand_dims(a, (0, -1)), lambda a: np.expand_dims(a, (0, -1))),
        (lambda a: cnp.squeeze(cnp.expand_dims(a, 0), 0), lambda a: a),
        (lambda a: cnp.broadcast_to(a, (5, 2, 3, 4)), lambda a: np.broadcast_to(a, (5, 2, 3, 4))),
        (lambda a: cnp.flip(a, 1), lambda a: np.flip(a, 1)),
        (cnp.flip, np.flip),
    ]
    for cfn, nfn in cases:
        check_eager_and_jit(cfn, nfn, x)


def test_squeeze_and_scalars(rng):
    x = random_array(rng, (1, 3, 1), "float32")
    check_eager_and_jit(cnp.squeeze, np.squeeze, x)
    check_eager_and_jit(lambda a: cnp.squeeze(a, -1), lambda a: np.squeeze(a, -1), x)
    s = np.float32(2.5)
    check_eager_and_jit(lambda a: cnp.reshape(a, (1, 1)), lambda a: np.reshape(a, (1, 1)), s)
    check_eager_and_jit(lambda a: cnp.broadcast_to(a, (2, 3)), lambda a: np.broadcast_to(a, (2, 3)), s)


def test_concatenate_stack_split(rng):
    a = random_array(rng, (2, 3), "float32")
    b = random_array(rng, (4, 3), "float32")
    c = random_array(rng, (0, 3), "float32")
    check_eager_and_jit(lambda x, y, z: cnp.concatenate([x, y, z]), lambda x, y, z: np.concatenate([x, y, z]), a, b, c)
    check_eager_and_jit(lambda x, y: cnp.concatenate([x, y[:2]], axis=1), lambda x, y: np.concatenate([x, y[:2]], axis=1), a, b)
    check_eager_and_jit(lambda x, y: cnp.concatenate((x, y), axis=None), lambda x, y: np.concatenate((x, y), axis=None), a, b)
    check_eager_and_jit(lambda x: cnp.stack([x, x, x], axis=1), lambda x: np.stack([x, x, x], axis=1), a)
    check_eager_and_jit(lambda x: cnp.stack([x, 2 * x]), lambda x: np.stack([x, 2 * x]), a)
    x = random_array(rng, (6, 4), "int32")
    for args in [(3,), ([1, 4],), (2, 1)]:
        expected = np.split(x, *args)
        for got in [cnp.split(x, *args), cotan.jit(lambda v: cnp.split(v, *args))(x)]:
            assert len(got) == len(expected)
            for g, e in zip(got, expected):
                assert_matches(g, e)


def test_mixed_dtype_concatenate_promotes():
    out = cnp.concatenate([np.ones(2, np.int32), np.ones(2, np.float32)])
    assert out.dtype == np.float32


def test_pad(rng):
    x = random_array(rng, (2, 3), "float32")
    check_eager_and_jit(lambda a: cnp.pad(a, 1), lambda a: np.pad(a, 1), x)
    check_eager_and_jit(lambda a: cnp.pad(a, ((0, 2), (1, 0)), constant_values=-1.0),
                        lambda a: np.pad(a, ((0, 2), (1, 0)), constant_values=-1.0), x)


BASIC_INDICES = [
    1, -1, slice(1, 3), slice(None, None, 2), slice(None, None, -1), slice(-2, None),
    (1, 2), (slice(1, 3), None, slice(None, None, 2)), (Ellipsis, 0), (None, Ellipsis),
    (slice(3, 1),), (slice(None, None, -2), slice(1, None)), (0, slice(None), -1),
]


@pytest.mark.parametrize("index", BASIC_INDICES, ids=repr)
def test_basic_indexing(index, rng):
    x = random_array(rng, (4, 5, 3), "float32")
    check_eager_and_jit(lambda a: cnp.asarray(a)[index], lambda a: a[index], x)


ADVANCED_INDICES = [
    np.array([2, 0, 3]), np.array([[0, 1], [-1, 2]]), [1, 1, 0],
    (slice(None), np.array([4, 0])), (np.array([0, 3]), np.array([1, 2])),
    (np.array([0, 3]), slice(1, 3), np.array([1, 2])), (1, np.array([0, 2])),
    (slice(None), np.array([[1], [2]]), np.array([0, 1])),
]


@pytest.mark.parametrize("index", ADVANCED_INDICES, ids=lambda i: repr(i).replace("\n", ""))
def test_advanced_indexing(index, rng):
    x = random_array(rng, (4, 5, 3), "float32")
    check_eager_and_jit(lambda a: cnp.asarray(a)[index], lambda a: a[index], x)


def test_traced_indices(rng):
    x = random_array(rng, (6, 4), "float32")
    ids = np.array([[5, 0], [2, 2]], np.int32)
    # An embedding lookup with the indices traced.
    check_eager_and_jit(lambda table, i: table[i], lambda table, i: table[i], x, ids)
    check_eager_and_jit(lambda table, i: cnp.take(table, i, axis=0), lambda table, i: np.take(table, i, axis=0), x, ids)
    f = cotan.jit(lambda table, i: table[i])
    for i in [0, 3, -1, -6]:
        assert_matches(f(x, i), x[i])
    g = cotan.jit(lambda table, i: table[1:, i])
    assert_matches(g(x, 2), x[1:, 2])
    assert f._cache_size() == 1  # the index value is not part of the signature


def test_take(rng):
    x = random_array(rng, (3, 4), "int32")
    check_eager_and_jit(lambda a: cnp.take(a, np.array([3, 0, 1]), axis=1), lambda a: np.take(a, np.array([3, 0, 1]), axis=1), x)
    check_eager_and_jit(lambda a: cnp.take(a, np.array([11, -1])), lambda a: np.take(a, np.array([11, -1])), x)


def test_indexing_errors(rng):
    x = cnp.asarray(random_array(rng, (3, 4), "float32"))
    with pytest.raises(IndexError, match=r"test_shapes.py:\d+: index 3 is out of bounds for axis 0 with size 3"):
        x[3]
    with pytest.raises(IndexError, match="too many indices"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match="index 7 is out of bounds"):
        x[:, np.array([0, 7])]
    with pytest.raises(IndexError, match="boolean mask"):
        x[np.array([True, False, True])]
    with pytest.raises(IndexError, match="only integers"):
        x[1.5]
    with pytest.raises(TypeError, match="immutable"):
        x[0] = 1.0


def test_shape_errors(rng):
    x = random_array(rng, (2, 3), "float32")
    with pytest.raises(ValueError, match=r"cannot reshape array of size 6 into shape \(4,\)"):
        cnp.reshape(x, (4,))
    with pytest.raises(ValueError, match="cannot broadcast an array of shape"):
        cnp.broadcast_to(x, (3, 3))
    with pytest.raises(ValueError, match="squeeze"):
        cnp.squeeze(x, 0)
    with pytest.raises(ValueError, match="must match exactly"):
        cnp.concatenate([x, np.zeros((2, 2), np.float32)])
    with pytest.raises(ValueError, match="equal division"):
        cnp.split(x, 4, axis=1)
    with pytest.raises(ValueError, match="don't match"):
        cnp.transpose(x, (0, 0))
