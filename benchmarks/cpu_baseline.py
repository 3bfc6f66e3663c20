"""cotan vs NumPy, JAX and PyTorch (CPU) on the same inputs, in one process.

Prints the median time of each and its ratio to NumPy. JAX and PyTorch are
optional: install them in the benchmark environment (`pip install jax
torch==2.13.0`) to include them.

    python benchmarks/cpu_baseline.py [--repeat N]
"""

from __future__ import annotations

import argparse

import numpy as np

import cotan
import cotan.numpy as cnp

from harness import jax, jnp, median_time

if jax is not None:
    jax.config.update("jax_enable_x64", True)
try:
    import torch

    torch.set_num_threads(2)
except ImportError:  # pragma: no cover - optional peer
    torch = None




def case(name: str, numpy_fn, cotan_fn, jax_fn, torch_fn, args, repeat: int) -> None:
    row = {"numpy": median_time(lambda: numpy_fn(*args), repeat)}
    expected = np.asarray(numpy_fn(*args))
    got = np.asarray(cotan_fn(*args))
    np.testing.assert_allclose(got, expected, rtol=1e-3, atol=1e-3)
    row["cotan"] = median_time(lambda: cotan_fn(*args).block_until_ready(), repeat)
    if jax is not None:
        jargs = [jnp.asarray(a) for a in args]
        row["jax"] = median_time(lambda: jax_fn(*jargs).block_until_ready(), repeat)
    if torch is not None:
        targs = [torch.from_numpy(np.ascontiguousarray(a)) for a in args]
        with torch.no_grad():
            row["torch"] = median_time(lambda: torch_fn(*targs), repeat)
    base = row["numpy"]
    cells = "  ".join(f"{k} {v * 1e3:8.3f} ms ({v / base:5.2f}x)" for k, v in row.items())
    print(f"{name:28s} {cells}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    repeat = parser.parse_args().repeat
    rng = np.random.default_rng(0)
    print("median time per call; ratio = time / NumPy time (lower is better)")

    # Per-call overhead of a trivial compiled function.
    s = np.float32(1.0)
    case("trivial x+1 (overhead)", lambda x: x + 1, cotan.jit(lambda x: x + 1),
         jax and jax.jit(lambda x: x + 1), lambda x: x + 1, [np.asarray(s)], repeat * 50)

    n = 1 << 20
    x, y, z = (rng.standard_normal(n).astype(np.float32) for _ in range(3))
    case("tanh(x*y+z), 1M f32", lambda a, b, c: np.tanh(a * b + c),
         cotan.jit(lambda a, b, c: cnp.tanh(a * b + c)),
         jax and jax.jit(lambda a, b, c: jnp.tanh(a * b + c)),
         lambda a, b, c: torch.tanh(a * b + c), [x, y, z], repeat)
    case("sum(x*y), 1M f32", lambda a, b: np.sum(a * b),
         cotan.jit(lambda a, b: cnp.sum(a * b)),
         jax and jax.jit(lambda a, b: jnp.sum(a * b)),
         lambda a, b: torch.sum(a * b), [x, y], repeat)

    for dtype in (np.float32, np.float64):
        a = rng.standard_normal((256, 256)).astype(dtype)
        b = rng.standard_normal((256, 256)).astype(dtype)
        case(f"matmul 256x256 {np.dtype(dtype).name}", np.matmul, cotan.jit(cnp.matmul),
             jax and jax.jit(jnp.matmul), torch.matmul if torch else None, [a, b], max(3, repeat // 4))

    logits = rng.standard_normal((512, 1000)).astype(np.float32)
    case("log_softmax 512x1000", lambda v: v - np.log(np.exp(v - v.max(1, keepdims=True)).sum(1, keepdims=True)) - v.max(1, keepdims=True),
         cotan.jit(cotan.nn.log_softmax),
         jax and jax.jit(jax.nn.log_softmax), lambda v: torch.log_softmax(v, dim=1), [logits], repeat)


if __name__ == "__main__":
    main()
