"""cotan.optim: every optimizer against a NumPy implementation of its
update rule, step by step on a quadratic, inside one jitted training
step; schedules against their formulas; errors for misuse."""

from __future__ import annotations

import math

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp
from cotan import optim

HERE = r"test_optim.py:\d+"

_rng = np.random.default_rng(0)
_M = _rng.standard_normal((4, 4))
A = _M.T @ _M / 4 + np.eye(4)
B = _rng.standard_normal(4)
TARGET = _rng.standard_normal((2, 3))
WEIGHTS = _rng.uniform(0.5, 2.0, (2, 3))


def loss(params):
    a, m = params["a"], params["m"]
    return 0.5 * cnp.sum(a * (A @ a)) - cnp.sum(B * a) + cnp.sum(WEIGHTS * (m - TARGET) ** 2)


def np_grads(params):
    return {"a": A @ params["a"] - B, "m": 2 * WEIGHTS * (params["m"] - TARGET)}


def initial_params():
    return {"a": np.array([1.0, -2.0, 0.5, 3.0]), "m": np.zeros((2, 3))}


# NumPy reference rules: (init(params) -> state, step(params, grads, state, t) -> params, state), t from 1.

def np_sgd(lr, momentum=None, nesterov=False):
    def step(p, g, trace, t):
        if momentum is None:
            return p - lr * g, trace
        trace = g + momentum * trace
        direction = g + momentum * trace if nesterov else trace
        return p - lr * direction, trace
    return np.zeros_like, step


def np_adam(lr, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0.0):
    def step(p, g, state, t):
        m, v = state
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        direction = (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps) + weight_decay * p
        return p - lr * direction, (m, v)
    return lambda p: (np.zeros_like(p), np.zeros_like(p)), step


def np_rmsprop(lr, decay=0.9, eps=1e-8, centered=False, momentum=None):
    def step(p, g, state, t):
        mu, nu, trace = state
        nu = decay * nu + (1 - decay) * g * g
        if centered:
            mu = decay * mu + (1 - decay) * g
            direction = g / np.sqrt(nu - mu * mu + eps)
        else:
            direction = g / np.sqrt(nu + eps)
        if momentum is not None:
            trace = direction + momentum * trace
            direction = trace
        return p - lr * direction, (mu, nu, trace)
    return lambda p: (np.zeros_like(p), np.zeros_like(p), np.zeros_like(p)), step


CASES = {
    "sgd": (lambda: optim.sgd(0.1), np_sgd(0.1)),
    "momentum": (lambda: optim.sgd(0.05, momentum=0.9), np_sgd(0.05, 0.9)),
    "nesterov": (lambda: optim.sgd(0.05, momentum=0.9, nesterov=True), np_sgd(0.05, 0.9, True)),
    "adam": (lambda: optim.adam(0.1), np_adam(0.1)),
    "adam_betas": (lambda: optim.adam(0.05, b1=0.5, b2=0.9, eps=1e-3), np_adam(0.05, 0.5, 0.9, 1e-3)),
    "adamw": (lambda: optim.adamw(0.1, weight_decay=0.01), np_adam(0.1, weight_decay=0.01)),
    "rmsprop": (lambda: optim.rmsprop(0.01), np_rmsprop(0.01)),
    "rmsprop_centered": (lambda: optim.rmsprop(0.01, centered=True), np_rmsprop(0.01, centered=True)),
    "rmsprop_momentum": (lambda: optim.rmsprop(0.01, momentum=0.8), np_rmsprop(0.01, momentum=0.8)),
}


def run_reference(reference, steps):
    init, step = reference
    params = initial_params()
    state = {k: init(v) for k, v in params.items()}
    history = []
    for t in range(1, steps + 1):
        grads = np_grads(params)
        for k in params:
            params[k], state[k] = step(params[k], grads[k], state[k], t)
        history.append({k: v.copy() for k, v in params.items()})
    return history


@pytest.mark.parametrize("name", CASES)
def test_optimizer_matches_numpy_step_by_step(name):
    make, reference = CASES[name]
    optimizer = make()

    @cotan.jit
    def train_step(params, opt_state):
        value, grads = cotan.value_and_grad(loss)(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optim.apply_updates(params, updates), opt_state, value

    params = initial_params()
    opt_state = optimizer.init(params)
    expected = run_reference(reference, 25)
    first_loss = float(loss(params))
    for want in expected:
        params, opt_state, _ = train_step(params, opt_state)
        for k in want:
            np.testing.assert_allclose(np.asarray(params[k]), want[k], rtol=1e-10, atol=1e-12)
    assert float(loss(params)) < first_loss
    assert train_step.trace_count == 1  # the state's types never change


def test_optimizers_keep_parameter_dtypes():
    params = {"w": np.ones((3,), np.float32), "h": np.ones((2,), np.float16)}
    grads = {"w": np.full((3,), 0.5, np.float32), "h": np.full((2,), 0.5, np.float16)}
    for optimizer in (optim.adam(optim.cosine_decay_schedule(0.1, 10)), optim.sgd(0.1, momentum=0.9),
                      optim.chain(optim.clip_by_global_norm(0.1), optim.rmsprop(0.1))):
        state = optimizer.init(params)
        updates, state = optimizer.update(grads, state, params)
        new = optim.apply_updates(params, updates)
        assert new["w"].dtype == np.float32 and new["h"].dtype == np.float16


def test_clip_by_global_norm():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    clip = optim.clip_by_global_norm(1.0)
    clipped, _ = clip.update(grads, clip.init(grads))
    np.testing.assert_allclose(np.asarray(clipped["a"]), [0.6, 0.0])
    np.testing.assert_allclose(np.asarray(clipped["b"]), [[0.8]])
    np.testing.assert_allclose(float(optim.global_norm(clipped)), 1.0)
    kept, _ = optim.clip_by_global_norm(10.0).update(grads, ())
    np.testing.assert_allclose(np.asarray(kept["a"]), [3.0, 0.0])
    # Chained before SGD, inside jit.
    optimizer = optim.chain(optim.clip_by_global_norm(1.0), optim.sgd(0.5))
    params = {"a": np.zeros(2), "b": np.zeros((1, 1))}
    step = cotan.jit(lambda g, s, p: optimizer.update(g, s, p))
    updates, _ = step(grads, optimizer.init(params), params)
    np.testing.assert_allclose(np.asarray(updates["a"]), [-0.3, 0.0])


def test_clip_elementwise_and_weight_decay_mask():
    clipped, _ = optim.clip(0.5).update({"x": np.array([-2.0, 0.1, 3.0])}, ())
    np.testing.assert_allclose(np.asarray(clipped["x"]), [-0.5, 0.1, 0.5])
    params = {"kernel": np.ones(2), "bias": np.ones(2)}
    grads = {"kernel": np.zeros(2), "bias": np.zeros(2)}
    decay = optim.add_decayed_weights(0.1, mask=lambda p: {"kernel": True, "bias": False})
    updates, _ = decay.update(grads, decay.init(params), params)
    np.testing.assert_allclose(np.asarray(updates["kernel"]), [0.1, 0.1])
    np.testing.assert_allclose(np.asarray(updates["bias"]), [0.0, 0.0])


def test_schedules():
    steps = np.arange(0, 130, 7)
    cosine = optim.cosine_decay_schedule(0.5, 100, alpha=0.1)
    want = 0.5 * (0.9 * 0.5 * (1 + np.cos(np.pi * np.minimum(steps, 100) / 100)) + 0.1)
    np.testing.assert_allclose([float(cosine(s)) for s in steps], want, rtol=1e-6)
    linear = optim.linear_schedule(1.0, 0.0, 50, transition_begin=10)
    want = 1.0 - np.clip((steps - 10) / 50, 0, 1)
    np.testing.assert_allclose([float(linear(s)) for s in steps], want, rtol=1e-6, atol=1e-7)
    warm = optim.warmup_cosine_decay_schedule(0.0, 1.0, 10, 110, end_value=0.1)
    want = np.where(steps < 10, steps / 10,
                    0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * np.minimum(steps - 10, 100) / 100)))
    np.testing.assert_allclose([float(warm(s)) for s in steps], want, rtol=1e-6, atol=1e-7)
    assert float(optim.constant_schedule(0.3)(5)) == pytest.approx(0.3)
    # Inside jit, the schedule sees the traced step count.
    np.testing.assert_allclose(float(cotan.jit(warm)(np.int32(60))), 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi / 2)),
                               rtol=1e-6)


def test_sgd_with_a_schedule_follows_it():
    schedule = optim.linear_schedule(0.2, 0.0, 4)
    optimizer = optim.sgd(schedule)
    params = {"x": np.array([1.0])}
    state = optimizer.init(params)
    step = cotan.jit(lambda p, s: optimizer.update({"x": np.array([1.0])}, s, p))
    sizes = []
    for _ in range(5):
        updates, state = step(params, state)
        sizes.append(-float(updates["x"][0]))
    np.testing.assert_allclose(sizes, [0.2, 0.15, 0.1, 0.05, 0.0], atol=1e-7)


def test_optimizer_errors():
    with pytest.raises(TypeError, match=HERE + ".*a learning rate is a number or a schedule"):
        optim.sgd("fast")
    with pytest.raises(ValueError, match=HERE + ".*max_norm > 0"):
        optim.clip_by_global_norm(0.0)
    with pytest.raises(ValueError, match=HERE + ".*decay_steps"):
        optim.warmup_cosine_decay_schedule(0.0, 1.0, 10, 5)
    params = {"w": np.ones(2), "b": np.ones(1)}
    adamw = optim.adamw(0.1)
    state = adamw.init(params)
    with pytest.raises(ValueError, match=HERE + ".*needs the parameters"):
        adamw.update(params, state)
    with pytest.raises(ValueError, match=HERE + ".*different structures"):
        adamw.update({"w": np.ones(2)}, state, params)
    with pytest.raises(ValueError, match=HERE + ".*does not come from this optimizer"):
        adamw.update(params, (), params)
    with pytest.raises(ValueError, match=HERE + ".*different structures"):
        optim.apply_updates(params, [np.ones(2)])
