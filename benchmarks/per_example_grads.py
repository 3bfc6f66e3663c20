"""Per-example gradients of an MLP loss (batch 256): cotan's
jit(vmap(grad(loss))) vs a Python loop of jit(grad(loss)) over examples,
the same compiled once for a symbolic batch (polymorphic_shapes), and
JAX's jit(vmap(grad)) in the same process.

    python benchmarks/per_example_grads.py [--repeat N]
"""

from __future__ import annotations

import argparse

import numpy as np

import cotan
import cotan.numpy as cnp

from harness import jax, jnp, median_time


def make_loss(np_mod, log_softmax):
    def loss(params, x, y):
        w1, b1, w2, b2 = params
        h = np_mod.tanh(x @ w1 + b1)
        return -np_mod.sum(y * log_softmax(h @ w2 + b2))
    return loss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    rng = np.random.default_rng(0)
    batch, d_in, d_hidden, d_out = 256, 32, 64, 10
    params = (rng.standard_normal((d_in, d_hidden)).astype(np.float32) * 0.1, np.zeros(d_hidden, np.float32),
              rng.standard_normal((d_hidden, d_out)).astype(np.float32) * 0.1, np.zeros(d_out, np.float32))
    xs = rng.standard_normal((batch, d_in)).astype(np.float32)
    ys = np.eye(d_out, dtype=np.float32)[rng.integers(0, d_out, batch)]

    loss = make_loss(cnp, cotan.nn.log_softmax)
    batched = cotan.jit(cotan.vmap(cotan.grad(loss), in_axes=(None, 0, 0)))
    polymorphic = cotan.jit(cotan.vmap(cotan.grad(loss), in_axes=(None, 0, 0)),
                            polymorphic_shapes=(None, "b, _", "b, _"))
    single = cotan.jit(cotan.grad(loss))
    per_example = batched(params, xs, ys)
    looped = [single(params, xs[i], ys[i]) for i in range(batch)]
    symbolic = polymorphic(params, xs, ys)
    for k in range(4):  # all ways agree
        np.testing.assert_allclose(np.asarray(per_example[k]), np.stack([np.asarray(g[k]) for g in looped]),
                                   rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(np.asarray(symbolic[k]), np.asarray(per_example[k]), rtol=1e-5, atol=1e-6)

    t_vmap = median_time(lambda: batched(params, xs, ys)[0].block_until_ready(), repeat)
    t_poly = median_time(lambda: polymorphic(params, xs, ys)[0].block_until_ready(), repeat)
    t_loop = median_time(lambda: [single(params, xs[i], ys[i]) for i in range(batch)], max(1, repeat // 2))
    print(f"per-example gradients, MLP {d_in}-{d_hidden}-{d_out}, batch {batch}")
    print(f"cotan jit(vmap(grad))   {t_vmap * 1e3:9.3f} ms")
    print(f"  symbolic batch b      {t_poly * 1e3:9.3f} ms   (polymorphic/static {t_poly / t_vmap:5.2f}x)")
    print(f"cotan loop of jit(grad) {t_loop * 1e3:9.3f} ms   (vmap is {t_loop / t_vmap:5.1f}x faster)")
    if jax is not None:
        jloss = make_loss(jnp, jax.nn.log_softmax)
        jbatched = jax.jit(jax.vmap(jax.grad(jloss), in_axes=(None, 0, 0)))
        jparams = tuple(jnp.asarray(p) for p in params)
        t_jax = median_time(lambda: jbatched(jparams, xs, ys)[0].block_until_ready(), repeat)
        print(f"JAX   jit(vmap(grad))   {t_jax * 1e3:9.3f} ms   (cotan/JAX {t_vmap / t_jax:5.1f}x)")


if __name__ == "__main__":
    main()
