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
        for n in BATCHES:
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
                       match=r"test_shape_poly.py:\d+: the symbolic dimension b \(symbols b\) is used where a "
                             r"static arange bound \(its length\) is required"):
        cotan.jit(lambda x: cnp.arange(x.shape[0]), polymorphic_shapes=("b",))(np.ones(4, np.float32))
    with pytest.raises(ShapePolymorphismError,
                       match=r"test_shape_poly.py:\d+: cotan.reverse does not support symbolic dimensions: "
                             r"dimension 0 of its operand 0 is b"):
        cotan.jit(lambda x: cnp.flip(x, 0), polymorphic_shapes=("b, 2",))(np.ones((4, 2), np.float32))
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
