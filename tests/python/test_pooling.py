"""lax.reduce_window and nn.max_pool/avg_pool against NumPy loops over the
windows; derivatives against central differences (max-pool's gradient goes
to the first maximum of each window); vmap; and the errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp
from cotan import lax
from cotan.testing import check_grads

from conftest import assert_matches

HERE = r"test_pooling.py:\d+"

REDUCERS = {"sum": (lax.add, np.sum, 0), "max": (lax.max, np.max, -np.inf), "min": (lax.min, np.min, np.inf)}


def reference(x, kind, window, strides, pads):
    fill = {"sum": 0, "max": -np.inf, "min": np.inf}[kind]
    if x.dtype.kind == "i" and kind != "sum":
        info = np.iinfo(x.dtype)
        fill = info.min if kind == "max" else info.max
    padded = np.pad(x, pads, constant_values=fill)
    out_shape = [(p - w) // s + 1 for p, w, s in zip(padded.shape, window, strides)]
    out = np.empty(out_shape, x.dtype)
    for pos in itertools.product(*map(range, out_shape)):
        region = tuple(slice(p * s, p * s + w) for p, s, w in zip(pos, strides, window))
        out[pos] = REDUCERS[kind][1](padded[region])
    return out


CASES = [((1, 2, 2, 1), (1, 2, 2, 1), ((0, 0),) * 4),
         ((1, 3, 3, 1), (1, 2, 1, 1), ((0, 0), (1, 1), (1, 1), (0, 0))),
         ((2, 3, 1, 2), (1, 1, 2, 2), ((1, 0), (0, 2), (0, 0), (1, 1))),
         ((1, 1, 1, 1), (1, 1, 1, 1), ((0, 0),) * 4)]


@pytest.mark.parametrize("kind", REDUCERS)
@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
def test_reduce_window_matches_reference(kind, case, dtype, rng):
    window, strides, pads = CASES[case]
    x = (rng.standard_normal((2, 7, 6, 3)) * 4).astype(dtype)
    comp, _, init = REDUCERS[kind]
    init = np.iinfo(dtype).min if (dtype == np.int32 and kind == "max") else \
        np.iinfo(dtype).max if (dtype == np.int32 and kind == "min") else init
    got = cotan.jit(lambda x: lax.reduce_window(x, init, comp, window, strides, pads))(x)
    assert_matches(got, reference(x, kind, window, strides, pads))


def test_reduce_window_init_value_joins_every_window(rng):
    x = rng.standard_normal((5, 4))
    got = lax.reduce_window(x, 1.5, lax.add, (2, 2), (1, 1), "VALID")
    assert_matches(got, reference(x, "sum", (2, 2), (1, 1), ((0, 0), (0, 0))) + 1.5)


def test_pools_nhwc_and_same_padding(rng):
    x = rng.standard_normal((2, 7, 5, 3))
    # SAME for sizes (7, 5), windows (3, 2), strides (2, 2): pads (1, 1), (0, 1).
    pads = ((0, 0), (1, 1), (0, 1), (0, 0))
    assert_matches(cotan.nn.max_pool(x, (3, 2), (2, 2), "SAME"),
                   reference(x, "max", (1, 3, 2, 1), (1, 2, 2, 1), pads))
    assert_matches(cotan.nn.avg_pool(x, (3, 2), (2, 2), "SAME"),
                   reference(x, "sum", (1, 3, 2, 1), (1, 2, 2, 1), pads) / 6)


def test_max_pool_gradient_goes_to_the_first_maximum():
    x = np.array([[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, -1.0, 3.0]])[None, :, :, None]
    g = cotan.grad(lambda x: cotan.nn.max_pool(x, (2, 2), (2, 2)).sum())(x)
    expected = np.array([[0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]])[None, :, :, None]
    assert_matches(g, expected)


@pytest.mark.parametrize("kind", REDUCERS)
@pytest.mark.parametrize("case", range(3))
def test_reduce_window_derivatives(kind, case, rng):
    window, strides, pads = CASES[case]
    comp, _, init = REDUCERS[kind]
    # Distinct values keep max/min differentiable at the sample point.
    x = rng.permutation(2 * 7 * 6 * 3).reshape(2, 7, 6, 3) / 10.0
    check_grads(lambda x: lax.reduce_window(x, init, comp, window, strides, pads), (x,))


def test_vmap_of_pooling(rng):
    xs = rng.standard_normal((4, 2, 5, 5, 3))
    for f in (lambda x: cotan.nn.max_pool(x, (2, 2), (1, 2), "SAME"),
              lambda x: cotan.nn.avg_pool(x, (3, 3), (1, 1), "SAME")):
        assert_matches(cotan.vmap(f)(xs), np.stack([np.asarray(f(x)) for x in xs]))


def test_reduce_window_errors():
    x = np.ones((2, 5, 5, 3), np.float32)
    with pytest.raises(ValueError, match=HERE + r": the window \(6\) is larger than the padded operand \(5\) in dimension 1"):
        cotan.nn.max_pool(x, (6, 2))
    with pytest.raises(ValueError, match=HERE + r": window dimensions and strides must be positive"):
        cotan.nn.max_pool(x, (2, 2), (0, 1))
    with pytest.raises(ValueError, match=HERE + r": unknown padding 'FULL'"):
        cotan.nn.avg_pool(x, (2, 2), padding="FULL")
    with pytest.raises(ValueError, match=HERE + r": reduce_window needs one window size and stride per dimension"):
        lax.reduce_window(x, 0.0, lax.add, (2, 2), (1, 1))
    with pytest.raises(NotImplementedError, match=HERE + r": reduce_window supports lax.add, lax.max and lax.min"):
        lax.reduce_window(x, 1.0, lax.mul, (1, 2, 2, 1), (1, 1, 1, 1))
    with pytest.raises(ValueError, match=HERE + r": pooling a 1-d input over 2 spatial dimensions"):
        cotan.nn.max_pool(np.ones(4), (2, 2))
    assert cnp.asarray(x).shape == x.shape
