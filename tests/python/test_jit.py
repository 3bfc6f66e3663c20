"""cotan.jit: caching, pytrees, static arguments, lowering stages."""

from __future__ import annotations

import collections
import logging
import re

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp
from conftest import assert_matches, random_array


def test_second_call_does_not_retrace(rng):
    @cotan.jit
    def f(x, y):
        return cnp.tanh(x @ y) + 1.0

    x = random_array(rng, (3, 4), "float32")
    y = random_array(rng, (4, 2), "float32")
    first = f(x, y)
    second = f(x + 1, y)
    assert f.trace_count == 1 and f._cache_size() == 1
    assert_matches(first, np.tanh(x @ y) + 1)
    assert_matches(second, np.tanh((x + 1) @ y) + 1)
    f(cnp.asarray(x), y)  # a cotan.Array of the same shape is the same signature
    assert f.trace_count == 1


def test_new_shapes_and_dtypes_retrace(rng):
    f = cotan.jit(lambda x: x * 2)
    f(np.ones(3, np.float32))
    f(np.ones(4, np.float32))
    f(np.ones(4, np.float64))
    f(np.ones(4, np.float64))
    assert f.trace_count == 3


def test_pytrees_in_and_out(rng):
    Point = collections.namedtuple("Point", ["x", "y"])

    @cotan.jit
    def f(params, batch, scale=2.0):
        h = batch["inputs"] @ params[0] + params[1]
        return {"out": h * scale, "parts": (h.sum(), [h.max()])}, Point(h.min(), None)

    w = random_array(rng, (3, 2), "float32")
    b = random_array(rng, (2,), "float32")
    x = random_array(rng, (4, 3), "float32")
    result, point = f((w, b), {"inputs": x}, scale=3.0)
    h = x @ w + b
    assert_matches(result["out"], h * 3)
    assert_matches(result["parts"][0], h.sum())
    assert_matches(result["parts"][1][0], h.max())
    assert isinstance(point, Point) and point.y is None
    assert_matches(point.x, h.min())
    assert isinstance(result["out"], cotan.Array)


def test_static_argnums_and_argnames(rng):
    @cotan.jit(static_argnums=1, static_argnames="mode")
    def f(x, n, mode="sum"):
        for _ in range(n):
            x = x * 2
        return x.sum() if mode == "sum" else x.max()

    x = random_array(rng, (5,), "float32")
    assert_matches(f(x, 3), (x * 8).sum())
    assert_matches(f(x, 3, mode="max"), (x * 8).max())
    assert_matches(f(x, 1), (x * 2).sum())
    f(x, 1)
    assert f.trace_count == 3


def test_scalars_and_constants(rng):
    big = random_array(rng, (100, 100), "float32")
    f = cotan.jit(lambda x, s: x * s + big)
    out = f(np.ones((100, 100), np.float32), 2)
    assert_matches(out, 2 + big)
    # The large captured array is an argument of the compiled function, not
    # a constant in the IR.
    text = f.lower(np.ones((100, 100), np.float32), 2).as_text()
    assert "dense<" not in text and text.count("tensor<100x100xf32>") >= 3
    assert_matches(cotan.jit(lambda: 3.0)(), np.float32(3.0))
    assert_matches(cotan.jit(lambda x: (x, 1, True))(np.int32(5))[1], np.int32(1))


@pytest.mark.parametrize("shape", [(3,), (2, 3), (5, 8), (50, 40)])
def test_captured_boolean_constants(shape, rng):
    # i1 elements are bit-packed in MLIR's dense attributes.
    mask = rng.random(shape) < 0.5
    x = random_array(rng, shape, "float32")
    assert_matches(cotan.jit(lambda x: cnp.where(mask, x, 0.0))(x), np.where(mask, x, 0).astype(np.float32))


def test_jit_inside_jit_inlines(rng):
    inner = cotan.jit(lambda x: x + 1)
    outer = cotan.jit(lambda x: inner(x) * 2)
    x = random_array(rng, (3,), "float32")
    assert_matches(outer(x), (x + 1) * 2)
    assert inner.trace_count == 0


def test_lower_stages(rng):
    f = cotan.jit(lambda x, y: cnp.maximum(x @ y, 0.0).sum(axis=0))
    x = random_array(rng, (4, 3), "float32")
    y = random_array(rng, (3, 5), "float32")
    lowered = f.lower(x, y)
    cotan_ir = lowered.as_text("cotan")
    assert "cotan.dot_general" in cotan_ir and "cotan.reduce_sum" in cotan_ir
    linalg_ir = lowered.as_text("linalg")
    assert "linalg.generic" in linalg_ir and "cotan." not in linalg_ir
    llvm_ir = lowered.as_text("llvm")
    assert "llvm.func" in llvm_ir and "linalg." not in llvm_ir
    assert_matches(lowered.compile()(x, y), np.maximum(x @ y, 0).sum(axis=0))
    assert ".entry" in lowered.as_text("ptx")  # the GPU kernels, no GPU needed
    with pytest.raises(ValueError, match="unknown stage"):
        lowered.as_text("optimized")
    assert f.trace_count == 1  # lowering traces but does not fill the cache


def test_inputs_are_never_modified(rng):
    x = random_array(rng, (4,), "float32")
    keep = x.copy()
    f = cotan.jit(lambda a: cotan.lax.dynamic_update_slice(a, cnp.zeros(2), [cnp.asarray(1)]))
    assert_matches(f(x), np.array([keep[0], 0, 0, keep[3]]))
    np.testing.assert_array_equal(x, keep)


def test_arrays_are_immutable_and_convertible(rng):
    a = cnp.arange(6).reshape(2, 3)
    view = np.asarray(a)
    assert not view.flags.writeable
    assert a.shape == (2, 3) and a.ndim == 2 and a.size == 6 and len(a) == 2
    assert a.block_until_ready() is a
    assert int(a[1, 2]) == 5 and float(cnp.asarray(2.5)) == 2.5
    assert a.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert [int(r.sum()) for r in a] == [3, 12]
    assert "Array(" in repr(a)


def test_log_compiles_explains_misses(caplog, monkeypatch):
    monkeypatch.setenv("COTAN_LOG_COMPILES", "1")
    f = cotan.jit(lambda x: x + 1)
    with caplog.at_level(logging.WARNING, logger="cotan"):
        f(np.ones(3, np.float32))
        f(np.ones(3, np.float32))
        f(np.ones(4, np.float32))
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert "first call" in messages[0]
    assert "x: shape (3,) -> (4,)" in messages[1]
    assert "test_jit.py" in messages[1]


@pytest.fixture
def debug_switches():
    """Restores cotan's debugging switches after a test sets them."""
    yield cotan.config
    for name in ("log_compiles", "no_retrace"):
        cotan.config.update(name, False)
        cotan.config._explicit.discard(name)


def test_log_compiles_names_the_argument_path_and_times_each_phase(caplog, debug_switches):
    debug_switches.update("log_compiles", True)

    @cotan.jit
    def loss(params, x, scale=1.0):
        return cnp.sum((x @ params["w"]) * params["b"]) * scale

    params = {"w": np.ones((3, 4), np.float32), "b": np.ones(4, np.float32)}
    with caplog.at_level(logging.WARNING, logger="cotan"):
        loss(params, np.ones((2, 3), np.float32))
        loss({"w": np.ones((3, 5), np.float32), "b": np.ones(5, np.float32)}, np.ones((2, 3), np.float32))
        loss(params, np.ones((2, 3), np.float64))
        loss(params, np.ones((2, 3), np.float32), scale=np.float32(2))
    first, shapes, dtype, keyword = [r.getMessage() for r in caplog.records]
    assert "compiled `loss` (called at" in first and "test_jit.py:" in first
    assert re.search(r"in \d+\.\d+ s \[trace \d+\.\d+ s, passes \d+\.\d+ s, LLVM \d+\.\d+ s\]: first call",
                     first)
    # MLIR's pass timing names the slowest passes.
    assert re.search(r"; slowest passes: \w+ \d+\.\d+ s(, \w+ \d+\.\d+ s){4}$", first)
    assert "params['b']: shape (4,) -> (5,); params['w']: shape (3, 4) -> (3, 5)" in shapes
    assert "x: dtype float32 -> float64" in dtype
    assert "argument structure changed" in keyword


def test_no_retrace_raises_on_a_new_signature(debug_switches):
    f = cotan.jit(lambda x, y: x * y)
    debug_switches.update("no_retrace", True)
    f(np.ones(3, np.float32), 2.0)  # the first trace is allowed
    f(np.ones(3, np.float32), 3.0)  # same signature: no trace
    with pytest.raises(cotan.RetraceError, match=r"test_jit.py:\d+: `<lambda>` would be traced again .*"
                                                 r"x: shape \(3,\) -> \(4,\)"):
        f(np.ones(4, np.float32), 2.0)
    with pytest.raises(cotan.RetraceError, match="y: a Python scalar -> an array"):
        f(np.ones(3, np.float32), np.float32(2.0))
    debug_switches.update("no_retrace", False)
    assert f(np.ones(4, np.float32), 2.0).shape == (4,)


def test_debug_switches_do_not_recompile(debug_switches):
    f = cotan.jit(lambda x: x - 1)
    f(np.ones(2, np.float32))
    debug_switches.update("log_compiles", True)
    f(np.ones(2, np.float32))
    assert f.trace_count == 1


def test_results_are_freed_without_the_garbage_collector():
    import gc
    import weakref

    f = cotan.jit(lambda v: v + 1)
    x = np.ones(1000, np.float32)
    gc.disable()
    try:
        result = f(x)
        buffer = weakref.ref(np.asarray(result).base if np.asarray(result).base is not None
                             else np.asarray(result))
        del result
        assert buffer() is None, "a reference cycle keeps jit results alive"
    finally:
        gc.enable()


def test_jit_of_the_same_function_shares_compiled_code():
    import gc
    import weakref

    def f(v):
        return v * 2 + 1

    x = np.arange(3.0)
    first = cotan.jit(f)
    first(x)
    again = cotan.jit(f)  # e.g. `cotan.jit(f)(x)` written inline in a loop
    np.testing.assert_array_equal(np.asarray(again(x)), x * 2 + 1)
    assert first.trace_count == 1 and again.trace_count == 0
    # Other options, or another cotan.config setting, compile separately.
    assert cotan.jit(f, donate_argnums=0)._cache_size() == 0
    cotan.config.update("cotan_fusion", False)
    try:
        assert again._cache_size() == 0
        again(x)
        assert again.trace_count == 1
    finally:
        cotan.config.update("cotan_fusion", True)
    # The shared cache does not keep the function alive.
    alive = weakref.ref(f)
    del f, first, again
    gc.collect()
    assert alive() is None


@pytest.mark.parametrize("shape", [(3,), (0,), (2, 0)])
def test_one_value_returned_twice(shape):
    """CSE merges x + 1 and x + 1 (and folds zero-size results into one
    buffer): each result still gets a buffer of its own. This used to crash
    the compiler (found by the fuzzer)."""
    x = np.ones(shape)
    a, b, c, d = cotan.jit(lambda x: (x + 1, x + 1, x, x))(x)
    for got, want in ((a, x + 1), (b, x + 1), (c, x), (d, x)):
        np.testing.assert_array_equal(np.asarray(got), want)
    _, tangent = cotan.jvp(lambda x: -x, (x,), (x,))
    np.testing.assert_array_equal(np.asarray(tangent), -x)
