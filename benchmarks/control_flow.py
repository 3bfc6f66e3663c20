"""Control flow: compile time of scans of 10 and 1000 steps (a rolled loop
must not grow with the step count), and the run time of an RNN scan and
its gradient against JAX's lax.scan and a PyTorch loop, on the same inputs.

    cd benchmarks && python control_flow.py
"""

from __future__ import annotations

import time

import numpy as np

import cotan
import cotan.numpy as cnp
from cotan import lax
from harness import jax, jnp, median_time

try:
    import torch
except ImportError:  # pragma: no cover - an optional peer
    torch = None

HIDDEN, BATCH = 64, 32


def rnn_loss(W, U, xs, h0):
    def step(h, x):
        h = cnp.tanh(h @ W + x @ U)
        return h, h.sum()

    h, ys = lax.scan(step, h0, xs)
    return (h * h).sum() + ys.sum()


def jax_rnn_loss(W, U, xs, h0):
    def step(h, x):
        h = jnp.tanh(h @ W + x @ U)
        return h, h.sum()

    h, ys = jax.lax.scan(step, h0, xs)
    return (h * h).sum() + ys.sum()


def torch_rnn_loss(W, U, xs, h0):
    h, total = h0, 0.0
    for x in xs:
        h = torch.tanh(h @ W + x @ U)
        total = total + h.sum()
    return (h * h).sum() + total


def inputs(steps: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    W = (rng.standard_normal((HIDDEN, HIDDEN)) / np.sqrt(HIDDEN)).astype(np.float32)
    U = (rng.standard_normal((HIDDEN, HIDDEN)) / np.sqrt(HIDDEN)).astype(np.float32)
    xs = rng.standard_normal((steps, BATCH, HIDDEN)).astype(np.float32)
    h0 = np.zeros((BATCH, HIDDEN), np.float32)
    return W, U, xs, h0


def compile_seconds(fun, args) -> float:
    start = time.perf_counter()
    cotan.jit(fun).lower(*args).compile()
    return time.perf_counter() - start


def jax_compile_seconds(fun, args) -> float:
    start = time.perf_counter()
    jax.jit(fun).lower(*args).compile()
    return time.perf_counter() - start


def main() -> None:
    print("compile time (s)            steps=10   steps=1000   ratio")
    grad = cotan.grad(rnn_loss, argnums=(0, 1))
    for name, fun, peer in (("scan forward", rnn_loss, jax_rnn_loss),
                            ("scan gradient", grad, jax.grad(jax_rnn_loss, argnums=(0, 1)) if jax else None)):
        short, long = (compile_seconds(fun, inputs(n)) for n in (10, 1000))
        print(f"  cotan {name:20s} {short:8.3f}   {long:10.3f}   {long / short:5.2f}")
        if peer is not None:
            short, long = (jax_compile_seconds(peer, inputs(n)) for n in (10, 1000))
            print(f"  jax   {name:20s} {short:8.3f}   {long:10.3f}   {long / short:5.2f}")

    steps = 1000
    args = inputs(steps)
    print(f"\nrun time, RNN scan of {steps} steps, hidden {HIDDEN}, batch {BATCH} (ms; ratio = peer / cotan)")
    rows = [("forward", cotan.jit(rnn_loss), jax.jit(jax_rnn_loss) if jax else None, torch_rnn_loss),
            ("gradient", cotan.jit(grad), jax.jit(jax.grad(jax_rnn_loss, argnums=(0, 1))) if jax else None,
             "grad")]
    torch_args = [torch.from_numpy(a) for a in args] if torch else None
    for name, ours, theirs, torch_fun in rows:
        t_ours = median_time(lambda: np.asarray(ours(*args)[0] if name == "gradient" else ours(*args)), 5, 2)
        line = f"  {name:9s} cotan {t_ours * 1e3:8.2f}"
        if theirs is not None:
            jargs = [jnp.asarray(a) for a in args]
            t_jax = median_time(lambda: jax.block_until_ready(theirs(*jargs)), 5, 2)
            line += f"   jax {t_jax * 1e3:8.2f} ({t_jax / t_ours:4.2f}x)"
        if torch is not None:
            if torch_fun == "grad":
                def run():
                    W, U = (t.clone().requires_grad_() for t in torch_args[:2])
                    torch_rnn_loss(W, U, *torch_args[2:]).backward()
            else:
                def run():
                    with torch.no_grad():
                        torch_rnn_loss(*torch_args)
            t_torch = median_time(run, 5, 2)
            line += f"   torch {t_torch * 1e3:8.2f} ({t_torch / t_ours:4.2f}x)"
        print(line)


if __name__ == "__main__":
    main()
