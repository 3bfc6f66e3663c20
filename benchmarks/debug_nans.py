"""The cost of debug_nans: a 2-64-64-3 MLP training step (softmax
cross-entropy, its gradient, Adam) on 600 points, compiled with the switch
off (the check pass does not run: the same code as without it) and on
(every float result of the forward and backward pass checked), beside
JAX's jax_debug_nans, in one process.

    cd benchmarks && python debug_nans.py
"""

from __future__ import annotations

import numpy as np

import cotan
import cotan.numpy as cnp
from cotan import nn, optim
from harness import jax, jnp, median_time

model = nn.Sequential([nn.Dense(64), nn.relu, nn.Dense(64), nn.relu, nn.Dense(3)])
optimizer = optim.adam(1e-2)


def loss_fn(params, x, labels):
    return cnp.mean(nn.softmax_cross_entropy(model.apply(params, x), labels))


def train_step(params, opt_state, x, labels):
    loss, grads = cotan.value_and_grad(loss_fn)(params, x, labels)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optim.apply_updates(params, updates), opt_state, loss


def time_cotan(debug_nans: bool, params, opt_state, x, y) -> tuple[float, int]:
    cotan.config.update("debug_nans", debug_nans)
    try:
        step = cotan.jit(train_step)
        text = step.lower(params, opt_state, x, y).as_text("linalg")
        seconds = median_time(lambda: step(params, opt_state, x, y), repeat=200, warmup=3)
    finally:
        cotan.config.update("debug_nans", False)
    return seconds, text.count("call @cotan_nonfinite")


def time_jax(debug_nans: bool, params, x, y) -> float:
    jax.config.update("jax_debug_nans", debug_nans)
    try:
        def loss(p, x, y):
            h = x
            for k in range(0, len(p) - 1, 2):
                h = h @ p[k] + p[k + 1]
                if k + 2 < len(p):
                    h = jax.nn.relu(h)
            return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(h), y[:, None], axis=1))

        step = jax.jit(jax.value_and_grad(loss))
        jp = [jnp.asarray(p) for p in params]
        jx, jy = jnp.asarray(x), jnp.asarray(y)
        return median_time(lambda: jax.block_until_ready(step(jp, jx, jy)), repeat=200, warmup=3)
    finally:
        jax.config.update("jax_debug_nans", False)


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((600, 2)).astype(np.float32)
    y = rng.integers(0, 3, 600).astype(np.int32)
    params = model.init(1, x.shape)
    opt_state = optimizer.init(params)
    off, checks_off = time_cotan(False, params, opt_state, x, y)
    on, checks_on = time_cotan(True, params, opt_state, x, y)
    print("MLP training step, 600 x 2 -> 64 -> 64 -> 3, Adam (median ms)")
    print(f"  cotan debug_nans off {1e3 * off:7.3f} ms  ({checks_off} checks compiled)")
    print(f"  cotan debug_nans on  {1e3 * on:7.3f} ms  ({checks_on} checks compiled; {on / off:.2f}x)")
    if jax is not None:
        flat = [leaf for layer in params if layer for leaf in (layer["kernel"], layer["bias"])]
        jax_off, jax_on = time_jax(False, flat, x, y), time_jax(True, flat, x, y)
        print(f"  jax value_and_grad, jax_debug_nans off {1e3 * jax_off:7.3f} ms, "
              f"on {1e3 * jax_on:7.3f} ms ({jax_on / jax_off:.2f}x)")


if __name__ == "__main__":
    main()
