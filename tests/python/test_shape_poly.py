"""Shape-polymorphic jit: symbolic dimensions, one executable for many
sizes, and the errors for what cannot be polymorphic."""

from __future__ import annotations

import logging

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp
from conftest import assert_matches, random_array
from cotan.shape_poly import DimExpr, InconclusiveDimensionOperation, ShapePolymorphismError, bind, parse, specialize

BATCHES = (1, 7, 32, 256)


# -- symbolic dimension arithmetic and parsing --------------------------------

def test_dim_expr_arithmetic_is_a_polynomial():
    b, c = DimExpr.symbol("b"), DimExpr.symbol("c")
    assert 2 * b == b * 2 and hash(2 * b) == hash(b + b)
    assert (b * 784) // 784 == b and (b * c) // c == b
    assert b - b == 0 and isinstance(b - b, int)
    assert str(b * b + 3 * b - 2) == "b^2 + 3*b - 2"
    assert (b * c + 1).evaluate({"b": 3, "c": 4}) == 13
    assert b >= 1 and b + 1 > b and not b < 1 and b != 1
    with pytest.raises(InconclusiveDimensionOperation, match="depends on the value of b"):
        b > 2
    with pytest.raises(InconclusiveDimensionOperation, match="not divisible"):
        (2 * b + 1) // 2


def test_parse_shapes():
    b = DimExpr.symbol("b")
    assert parse("b, 784") == (b, 784)
    assert parse("(2*b, _, ...)") == (2 * b, None, Ellipsis)
    assert parse("b*c + 1") == (b * DimExpr.symbol("c") + 1,)
    for bad, where in [("b 784", "`784`"), ("b,,", "`,`"), ("(b", "end of text"),
                       ("..., b", "`...` must come last"), ("b, 3.5", "`.`")]:
        with pytest.raises(ShapePolymorphismError, match=f"cannot parse the polymorphic shape .* of x: .*{where}"):
            parse(bad, "x")


def test_bind_solves_symbols_and_checks_them():
    x = specialize(parse("b, 784"), (32, 784), "x")
    y = specialize(parse("b, ..."), (32, 10), "y")
    assert y == (DimExpr.symbol("b"), 10)
    assert bind([x, y], [(32, 784), (32, 10)], ["x", "y"]) == {"b": 32}
    assert bind([specialize(parse("b*c, c"), (12, 3), "w")], [(12, 3)], ["w"]) == {"b": 4, "c": 3}
    with pytest.raises(ShapePolymorphismError, match=r"y dimension 0 has size 31, but b = 32 with b=32 \(from x dimension 0\)"):
        bind([x, y], [(32, 784), (31, 10)], ["x", "y"])
    with pytest.raises(ShapePolymorphismError, match="which 2\\*b cannot equal for an integer b >= 1"):
        bind([(2 * DimExpr.symbol("b"),)], [(7,)], ["z"])


# -- compiling once, running at every size ------------------------------------

def _mlp(x, w1, b1, w2, b2):
    h = cnp.tanh(x @ w1 + b1)
    logits = h @ w2 + b2
    return logits - cnp.max(logits, axis=1, keepdims=True)


def _mlp_reference(x, w1, b1, w2, b2):
    h = np.tanh(x @ w1 + b1)
    logits = h @ w2 + b2
    return logits - logits.max(axis=1, keepdims=True)


def test_mlp_forward_compiles_once_for_every_batch(rng, caplog, monkeypatch):
    monkeypatch.setenv("COTAN_LOG_COMPILES", "1")
    params = [random_array(rng, s, "float32") for s in [(12, 16), (16,), (16, 5), (5,)]]
    f = cotan.jit(_mlp, polymorphic_shapes=("b, 12", None, None, None, None))
    with caplog.at_level(logging.WARNING, logger="cotan"):
        for n in BATCHES + BATCHES[::-1]:  # sizes seen before reuse their solved symbols
            x = random_array(rng, (n, 12), "float32")
            assert_matches(f(x, *params), _mlp_reference(x, *params))
    assert f.trace_count == 1 and f._cache_size() == 1
    assert len([r for r in caplog.records if "compiled `_mlp`" in r.getMessage()]) == 1


def test_symbolic_sizes_as_numbers(rng):
    """mean and var divide by a count read at run time."""
    def stats(x):
        return cnp.mean(x), cnp.mean(x, axis=0), cnp.var(x, axis=0, ddof=1), x.shape[0] * cnp.ones(())

    f = cotan.jit(stats, polymorphic_shapes=("n, 3",))
    for n in (2, 5, 64):
        x = random_array(rng, (n, 3), "float64")
        mean, col_mean, col_var, count = f(x)
        assert_matches(mean, x.mean())
        assert_matches(col_mean, x.mean(axis=0))
        assert_matches(col_var, x.var(axis=0, ddof=1))
        assert float(count) == n
    assert f.trace_count == 1


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "bool"])
def test_elementwise_and_reductions_per_dtype(rng, dtype):
    def f(x, y):
        if dtype == "bool":
            return cnp.logical_and(x, y), cnp.any(x, axis=0), cnp.where(x, 1, 2)
        return x * y + x, cnp.sum(x, axis=1), cnp.maximum(x, y), cnp.argmax(x, axis=1)

    jf = cotan.jit(f, polymorphic_shapes=("b, 3", "b, 3"))
    for n in (1, 4, 9):
        x, y = random_array(rng, (n, 3), dtype), random_array(rng, (n, 3), dtype)
        for got, want in zip(jf(x, y), f(cnp.asarray(x), cnp.asarray(y))):
            assert_matches(got, np.asarray(want))
    assert jf.trace_count == 1


def test_shapes_combining_symbols(rng):
    """Broadcasting against a (b, 1) column, reshapes through products of
    symbols, transposes and a second symbol."""
    def f(x, y):
        centered = x - cnp.mean(x, axis=1, keepdims=True)
        flat = centered.T.reshape(-1)
        outer = x[:, :, None] * y[:, None, :]  # (b, 3, c)
        return centered, flat, outer.reshape(x.shape[0], -1)

    jf = cotan.jit(f, polymorphic_shapes=("b, 3", "b, c"))
    for n, m in [(1, 1), (4, 2), (9, 5)]:
        x, y = random_array(rng, (n, 3), "float32"), random_array(rng, (n, m), "float32")
        centered = x - x.mean(axis=1, keepdims=True)
        want = [centered, centered.T.reshape(-1), (x[:, :, None] * y[:, None, :]).reshape(n, -1)]
        for got, expected in zip(jf(x, y), want):
            assert_matches(got, expected)
    assert jf.trace_count == 1
    text = jf.lower(np.ones((2, 3), np.float32), np.ones((2, 4), np.float32)).as_text()
    assert "tensor<?x3xf32>" in text and "tensor<?x?xf32>" in text


def test_multiple_of_a_symbol_and_static_dims(rng):
    def f(x, z):
        return x.reshape(-1, 2, 4).sum(axis=1), z * 2

    jf = cotan.jit(f, polymorphic_shapes=("2*b, _", "_, b"))
    for b in (1, 3):
        x = random_array(rng, (2 * b, 4), "float32")
        z = random_array(rng, (5, b), "float32")
        got_x, got_z = jf(x, z)
        assert_matches(got_x, x.reshape(-1, 2, 4).sum(axis=1))
        assert_matches(got_z, z * 2)
    assert jf.trace_count == 1
    jf(random_array(rng, (2, 8), "float32"), random_array(rng, (5, 1), "float32"))
    assert jf.trace_count == 2  # `_` dimensions are part of the signature


def test_pytree_arguments_and_donation(rng):
    def step(params, x):
        return {"w": params["w"] - 0.1 * cnp.mean(x, axis=0)}, cnp.sum(x, axis=1)

    jf = cotan.jit(step, polymorphic_shapes=(None, "b, 4"), donate_argnums=0)
    params = {"w": np.zeros(4, np.float32)}
    for n in (3, 8):
        x = random_array(rng, (n, 4), "float32")
        expected = params["w"] - 0.1 * x.mean(axis=0)
        params, sums = jf(params, x)
        assert_matches(params["w"], expected)
        assert_matches(sums, x.sum(axis=1))
    assert jf.trace_count == 1


# -- errors --------------------------------------------------------------------

def test_bad_polymorphic_shapes_name_the_argument(rng):
    def f(x):
        return x

    x = np.ones((4, 3), np.float32)
    with pytest.raises(ShapePolymorphismError, match=r"test_shape_poly.py:\d+: `f`: cannot parse the polymorphic shape 'b 3' of x"):
        cotan.jit(f, polymorphic_shapes=("b 3",))(x)
    with pytest.raises(TypeError, match="one entry per positional argument"):
        cotan.jit(lambda x: x, polymorphic_shapes="b, 3")
    with pytest.raises(ValueError, match="has 2 entries for 1 positional arguments"):
        cotan.jit(lambda x: x, polymorphic_shapes=("b, 3", None))(x)
    with pytest.raises(ShapePolymorphismError, match=r"argument x has shape \(4, 3\), of rank 2, but its polymorphic shape has 3"):
        cotan.jit(f, polymorphic_shapes=("b, 3, 1",))(x)
    with pytest.raises(ShapePolymorphismError, match="argument x dimension 1 has size 3, but its polymorphic shape says 5"):
        cotan.jit(f, polymorphic_shapes=("b, 5",))(x)


def test_dynamic_axes_spelling(rng):
    """dynamic_axes names arguments (by position or name) and their
    symbolic axes; it compiles once like the equivalent shape strings."""
    def f(x, labels, w):
        return cnp.sum(cnp.tanh(x @ w) * labels[:, None, None], axis=0)

    by_name = cotan.jit(f, dynamic_axes={"x": {0: "b", 1: "t"}, "labels": "b"})
    leading = cotan.jit(lambda x: cnp.mean(x, axis=0), dynamic_axes={0: "b"})
    w = rng.normal(size=(3, 2))
    for n, t in ((1, 4), (6, 2), (3, 7)):
        x, labels = rng.normal(size=(n, t, 3)), rng.normal(size=n)
        expected = np.sum(np.tanh(x @ w) * labels[:, None, None], axis=0)
        np.testing.assert_allclose(np.asarray(by_name(x, labels, w)), expected, rtol=1e-12)
        np.testing.assert_allclose(np.asarray(leading(x[:, 0])), x[:, 0].mean(axis=0), rtol=1e-12)
    assert by_name.trace_count == 1 and leading.trace_count == 1
    with pytest.raises(ShapePolymorphismError, match=r"argument labels dimension 0 has size 4, but b = 3"):
        by_name(np.ones((3, 2, 3)), np.ones(4), w)
    for bad, error, message in [({"z": "b"}, ValueError, "names 'z', which are not array arguments"),
                                ({0: {2: "b"}}, ValueError, r"axis 2 is out of range for argument 0 of shape \(3, 2\)"),
                                ({0: 3}, TypeError, "must map an argument to a symbol name"),
                                ([0], TypeError, "maps arguments .* to a symbol")]:
        with pytest.raises(error, match=message):
            cotan.jit(lambda x: x * 2, dynamic_axes=bad)(np.ones((3, 2)))
    with pytest.raises(ValueError, match="polymorphic_shapes or dynamic_axes, not both"):
        cotan.jit(f, polymorphic_shapes=("b, t, 3", "b", None), dynamic_axes={0: "b"})


def test_inconsistent_symbols_are_reported_at_call_time():
    f = cotan.jit(lambda x, y: x + y, polymorphic_shapes=("b, 3", "b, 3"))
    f(np.ones((32, 3), np.float32), np.ones((32, 3), np.float32))
    with pytest.raises(ShapePolymorphismError,
                       match=r"test_shape_poly.py:\d+: .*argument y dimension 0 has size 31, but b = 32 "
                             r"with b=32 \(from argument x dimension 0\)"):
        f(np.ones((32, 3), np.float32), np.ones((31, 3), np.float32))
    with pytest.raises(ShapePolymorphismError, match="cannot equal for an integer b >= 1"):
        f(np.ones((0, 3), np.float32), np.ones((0, 3), np.float32))


def test_symbolic_dimension_where_a_static_one_is_required():
    with pytest.raises(ShapePolymorphismError,
                       match=r"test_shape_poly.py:\d+: the symbolic dimension b \(symbols: b is argument x "
                             r"dimension 0\) is used where a static arange bound \(its length\) is required"):
        def count(x):
            return cnp.arange(x.shape[0])
        cotan.jit(count, polymorphic_shapes=("b",))(np.ones(4, np.float32))
    with pytest.raises(ShapePolymorphismError,
                       match=r"test_shape_poly.py:\d+: cotan.sort does not support symbolic dimensions: "
                             r"dimension 0 of its operand 0 is b \(shape \(b, 2\); b is argument x "
                             r"dimension 0\)"):
        cotan.jit(lambda x: cnp.sort(x, axis=1), polymorphic_shapes=("b, 2",))(np.ones((4, 2), np.float32))
    with pytest.raises(ShapePolymorphismError,
                       match=r"cannot reverse dimension 0 of an array of shape \(b, 2\), which is the symbolic b"):
        cotan.jit(lambda x: cnp.flip(x, 0), polymorphic_shapes=("b, 2",))(np.ones((4, 2), np.float32))
    flipped = cotan.jit(lambda x: cnp.flip(x, 1), polymorphic_shapes=("b, 2",))
    np.testing.assert_array_equal(np.asarray(flipped(np.arange(6.0).reshape(3, 2))), [[1, 0], [3, 2], [5, 4]])
    with pytest.raises(ShapePolymorphismError, match="whether b > 2 depends on the value of b"):
        cotan.jit(lambda x: x * 2 if x.shape[0] > 2 else x, polymorphic_shapes=("b",))(np.ones(4, np.float32))


def test_arrays_created_at_symbolic_shapes(rng):
    def f(x):
        return cnp.ones((x.shape[0], 3)) * x + cnp.zeros_like(x), cnp.full((2, x.shape[0]), 7, "int32")

    jf = cotan.jit(f, polymorphic_shapes=("b, 3",))
    for n in (1, 6):
        x = random_array(rng, (n, 3), "float32")
        scaled, sevens = jf(x)
        assert_matches(scaled, x)
        assert_matches(sevens, np.full((2, n), 7, np.int32))
    assert jf.trace_count == 1


# -- derivatives of polymorphic functions ---------------------------------------

def _central_difference(f, args, argnum, eps=1e-6):
    """d f / d args[argnum] by central differences in float64."""
    x = np.array(args[argnum], dtype=np.float64)
    grad = np.zeros_like(x)
    for k in range(x.size):
        step = np.zeros_like(x)
        step.flat[k] = eps
        hi = list(args); hi[argnum] = x + step
        lo = list(args); lo[argnum] = x - step
        grad.flat[k] = (float(f(*hi)) - float(f(*lo))) / (2 * eps)
    return grad


def _loss(x, w, b):
    """Every polymorphic op family: dot_general, broadcast, elementwise,
    reductions (sum, max), reshape, transpose, select (relu), mean."""
    h = cotan.nn.relu(x @ w + b)
    z = cnp.tanh(h) * cnp.exp(-h * h) + cnp.max(h, axis=1, keepdims=True)
    flat = z.T.reshape(-1)
    return cnp.mean(flat ** 2) + cnp.sum(cnp.sqrt(x * x + 1.0)) / x.shape[0]


def test_grad_of_polymorphic_function_matches_finite_differences(rng):
    w, b = rng.normal(size=(4, 3)), rng.normal(size=3)
    grad = cotan.jit(cotan.grad(_loss, argnums=(0, 1, 2)), polymorphic_shapes=("n, 4", None, None))
    for n in (1, 3, 8):
        x = rng.normal(size=(n, 4))
        for argnum, got in enumerate(grad(x, w, b)):
            np.testing.assert_allclose(np.asarray(got), _central_difference(_loss, (x, w, b), argnum),
                                       rtol=1e-5, atol=1e-7)
    assert grad.trace_count == 1


def test_jvp_of_polymorphic_function_matches_finite_differences(rng):
    w, b = rng.normal(size=(4, 3)), rng.normal(size=3)

    def directional(x, dx):
        return cotan.jvp(lambda x: _loss(x, w, b), (x,), (dx,))

    jf = cotan.jit(directional, polymorphic_shapes=("n, 4", "n, 4"))
    for n in (2, 5):
        x, dx = rng.normal(size=(n, 4)), rng.normal(size=(n, 4))
        value, tangent = jf(x, dx)
        eps = 1e-6
        expected = (float(_loss(x + eps * dx, w, b)) - float(_loss(x - eps * dx, w, b))) / (2 * eps)
        assert_matches(value, float(_loss(x, w, b)))
        np.testing.assert_allclose(float(tangent), expected, rtol=1e-5)
    assert jf.trace_count == 1


def _check_training_step(model, example_shape, batches, caplog, monkeypatch):
    """A training step (forward, softmax cross-entropy over 3 classes,
    value_and_grad, Adam) compiled once for a symbolic batch gives the
    numbers of static compilation at every batch size."""
    from cotan import nn, optim
    optimizer = optim.adam(0.01)

    def train_step(params, opt_state, x, labels):
        def loss_fn(params):
            return cnp.mean(nn.softmax_cross_entropy(model.apply(params, x), labels))
        loss, grads = cotan.value_and_grad(loss_fn)(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optim.apply_updates(params, updates), opt_state, loss

    params = model.init(0, (1,) + example_shape)
    opt_state = optimizer.init(params)
    polymorphic = cotan.jit(train_step, polymorphic_shapes=(None, None, "b, ...", "b"))
    static = cotan.jit(train_step)
    rng = np.random.default_rng(1)
    monkeypatch.setenv("COTAN_LOG_COMPILES", "1")
    with caplog.at_level(logging.WARNING, logger="cotan"):
        for n in batches:
            x = rng.normal(size=(n,) + example_shape).astype(np.float32)
            labels = rng.integers(0, 3, n).astype(np.int32)
            got = polymorphic(params, opt_state, x, labels)
            want = static(params, opt_state, x, labels)
            for a, b in zip(cotan.tree_util.tree_leaves(got), cotan.tree_util.tree_leaves(want)):
                np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=2e-5, atol=1e-6)
    assert polymorphic.trace_count == 1 and static.trace_count == len(batches)
    compiled = [r.getMessage() for r in caplog.records if "compiled `train_step`" in r.getMessage()]
    assert len(compiled) == 1 + len(batches)  # one polymorphic, one static per batch


def test_mlp_training_step_compiles_once_and_matches_static(caplog, monkeypatch):
    """Acceptance: the MLP training step at batch 1, 7, 32 and 256."""
    from cotan import nn
    model = nn.Sequential([nn.Dense(32), nn.relu, nn.Dense(32), nn.relu, nn.Dense(3)])
    _check_training_step(model, (2,), BATCHES, caplog, monkeypatch)


# -- control flow on symbolic shapes ------------------------------------------------

def _normalize_until_small(x, scale):
    """A while_loop carrying a symbolic batch, then a cond on its result."""
    from cotan import lax
    x = lax.while_loop(lambda v: cnp.max(cnp.abs(v)) > 1.0, lambda v: v * scale, x)
    return lax.cond(cnp.sum(x) > 0, lambda v: cnp.tanh(v) * 2.0, lambda v: v * v, x)


def _normalize_reference(x, scale):
    while np.max(np.abs(x)) > 1.0:
        x = x * scale
    return np.tanh(x) * 2.0 if np.sum(x) > 0 else x * x


def test_cond_and_while_loop_on_symbolic_shapes(rng):
    f = cotan.jit(_normalize_until_small, polymorphic_shapes=("b, 3", None))
    for n in (1, 4, 9):
        for sign in (1.0, -1.0):
            x = sign * np.abs(rng.normal(size=(n, 3))) * 5
            np.testing.assert_allclose(np.asarray(f(x, 0.5)), _normalize_reference(x, 0.5), rtol=1e-12)
    assert f.trace_count == 1


def test_grad_and_jvp_through_symbolic_control_flow(rng):
    """grad through cond (the while loop's trip count depends on x, so only
    forward mode goes through it), against central differences."""
    from cotan import lax

    def branchy(x):
        return lax.cond(cnp.sum(x) > 0, lambda v: cnp.sum(cnp.sin(v) * v),
                        lambda v: cnp.sum(cnp.exp(v) / x.shape[0]), x)

    grad = cotan.jit(cotan.grad(branchy), polymorphic_shapes=("b, 3",))
    directional = cotan.jit(lambda x, dx: cotan.jvp(lambda x: cnp.sum(_normalize_until_small(x, 0.5)), (x,), (dx,)),
                            polymorphic_shapes=("b, 3", "b, 3"))
    for n in (1, 5):
        for sign in (1.0, -1.0):
            x = sign * np.abs(rng.normal(size=(n, 3)))
            np.testing.assert_allclose(np.asarray(grad(x)), _central_difference(branchy, (x,), 0),
                                       rtol=1e-5, atol=1e-7)
            x5, dx = x * 5, rng.normal(size=(n, 3))
            eps = 1e-6
            value, tangent = directional(x5, dx)
            expected = (np.sum(_normalize_reference(x5 + eps * dx, 0.5))
                        - np.sum(_normalize_reference(x5 - eps * dx, 0.5))) / (2 * eps)
            np.testing.assert_allclose(float(tangent), expected, rtol=1e-5)
    assert grad.trace_count == 1 and directional.trace_count == 1


# -- convolutions and pooling over a symbolic batch ---------------------------------

def test_cnn_training_step_compiles_once_and_matches_static(caplog, monkeypatch):
    """A CNN (conv, relu, max pool, a grouped conv, avg pool, flatten,
    dense) over a symbolic batch."""
    from cotan import nn
    model = nn.Sequential([nn.Conv(4, (3, 3)), nn.relu, nn.MaxPool((2, 2), strides=(2, 2)),
                           nn.Conv(6, (3, 3), feature_group_count=2), nn.relu,
                           nn.AvgPool((2, 2), strides=(2, 2)), nn.Flatten(), nn.Dense(3)])
    _check_training_step(model, (8, 8, 1), (1, 7, 32), caplog, monkeypatch)


def _conv_net(x, w1, w2):
    """A strided, dilated conv, a depthwise conv and both poolings."""
    from cotan import lax
    h = lax.conv_general_dilated(x, w1, (2, 1), "SAME", rhs_dilation=(1, 2),
                                 dimension_numbers=("NHWC", "HWIO", "NHWC"))
    h = cnp.tanh(h)
    h = lax.conv_general_dilated(h, w2, (1, 1), ((1, 0), (0, 1)), feature_group_count=2,
                                 dimension_numbers=("NHWC", "HWIO", "NHWC"))
    pooled = cotan.nn.max_pool(h, (2, 2)) + cotan.nn.avg_pool(h, (2, 2), padding="SAME")[:, :-1, :-1]
    return cnp.sum(pooled ** 2)


def test_conv_and_pooling_gradients_over_a_symbolic_batch(rng):
    w1, w2 = rng.normal(size=(3, 2, 1, 2)), rng.normal(size=(2, 2, 1, 4))
    grads = cotan.jit(cotan.grad(_conv_net, argnums=(0, 1, 2)), polymorphic_shapes=("b, 6, 5, 1", None, None))
    for n in (1, 3):
        x = rng.normal(size=(n, 6, 5, 1))
        for argnum, got in enumerate(grads(x, w1, w2)):
            np.testing.assert_allclose(np.asarray(got), _central_difference(_conv_net, (x, w1, w2), argnum),
                                       rtol=1e-5, atol=1e-7)
    assert grads.trace_count == 1


def test_second_order_derivatives_through_convolution(rng):
    """grad of a function of the filter gradient: its derivative runs
    convolutions whose dynamic size is the features, then the filters."""
    from cotan import lax
    w = rng.normal(size=(2, 1, 3, 3))

    def loss(x, w):
        return cnp.sum(cnp.sin(lax.conv(x, w, (1, 1), "VALID")))

    def filter_grad_norm(x):
        return cnp.sum(cotan.grad(loss, argnums=1)(x, w) ** 2)

    f = cotan.jit(cotan.grad(filter_grad_norm), polymorphic_shapes=("b, 1, 5, 4",))
    for n in (1, 2):
        x = rng.normal(size=(n, 1, 5, 4))
        np.testing.assert_allclose(np.asarray(f(x)), _central_difference(filter_grad_norm, (x,), 0),
                                   rtol=1e-5, atol=1e-7)


def test_symbolic_convolution_features_and_pooled_dimensions_are_refused():
    from cotan import lax
    conv = cotan.jit(lambda x, w: lax.conv(x, w, (1, 1), "VALID"), polymorphic_shapes=("1, c, 4, 4", None))
    with pytest.raises(ShapePolymorphismError, match=r"test_shape_poly.py:\d+: the symbolic dimension c .* "
                                                     r"static input dimension of a convolution"):
        conv(np.ones((1, 2, 4, 4), np.float32), np.ones((3, 2, 2, 2), np.float32))
    pool = cotan.jit(lambda x: cotan.nn.max_pool(x, (2, 2)), polymorphic_shapes=("1, h, 4, 1",))
    with pytest.raises(ShapePolymorphismError, match=r"the symbolic dimension h .* pooling window"):
        pool(np.ones((1, 4, 4, 1), np.float32))


# -- vmap of polymorphic functions ----------------------------------------------

def _example_loss(params, x, label):
    """One example's softmax cross-entropy through a tanh layer."""
    w1, w2 = params
    logits = cnp.tanh(x @ w1) @ w2
    return cotan.nn.logsumexp(logits) - logits[label]


def test_per_example_gradients_over_a_symbolic_batch(rng, caplog, monkeypatch):
    """vmap(grad) over a symbolic batch (the DP-SGD pattern): one compile,
    each example's gradient equal to grad of that example alone and to
    central differences."""
    params = (rng.normal(size=(3, 5)), rng.normal(size=(5, 4)))
    per_example = cotan.jit(cotan.vmap(cotan.grad(_example_loss), in_axes=(None, 0, 0)),
                            polymorphic_shapes=(None, "b, 3", "b"))
    single = cotan.jit(cotan.grad(_example_loss))
    monkeypatch.setenv("COTAN_LOG_COMPILES", "1")
    with caplog.at_level(logging.WARNING, logger="cotan"):
        for n in (1, 7, 32):
            x, labels = rng.normal(size=(n, 3)), rng.integers(0, 4, n).astype(np.int32)
            g1, g2 = per_example(params, x, labels)
            assert g1.shape == (n, 3, 5) and g2.shape == (n, 5, 4)
            for i in range(n):
                want = single(params, x[i], labels[i])
                np.testing.assert_allclose(np.asarray(g1[i]), np.asarray(want[0]), rtol=1e-10, atol=1e-12)
                np.testing.assert_allclose(np.asarray(g2[i]), np.asarray(want[1]), rtol=1e-10, atol=1e-12)
    assert per_example.trace_count == 1
    assert sum("compiled `vmap_grad__example_loss`" in r.getMessage() for r in caplog.records) == 1
    i = 2
    fd = _central_difference(lambda w1: _example_loss((w1, params[1]), x[i], labels[i]), (params[0],), 0)
    np.testing.assert_allclose(np.asarray(g1[i]), fd, rtol=1e-5, atol=1e-7)


def test_vmap_over_a_symbolic_axis_matches_a_loop(rng):
    """in_axes/out_axes other than 0, shared arguments, a batched cond
    predicate, a scan and an embedding lookup, all over a symbolic batch."""
    from cotan import lax
    w, embed = rng.normal(size=(3, 2)), rng.normal(size=(10, 3))

    def example(column, token, w):
        v = column + cnp.asarray(embed)[token]
        v = lax.cond(v.sum() > 0, lambda v: v * 2.0, lambda v: -v, v)
        carry, ys = lax.scan(lambda c, vi: (cnp.tanh(c + vi), c * vi), cnp.zeros((), v.dtype), v)
        return cnp.concatenate([ys, (v @ w) * carry])

    def reference(column, token):
        v = column + embed[token]
        v = v * 2.0 if v.sum() > 0 else -v
        carry, ys = 0.0, []
        for vi in v:
            ys.append(carry * vi)
            carry = np.tanh(carry + vi)
        return np.concatenate([ys, (v @ w) * carry])

    f = cotan.jit(cotan.vmap(example, in_axes=(1, 0, None), out_axes=1),
                  polymorphic_shapes=("3, b", "b", None))
    for n in (1, 6):
        x, tokens = rng.normal(size=(3, n)), rng.integers(0, 10, n).astype(np.int32)
        want = np.stack([reference(x[:, i], tokens[i]) for i in range(n)], axis=1)
        np.testing.assert_allclose(np.asarray(f(x, tokens, w)), want, rtol=1e-10)
    assert f.trace_count == 1


def test_vmap_inside_a_polymorphic_function(rng):
    """A static vmapped axis with symbolic sizes inside each example
    (read at run time by mean), and nested vmaps over two symbols."""
    center = cotan.jit(lambda x: cotan.vmap(lambda r: r - cnp.mean(r), in_axes=1)(x),
                       polymorphic_shapes=("b, 3",))
    outer = cotan.jit(cotan.vmap(cotan.vmap(lambda a, c: a * c + cnp.sin(a))),
                      polymorphic_shapes=("b, c", "b, c"))
    for shape in ((1, 1), (5, 3), (2, 7)):
        x, y = rng.normal(size=shape), rng.normal(size=shape)
        if shape[1] == 3:
            np.testing.assert_allclose(np.asarray(center(x)), (x - x.mean(0)).T, rtol=1e-10)
        np.testing.assert_allclose(np.asarray(outer(x, y)), x * y + np.sin(x), rtol=1e-10)
    assert center.trace_count == 1 and outer.trace_count == 1


def _windows_reference(x, u, starts):
    """Per example: a clamped 2x3 window of x, and x with u written there."""
    read, written = [], []
    for xi, ui, (s0, s1) in zip(x, u, starts):
        s0, s1 = min(max(s0, 0), xi.shape[0] - 2), min(max(s1, 0), xi.shape[1] - 3)
        read.append(xi[s0:s0 + 2, s1:s1 + 3])
        w = xi.copy()
        w[s0:s0 + 2, s1:s1 + 3] = ui
        written.append(w)
    return np.stack(read), np.stack(written)


def test_dynamic_slices_over_a_symbolic_batch(rng):
    """Per-example and shared starts, batched and shared operands, with
    starts that clamp, and the gradient through both."""
    def windows(a, u, s):
        window = cotan.lax.dynamic_slice(a, [s[0], s[1]], slice_sizes=(2, 3))
        return window, cotan.lax.dynamic_update_slice(a, u, [s[0], s[1]])

    per_example = cotan.jit(cotan.vmap(windows), polymorphic_shapes=("b, 6, 5", "b, 2, 3", "b, 2"))
    shared_table = cotan.jit(cotan.vmap(windows, in_axes=(None, 0, 0)),
                             polymorphic_shapes=(None, "b, 2, 3", "b, 2"))
    shared_starts = cotan.jit(cotan.vmap(windows, in_axes=(0, 0, None)),
                              polymorphic_shapes=("b, 6, 5", "b, 2, 3", None))
    for n in (1, 5):
        x, u = rng.normal(size=(n, 6, 5)), rng.normal(size=(n, 2, 3))
        starts = rng.integers(-2, 7, size=(n, 2)).astype(np.int32)
        for got, want in zip(per_example(x, u, starts), _windows_reference(x, u, starts)):
            np.testing.assert_array_equal(np.asarray(got), want)
        for got, want in zip(shared_table(x[0], u, starts),
                             _windows_reference(np.broadcast_to(x[0], x.shape), u, starts)):
            np.testing.assert_array_equal(np.asarray(got), want)
        for got, want in zip(shared_starts(x, u, starts[0]),
                             _windows_reference(x, u, np.broadcast_to(starts[0], starts.shape))):
            np.testing.assert_array_equal(np.asarray(got), want)

    def total(a, u, s):
        window, written = cotan.vmap(windows)(a, u, s)
        return cnp.sum(cnp.sin(window)) + cnp.sum(written ** 2)

    grad = cotan.jit(cotan.grad(total, argnums=(0, 1)), polymorphic_shapes=("b, 6, 5", "b, 2, 3", "b, 2"))
    x, u = rng.normal(size=(3, 6, 5)), rng.normal(size=(3, 2, 3))
    starts = np.array([[0, 1], [5, -1], [2, 2]], np.int32)
    for argnum, got in enumerate(grad(x, u, starts)):
        np.testing.assert_allclose(np.asarray(got), _central_difference(total, (x, u, starts), argnum),
                                   rtol=1e-5, atol=1e-7)


def test_grad_of_vmap_over_a_symbolic_batch_matches_finite_differences(rng):
    def total(x):
        return cotan.vmap(lambda r: cnp.sum(cnp.sin(r) * r) / cnp.max(cnp.exp(r)))(x).sum()

    grad = cotan.jit(cotan.grad(total), polymorphic_shapes=("b, 3",))
    for n in (1, 4):
        x = rng.normal(size=(n, 3))
        np.testing.assert_allclose(np.asarray(grad(x)), _central_difference(total, (x,), 0),
                                   rtol=1e-5, atol=1e-7)
    assert grad.trace_count == 1


def test_vmap_of_control_flow_over_a_symbolic_batch(rng):
    """A per-example while_loop (runs until every example is done) and a
    cond on a shared predicate (stays a branch) over a symbolic batch."""
    from cotan import lax
    per_example = cotan.jit(cotan.vmap(_normalize_until_small, in_axes=(0, None)),
                            polymorphic_shapes=("b, 3", None))
    shared = cotan.jit(cotan.vmap(lambda x, p: lax.cond(p > 0, lambda v: v * 2.0, lambda v: -v, x),
                                  in_axes=(0, None)), polymorphic_shapes=("b, 3", None))
    for n in (1, 6):
        x = rng.normal(size=(n, 3)) * rng.uniform(0.1, 20, size=(n, 1))
        want = np.stack([_normalize_reference(row, 0.5) for row in x])
        np.testing.assert_allclose(np.asarray(per_example(x, 0.5)), want, rtol=1e-12)
        np.testing.assert_allclose(np.asarray(shared(x, 1.0)), x * 2.0)
        np.testing.assert_allclose(np.asarray(shared(x, -1.0)), -x)
    assert per_example.trace_count == 1 and shared.trace_count == 1


def test_op_without_a_symbolic_batching_rule_is_reported():
    f = cotan.jit(cotan.vmap(lambda r: cnp.sort(r)), polymorphic_shapes=("b, 3",))
    with pytest.raises(cotan.CompileError, match=r"test_shape_poly.py.*'cotan.sort' op cannot be batched "
                                                 r"over a symbolic batch size.*keep the mapped dimension static"):
        f(np.ones((4, 3), np.float32))


def _gated(x, tokens, embed, w):
    """Embedding lookup (take), gate split (slices of static dimensions),
    concatenation and padding along static dimensions, all with a symbolic
    batch."""
    e = embed[tokens]                              # (b, 4)
    z = cnp.concatenate([x, e], axis=1) @ w        # (b, 8)
    i, f = cnp.split(z, 2, axis=1)                 # (b, 4) each
    h = cotan.nn.sigmoid(f) * cnp.tanh(i)
    padded = cnp.pad(h, ((0, 0), (1, 2)))          # (b, 7)
    return cnp.sum(padded[:, 1:] ** 2) + cnp.sum(h[:, ::2])


def test_slices_concatenation_padding_and_take(rng):
    embed, w = rng.normal(size=(5, 4)), rng.normal(size=(7, 8))
    jf = cotan.jit(_gated, polymorphic_shapes=("b, 3", "b", None, None))
    grad = cotan.jit(cotan.grad(_gated, argnums=(0, 2, 3)), polymorphic_shapes=("b, 3", "b", None, None))
    for n in (1, 4, 9):
        x, tokens = rng.normal(size=(n, 3)), rng.integers(0, 5, n).astype(np.int32)
        assert_matches(jf(x, tokens, embed, w), float(_gated(x, tokens, embed, w)))
        for argnum, got in zip((0, 2, 3), grad(x, tokens, embed, w)):
            f = lambda *a: _gated(*a)
            np.testing.assert_allclose(np.asarray(got),
                                       _central_difference(f, (x, tokens, embed, w), argnum),
                                       rtol=1e-5, atol=1e-7)
    assert jf.trace_count == 1 and grad.trace_count == 1


def _shifted_loss(x, w):
    """Next-step prediction along a symbolic length: inputs x[:, :-1],
    targets x[:, 1:], and a zero-padded difference along time."""
    predicted = cnp.tanh(x[:, :-1] @ w)
    step = cnp.pad(x[:, 1:] - x[:, :-1], ((0, 0), (1, 0), (0, 0)))
    return cnp.mean((predicted - x[:, 1:]) ** 2) + cnp.sum(step[:, 1:] ** 2) / step.shape[1]


def test_slices_from_both_ends_of_a_symbolic_dimension(rng):
    """x[:, 1:] and x[:, :-1] along a symbolic sequence length t, and edge
    padding, with their gradients, compiled once for every t."""
    w = rng.normal(size=(3, 3))
    loss = cotan.jit(cotan.value_and_grad(_shifted_loss, argnums=(0, 1)), polymorphic_shapes=("b, t, 3", None))
    for n, t in ((1, 2), (3, 5), (2, 9)):
        x = rng.normal(size=(n, t, 3))
        value, grads = loss(x, w)
        np.testing.assert_allclose(float(value), float(_shifted_loss(x, w)), rtol=1e-12)
        for argnum, got in enumerate(grads):
            np.testing.assert_allclose(np.asarray(got), _central_difference(_shifted_loss, (x, w), argnum),
                                       rtol=1e-5, atol=1e-7)
    assert loss.trace_count == 1


def test_slices_a_symbolic_dimension_cannot_take():
    x = np.ones((4, 2), np.float32)
    for index, message in [(lambda v: v[2:], r"slicing \[2:b\] of the symbolic dimension b needs b >= 2, which is not known"),
                           (lambda v: v[:-2], r"needs b >= 2"),
                           (lambda v: v[::2], r"cannot slice dimension 0 of an array of shape \(b, 2\), which is the "
                                              r"symbolic b, as \[0:b:2\]: a symbolic dimension is sliced with stride 1"),
                           (lambda v: v[:3], r"as \[0:3:1\]"),
                           (lambda v: v[-1:], r"as \[-1:b:1\]"),
                           (lambda v: v[0], r"cannot index dimension 0 of an array of shape \(b, 2\), which is the symbolic b")]:
        with pytest.raises(ShapePolymorphismError, match=r"test_shape_poly.py:\d+: .*" + message):
            cotan.jit(index, polymorphic_shapes=("b, 2",))(x)
    with pytest.raises(ShapePolymorphismError, match="cannot concatenate along dimension 0"):
        cotan.jit(lambda v: cnp.concatenate([v, v]), polymorphic_shapes=("b, 2",))(x)


# -- the LSTM loss: scan over time with a symbolic batch -------------------------

VOCAB, EMBED, HIDDEN, STEPS = 11, 6, 5, 4


def _lstm_params(rng):
    u = lambda *shape: rng.uniform(-0.5, 0.5, shape)
    return {"embed": u(VOCAB, EMBED), "w_x": u(EMBED, 4 * HIDDEN), "w_h": u(HIDDEN, 4 * HIDDEN),
            "b": u(4 * HIDDEN), "w_out": u(HIDDEN, VOCAB), "b_out": u(VOCAB)}


def _lstm_loss(params, tokens, targets):
    """Mean next-token cross-entropy of a one-cell LSTM over (batch, time)
    token arrays: lax.scan over time, the carry (batch, hidden)."""
    batch = tokens.shape[0]

    def step(state, inputs):
        h, c = state
        token, target = inputs
        gates = cnp.take(params["embed"], token, axis=0) @ params["w_x"] + h @ params["w_h"] + params["b"]
        i, f, g, o = cnp.split(gates, 4, axis=1)
        c = cotan.nn.sigmoid(f) * c + cotan.nn.sigmoid(i) * cnp.tanh(g)
        h = cotan.nn.sigmoid(o) * cnp.tanh(c)
        logits = h @ params["w_out"] + params["b_out"]
        return (h, c), cotan.nn.softmax_cross_entropy(logits, target)

    zeros = cnp.zeros((batch, HIDDEN), params["b"].dtype)
    _, losses = cotan.lax.scan(step, (zeros, zeros), (tokens.T, targets.T))  # losses: (time, batch)
    return cnp.mean(losses)


def test_lstm_loss_and_gradient_compile_once_for_every_batch(rng, caplog, monkeypatch):
    """Acceptance: the LSTM loss and its gradient compiled once for a
    symbolic batch give the numbers of static compilation at batch 1, 7, 32
    and 256; the gradient matches central differences."""
    params = _lstm_params(rng)
    spec = (None, "b, _", "b, _")
    loss = cotan.jit(_lstm_loss, polymorphic_shapes=spec)
    grad = cotan.jit(cotan.grad(_lstm_loss), polymorphic_shapes=spec)
    monkeypatch.setenv("COTAN_LOG_COMPILES", "1")
    with caplog.at_level(logging.WARNING, logger="cotan"):
        for n in BATCHES:
            tokens = rng.integers(0, VOCAB, (n, STEPS)).astype(np.int32)
            targets = rng.integers(0, VOCAB, (n, STEPS)).astype(np.int32)
            static_loss = cotan.jit(lambda *a: _lstm_loss(*a))(params, tokens, targets)
            assert_matches(loss(params, tokens, targets), float(static_loss))
            got = grad(params, tokens, targets)
            want = cotan.jit(cotan.grad(lambda *a: _lstm_loss(*a)))(params, tokens, targets)
            for key in params:
                np.testing.assert_allclose(np.asarray(got[key]), np.asarray(want[key]), rtol=1e-6, atol=1e-9)
    assert loss.trace_count == 1 and grad.trace_count == 1
    assert len([r for r in caplog.records if "compiled `_lstm_loss`" in r.getMessage()]) == 1
    tokens = rng.integers(0, VOCAB, (3, STEPS)).astype(np.int32)
    targets = rng.integers(0, VOCAB, (3, STEPS)).astype(np.int32)
    got = grad(params, tokens, targets)
    for key in ("w_h", "b"):
        f = lambda p: _lstm_loss({**params, key: p}, tokens, targets)
        np.testing.assert_allclose(np.asarray(got[key]), _central_difference(f, (params[key],), 0),
                                   rtol=1e-5, atol=1e-8)


def test_scan_stacking_symbolic_outputs(rng):
    """Per-step outputs with a symbolic dimension are stacked (the first
    step is peeled off the loop to size them), forward and reversed."""
    def f(x, reverse):
        def step(total, row):
            total = total + row
            return total, total * 2.0
        return cotan.lax.scan(step, cnp.zeros(x.shape[1:], x.dtype), x, reverse=reverse)

    for reverse in (False, True):
        jf = cotan.jit(f, static_argnums=1, polymorphic_shapes=("_, b", None))
        for n in (1, 5):
            x = rng.normal(size=(3, n))
            total, stacked = jf(x, reverse)
            rows = x[::-1] if reverse else x
            expected = np.cumsum(rows, axis=0) * 2.0
            assert_matches(total, x.sum(axis=0))
            assert_matches(stacked, expected[::-1] if reverse else expected)
        assert jf.trace_count == 1


def test_eval_shape_with_symbolic_shapes():
    b = cotan.symbolic_shape("b, 784")
    assert b == (DimExpr.symbol("b"), 784)
    out = cotan.eval_shape(lambda x, w: (cnp.tanh(x @ w).reshape(-1), cnp.mean(x, axis=1)),
                           cotan.ShapeDtypeStruct(b, np.float32), cotan.ShapeDtypeStruct((784, 10), np.float32))
    assert out[0].shape == (10 * DimExpr.symbol("b"),) and out[0].dtype == np.float32
    assert out[1].shape == (DimExpr.symbol("b"),) and str(out[0].size) == "10*b"
    with pytest.raises(ShapePolymorphismError, match="only have a meaning in jit's polymorphic_shapes"):
        cotan.symbolic_shape("b, _")
    with pytest.raises(ShapePolymorphismError, match="cannot parse the polymorphic shape 'b c'"):
        cotan.symbolic_shape("b c")
