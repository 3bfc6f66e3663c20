"""Shared by the benchmarks: timing, and the optional peers (JAX, PyTorch)."""

from __future__ import annotations

import statistics
import time
from typing import Callable

try:
    import jax
    import jax.numpy as jnp
except ImportError:  # pragma: no cover - an optional peer
    jax = jnp = None

try:
    import torch
except ImportError:  # pragma: no cover - an optional peer
    torch = None


def median_time(fn: Callable[[], object], repeat: int, warmup: int = 1) -> float:
    """Median seconds of `repeat` calls of fn, after `warmup` calls (the
    first compiles; more let thread pools and caches settle)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
