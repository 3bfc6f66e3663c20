"""Element-wise and reduction workloads at 1 and 2 threads, cotan beside
JAX. Each thread count runs in a child process started with
OMP_NUM_THREADS (cotan's default num_threads) and, for JAX, XLA's flags
for single-threaded CPU code, so both see the same setting.

    cd benchmarks && python threads.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np

N = 1 << 24  # 16M float32: 64 MB per array


def workloads(xnp):
    """(name, function of (x, y)) pairs written against a NumPy-like API."""
    return [
        ("elementwise tanh(x) * y + 1", lambda x, y: xnp.tanh(x) * y + 1.0),
        ("reduction sum(x * y)", lambda x, y: xnp.sum(x * y)),
        ("row reduction max(x, axis=1)", lambda x, y: xnp.max(x.reshape(4096, -1), axis=1)),
    ]


def child() -> None:
    from harness import jax, jnp, median_time

    import cotan
    import cotan.numpy as cnp

    rng = np.random.default_rng(0)
    x = rng.standard_normal(N).astype(np.float32)
    y = rng.standard_normal(N).astype(np.float32)
    results = {}
    for name, fn in workloads(cnp):
        f = cotan.jit(fn)
        results[name] = {"cotan": median_time(lambda: np.asarray(f(x, y)), 15, 2)}
    if jax is not None:
        jx, jy = jnp.asarray(x), jnp.asarray(y)
        for name, fn in workloads(jnp):
            g = jax.jit(fn)
            results[name]["jax"] = median_time(lambda: jax.block_until_ready(g(jx, jy)), 15, 2)
    print(json.dumps(results))


def main() -> None:
    runs = {}
    for threads in (1, 2):
        env = dict(os.environ, OMP_NUM_THREADS=str(threads))
        if threads == 1:
            env["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
        out = subprocess.run([sys.executable, __file__, "--child"], env=env, capture_output=True,
                             text=True, check=True)
        runs[threads] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{N // (1 << 20)}M float32 elements (median ms; speed-up = 1 thread / 2 threads)")
    for name in runs[1]:
        line = f"  {name:30s}"
        for peer in runs[1][name]:
            one, two = runs[1][name][peer], runs[2][name][peer]
            line += f"  {peer} 1 thread {1e3 * one:7.2f}, 2 threads {1e3 * two:7.2f} ({one / two:4.2f}x)"
        print(line)


if __name__ == "__main__":
    child() if "--child" in sys.argv else main()
