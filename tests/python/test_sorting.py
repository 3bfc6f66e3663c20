"""Sorting (cotan.sort underneath) and cumulative reductions against
NumPy, eagerly and under jit; their derivatives against central
differences; vmap against loops; bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp
from cotan import lax
from cotan.testing import check_grads
from conftest import assert_matches, check_eager_and_jit, random_array

HERE = r"test_sorting.py:\d+"

SHAPES = [((7,), -1), ((4, 6), -1), ((4, 6), 0), ((2, 3, 5), 1), ((0, 4), 1), ((4, 0), 1), ((3, 1), 1),
          ((2, 3), None), ((1000,), -1), ((33, 37), 0), ((17, 2), 0)]


@pytest.mark.parametrize("shape, axis", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "bool"])
def test_sort_and_argsort_match_numpy(shape, axis, dtype, rng):
    x = random_array(rng, shape, dtype, low=-3, high=3)
    check_eager_and_jit(lambda v: cnp.sort(v, axis=axis), lambda v: np.sort(v, axis=axis), x)
    check_eager_and_jit(lambda v: cnp.argsort(v, axis=axis), lambda v: np.argsort(v, axis=axis, kind="stable"), x)


def test_nan_goes_last_and_ties_keep_their_order():
    x = np.array([2.0, np.nan, -1.0, 2.0, -np.inf, np.nan, 0.0, -0.0], np.float32)
    np.testing.assert_array_equal(np.asarray(cnp.sort(x)), np.sort(x))
    np.testing.assert_array_equal(np.asarray(cnp.argsort(x)), np.argsort(x, kind="stable"))
    ties = np.array([3, 1, 3, 1, 2, 3], np.int32)
    np.testing.assert_array_equal(np.asarray(cnp.argsort(ties, descending=True)), [0, 2, 5, 4, 1, 3])
    np.testing.assert_array_equal(np.asarray(cnp.sort(ties, descending=True)), [3, 3, 3, 2, 1, 1])


def test_lax_sort_with_several_keys_and_payloads(rng):
    major = rng.integers(0, 3, 40).astype(np.int32)
    minor = rng.standard_normal(40)
    payload = np.arange(40, dtype=np.int32)
    a, b, c = lax.sort((major, minor, payload), num_keys=2)
    order = np.lexsort((minor, major))
    np.testing.assert_array_equal(np.asarray(a), major[order])
    np.testing.assert_array_equal(np.asarray(b), minor[order])
    np.testing.assert_array_equal(np.asarray(c), payload[order])
    keys, values = lax.sort_key_val(minor, payload)
    np.testing.assert_array_equal(np.asarray(values), np.argsort(minor, kind="stable"))
    assert_matches(lax.sort(minor), np.sort(minor))


def test_top_k(rng):
    x = rng.standard_normal((3, 10)).astype(np.float32)
    values, indices = cotan.jit(lambda v: lax.top_k(v, 4))(x)
    order = np.argsort(-x, axis=1, kind="stable")[:, :4]
    np.testing.assert_array_equal(np.asarray(indices), order)
    np.testing.assert_array_equal(np.asarray(values), np.take_along_axis(x, order, 1))
    assert np.asarray(lax.top_k(x, 0)[0]).shape == (3, 0)


@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted(side, rng):
    a = np.sort(rng.integers(0, 10, 12)).astype(np.float64)
    v = np.array([[-1.0, 0.0, 3.0], [5.5, 9.0, 11.0]])
    check_eager_and_jit(lambda p, q: cnp.searchsorted(p, q, side=side), lambda p, q: np.searchsorted(p, q, side=side),
                        a, v)


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_median_quantile_percentile(axis, keepdims, rng):
    x = rng.standard_normal((5, 6))
    check_eager_and_jit(lambda v: cnp.median(v, axis=axis, keepdims=keepdims),
                        lambda v: np.median(v, axis=axis, keepdims=keepdims), x)
    check_eager_and_jit(lambda v: cnp.quantile(v, [0.0, 0.25, 0.9, 1.0], axis=axis, keepdims=keepdims),
                        lambda v: np.quantile(v, [0.0, 0.25, 0.9, 1.0], axis=axis, keepdims=keepdims), x)
    check_eager_and_jit(lambda v: cnp.percentile(v, 37.5, axis=axis), lambda v: np.percentile(v, 37.5, axis=axis), x)
    x[1, 2] = np.nan
    assert_matches(cnp.median(x, axis=axis), np.median(x, axis=axis))
    assert_matches(cnp.median(np.arange(6, dtype=np.int32)), np.median(np.arange(6)).astype(np.float32))


CUMULATIVE = [("cumsum", cnp.cumsum, np.cumsum), ("cumprod", cnp.cumprod, np.cumprod),
              ("cummax", lax.cummax, np.maximum.accumulate), ("cummin", lax.cummin, np.minimum.accumulate)]


@pytest.mark.parametrize("name, ours, numpy_fn", CUMULATIVE, ids=[c[0] for c in CUMULATIVE])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
@pytest.mark.parametrize("shape, axis", [((9,), 0), ((4, 6), 1), ((4, 6), 0), ((3, 0), 1), ((1, 17), 1)], ids=str)
def test_cumulative_reductions(name, ours, numpy_fn, dtype, shape, axis, rng):
    x = random_array(rng, shape, dtype, low=-2, high=2)
    check_eager_and_jit(lambda v: ours(v, axis=axis), lambda v: numpy_fn(v, axis=axis), x)
    check_eager_and_jit(lambda v: ours(v, axis=axis, reverse=True),
                        lambda v: np.flip(numpy_fn(np.flip(v, axis), axis=axis), axis), x)


def test_cumsum_flattens_and_promotes_booleans():
    x = np.array([[True, False], [True, True]])
    assert_matches(cnp.cumsum(x), np.cumsum(x).astype(np.int32))
    assert_matches(cnp.cumsum(np.arange(6.0).reshape(2, 3), dtype=np.float32),
                   np.cumsum(np.arange(6.0)).astype(np.float32))


def test_derivatives_match_finite_differences(rng):
    x = rng.standard_normal((4, 7))
    check_grads(lambda v: cnp.sort(v, axis=1) * np.arange(7.0), (x,))
    check_grads(lambda v: cnp.sort(v, axis=0, descending=True) * np.arange(4.0)[:, None], (x,))
    check_grads(lambda v: lax.top_k(v, 3)[0], (x,))
    check_grads(lambda v, w: lax.sort_key_val(v, w)[1], (x, 3 * x))
    check_grads(lambda v: cnp.median(v, axis=0), (x,))
    check_grads(lambda v: cnp.quantile(v, [0.2, 0.7], axis=1), (x,))
    for _, ours, _ in CUMULATIVE:
        check_grads(lambda v: ours(v, axis=1), (x,))
    # The Jacobian of a sort is its permutation matrix.
    jacobian = np.asarray(cotan.jacfwd(cnp.sort)(np.array([3.0, 1.0, 2.0])))
    np.testing.assert_array_equal(jacobian, [[0, 1, 0], [0, 0, 1], [1, 0, 0]])


def test_vmap_matches_loops(rng):
    x = rng.standard_normal((5, 6))
    for in_axes in (0, 1):
        batched = cotan.vmap(lambda r: cnp.argsort(r), in_axes=in_axes)(x)
        loop = np.stack([np.argsort(r, kind="stable") for r in np.moveaxis(x, in_axes, 0)])
        np.testing.assert_array_equal(np.asarray(batched), loop)
    payload = np.arange(6.0)
    batched = cotan.vmap(lambda r: lax.sort_key_val(r, payload)[1])(x)  # an unbatched payload
    np.testing.assert_array_equal(np.asarray(batched), np.argsort(x, axis=1, kind="stable").astype(np.float64))
    np.testing.assert_allclose(np.asarray(cotan.vmap(lambda r: cnp.cumsum(r))(x)), np.cumsum(x, axis=1))


def test_bad_sorting_arguments():
    with pytest.raises(np.exceptions.AxisError, match=HERE + ".*sort: axis -1 is out of bounds for a 0-d array"):
        cnp.sort(np.float32(1.0))
    with pytest.raises(np.exceptions.AxisError, match=HERE + ".*axis 2 is out of bounds"):
        cnp.argsort(np.zeros((2, 2)), axis=2)
    with pytest.raises(NotImplementedError, match=HERE + ".*order= .* is not supported"):
        cnp.sort(np.zeros(3), order="x")
    with pytest.raises(ValueError, match=HERE + ".*top_k: k must be an integer in \\[0, 3\\], got 4"):
        lax.top_k(np.zeros(3), 4)
    with pytest.raises(ValueError, match=HERE + ".*sort_key_val: keys of shape \\(3,\\) and values of shape"):
        lax.sort_key_val(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match=HERE + ".*num_keys must be in \\[1, 2\\], got 3"):
        lax.sort((np.zeros(3), np.zeros(3)), num_keys=3)
    with pytest.raises(ValueError, match=HERE + ".*quantile: q must lie in \\[0, 1\\]"):
        cnp.quantile(np.zeros(3), 1.5)
    with pytest.raises(ValueError, match=HERE + ".*searchsorted: a must be 1-dimensional"):
        cnp.searchsorted(np.zeros((2, 2)), 1.0)


def test_operations_leave_the_callers_arrays_writable():
    x = np.arange(4.0)
    total = cnp.sum(x)
    x[0] = 10.0  # neither frozen by cotan ...
    assert float(total) == 6.0  # ... nor aliased by its arrays
    assert x.flags.writeable
