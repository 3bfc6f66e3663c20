"""Activations and losses of cotan.nn against NumPy formulas, their
derivatives against central differences, and the errors for bad labels."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special

import cotan
import cotan.numpy as cnp
from cotan.testing import check_grads

from conftest import assert_matches

HERE = r"test_nn_functions.py:\d+"


def np_gelu(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


ACTIVATIONS = {
    "gelu": (cotan.nn.gelu, np_gelu),
    "gelu_exact": (lambda x: cotan.nn.gelu(x, approximate=False),
                   lambda x: 0.5 * x * (1 + scipy.special.erf(x / np.sqrt(2)))),
    "elu": (cotan.nn.elu, lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0)))),
    "elu_alpha": (lambda x: cotan.nn.elu(x, 0.5), lambda x: np.where(x > 0, x, 0.5 * np.expm1(np.minimum(x, 0)))),
    "leaky_relu": (cotan.nn.leaky_relu, lambda x: np.where(x >= 0, x, 0.01 * x)),
    "leaky_relu_slope": (lambda x: cotan.nn.leaky_relu(x, 0.2), lambda x: np.where(x >= 0, x, 0.2 * x)),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activations(name, dtype, rng):
    ours, reference = ACTIVATIONS[name]
    x = (rng.standard_normal((3, 5)) * 3).astype(dtype)
    x[0, 0] = 800.0 if dtype == np.float64 else 80.0  # the unused branch must not overflow
    x[0, 1] = -800.0 if dtype == np.float64 else -80.0
    assert_matches(cotan.jit(ours)(x), reference(x.astype(np.float64)).astype(dtype))
    assert_matches(ours(np.float32(0.5)), reference(np.float64(0.5)).astype(np.float32))


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_derivatives(name, rng):
    x = rng.standard_normal((4, 3)) * 2
    x[np.abs(x) < 1e-3] = 0.5  # away from the kinks
    check_grads(ACTIVATIONS[name][0], (x,))


def np_log_softmax(z):
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def test_softmax_cross_entropy_integer_and_probability_labels(rng):
    logits = rng.standard_normal((6, 4)) * 5
    labels = np.array([0, 3, 1, 2, 2, 0], np.int32)
    expected = -np_log_softmax(logits)[np.arange(6), labels]
    assert_matches(cotan.nn.softmax_cross_entropy(logits, labels), expected)
    assert_matches(cotan.jit(cotan.nn.softmax_cross_entropy)(logits, labels), expected)
    probs = rng.dirichlet(np.ones(4), size=6)
    assert_matches(cotan.nn.softmax_cross_entropy(logits, probs), -(probs * np_log_softmax(logits)).sum(-1))
    # Large logits stay finite.
    big = np.array([[1000.0, -1000.0, 0.0]])
    assert_matches(cotan.nn.softmax_cross_entropy(big, np.array([0], np.int32)), np.array([0.0]))
    check_grads(lambda z: cotan.nn.softmax_cross_entropy(z, labels), (logits,))
    check_grads(lambda z: cotan.nn.softmax_cross_entropy(z, probs), (logits,))


def test_binary_cross_entropy_and_mse(rng):
    logits = rng.standard_normal((5, 3)) * 10
    labels = (rng.random((5, 3)) < 0.5).astype(np.float64)
    p = 1 / (1 + np.exp(-logits))
    expected = -(labels * np.log(p) + (1 - labels) * np.log1p(-p))
    assert_matches(cotan.nn.sigmoid_binary_cross_entropy(logits, labels), expected)
    assert np.all(np.isfinite(np.asarray(cotan.nn.sigmoid_binary_cross_entropy(np.array([900.0, -900.0]),
                                                                                 np.array([0.0, 1.0])))))
    check_grads(lambda z: cotan.nn.sigmoid_binary_cross_entropy(z, labels), (logits,))
    y = rng.standard_normal((5, 3))
    assert_matches(cotan.nn.mse(logits, y), np.mean((logits - y) ** 2))
    check_grads(cotan.nn.mse, (logits, y))


def test_loss_errors():
    logits = np.zeros((3, 4), np.float32)
    with pytest.raises(ValueError, match=HERE + r": label 4 is out of range for 4 classes"):
        cotan.nn.softmax_cross_entropy(logits, np.array([0, 4, 1], np.int32))
    with pytest.raises(ValueError, match=HERE + r": label -1 is out of range for 4 classes"):
        cotan.nn.softmax_cross_entropy(logits, np.array([0, -1, 1], np.int32))
    with pytest.raises(ValueError, match=HERE + r": integer labels must have shape \(3,\)"):
        cotan.nn.softmax_cross_entropy(logits, np.array([0, 1], np.int32))
    with pytest.raises(ValueError, match=HERE + r": probability labels must have the logits' shape \(3, 4\)"):
        cotan.nn.softmax_cross_entropy(logits, np.zeros((3, 5)))
    with pytest.raises(ValueError, match=HERE + r": labels must have the logits' shape"):
        cotan.nn.sigmoid_binary_cross_entropy(logits, np.zeros(3))
    assert cnp.asarray(logits).shape == (3, 4)
