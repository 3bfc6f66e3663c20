"""Shared by the benchmarks: timing, and the optional peers (JAX, PyTorch)."""

from __future__ import annotations

import statistics
import time
from typing import Callable

try:
    import jax
    import jax.numpy as jnp
except ImportError:  # pragma: no cover - an optional peer
    jax = jnp = None

try:
    import torch
except ImportError:  # pragma: no cover - an optional peer
    torch = None


def median_time(fn: Callable[[], object], repeat: int, warmup: int = 1) -> float:
    """Median seconds of `repeat` calls of fn, after `warmup` calls (the
    first compiles; more let thread pools and caches settle)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def jax_mlp_training(sizes: list[int]):
    """JAX's side of the MLP benchmarks: (step, params) for a ReLU MLP of
    layer `sizes` with softmax cross-entropy, where step(params, m, v, x,
    y) -> (params, m, v) is one Adam-like update, as cotan's steps do."""
    def loss(params, x, y):
        for w, b in params[:-1]:
            x = jax.nn.relu(x @ w + b)
        logits = x @ params[-1][0] + params[-1][1]
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1))

    def step(params, m, v, x, y):
        g = jax.grad(loss)(params, x, y)
        m = jax.tree.map(lambda a, b: 0.9 * a + 0.1 * b, m, g)
        v = jax.tree.map(lambda a, b: 0.999 * a + 0.001 * b * b, v, g)
        params = jax.tree.map(lambda p, a, b: p - 1e-3 * a / (jnp.sqrt(b) + 1e-8), params, m, v)
        return params, m, v

    keys = jax.random.split(jax.random.PRNGKey(0), len(sizes) - 1)
    params = [(jax.random.normal(k, (a, b)) * 0.05, jnp.zeros(b)) for k, a, b in zip(keys, sizes[:-1], sizes[1:])]
    return step, params
