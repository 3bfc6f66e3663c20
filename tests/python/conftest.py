"""Shared helpers: random inputs and comparisons against NumPy, eagerly and
under jit."""

from __future__ import annotations

import os

import ml_dtypes
import numpy as np
import pytest

import cotan

# Tests compile afresh: the persistent cache is tested on its own
# (test_cache.py), in folders of its own.
os.environ.setdefault("COTAN_CACHE", "0")

FLOAT_TOLERANCE = {
    np.dtype(np.float16): dict(rtol=2e-3, atol=2e-3),
    np.dtype(ml_dtypes.bfloat16): dict(rtol=2e-2, atol=2e-2),
    np.dtype(np.float32): dict(rtol=2e-5, atol=2e-6),
    np.dtype(np.float64): dict(rtol=1e-12, atol=1e-12),
}


def random_array(rng: np.random.Generator, shape, dtype, low=-3.0, high=3.0) -> np.ndarray:
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind == "i":
        return rng.integers(int(low), int(high) + 1, size=shape).astype(dtype)
    return rng.uniform(low, high, size=shape).astype(dtype)


def assert_matches(actual, expected, tolerance_dtype=None) -> None:
    """actual (a cotan result) equals expected (NumPy's) in shape and value."""
    a = np.asarray(actual)
    e = np.asarray(expected)
    assert a.shape == e.shape, f"shape {a.shape} != {e.shape}"
    if a.dtype.kind in "biu" and e.dtype.kind in "biu":
        np.testing.assert_array_equal(a.astype(np.int64), e.astype(np.int64))
        return
    assert a.dtype.kind in "fV" or a.dtype == ml_dtypes.bfloat16, f"expected a float result, got {a.dtype}"
    tol = FLOAT_TOLERANCE[np.dtype(tolerance_dtype or a.dtype)]
    np.testing.assert_allclose(a.astype(np.float64), e.astype(np.float64), equal_nan=True, **tol)


def check_eager_and_jit(cotan_fn, numpy_fn, *args, tolerance_dtype=None, **kwargs):
    """cotan_fn matches numpy_fn on args, run eagerly and under jit."""
    expected = numpy_fn(*args, **kwargs)
    eager = cotan_fn(*args, **kwargs)
    jitted = cotan.jit(lambda *a: cotan_fn(*a, **kwargs))(*args)
    assert_matches(eager, expected, tolerance_dtype)
    assert_matches(jitted, expected, tolerance_dtype)
    return eager


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)
