"""Derivatives of every differentiable op against central finite
differences in float64 (forward and reverse mode), composition, and
errors."""

from __future__ import annotations

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp
from cotan.testing import check_grads


def rand(rng, shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, size=shape)


def positive(rng, shape):
    return rand(rng, shape, 0.5, 2.0)


# name, function, argument makers
UNARY = [
    ("neg", cnp.negative, rand), ("abs", cnp.abs, rand), ("exp", cnp.exp, rand),
    ("log", cnp.log, positive), ("log1p", cnp.log1p, positive), ("expm1", cnp.expm1, rand),
    ("tanh", cnp.tanh, rand), ("sigmoid", cotan.nn.sigmoid, rand), ("sqrt", cnp.sqrt, positive),
    ("rsqrt", cotan.lax.rsqrt, positive), ("sin", cnp.sin, rand), ("cos", cnp.cos, rand),
    ("square", cnp.square, rand), ("reciprocal", cnp.reciprocal, positive),
    ("relu", cotan.nn.relu, rand), ("softplus", cotan.nn.softplus, rand),
]


@pytest.mark.parametrize("shape", [(), (4,), (2, 3)], ids=str)
@pytest.mark.parametrize("name,fn,make", UNARY, ids=[u[0] for u in UNARY])
def test_unary(name, fn, make, shape, rng):
    check_grads(fn, (make(rng, shape),))


BINARY = [
    ("add", cnp.add, rand, rand), ("subtract", cnp.subtract, rand, rand),
    ("multiply", cnp.multiply, rand, rand), ("divide", cnp.true_divide, rand, positive),
    ("power", cnp.power, positive, rand), ("maximum", cnp.maximum, rand, rand),
    ("minimum", cnp.minimum, rand, rand), ("arctan2", cnp.arctan2, rand, positive),
    ("fmod", cnp.fmod, rand, positive), ("logaddexp", cnp.logaddexp, rand, rand),
    ("where", lambda a, b: cnp.where(a > b, a * b, a - b), rand, rand),
]


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((2, 3), (3,)), ((3, 1), (1, 4)), ((), (2, 2))], ids=str)
@pytest.mark.parametrize("name,fn,make_x,make_y", BINARY, ids=[b[0] for b in BINARY])
def test_binary_with_broadcasting(name, fn, make_x, make_y, shapes, rng):
    check_grads(fn, (make_x(rng, shapes[0]), make_y(rng, shapes[1])))


SHAPE_OPS = [
    ("reshape", lambda x: cnp.reshape(x, (6, 4))),
    ("transpose", lambda x: cnp.transpose(x, (2, 0, 1))),
    ("broadcast", lambda x: cnp.broadcast_to(x[:, :1, :], (5, 2, 3, 4))),
    ("slice", lambda x: x[1:, ::2, 1:3]),
    ("reverse", lambda x: x[::-1, :, ::-2]),
    ("concatenate", lambda x: cnp.concatenate([x, 2 * x[:, :1]], axis=1)),
    ("stack_split", lambda x: cnp.stack(cnp.split(x, 2, axis=2), axis=0)),
    ("pad", lambda x: cnp.pad(x, ((1, 0), (0, 2), (1, 1)))),
    ("pad_interior", lambda x: cotan.lax.pad(x, cnp.asarray(0.5, cnp.float64), low=(0, 1, 0), high=(1, 0, 0), interior=(1, 0, 2))),
    ("take", lambda x: cnp.take(x, np.array([[2, 0], [1, 1]]), axis=1)),
    ("gather_index", lambda x: x[np.array([1, 0, 1]), :, 2]),
    ("expand_squeeze", lambda x: cnp.squeeze(cnp.expand_dims(x, 0), 0)),
    ("dynamic_slice", lambda x: cotan.lax.dynamic_slice(x, [cnp.asarray(1), cnp.asarray(0), cnp.asarray(2)], slice_sizes=(1, 2, 2))),
    ("dynamic_update_slice", lambda x: cotan.lax.dynamic_update_slice(x, x[:1, :2, :2] * 3, [cnp.asarray(1), cnp.asarray(1), cnp.asarray(1)])),
    ("convert", lambda x: cnp.astype(cnp.astype(x, cnp.float32), cnp.float64)),
]


@pytest.mark.parametrize("name,fn", SHAPE_OPS, ids=[s[0] for s in SHAPE_OPS])
def test_shape_ops(name, fn, rng):
    if name == "convert":  # float32 rounding needs a larger difference step
        check_grads(fn, (rand(rng, (2, 3, 4)),), eps=1e-3, rtol=1e-3, atol=1e-4)
    else:
        check_grads(fn, (rand(rng, (2, 3, 4)),))


REDUCTIONS = [
    ("sum", lambda x: cnp.sum(x, axis=1)), ("sum_all", cnp.sum), ("mean", lambda x: cnp.mean(x, axis=(0, 2))),
    ("prod", lambda x: cnp.prod(x, axis=0)), ("max", lambda x: cnp.max(x, axis=2)),
    ("min", lambda x: cnp.min(x, axis=(0, 1), keepdims=True)), ("var", lambda x: cnp.var(x, axis=1)),
    ("std", cnp.std), ("logsumexp", lambda x: cotan.nn.logsumexp(x, axis=1)),
    ("softmax", lambda x: cotan.nn.softmax(x, axis=-1)), ("log_softmax", cotan.nn.log_softmax),
]


@pytest.mark.parametrize("name,fn", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
def test_reductions(name, fn, rng):
    check_grads(fn, (positive(rng, (2, 3, 4)) if name == "prod" else rand(rng, (2, 3, 4)),))


def test_max_ties_share_the_gradient():
    x = np.array([1.0, 3.0, 3.0, 2.0])
    np.testing.assert_allclose(np.asarray(cotan.grad(cnp.max)(x)), [0, 0.5, 0.5, 0])
    np.testing.assert_allclose(np.asarray(cotan.grad(lambda v: cnp.sum(cnp.maximum(v, 3.0)))(x)), [0, 0.5, 0.5, 0])


CONTRACTIONS = [
    ("matmul", lambda a, b: a @ b, (3, 4), (4, 5)),
    ("matvec", lambda a, b: a @ b, (3, 4), (4,)),
    ("batched", lambda a, b: cnp.matmul(a, b), (2, 3, 4), (2, 4, 5)),
    ("broadcast_batch", lambda a, b: cnp.matmul(a, b), (2, 1, 3, 4), (5, 4, 2)),
    ("einsum_attention", lambda a, b: cnp.einsum("bqd,bkd->bqk", a, b), (2, 3, 4), (2, 5, 4)),
    ("einsum_permuted", lambda a, b: cnp.einsum("ijk,kji->j", a, b), (2, 3, 4), (4, 3, 2)),
    ("tensordot", lambda a, b: cnp.tensordot(a, b, ((0, 2), (2, 0))), (2, 3, 4), (4, 5, 2)),
]


@pytest.mark.parametrize("name,fn,sa,sb", CONTRACTIONS, ids=[c[0] for c in CONTRACTIONS])
def test_contractions(name, fn, sa, sb, rng):
    check_grads(fn, (rand(rng, sa), rand(rng, sb)))


def test_mlp_loss_with_pytree_params(rng):
    params = {"w1": rand(rng, (3, 5)), "b1": rand(rng, (5,)), "w2": rand(rng, (5, 2))}
    x = rand(rng, (4, 3))

    def loss(p, inputs):
        h = cnp.tanh(inputs @ p["w1"] + p["b1"])
        return cnp.mean(cotan.nn.log_softmax(h @ p["w2"])[:, 0])

    check_grads(lambda p: loss(p, x), (params,))
    grads = cotan.grad(loss)(params, x)
    assert set(grads) == {"w1", "b1", "w2"} and grads["w1"].shape == (3, 5)


def test_fan_out_and_unused_inputs(rng):
    x = rand(rng, (3,))
    f = lambda a, b, unused: cnp.sum(a * a + cnp.sin(a) * b + a)
    gx, gb, gu = cotan.grad(f, argnums=(0, 1, 2))(x, x, x)
    np.testing.assert_allclose(np.asarray(gx), 2 * x + np.cos(x) * x + 1, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(gb), np.sin(x), rtol=1e-12)
    np.testing.assert_array_equal(np.asarray(gu), np.zeros(3))


def test_closures_over_traced_values(rng):
    x = rand(rng, (4,))
    w = rand(rng, (4,))

    @cotan.jit
    def outer(x, w):
        return cotan.grad(lambda v: cnp.sum(cnp.tanh(v * w)))(x)

    np.testing.assert_allclose(np.asarray(outer(x, w)), (1 - np.tanh(x * w) ** 2) * w, rtol=1e-12)


def test_composition_orders(rng):
    f = lambda x: cnp.sum(cnp.sin(x) * x ** 2)
    x = rand(rng, (3,))
    d1 = lambda v: np.cos(v) * v**2 + 2 * v * np.sin(v)
    d2 = lambda v: -np.sin(v) * v**2 + 4 * v * np.cos(v) + 2 * np.sin(v)
    np.testing.assert_allclose(np.asarray(cotan.grad(f)(x)), d1(x), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(cotan.jit(cotan.grad(f))(x)), d1(x), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(cotan.grad(cotan.jit(f))(x)), d1(x), rtol=1e-12)
    hess_diag = cotan.grad(lambda v: cnp.sum(cotan.grad(f)(v)))(x)  # sum of Hessian rows = diagonal here
    np.testing.assert_allclose(np.asarray(hess_diag), d2(x), rtol=1e-10)
    scalar = lambda s: cnp.sin(s) * s**2
    np.testing.assert_allclose(float(cotan.grad(cotan.grad(cotan.grad(scalar)))(0.7)),
                               -np.cos(0.7) * 0.49 - 6 * 0.7 * np.sin(0.7) + 6 * np.cos(0.7), rtol=1e-4)
    # Forward over reverse and reverse over forward.
    v = rand(rng, (3,))
    _, fwd_over_rev = cotan.jvp(cotan.grad(f), (x,), (v,))
    np.testing.assert_allclose(np.asarray(fwd_over_rev), d2(x) * v, rtol=1e-10)
    rev_over_fwd = cotan.grad(lambda p: cotan.jvp(f, (p,), (v,))[1])(x)
    np.testing.assert_allclose(np.asarray(rev_over_fwd), d2(x) * v, rtol=1e-10)
    check_grads(cotan.grad(f), (x,))


def test_value_and_grad_has_aux_and_vjp(rng):
    x = rand(rng, (3,))
    (value, aux), g = cotan.value_and_grad(lambda v: (cnp.sum(v**2), v * 2), has_aux=True)(x)
    np.testing.assert_allclose(float(value), np.sum(x**2))
    np.testing.assert_allclose(np.asarray(aux), 2 * x)
    np.testing.assert_allclose(np.asarray(g), 2 * x)
    out, pullback = cotan.vjp(lambda a, b: (a * b, cnp.sum(a)), x, 2 * x)
    ga, gb = pullback((np.ones(3), 1.0))
    np.testing.assert_allclose(np.asarray(ga), 2 * x + 1)
    np.testing.assert_allclose(np.asarray(gb), x)


def test_gradient_of_single_precision_and_no_retrace(rng):
    x = rand(rng, (5,)).astype(np.float32)
    g = cotan.grad(lambda v: cnp.sum(cnp.exp(v)))
    assert g(x).dtype == np.float32
    np.testing.assert_allclose(np.asarray(g(x)), np.exp(x), rtol=1e-6)
    g(x + 1)


def test_errors():
    x = np.arange(3.0)
    with pytest.raises(TypeError, match=r"test_autodiff.py:\d+: grad requires `<lambda>` to return a scalar, got shape \(3,\)"):
        cotan.grad(lambda v: v * 2)(x)
    with pytest.raises(TypeError, match="argument 0 of `<lambda>` must have a float dtype to be differentiated, got int32"):
        cotan.grad(lambda v: cnp.sum(v * 2.0))(np.arange(3, dtype=np.int32))
    with pytest.raises(ValueError, match="argnums 2 is out of range"):
        cotan.grad(lambda v: cnp.sum(v), argnums=2)(x)
    with pytest.raises(ValueError, match="jvp got 1 primals but 2 tangents"):
        cotan.jvp(cnp.sin, (x,), (x, x))
    with pytest.raises(ValueError, match="tangent shape"):
        cotan.jvp(cnp.sin, (x,), (np.ones(4),))
    # Non-differentiable uses give zero gradients, not errors.
    g = cotan.grad(lambda v: cnp.sum(cnp.floor(v) + cnp.sign(v) * 0 + cnp.argmax(v)))(x)
    np.testing.assert_array_equal(np.asarray(g), np.zeros(3))
    # Integer inputs that are not differentiated are fine.
    g = cotan.grad(lambda v, i: cnp.sum(v * i), argnums=0)(x, np.arange(3, dtype=np.int32))
    np.testing.assert_array_equal(np.asarray(g), np.arange(3))


def test_stop_gradient(rng):
    x = rand(rng, (3,))
    g = cotan.grad(lambda v: cnp.sum(v * cotan.stop_gradient(v)))(x)
    np.testing.assert_allclose(np.asarray(g), x, rtol=1e-12)
    tree = cotan.stop_gradient({"a": x, "n": np.arange(2)})
    np.testing.assert_array_equal(np.asarray(tree["a"]), x)


def f_vector(x):
    return cnp.stack([cnp.sum(cnp.sin(x) * x), x[0] * x[1] ** 2, cnp.exp(x[2]) - x[0]])


def jacobian_fd(f, x, eps=1e-6):
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e.flat[j] = eps
        cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * eps))
    return np.stack(cols, axis=-1).reshape(np.shape(f(x)) + x.shape)


@pytest.mark.parametrize("jac", [cotan.jacfwd, cotan.jacrev], ids=["jacfwd", "jacrev"])
def test_jacobians(jac, rng):
    x = rand(rng, (3,))
    np.testing.assert_allclose(np.asarray(jac(f_vector)(x)), jacobian_fd(f_vector, x), rtol=1e-6, atol=1e-8)
    m = rand(rng, (2, 3))
    g = lambda a: cnp.tanh(a @ np.ones((3, 2)))
    np.testing.assert_allclose(np.asarray(jac(g)(m)), jacobian_fd(g, m), rtol=1e-6, atol=1e-8)
    ja, jb = jac(lambda a, b: a * b, argnums=(0, 1))(x, 2 * x)
    np.testing.assert_allclose(np.asarray(ja), np.diag(2 * x))
    np.testing.assert_allclose(np.asarray(jb), np.diag(x))


def test_hessian_and_jacfwd_of_jacrev(rng):
    f = lambda v: cnp.sum(cnp.sin(v) * v[::-1]) + v[0] * v[1] * v[2]
    x = rand(rng, (3,))
    expected = jacobian_fd(cotan.grad(f), x)
    np.testing.assert_allclose(np.asarray(cotan.hessian(f)(x)), expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(np.asarray(cotan.jacfwd(cotan.jacrev(f))(x)), expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(np.asarray(cotan.jacrev(cotan.jacfwd(f))(x)), expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(np.asarray(cotan.jit(cotan.hessian(f))(x)), expected, rtol=1e-6, atol=1e-7)


def test_custom_vjp(rng):
    @cotan.custom_vjp
    def clip_gradient(x):
        return x

    clip_gradient.defvjp(lambda x: (x, None), lambda res, g: (cnp.clip(g, -1.0, 1.0),))
    x = rand(rng, (4,))
    np.testing.assert_array_equal(np.asarray(cotan.grad(lambda v: cnp.sum(clip_gradient(v) * 5.0))(x)), np.ones(4))
    np.testing.assert_array_equal(np.asarray(clip_gradient(x)), x)  # eager call: the primal

    @cotan.custom_vjp
    def f(x, y):
        return cnp.sin(x) * y

    def f_fwd(x, y):
        return f(x, y), {"cos": cnp.cos(x), "sin": cnp.sin(x), "y": y}

    def f_bwd(res, g):
        return (res["cos"] * g * res["y"], res["sin"] * g)

    f.defvjp(f_fwd, f_bwd)
    a, b = rand(rng, (3,)), rand(rng, (3,))
    ga, gb = cotan.grad(lambda u, v: cnp.sum(f(u, v)), argnums=(0, 1))(a, b)
    np.testing.assert_allclose(np.asarray(ga), np.cos(a) * b, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(gb), np.sin(a), rtol=1e-12)
    check_grads(f, (a, b))  # forward mode differentiates f itself
    # Second order goes through the user's backward function.
    h = cotan.grad(lambda u: cnp.sum(cotan.grad(lambda v: cnp.sum(f(v, b)))(u)))(a)
    np.testing.assert_allclose(np.asarray(h), -np.sin(a) * b, rtol=1e-12)


def test_custom_jvp(rng):
    @cotan.custom_jvp
    def log1pexp(x):
        return cnp.log1p(cnp.exp(x))

    calls = []

    @log1pexp.defjvp
    def log1pexp_jvp(primals, tangents):
        calls.append(1)
        (x,), (t,) = primals, tangents
        return log1pexp(x), t * cotan.nn.sigmoid(x)

    x = np.array([0.0, 1.0, 800.0])
    _, t = cotan.jvp(log1pexp, (x,), (np.ones(3),))
    np.testing.assert_allclose(np.asarray(t), 1 / (1 + np.exp(-x)), rtol=1e-12)  # the rule: finite at 800
    assert calls
    g = cotan.grad(lambda v: cnp.sum(log1pexp(v)))(x[:2])  # reverse mode differentiates the function
    np.testing.assert_allclose(np.asarray(g), 1 / (1 + np.exp(-x[:2])), rtol=1e-12)


def test_custom_rule_errors():
    @cotan.custom_vjp
    def f(x):
        return x

    with pytest.raises(TypeError, match=r"test_autodiff.py:\d+: custom_vjp function `f` has no rule"):
        f(np.ones(2))
    f.defvjp(lambda x: x, lambda res, g: (g,))
    with pytest.raises(TypeError, match="the fwd rule of `f` must return \\(output, residuals\\)"):
        cotan.grad(lambda v: cnp.sum(f(v)))(np.ones(2))
