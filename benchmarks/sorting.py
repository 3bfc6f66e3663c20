"""Sorting on the CPU: cotan.numpy.sort/argsort (cotan.sort: a stable
merge sort of positions, lowered to loops) and cotan.random.permutation
against NumPy, JAX and PyTorch on the same inputs, in one process.

    cd benchmarks && python sorting.py
"""

from __future__ import annotations

import numpy as np

import cotan
import cotan.numpy as cnp
from cotan import random
from harness import jax, median_time, torch

CASES = [("sort 1M float32", (1 << 20,)), ("sort 1000 rows of 1000", (1000, 1000))]


def report(name: str, ours: float, peers: dict[str, float]) -> None:
    print(f"{name} (median ms; ratio = cotan / peer)")
    print(f"  cotan  {1e3 * ours:8.2f}")
    for peer, seconds in peers.items():
        print(f"  {peer:6s} {1e3 * seconds:8.2f}   ratio {ours / seconds:5.2f}")


def main() -> None:
    rng = np.random.default_rng(0)
    for name, shape in CASES:
        x = rng.standard_normal(shape).astype(np.float32)
        for what, ours_fn, numpy_fn in (("sort", cnp.sort, np.sort),
                                        ("argsort", cnp.argsort, lambda v: np.argsort(v, kind="stable"))):
            compiled = cotan.jit(ours_fn)
            ours = median_time(lambda: np.asarray(compiled(x)), repeat=5, warmup=1)
            peers = {"numpy": median_time(lambda: numpy_fn(x), repeat=5, warmup=1)}
            if jax is not None:
                jfn = jax.jit(jax.numpy.sort if what == "sort" else jax.numpy.argsort)
                peers["jax"] = median_time(lambda: jax.block_until_ready(jfn(x)), repeat=5, warmup=1)
            if torch is not None:
                tx = torch.from_numpy(x)
                tfn = (lambda: torch.sort(tx, stable=True)) if what == "sort" else \
                    (lambda: torch.argsort(tx, stable=True))
                peers["torch"] = median_time(tfn, repeat=5, warmup=1)
            report(f"{what}: {name.split(' ', 1)[1]}", ours, peers)

    n = 1 << 20
    shuffle = cotan.jit(lambda k: random.permutation(k, n))
    key = random.PRNGKey(0)
    ours = median_time(lambda: np.asarray(shuffle(key)), repeat=5, warmup=1)
    generator = np.random.default_rng(0)
    peers = {"numpy": median_time(lambda: generator.permutation(n), repeat=5, warmup=1)}
    if jax is not None:
        jshuffle = jax.jit(lambda k: jax.random.permutation(k, n))
        jkey = jax.random.PRNGKey(0)
        peers["jax"] = median_time(lambda: jax.block_until_ready(jshuffle(jkey)), repeat=5, warmup=1)
    report("random permutation of 1M", ours, peers)


if __name__ == "__main__":
    main()
