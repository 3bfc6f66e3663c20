"""Cost of a gradient relative to its function: jit(grad(f)) vs jit(f), for
cotan and JAX in the same process (goal: gradient <= 3x the primal).

    python benchmarks/autodiff_ratio.py [--repeat N]
"""

from __future__ import annotations

import argparse

import numpy as np

import cotan
import cotan.numpy as cnp

from harness import jax, jnp, median_time




def seed_example(np_mod):
    """f(x) = sum(where(x > 0, x, x / (1 + exp(-x)))) from the issue."""
    return lambda x: np_mod.sum(np_mod.where(x > 0, x, x / (1 + np_mod.exp(-x))))


def mlp_loss(np_mod, log_softmax):
    def loss(params, x, targets):
        w1, b1, w2, b2 = params
        h = np_mod.tanh(x @ w1 + b1)
        return -np_mod.mean(np_mod.sum(targets * log_softmax(h @ w2 + b2), axis=1))
    return loss


def report(name: str, primal: float, gradient: float, peer: str = "") -> None:
    print(f"{name:34s} primal {primal * 1e3:8.3f} ms  grad {gradient * 1e3:8.3f} ms  ratio {gradient / primal:5.2f}x {peer}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    repeat = parser.parse_args().repeat
    rng = np.random.default_rng(0)

    x = rng.standard_normal(1 << 22).astype(np.float32)  # 4M floats
    f = cotan.jit(seed_example(cnp))
    g = cotan.jit(cotan.grad(seed_example(cnp)))
    report("seed example, 4M f32 (cotan)", median_time(lambda: f(x).block_until_ready(), repeat),
           median_time(lambda: g(x).block_until_ready(), repeat))
    if jax is not None:
        jf = jax.jit(seed_example(jnp))
        jg = jax.jit(jax.grad(seed_example(jnp)))
        xj = jnp.asarray(x)
        report("seed example, 4M f32 (JAX)", median_time(lambda: jf(xj).block_until_ready(), repeat),
               median_time(lambda: jg(xj).block_until_ready(), repeat))

    params = (rng.standard_normal((64, 128)).astype(np.float32) * 0.1, np.zeros(128, np.float32),
              rng.standard_normal((128, 10)).astype(np.float32) * 0.1, np.zeros(10, np.float32))
    batch = rng.standard_normal((256, 64)).astype(np.float32)
    targets = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 256)]
    loss = mlp_loss(cnp, cotan.nn.log_softmax)
    primal, grad = cotan.jit(loss), cotan.jit(cotan.grad(loss))
    report("MLP loss 256x64-128-10 (cotan)", median_time(lambda: primal(params, batch, targets).block_until_ready(), repeat),
           median_time(lambda: grad(params, batch, targets)[0].block_until_ready(), repeat))
    if jax is not None:
        jloss = mlp_loss(jnp, jax.nn.log_softmax)
        jp, jg = jax.jit(jloss), jax.jit(jax.grad(jloss))
        pj = tuple(jnp.asarray(p) for p in params)
        report("MLP loss 256x64-128-10 (JAX)", median_time(lambda: jp(pj, batch, targets).block_until_ready(), repeat),
               median_time(lambda: jg(pj, batch, targets)[0].block_until_ready(), repeat))


if __name__ == "__main__":
    main()
