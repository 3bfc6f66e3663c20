"""Compile time of an MLP training step in a fresh process: cold, and
warm from the persistent compilation cache, for cotan and for JAX (with
and without its persistent cache). Each case runs in its own process; the
time is that of the first call (trace + compile or load + run).

    cd benchmarks && python compile_cache.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

COTAN = """
import time, numpy as np, cotan, cotan.numpy as cnp
from cotan import nn, optim
model = nn.Sequential([nn.Dense(256), nn.relu, nn.Dense(256), nn.relu, nn.Dense(10)])
optimizer = optim.adam(1e-3)
def step(params, state, x, y):
    loss, grads = cotan.value_and_grad(lambda p: cnp.mean(nn.softmax_cross_entropy(model.apply(p, x), y)))(params)
    updates, state = optimizer.update(grads, state, params)
    return optim.apply_updates(params, updates), state, loss
x = np.random.default_rng(0).standard_normal((128, 784)).astype(np.float32)
y = np.zeros(128, np.int32)
params = model.init(0, x.shape); state = optimizer.init(params)
start = time.perf_counter()
cotan.jit(step)(params, state, x, y)[2].block_until_ready()
print(time.perf_counter() - start)
"""

JAX = """
import time, sys, numpy as np, jax, jax.numpy as jnp
if len(sys.argv) > 1:
    jax.config.update("jax_compilation_cache_dir", sys.argv[1])
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
from harness import jax_mlp_training
step, params = jax_mlp_training([784, 256, 256, 10])
zeros = jax.tree.map(jnp.zeros_like, params)
x = np.random.default_rng(0).standard_normal((128, 784)).astype(np.float32)
y = np.zeros(128, np.int32)
start = time.perf_counter()
jax.block_until_ready(jax.jit(step)(params, zeros, zeros, x, y))
print(time.perf_counter() - start)
"""


def first_call(code: str, *args: str, env: dict | None = None) -> float:
    # The child imports harness (JAX's side of the benchmark) from here.
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p)
    environment = {**os.environ, "PYTHONPATH": path, **(env or {})}
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=environment)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-2000:])
    return float(out.stdout.split()[-1])


def main() -> None:
    print("first call of an MLP training step (784-256-256-10, Adam) in a fresh process, seconds")
    with tempfile.TemporaryDirectory() as ours, tempfile.TemporaryDirectory() as theirs:
        cold = first_call(COTAN, env={"COTAN_CACHE_DIR": ours, "COTAN_CACHE_MIN_COMPILE_SECONDS": "0"})
        warm = first_call(COTAN, env={"COTAN_CACHE_DIR": ours, "COTAN_CACHE_MIN_COMPILE_SECONDS": "0"})
        print(f"  cotan  cold {cold:6.3f}   warm (cache) {warm:6.3f}   ratio {cold / warm:5.1f}x")
        try:
            import jax  # noqa: F401
        except ImportError:
            return
        plain = first_call(JAX)
        jax_cold = first_call(JAX, theirs)
        jax_warm = first_call(JAX, theirs)
        print(f"  jax    no cache {plain:6.3f}   cold {jax_cold:6.3f}   warm (cache) {jax_warm:6.3f}")
        print(f"  cotan/jax: cold {cold / plain:5.2f}   warm {warm / jax_warm:5.2f}")


if __name__ == "__main__":
    main()
