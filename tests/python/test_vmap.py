"""vmap against stacking per-example results, for every op family, with
in_axes 0, 1, -1 and None mixes; nesting; composition with grad and jit."""

from __future__ import annotations

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp


def rand(rng, shape):
    return rng.uniform(-2.0, 2.0, size=shape)


def loop(f, args, in_axes):
    """f applied per example and stacked along 0 (the reference)."""
    size = next(np.shape(a)[ax] for a, ax in zip(args, in_axes) if ax is not None)
    outs = []
    for i in range(size):
        sliced = [a if ax is None else np.take(a, i, axis=ax) for a, ax in zip(args, in_axes)]
        outs.append(np.asarray(f(*sliced)))
    return np.stack(outs)


# name, function, per-example shapes of its arguments
CASES = [
    ("tanh", cnp.tanh, [(3, 4)]),
    ("add_broadcast", lambda a, b: a + b, [(3, 4), (4,)]),
    ("where", lambda a, b: cnp.where(a > b, a, b * 2), [(3, 4), (3, 4)]),
    ("astype", lambda a: cnp.astype(a > 0, cnp.float32) * a, [(5,)]),
    ("sum", lambda a: cnp.sum(a, axis=1), [(3, 4)]),
    ("max_keepdims", lambda a: cnp.max(a, axis=0, keepdims=True), [(3, 4)]),
    ("argmax", lambda a: cnp.argmax(a, axis=-1), [(3, 4)]),
    ("softmax", cotan.nn.softmax, [(3, 4)]),
    ("matmul", lambda a, b: a @ b, [(3, 4), (4, 2)]),
    ("matvec", lambda a, b: a @ b, [(3, 4), (4,)]),
    ("einsum", lambda a, b: cnp.einsum("ij,kj->ik", a, b), [(3, 4), (2, 4)]),
    ("reshape_transpose", lambda a: cnp.reshape(a, (2, 6)).T, [(3, 4)]),
    ("slice_reverse", lambda a: a[1:, ::-2], [(3, 4)]),
    ("concatenate", lambda a, b: cnp.concatenate([a, b], axis=0), [(3, 4), (2, 4)]),
    ("stack_split", lambda a: cnp.stack(cnp.split(a, 2, axis=1)), [(3, 4)]),
    ("pad", lambda a: cnp.pad(a, 1), [(3, 4)]),
    ("take", lambda a, i: cnp.take(a, i, axis=0), [(5, 2), None]),
    ("dynamic_index", lambda a, i: a[i], [(5, 2), ()]),
    ("log_softmax_loss", lambda w, x: cnp.mean(cotan.nn.log_softmax(x @ w)), [(4, 3), (2, 4)]),
]


def make_args(rng, shapes, batch, in_axes):
    args = []
    for shape, axis in zip(shapes, in_axes):
        if shape is None:  # integer indices
            base = rng.integers(0, 5, size=(3,)).astype(np.int32)
            args.append(base if axis is None else np.stack([rng.integers(0, 5, size=(3,)).astype(np.int32) for _ in range(batch)], axis=axis))
        elif shape == ():  # a scalar index
            args.append(np.int32(2) if axis is None else rng.integers(0, 5, size=(batch,)).astype(np.int32))
        else:
            full = rand(rng, shape if axis is None else shape[:axis % (len(shape) + 1)] + (batch,) + shape[axis % (len(shape) + 1):])
            args.append(full)
    return args


@pytest.mark.parametrize("axes_choice", ["all0", "all1", "last", "mixed_none"])
@pytest.mark.parametrize("name,fn,shapes", CASES, ids=[c[0] for c in CASES])
def test_vmap_matches_loop(name, fn, shapes, axes_choice, rng):
    n = len(shapes)
    in_axes = {
        "all0": (0,) * n,
        "all1": tuple(1 if s not in (None, ()) else 0 for s in shapes),
        "last": tuple(-1 for _ in shapes),
        "mixed_none": (0,) + (None,) * (n - 1) if n > 1 else (0,),
    }[axes_choice]
    args = make_args(rng, shapes, 3, in_axes)
    expected = loop(fn, args, in_axes)
    got = cotan.vmap(fn, in_axes=in_axes)(*args)
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-12, atol=1e-12)


def test_seed_example():
    a = np.ones((100, 300), np.float32)
    z = np.random.default_rng(0).random((10, 300)).astype(np.float32)
    out = cotan.vmap(lambda v: cnp.dot(a, v))(z)
    assert out.shape == (10, 100)
    np.testing.assert_allclose(np.asarray(out), (a @ z.T).T, rtol=1e-5)


def test_out_axes_nested_and_jit(rng):
    x = rand(rng, (2, 3, 4))
    f = lambda u: u * 2 + cnp.sum(u)
    nested = cotan.vmap(cotan.vmap(f))(x)
    expected = np.stack([np.stack([f(x[i, j]) for j in range(3)]) for i in range(2)])
    np.testing.assert_allclose(np.asarray(nested), expected, rtol=1e-12)
    out = cotan.jit(cotan.vmap(lambda u: u[::-1], in_axes=1, out_axes=1))(x)
    np.testing.assert_allclose(np.asarray(out), np.stack([x[:, i][::-1] for i in range(3)], axis=1))
    pair = cotan.vmap(lambda u: (u.sum(), u * 2), out_axes=(0, 1))(x)
    np.testing.assert_allclose(np.asarray(pair[0]), x.sum(axis=(1, 2)))
    np.testing.assert_allclose(np.asarray(pair[1]), np.moveaxis(x * 2, 0, 1))


def test_pytree_in_axes(rng):
    params = {"w": rand(rng, (3,)), "b": rand(rng, ())}
    xs = rand(rng, (5, 3))
    f = lambda p, x: cnp.dot(p["w"], x) + p["b"]
    got = cotan.vmap(f, in_axes=({"w": None, "b": None}, 0))(params, xs)
    np.testing.assert_allclose(np.asarray(got), xs @ params["w"] + params["b"], rtol=1e-12)


def test_per_example_gradients_and_grad_of_vmap(rng):
    w = rand(rng, (3,))
    xs, ys = rand(rng, (6, 3)), rand(rng, (6,))
    loss = lambda w, x, y: (cnp.tanh(cnp.dot(x, w)) - y) ** 2
    per_example = cotan.vmap(cotan.grad(loss), in_axes=(None, 0, 0))(w, xs, ys)
    expected = loop(lambda x, y: cotan.grad(loss)(w, x, y), [xs, ys], (0, 0))
    np.testing.assert_allclose(np.asarray(per_example), expected, rtol=1e-12)
    total = cotan.grad(lambda w: cnp.sum(cotan.vmap(loss, in_axes=(None, 0, 0))(w, xs, ys)))(w)
    np.testing.assert_allclose(np.asarray(total), expected.sum(0), rtol=1e-12)
    jitted = cotan.jit(cotan.vmap(cotan.grad(loss), in_axes=(None, 0, 0)))(w, xs, ys)
    np.testing.assert_allclose(np.asarray(jitted), expected, rtol=1e-12)


def test_vmap_errors(rng):
    x, y = rand(rng, (3, 2)), rand(rng, (4, 2))
    with pytest.raises(ValueError, match=r"test_vmap.py:\d+: vmap got inconsistent batch sizes for `<lambda>`: "
                                         r"args\[0\] has 3 along axis 0, args\[1\]\['w'\] has 4 along axis 0"):
        cotan.vmap(lambda a, b: a + b["w"])(x, {"w": y})
    with pytest.raises(ValueError, match=r"vmap in_axes 2 is out of range for args\[0\] of `<lambda>` with shape \(3, 2\)"):
        cotan.vmap(lambda a: a, in_axes=2)(x)
    with pytest.raises(ValueError, match="one entry per argument"):
        cotan.vmap(lambda a, b: a, in_axes=(0,))(x, x)
    with pytest.raises(ValueError, match="needs at least one batched argument"):
        cotan.vmap(lambda a: a, in_axes=None)(x)


UNARY_OPS = ["negative", "abs", "sign", "exp", "log1p", "expm1", "tanh", "sin", "cos", "floor",
             "ceil", "sqrt", "square", "logical_not", "isnan", "isfinite"]
BINARY_OPS = ["add", "subtract", "multiply", "true_divide", "floor_divide", "remainder", "fmod", "power",
              "maximum", "minimum", "arctan2", "logaddexp", "equal", "not_equal", "less", "less_equal",
              "greater", "greater_equal", "logical_and", "logical_or", "logical_xor"]
OTHER_OPS = [
    ("rsqrt", lambda a: cotan.lax.rsqrt(cnp.abs(a) + 1.0)),
    ("sigmoid", cotan.nn.sigmoid),
    ("prod", lambda a: cnp.prod(a, axis=0)),
    ("min_argmin", lambda a: cnp.min(a, axis=1) + cnp.argmin(a, axis=1)),
    ("var_std", lambda a: cnp.var(a, axis=0) + cnp.std(a)),
    ("any_all", lambda a: cnp.any(a > 1, axis=1) & cnp.all(a > -1.5, axis=1)),
    ("iota", lambda a: a + cnp.arange(4)),
    ("pad_interior", lambda a: cotan.lax.pad(a, cnp.asarray(0.5, cnp.float64), low=(1, 0), high=(0, 2), interior=(1, 1))),
    ("dynamic_update_slice", lambda a: cotan.lax.dynamic_update_slice(a, a[:1, :2] * 2, [cnp.asarray(1), cnp.asarray(1)])),
    ("clip_bool_int", lambda a: cnp.clip(a, -1, 1) * cnp.astype(a > 0, cnp.int32)),
    ("bitwise", lambda a: cnp.bitwise_xor(cnp.astype(a * 3, cnp.int32), 5)),
    ("stop_gradient", cotan.stop_gradient),
]


@pytest.mark.parametrize("name", UNARY_OPS)
def test_unary_ops(name, rng):
    x = rand(rng, (3, 2, 4)) + (2.5 if name == "sqrt" else 0.0)
    fn = getattr(cnp, name)
    for axis in (0, 1, -1):
        np.testing.assert_allclose(np.asarray(cotan.vmap(fn, in_axes=axis)(x)), loop(fn, [x], (axis,)), rtol=1e-12)


@pytest.mark.parametrize("name", BINARY_OPS)
def test_binary_ops(name, rng):
    x = rand(rng, (3, 4)) + (3.0 if name == "power" else 0.0)
    y = rand(rng, (4,))
    y = np.where(np.abs(y) < 0.3, 1.0, y)
    fn = getattr(cnp, name)
    np.testing.assert_allclose(np.asarray(cotan.vmap(fn, in_axes=(0, None))(x, y)), loop(fn, [x, y], (0, None)), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(cotan.vmap(fn, in_axes=(1, 0))(x, np.stack([y[:3]] * 4))),
                               loop(fn, [x, np.stack([y[:3]] * 4)], (1, 0)), rtol=1e-12)


@pytest.mark.parametrize("name,fn", OTHER_OPS, ids=[o[0] for o in OTHER_OPS])
def test_other_ops(name, fn, rng):
    x = rand(rng, (3, 3, 4))
    np.testing.assert_allclose(np.asarray(cotan.vmap(fn)(x)), loop(fn, [x], (0,)), rtol=1e-12)


def test_dynamic_slices_with_per_example_starts(rng):
    x = rand(rng, (4, 6, 5))
    starts = np.array([[0, 1], [3, 4], [5, 0], [2, 2]], np.int32)  # some clamp
    f = lambda a, s: cotan.lax.dynamic_slice(a, [s[0], s[1]], slice_sizes=(2, 3))
    expected = np.stack([x[i][min(starts[i, 0], 4):min(starts[i, 0], 4) + 2, min(starts[i, 1], 2):min(starts[i, 1], 2) + 3]
                         for i in range(4)])
    np.testing.assert_allclose(np.asarray(cotan.vmap(f)(x, starts)), expected)
    shared = cotan.vmap(f, in_axes=(None, 0))(x[0], starts)
    np.testing.assert_allclose(np.asarray(shared), np.stack([x[0][min(s0, 4):min(s0, 4) + 2, min(s1, 2):min(s1, 2) + 3]
                                                             for s0, s1 in starts]))
    g = lambda a, u, s: cotan.lax.dynamic_update_slice(a, u, [s])
    out = cotan.vmap(g, in_axes=(None, None, 0))(np.zeros(5), np.ones(2), np.array([0, 3], np.int32))
    np.testing.assert_allclose(np.asarray(out), [[1, 1, 0, 0, 0], [0, 0, 0, 1, 1]])
