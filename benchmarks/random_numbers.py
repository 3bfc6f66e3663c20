"""Drawing 16M standard normal float32 samples: cotan.random (Threefry +
erfinv, one compiled function) against jax.random.normal and NumPy's
default_rng, in one process.

    cd benchmarks && python random_numbers.py
"""

from __future__ import annotations

import numpy as np

import cotan
from cotan import random
from harness import jax, median_time

SHAPE = (1 << 24,)


def main() -> None:
    key = random.PRNGKey(0)
    draw = cotan.jit(lambda k: random.normal(k, SHAPE))
    ours = median_time(lambda: np.asarray(draw(key)), repeat=10, warmup=2)
    print("16M normal float32 samples (median ms; ratio = cotan / peer)")
    print(f"  cotan  {1e3 * ours:8.2f}")
    generator = np.random.default_rng(0)
    peer = median_time(lambda: generator.standard_normal(SHAPE, dtype=np.float32), repeat=10, warmup=2)
    print(f"  numpy  {1e3 * peer:8.2f}   ratio {ours / peer:5.2f}")
    if jax is not None:
        jdraw = jax.jit(lambda k: jax.random.normal(k, SHAPE))
        jkey = jax.random.PRNGKey(0)
        peer = median_time(lambda: jax.block_until_ready(jdraw(jkey)), repeat=10, warmup=2)
        print(f"  jax    {1e3 * peer:8.2f}   ratio {ours / peer:5.2f}")


if __name__ == "__main__":
    main()
