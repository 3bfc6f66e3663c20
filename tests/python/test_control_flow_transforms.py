"""Derivatives of cond, switch, scan, fori_loop and while_loop against
central finite differences (float64), and vmap of each against stacking
per-element results."""

from __future__ import annotations

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp
from cotan import lax
from cotan.testing import check_grads

from conftest import assert_matches

HERE = r"test_control_flow_transforms.py:\d+"


@pytest.fixture
def rng():
    return np.random.default_rng(11)


# -- derivatives ------------------------------------------------------------


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_cond_derivatives(sign, rng):
    def f(p, x, w):
        return lax.cond(p > 0, lambda v: cnp.sin(v) * p + w, lambda v: v ** 3 - p * w, x)

    check_grads(f, (np.float64(1.5 * sign), rng.standard_normal(4), rng.standard_normal(4)))


def test_switch_derivatives_each_branch(rng):
    branches = [lambda x, y: x * y, lambda x, y: cnp.exp(x) + y, lambda x, y: x @ y * x]
    x, y = rng.standard_normal(3), rng.standard_normal(3)
    for i in range(3):
        check_grads(lambda x, y, i=i: lax.switch(i, branches, x, y), (x, y))


@pytest.mark.parametrize("reverse", [False, True])
def test_scan_derivatives(reverse, rng):
    def rnn(params, xs):
        W, b = params

        def step(h, x):
            h = cnp.tanh(W @ h + x + b)
            return h, (h ** 2).sum()

        h, ys = lax.scan(step, cnp.zeros(3, xs.dtype), xs, reverse=reverse)
        return h, ys

    params = (rng.standard_normal((3, 3)) * 0.5, rng.standard_normal(3))
    check_grads(rnn, (params, rng.standard_normal((5, 3))))


def test_scan_pytree_carry_with_integer_counter(rng):
    def f(a, xs):
        def step(c, x):
            s, n, prod = c
            return (s + x * a, n + 1, prod * cnp.cos(x).sum()), s

        (s, n, prod), ys = lax.scan(step, (cnp.zeros(2, xs.dtype), 0, 1.0), xs)
        return s.sum() + prod + ys.sum()

    check_grads(f, (rng.standard_normal(2), rng.standard_normal((4, 2))))


def test_scan_zero_length_gradient():
    f = lambda c, xs: lax.scan(lambda c, x: (c * x, c), c, xs)[0]
    g = cotan.grad(f, argnums=(0, 1))(np.float64(2.0), np.zeros((0,)))
    assert float(g[0]) == 1.0 and g[1].shape == (0,)


def test_fori_loop_static_bounds_derivatives(rng):
    def f(x, A):
        return lax.fori_loop(0, 6, lambda i, v: cnp.sin(A @ v) + v * i, x)

    check_grads(f, (rng.standard_normal(3), rng.standard_normal((3, 3)) * 0.5))


def test_nested_scan_and_cond_derivatives(rng):
    def f(w, xs):
        def outer(c, row):
            def inner(c2, x):
                return lax.cond(x > 0, lambda: c2 * w + x, lambda: c2 - x * w), c2

            c2, _ = lax.scan(inner, c, row)
            return c2, c2 * 2

        c, ys = lax.scan(outer, 1.0, xs)
        return c + ys.sum()

    check_grads(f, (np.float64(0.7), rng.standard_normal((3, 4))))


def test_second_derivative_through_scan():
    def f(x):
        return lax.scan(lambda c, _: (cnp.sin(c) * x, None), x, length=3)[0]

    x = np.float64(0.9)
    d2 = cotan.grad(cotan.grad(f))(x)
    eps = 1e-4
    d1 = lambda x: float(cotan.grad(f)(x))
    assert_matches(d2, np.float64((d1(x + eps) - d1(x - eps)) / (2 * eps)), np.float32)


def test_while_loop_forward_mode(rng):
    def f(x, a):
        def body(c):
            v, n = c
            return v * a + cnp.sin(v), n + 1

        return lax.while_loop(lambda c: c[1] < 4, body, (x, 0))[0]

    check_grads(f, (rng.standard_normal(3), np.float64(0.8)), modes=("fwd",))
    jac = cotan.jacfwd(f)(np.ones(3), 0.8)
    assert jac.shape == (3, 3)


def test_while_loop_reverse_mode_error():
    f = lambda x: lax.while_loop(lambda c: c < 10, lambda c: c * 2, x)
    with pytest.raises(cotan.CompileError, match="cannot be differentiated in reverse mode: its trip count is unbounded") as info:
        cotan.grad(f)(1.0)
    assert "test_control_flow_transforms.py" in str(info.value)
    assert "see current operation" not in str(info.value)


# -- vmap --------------------------------------------------------------------


def _stacked(f, *args):
    outs = [f(*a) for a in zip(*args)]
    return cotan.tree_util.tree_map(lambda *xs: np.stack([np.asarray(x) for x in xs]), *outs)


def _assert_tree_matches(got, want):
    for g, w in zip(cotan.tree_util.tree_leaves(got), cotan.tree_util.tree_leaves(want)):
        assert_matches(g, w)


def test_vmap_cond_batched_predicate(rng):
    f = lambda p, x: lax.cond(p > 0, lambda v: cnp.sin(v) * p, lambda v: v ** 3, x)
    ps, xs = np.array([1.0, -1.0, 2.0, 0.0]), rng.standard_normal((4, 3))
    _assert_tree_matches(cotan.vmap(f)(ps, xs), _stacked(f, ps, xs))
    # An unbatched predicate keeps one switch over batched branches.
    g = cotan.vmap(f, in_axes=(None, 0))
    assert_matches(g(-1.0, xs), xs ** 3)


def test_vmap_switch_batched_index(rng):
    branches = [lambda v: v + 1, lambda v: v * 10, lambda v: -v]
    f = lambda i, x: lax.switch(i, branches, x)
    idx, xs = np.array([-1, 0, 1, 2, 5], np.int32), rng.standard_normal((5, 2))
    _assert_tree_matches(cotan.vmap(f)(idx, xs), _stacked(f, idx, xs))


def test_vmap_while_runs_until_all_done():
    f = lambda lim, x: lax.while_loop(lambda c: c[0] < lim, lambda c: (c[0] * 2.0, c[1] + 1), (x, 0))
    lims, x0 = np.array([10.0, 100.0, 1.0]), np.array([1.0, 3.0, 2.0])
    _assert_tree_matches(cotan.vmap(f)(lims, x0), _stacked(f, lims, x0))
    # Batched only in a loop invariant.
    _assert_tree_matches(cotan.vmap(f, in_axes=(0, None))(lims, 1.0),
                         _stacked(lambda l: f(l, 1.0), lims))


@pytest.mark.parametrize("in_axes", [(0, 0), (None, 0), (0, None)])
def test_vmap_scan(in_axes, rng):
    def f(w, xs):
        def step(c, x):
            c = cnp.tanh(c * w + x)
            return c, (c * 2, x.sum())
        return lax.scan(step, cnp.zeros(2, xs.dtype), xs)

    W, XS = rng.standard_normal((3, 2)), rng.standard_normal((3, 4, 2))
    args = [W if in_axes[0] == 0 else W[0], XS if in_axes[1] == 0 else XS[0]]
    per = [[a[i] if ax == 0 else a for a, ax in zip(args, in_axes)] for i in range(3)]
    _assert_tree_matches(cotan.vmap(f, in_axes=in_axes)(*args), _stacked(f, *zip(*per)))


def test_vmap_of_grad_of_scan(rng):
    def loss(w, xs):
        return lax.scan(lambda c, x: (cnp.tanh(c * w + x), None), 0.5, xs)[0]

    W, XS = rng.standard_normal(3), rng.standard_normal((3, 5))
    g = cotan.grad(loss)
    _assert_tree_matches(cotan.vmap(g)(W, XS), _stacked(g, W, XS))


def test_grad_of_vmap_of_cond(rng):
    def loss(w):
        per = cotan.vmap(lambda x: lax.cond(x > 0, lambda: x * w, lambda: cnp.exp(x * w)))(np.array([1.0, -1.0, 2.0]))
        return per.sum()

    check_grads(loss, (np.float64(0.3),))


def test_vmap_fori_loop_static_and_traced_bounds():
    static = lambda x: lax.fori_loop(0, 3, lambda i, v: v * x, 1.0)
    traced = lambda n, x: lax.fori_loop(0, n, lambda i, v: v * x, 1.0)
    xs, ns = np.array([2.0, 3.0, 4.0]), np.array([1, 2, 3], np.int32)
    _assert_tree_matches(cotan.vmap(static)(xs), _stacked(static, xs))
    _assert_tree_matches(cotan.vmap(traced)(ns, xs), _stacked(traced, ns, xs))


def test_jit_inside_scan_body_differentiates(rng):
    inner = cotan.jit(lambda h, x: cnp.tanh(h * 0.5 + x))
    f = lambda xs: lax.scan(lambda h, x: (inner(h, x), h), 0.0, xs)[0]
    check_grads(f, (rng.standard_normal(4),))
