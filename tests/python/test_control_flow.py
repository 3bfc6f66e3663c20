"""cotan.lax.cond, switch, while_loop, fori_loop and scan: results against
Python reference loops, pytree carries, closures, nesting, and the errors
for misuse."""

from __future__ import annotations

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp
from cotan import lax

from conftest import assert_matches

HERE = r"test_control_flow.py:\d+"
rng = np.random.default_rng(7)


# -- cond and switch ---------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
def test_cond_picks_branch(dtype):
    f = cotan.jit(lambda p, x: lax.cond(p, lambda v: v * 2, lambda v: v - 1, x))
    x = np.arange(6, dtype=dtype).reshape(2, 3)
    assert_matches(f(True, x), x * 2)
    assert_matches(f(False, x), x - 1)


def test_cond_numeric_predicate_and_closure():
    w = np.float32([1.0, -2.0, 3.0])

    @cotan.jit
    def f(s, x):
        # The branches close over `s` (traced) and `w` (a constant).
        return lax.cond(s, lambda v: v * s + w, lambda v: v @ w * cnp.ones(3), x)

    x = np.float32([0.5, 1.5, 2.5])
    assert_matches(f(np.float32(2.0), x), x * 2 + w)
    assert_matches(f(np.float32(0.0), x), np.full(3, x @ w))


def test_cond_pytree_operands_and_outputs():
    @cotan.jit
    def f(p, tree):
        return lax.cond(p, lambda t: {"a": t[0] + 1, "b": (t[1], t[0])},
                        lambda t: {"a": t[0] - 1, "b": (t[1] * 0, t[0] * 3)}, tree)

    a, b = np.float32(1), np.arange(3, dtype=np.int32)
    out = f(True, (a, b))
    assert_matches(out["a"], a + 1)
    assert_matches(out["b"][0], b)
    out = f(False, (a, b))
    assert_matches(out["b"][1], a * 3)


def test_cond_weak_output_takes_other_branch_dtype():
    f = cotan.jit(lambda p, x: lax.cond(p, lambda v: v, lambda v: 0.0, x))
    out = f(False, np.float64(3))
    assert out.dtype == np.float64 and float(out) == 0.0


def test_cond_boolean_output_and_no_operands():
    f = cotan.jit(lambda x: lax.cond(x.sum() > 0, lambda: cnp.asarray(True), lambda: cnp.asarray(False)))
    assert bool(f(np.ones(3, np.float32))) and not bool(f(-np.ones(3, np.float32)))


@pytest.mark.parametrize("index", [-5, 0, 1, 2, 3, 100])
def test_switch_clamps_index(index):
    branches = [lambda x: x + 1, lambda x: x * 10, lambda x: -x]
    f = cotan.jit(lambda i, x: lax.switch(i, branches, x))
    x = np.float32([1, 2])
    assert_matches(f(index, x), branches[min(max(index, 0), 2)](x))


def test_switch_single_branch_and_zero_size():
    f = cotan.jit(lambda i, x: lax.switch(i, [lambda v: v * 2], x))
    assert_matches(f(3, np.ones((0, 4), np.float32)), np.ones((0, 4)))


def test_cond_concrete_runs_the_branch():
    assert float(lax.cond(True, lambda x: x + 1, lambda x: x - 1, 1.0)) == 2.0
    assert int(lax.switch(7, [lambda: 0, lambda: 1], )) == 1


def test_nested_cond():
    @cotan.jit
    def f(a, b, x):
        return lax.cond(a, lambda v: lax.cond(b, lambda u: u + 1, lambda u: u + 2, v),
                        lambda v: v * 0, x)

    for a in (True, False):
        for b in (True, False):
            expected = (1.0 + (1 if b else 2)) if a else 0.0
            assert float(f(a, b, np.float32(1))) == expected


# -- while_loop and fori_loop -----------------------------------------------


def test_while_loop_pytree_carry():
    @cotan.jit
    def f(x, limit):
        return lax.while_loop(lambda c: c[0] < limit,
                              lambda c: (c[0] * 2.0, c[1] + 1), (x, 0))

    x, n = f(np.float32(3), np.float32(100))
    assert float(x) == 192.0 and int(n) == 6
    x, n = f(np.float32(300), np.float32(100))  # zero iterations
    assert float(x) == 300.0 and int(n) == 0


def test_while_loop_newton_sqrt():
    def newton_sqrt(a):
        def body(c):
            x, _ = c
            return 0.5 * (x + a / x), x

        return lax.while_loop(lambda c: cnp.max(cnp.abs(c[0] - c[1])) > 1e-12, body, (a, a + 1.0))[0]

    a = np.array([2.0, 9.0, 0.25, 1e4])
    assert_matches(cotan.jit(newton_sqrt)(a), np.sqrt(a))


def test_while_loop_boolean_carry():
    f = cotan.jit(lambda n: lax.while_loop(lambda c: c[1] < n, lambda c: (~c[0], c[1] + 1),
                                           (cnp.asarray(False), 0))[0])
    assert bool(f(3)) and not bool(f(4))


def test_while_loop_weak_init_promotes():
    x = np.arange(4, dtype=np.float32)
    f = cotan.jit(lambda x: lax.while_loop(lambda c: c[1] < 3, lambda c: (c[0] + x.sum(), c[1] + 1), (0, 0)))
    total, n = f(x)
    assert total.dtype == np.float32 and int(n) == 3
    assert_matches(total, np.float32(3 * x.sum()))


@pytest.mark.parametrize("lower,upper", [(0, 10), (3, 7), (5, 5), (5, 2)])
def test_fori_loop_static_bounds(lower, upper):
    xs = rng.standard_normal(10).astype(np.float32)
    f = cotan.jit(lambda xs: lax.fori_loop(lower, upper, lambda i, acc: acc + xs[i] * i, 0.0))
    expected = sum(float(xs[i]) * i for i in range(lower, upper))
    assert_matches(f(xs), np.float32(expected))


def test_fori_loop_traced_bounds():
    f = cotan.jit(lambda lo, hi: lax.fori_loop(lo, hi, lambda i, acc: acc + i, 0))
    assert int(f(2, 6)) == 2 + 3 + 4 + 5
    assert int(f(6, 2)) == 0


def test_fori_loop_eager():
    assert int(lax.fori_loop(0, 5, lambda i, v: v * 2, 1)) == 32
    assert int(lax.while_loop(lambda c: c < 10, lambda c: c + 3, 0)) == 12


# -- scan --------------------------------------------------------------------


def _reference_scan(f, init, xs, reverse=False):
    carry, ys = init, [None] * len(xs)
    order = range(len(xs) - 1, -1, -1) if reverse else range(len(xs))
    for i in order:
        carry, ys[i] = f(carry, xs[i])
    return carry, np.stack(ys) if ys else None


@pytest.mark.parametrize("reverse", [False, True])
def test_scan_cumulative(reverse):
    xs = rng.standard_normal((7, 3)).astype(np.float32)
    w = rng.standard_normal(3).astype(np.float32)

    def step(c, x):
        y = c * 0.5 + x * w
        return c + y.sum(), y

    carry, ys = cotan.jit(lambda xs: lax.scan(step, np.float32(0), xs, reverse=reverse))(xs)
    ref_c, ref_ys = _reference_scan(lambda c, x: (c + (c * 0.5 + x * w).sum(), c * 0.5 + x * w),
                                    np.float32(0), xs, reverse)
    assert_matches(carry, ref_c)
    assert_matches(ys, ref_ys)


def test_scan_pytrees_and_no_outputs():
    xs = {"a": np.arange(5, dtype=np.float64), "b": np.ones((5, 2), np.int32)}

    def step(c, x):
        return {"s": c["s"] + x["a"], "n": c["n"] + x["b"].sum()}, None

    carry, ys = cotan.jit(lambda xs: lax.scan(step, {"s": 0.0, "n": 0}, xs))(xs)
    assert ys is None
    assert float(carry["s"]) == 10.0 and int(carry["n"]) == 10


def test_scan_length_without_xs_and_zero_length():
    f = cotan.jit(lambda c: lax.scan(lambda c, _: (c * 2, c), c, length=4))
    carry, ys = f(np.float32(1))
    assert float(carry) == 16.0
    assert_matches(ys, np.float32([1, 2, 4, 8]))
    g = cotan.jit(lambda c, xs: lax.scan(lambda c, x: (c + x, x * 2), c, xs))
    carry, ys = g(np.float32([3, 4]), np.zeros((0, 2), np.float32))
    assert_matches(carry, np.float32([3, 4]))
    assert ys.shape == (0, 2)


def test_scan_matrix_carry_rnn():
    h0 = rng.standard_normal(4)
    W = rng.standard_normal((4, 4)) * 0.3
    xs = rng.standard_normal((6, 4))
    f = cotan.jit(lambda h, xs: lax.scan(lambda h, x: (cnp.tanh(W @ h + x), h.sum()), h, xs))
    ref_h, ref_ys = _reference_scan(lambda h, x: (np.tanh(W @ h + x), h.sum()), h0, xs)
    h, ys = f(h0, xs)
    assert_matches(h, ref_h)
    assert_matches(ys, ref_ys)


def test_scan_eager_and_cached():
    def step(c, x):
        return c + x, c

    xs = np.arange(4, dtype=np.float32)
    c1, _ = lax.scan(step, 0.0, xs)
    c2, ys = lax.scan(step, 0.0, xs)
    assert float(c1) == float(c2) == 6.0
    assert_matches(ys, np.float32([0, 0, 1, 3]))


def test_nested_loops():
    @cotan.jit
    def f(xs):
        def outer(c, row):
            inner = lax.fori_loop(0, row.shape[0], lambda j, acc: acc + row[j] * j, 0.0)
            return c + lax.cond(inner > 0, lambda: inner, lambda: -inner), inner

        return lax.scan(outer, 0.0, xs)

    xs = rng.standard_normal((5, 3)).astype(np.float32)
    inner = np.array([sum(r[j] * j for j in range(3)) for r in xs], np.float32)
    carry, ys = f(xs)
    assert_matches(ys, inner)
    assert_matches(carry, np.abs(inner).sum())


def test_scan_compile_time_independent_of_length():
    import time

    def run(n):
        f = cotan.jit(lambda c: lax.scan(lambda c, _: (c * 1.0001 + 1.0, c), c, length=n))
        start = time.perf_counter()
        f.lower(np.float32(0)).compile()
        return time.perf_counter() - start

    short, long = run(10), run(1000)
    assert long < short * 3 + 0.5
    text = cotan.jit(lambda c: lax.scan(lambda c, _: (c + 1.0, c), c, length=1000)).lower(
        np.float32(0)).as_text("cotan")
    assert text.count("cotan.add") == 1


# -- errors ------------------------------------------------------------------


def test_python_if_on_traced_value_points_to_cond():
    def f(x):
        if x > 0:
            return x
        return -x

    with pytest.raises(cotan.ConcretizationError, match=HERE + r".*cotan.lax.cond"):
        cotan.jit(f)(1.0)


def test_cond_branch_mismatch_errors():
    f = cotan.jit(lambda p, x: lax.cond(p, lambda v: v, lambda v: v[:2], x))
    with pytest.raises(TypeError, match=HERE + r": cond: true_fun returns shape \(3,\) at output but false_fun returns shape \(2,\)"):
        f(True, np.ones(3, np.float32))
    g = cotan.jit(lambda p, x: lax.cond(p, lambda v: v, lambda v: v.astype(np.int32), x))
    with pytest.raises(TypeError, match=HERE + r": cond: branches return different dtypes at output \(false_fun: int32, true_fun: float32\)"):
        g(True, np.ones(3, np.float32))
    h = cotan.jit(lambda p, x: lax.cond(p, lambda v: (v, v), lambda v: v, x))
    with pytest.raises(TypeError, match=HERE + ": cond: true_fun returns structure"):
        h(True, np.ones(3, np.float32))


def test_cond_predicate_errors():
    f = cotan.jit(lambda x: lax.cond(x > 0, lambda: 1.0, lambda: 2.0))
    with pytest.raises(TypeError, match=HERE + r": the cond predicate must be a scalar, got shape \(3,\)"):
        f(np.ones(3, np.float32))
    g = cotan.jit(lambda i: lax.switch(i, [lambda: 1.0]))
    with pytest.raises(TypeError, match=HERE + r": the switch index must be an integer scalar, got float32\[\]"):
        g(np.float32(1))
    with pytest.raises(ValueError, match=HERE + ": switch needs at least one branch"):
        lax.switch(0, [])


def test_while_loop_errors():
    f = cotan.jit(lambda x: lax.while_loop(lambda c: c, lambda c: c + 1, x))
    with pytest.raises(TypeError, match=HERE + r": cond_fun must return a boolean scalar, got float32\[\]"):
        f(np.float32(1))
    g = cotan.jit(lambda x: lax.while_loop(lambda c: c.sum() < 3, lambda c: cnp.concatenate([c, c]), x))
    with pytest.raises(TypeError, match=HERE + r": body_fun returns a carry of shape \(4,\) at carry, but the initial value has shape \(2,\)"):
        g(np.ones(2, np.float32))
    h = cotan.jit(lambda x: lax.while_loop(lambda c: c < 3, lambda c: (c + 1).astype(np.int32), x))
    with pytest.raises(TypeError, match=HERE + r": body_fun returns a carry of dtype int32 at carry, but the initial value has dtype float32"):
        h(np.float32(1))
    k = cotan.jit(lambda x: lax.while_loop(lambda c: c[0] < 3, lambda c: c[0], (x, x)))
    with pytest.raises(TypeError, match=HERE + ": the output of body_fun has structure"):
        k(np.float32(1))


def test_scan_errors():
    f = cotan.jit(lambda xs: lax.scan(lambda c, x: c + x, 0.0, xs))
    with pytest.raises(TypeError, match=HERE + r": the scan body must return a pair \(carry, y\)"):
        f(np.ones(3, np.float32))
    with pytest.raises(ValueError, match=HERE + r": scan: xs leading axes and length disagree: \[3, 4\]"):
        lax.scan(lambda c, x: (c, x), 0.0, np.ones(3), length=4)
    with pytest.raises(ValueError, match=HERE + ": scan needs xs or length"):
        lax.scan(lambda c, x: (c, x), 0.0)
    with pytest.raises(TypeError, match=HERE + r": scan: xs\[1\] is a scalar"):
        lax.scan(lambda c, x: (c, x), 0.0, [np.ones(3), 1.0])
    g = cotan.jit(lambda xs: lax.scan(lambda c, x: (c * x, x), np.float32(1), xs))
    with pytest.raises(TypeError, match=HERE + r": the scan body returns a carry of shape \(2,\) at carry"):
        g(np.ones((3, 2), np.float32))


@pytest.mark.skipif(not __import__("os").path.exists("/proc/self/status"), reason="needs Linux /proc")
def test_loop_carries_are_freed():
    # Each step computes its next carry (64 KiB) in a new buffer; a leak
    # would grow by 64 MiB per call.
    def resident_mib():
        with open("/proc/self/status") as status:
            return int(next(l for l in status if l.startswith("VmRSS:")).split()[1]) / 1024

    w = (rng.standard_normal((128, 128)) / 12).astype(np.float32)
    f = cotan.jit(lambda h: lax.scan(lambda h, _: (cnp.tanh(h @ w), None), h, length=1000)[0])
    g = cotan.jit(lambda h: lax.while_loop(lambda c: c[1] < 1000, lambda c: (cnp.tanh(c[0] @ w), c[1] + 1), (h, 0))[0])
    h = np.ones((128, 128), np.float32)
    for fn in (f, g):
        fn(h)
        before = resident_mib()
        for _ in range(5):
            fn(h)
        assert resident_mib() - before < 32
