"""jit(f, donate_argnums=...): results computed in the donated inputs'
buffers, donated arrays deleted, and the same numbers as without donation."""

from __future__ import annotations

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp


def address(x) -> int:
    return np.asarray(x).__array_interface__["data"][0]


def mlp_loss(params, x):
    h = x
    for w, b in params:
        h = cnp.tanh(h @ w + b)
    return cnp.mean(h ** 2)


def sgd_step(params, x):
    loss, grads = cotan.value_and_grad(mlp_loss)(params, x)
    return [(w - 0.1 * gw, b - 0.1 * gb) for (w, b), (gw, gb) in zip(params, grads)], loss


def init(rng):
    return [(rng.standard_normal((20, 30)).astype(np.float32) / 5, np.zeros(30, np.float32)),
            (rng.standard_normal((30, 4)).astype(np.float32) / 5, np.zeros(4, np.float32))]


def test_sgd_step_updates_parameters_in_place():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 20)).astype(np.float32)
    donating = cotan.jit(sgd_step, donate_argnums=0)
    plain = cotan.jit(sgd_step)
    params = [tuple(cnp.asarray(p) for p in layer) for layer in init(rng)]
    reference = [tuple(cnp.asarray(np.array(p)) for p in layer) for layer in params]
    params, _ = donating(params, x)
    reference, _ = plain(reference, x)
    addresses = [address(p) for layer in params for p in layer]
    for _ in range(3):
        old = params
        params, loss = donating(params, x)
        reference, reference_loss = plain(reference, x)
        assert all(p.is_deleted() for layer in old for p in layer)
        assert [address(p) for layer in params for p in layer] == addresses
        np.testing.assert_allclose(float(loss), float(reference_loss), rtol=1e-6)
        for layer, want in zip(params, reference):
            for got, expected in zip(layer, want):
                np.testing.assert_allclose(np.asarray(got), np.asarray(expected), rtol=1e-6, atol=1e-7)


def test_using_a_donated_array_is_a_clear_error():
    f = cotan.jit(lambda v: v * 2, donate_argnums=0)
    x = cnp.asarray(np.arange(5.0))
    y = f(x)
    np.testing.assert_array_equal(np.asarray(y), np.arange(5.0) * 2)
    with pytest.raises(RuntimeError, match="donated to a jitted function"):
        np.asarray(x)
    with pytest.raises(RuntimeError, match="donated to a jitted function"):
        f(x)


def test_donated_numpy_input_and_aliased_arguments():
    f = cotan.jit(lambda a, b: a + b, donate_argnums=0)
    a = np.arange(6.0)
    out = f(a, np.ones(6))
    np.testing.assert_array_equal(np.asarray(out), np.arange(6.0) + 1)
    assert address(out) == address(a)  # the donated NumPy buffer holds the result
    # The same buffer as a donated and a kept argument: the donated one is
    # copied first, so the kept one is read intact.
    b = np.arange(6.0)
    g = cotan.jit(lambda a, b: a * 2 + b[::-1], donate_argnums=0)
    np.testing.assert_array_equal(np.asarray(g(b, b)), np.arange(6.0) * 2 + np.arange(6.0)[::-1])
    np.testing.assert_array_equal(b, np.arange(6.0))


def test_donation_that_cannot_be_used_still_computes_the_right_result():
    # The donated input is read after its last elementwise use would write
    # it: bufferization keeps the result elsewhere.
    f = cotan.jit(lambda v: (v + 1, cnp.sum(v)), donate_argnums=0)
    x = np.arange(4.0)
    y, s = f(x)
    np.testing.assert_array_equal(np.asarray(y), np.arange(4.0) + 1)
    assert float(s) == 6.0


def test_static_arguments_cannot_be_donated():
    with pytest.raises(ValueError, match="static arguments cannot be donated"):
        cotan.jit(lambda a, n: a * n, static_argnums=1, donate_argnums=(0, 1))
