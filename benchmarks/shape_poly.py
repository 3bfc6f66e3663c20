"""Shape-polymorphic compilation: an MLP training step (784-256-256-10,
softmax cross-entropy, Adam) compiled once for a symbolic batch size.

1. Step time of the polymorphic executable beside a static one compiled
   for the same batch (goal: at most 1.1x), at batch 32 and 256; the
   same for the digits CNN (two convolutions, max pooling) at batch 64.
2. A run that sees 20 distinct batch sizes (the ragged last batches of
   several data sets, or a serving queue): total time of one pass over
   them, compiles included, for cotan (one polymorphic compile), cotan
   with static shapes (20 compiles) and JAX (20 compiles).

    cd benchmarks && python shape_poly.py
"""

from __future__ import annotations

import os
import time

# Compile times are part of the comparison: no persistent cache.
os.environ.setdefault("COTAN_CACHE", "0")

import numpy as np

import cotan
import cotan.numpy as cnp
from cotan import nn, optim
from harness import jax, jax_mlp_training, jnp, median_time

SIZES = [784, 256, 256, 10]
BATCHES = [3, 8, 13, 17, 24, 31, 32, 40, 47, 55, 64, 77, 90, 100, 111, 128, 150, 177, 200, 256]

model = nn.Sequential([nn.Dense(256), nn.relu, nn.Dense(256), nn.relu, nn.Dense(10)])
optimizer = optim.adam(1e-3)


def training_step(net: nn.Sequential):
    """One step of softmax cross-entropy and Adam for `net`."""
    def step(params, state, x, y):
        def loss_fn(p):
            return cnp.mean(nn.softmax_cross_entropy(net.apply(p, x), y))
        loss, grads = cotan.value_and_grad(loss_fn)(params)
        updates, state = optimizer.update(grads, state, params)
        return optim.apply_updates(params, updates), state, loss
    return step


cotan_step = training_step(model)


def data(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 784)).astype(np.float32), rng.integers(0, 10, n).astype(np.int32)


def step_times(params, state) -> None:
    print("step time, polymorphic vs static executable (same batch)")
    polymorphic = cotan.jit(cotan_step, polymorphic_shapes=(None, None, "b, 784", "b"))
    for n in (32, 256):
        x, y = data(n)
        static = cotan.jit(cotan_step)
        t_poly = median_time(lambda: polymorphic(params, state, x, y)[2].block_until_ready(), repeat=50, warmup=3)
        t_static = median_time(lambda: static(params, state, x, y)[2].block_until_ready(), repeat=50, warmup=3)
        print(f"  batch {n:4d}: polymorphic {t_poly * 1e3:7.3f} ms  static {t_static * 1e3:7.3f} ms  "
              f"ratio {t_poly / t_static:5.2f}")


cnn = nn.Sequential([
    nn.Conv(16, (3, 3)), nn.relu, nn.MaxPool((2, 2), strides=(2, 2)),
    nn.Conv(32, (3, 3)), nn.relu, nn.MaxPool((2, 2), strides=(2, 2)),
    nn.Flatten(), nn.Dense(64), nn.relu, nn.Dense(10),
])


def cnn_step_times() -> None:
    params = cnn.init(0, (1, 8, 8, 1))
    state = optimizer.init(params)
    rng = np.random.default_rng(0)
    x, y = rng.random((64, 8, 8, 1), np.float32), rng.integers(0, 10, 64).astype(np.int32)
    step = training_step(cnn)
    polymorphic = cotan.jit(step, polymorphic_shapes=(None, None, "b, 8, 8, 1", "b"))
    static = cotan.jit(step)
    t_poly = median_time(lambda: polymorphic(params, state, x, y)[2].block_until_ready(), repeat=50, warmup=3)
    t_static = median_time(lambda: static(params, state, x, y)[2].block_until_ready(), repeat=50, warmup=3)
    print(f"  CNN batch 64: polymorphic {t_poly * 1e3:7.3f} ms  static {t_static * 1e3:7.3f} ms  "
          f"ratio {t_poly / t_static:5.2f}")


def many_sizes(params, state) -> None:
    print(f"one pass over {len(BATCHES)} distinct batch sizes, compiles included")
    batches = [data(n, seed=n) for n in BATCHES]

    def run_cotan(step) -> float:
        start = time.perf_counter()
        for x, y in batches:
            step(params, state, x, y)[2].block_until_ready()
        return time.perf_counter() - start

    # A fresh function object each: jit shares compiled code per function.
    t_poly = run_cotan(cotan.jit(lambda *a: cotan_step(*a), polymorphic_shapes=(None, None, "b, 784", "b")))
    t_static = run_cotan(cotan.jit(lambda *a: cotan_step(*a)))
    print(f"  cotan polymorphic (1 compile):  {t_poly:7.3f} s")
    print(f"  cotan static ({len(BATCHES)} compiles):     {t_static:7.3f} s  ({t_static / t_poly:5.1f}x the polymorphic run)")
    if jax is None:
        print("  JAX: not installed")
        return
    step, jparams = jax_mlp_training(SIZES)
    zeros = jax.tree.map(jnp.zeros_like, jparams)
    jitted = jax.jit(step)
    start = time.perf_counter()
    for x, y in batches:
        jax.block_until_ready(jitted(jparams, zeros, zeros, x, y))
    t_jax = time.perf_counter() - start
    print(f"  JAX ({len(BATCHES)} compiles):              {t_jax:7.3f} s  ({t_jax / t_poly:5.1f}x the polymorphic run)")


def main() -> None:
    params = model.init(0, (1, 784))
    state = optimizer.init(params)
    step_times(params, state)
    cnn_step_times()
    many_sizes(params, state)


if __name__ == "__main__":
    main()
