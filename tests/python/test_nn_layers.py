"""cotan.nn layers and initialisers: outputs against NumPy formulas,
gradients against central differences, Sequential's plumbing of
parameters, state and dropout masks, and the errors for misuse."""

from __future__ import annotations

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp
from cotan import nn
from cotan.nn import initializers as inits
from cotan.testing import check_grads

from conftest import assert_matches
from test_convolution import reference_conv

HERE = r"test_nn_layers.py:\d+"


# -- initialisers ------------------------------------------------------------

@pytest.mark.parametrize("name, variance, bound", [
    ("glorot_uniform", 2 / (200 + 300), np.sqrt(6 / (200 + 300))),
    ("glorot_normal", 2 / (200 + 300), None),
    ("he_uniform", 2 / 200, np.sqrt(6 / 200)),
    ("he_normal", 2 / 200, None),
    ("lecun_uniform", 1 / 200, np.sqrt(3 / 200)),
    ("lecun_normal", 1 / 200, None),
])
def test_variance_scaling_statistics(name, variance, bound):
    w = np.asarray(getattr(inits, name)()(0, (200, 300)))
    assert w.shape == (200, 300) and w.dtype == np.float32
    assert abs(w.mean()) < 0.01 * np.sqrt(variance) * 10
    np.testing.assert_allclose(w.var(), variance, rtol=0.03)
    if bound is not None:
        assert np.abs(w).max() <= bound
    else:  # truncated at two standard deviations of the untruncated normal
        assert np.abs(w).max() <= 2 * np.sqrt(variance) / 0.87962566103423978 + 1e-7


def test_fans_count_the_receptive_field():
    # A 3x3 conv kernel with 16 inputs and 32 outputs: fan_in = 9 * 16.
    w = np.asarray(inits.he_normal()(1, (3, 3, 16, 32), np.float64))
    assert w.dtype == np.float64
    np.testing.assert_allclose(w.var(), 2 / (9 * 16), rtol=0.05)


def test_initialisers_are_reproducible_and_accept_generators():
    a = np.asarray(inits.glorot_uniform()(7, (4, 5)))
    b = np.asarray(inits.glorot_uniform()(7, (4, 5)))
    c = np.asarray(inits.glorot_uniform()(8, (4, 5)))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    d = np.asarray(inits.glorot_uniform()(np.random.default_rng(7), (4, 5)))
    assert d.shape == (4, 5)


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (2, 3, 8)])
def test_orthogonal(shape):
    w = np.asarray(inits.orthogonal(scale=2.0)(0, shape, np.float64))
    matrix = w.reshape(-1, shape[-1])
    small = min(matrix.shape)
    gram = matrix.T @ matrix if matrix.shape[0] >= matrix.shape[1] else matrix @ matrix.T
    np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-12)


def test_simple_initialisers():
    assert_matches(inits.zeros(0, (2, 3)), np.zeros((2, 3), np.float32))
    assert_matches(inits.ones(0, (3,), np.float64), np.ones(3))
    assert_matches(inits.constant(0.5)(0, (2,)), np.full(2, 0.5, np.float32))
    u = np.asarray(inits.uniform(0.1)(0, (1000,)))
    assert u.min() >= 0 and u.max() < 0.1
    t = np.asarray(inits.truncated_normal(1.0)(0, (1000,)))
    assert np.abs(t).max() <= 2.0


def test_initialiser_errors():
    with pytest.raises(ValueError, match=HERE + ".*rank >= 2"):
        inits.glorot_uniform()(0, (5,))
    with pytest.raises(TypeError, match=HERE + ".*floating-point"):
        inits.lecun_normal()(0, (2, 2), np.int32)
    with pytest.raises(TypeError, match=HERE + ".*int seed or a numpy.random.Generator"):
        inits.normal()("seed", (2,))
    with pytest.raises(ValueError, match="mode must be"):
        inits.variance_scaling(1.0, "fan_mean", "normal")


# -- Dense and Embedding -----------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x_shape", [(5, 3), (2, 4, 3), (3,), (0, 3)])
def test_dense(dtype, x_shape, rng):
    layer = nn.Dense(4, param_dtype=dtype)
    params = layer.init(0, x_shape)
    assert params["kernel"].shape == (3, 4) and params["bias"].shape == (4,)
    params = {"kernel": params["kernel"], "bias": rng.standard_normal(4).astype(dtype)}
    x = rng.standard_normal(x_shape).astype(dtype)
    expected = x @ np.asarray(params["kernel"]) + params["bias"]
    assert_matches(layer.apply(params, x), expected)
    assert_matches(cotan.jit(layer.apply)(params, x), expected)


def test_dense_without_bias_and_gradients(rng):
    layer = nn.Dense(3, use_bias=False)
    params = layer.init(1, (2, 4))
    assert set(params) == {"kernel"}
    x = rng.standard_normal((2, 4))
    params = {"kernel": np.asarray(params["kernel"], np.float64)}
    check_grads(lambda p, x: cnp.tanh(layer.apply(p, x)), (params, x))


def test_dense_rejects_wrong_features():
    layer = nn.Dense(3)
    params = layer.init(0, (2, 4))
    with pytest.raises(ValueError, match=HERE + ".*initialised for 4 input features.*shape \\(2, 5\\)"):
        layer.apply(params, np.ones((2, 5), np.float32))


def test_embedding(rng):
    layer = nn.Embedding(6, 3)
    params = layer.init(0, ())
    table = np.asarray(params["embedding"])
    ids = np.array([[0, 5], [2, 2]], np.int32)
    assert_matches(layer.apply(params, ids), table[ids])
    assert_matches(cotan.jit(layer.apply)(params, ids), table[ids])
    query = rng.standard_normal((2, 3)).astype(np.float32)
    assert_matches(layer.attend(params, query), query @ table.T)
    # The gradient of a lookup adds each id's cotangent into its row.
    grad = cotan.grad(lambda p: cnp.sum(layer.apply(p, ids) * np.arange(3.0, dtype=np.float32)))(params)
    expected = np.zeros((6, 3), np.float32)
    np.add.at(expected, ids.ravel(), np.arange(3.0, dtype=np.float32))
    assert_matches(grad["embedding"], expected)


def test_embedding_errors():
    layer = nn.Embedding(4, 2)
    params = layer.init(0, ())
    with pytest.raises(IndexError, match=HERE + ".*ids must lie in \\[0, 4\\).*to 4"):
        layer.apply(params, np.array([1, 4]))
    with pytest.raises(TypeError, match=HERE + ".*integer ids"):
        layer.apply(params, np.array([1.0]))


# -- Conv ----------------------------------------------------------------------

@pytest.mark.parametrize("case", [
    dict(kernel_size=(3, 3), strides=1, padding="SAME", groups=1),
    dict(kernel_size=(3, 2), strides=(2, 1), padding="VALID", groups=1),
    dict(kernel_size=(3, 3), strides=1, padding=((1, 0), (2, 1)), groups=2, dilation=(2, 1)),
    dict(kernel_size=(3,), strides=2, padding="SAME", groups=4),  # 1-d depthwise
])
def test_conv_matches_reference(case, rng):
    spatial = len(case["kernel_size"])
    x = rng.standard_normal((2,) + (9,) * spatial + (4,))
    layer = nn.Conv(8, case["kernel_size"], strides=case["strides"], padding=case["padding"],
                    kernel_dilation=case.get("dilation", 1), feature_group_count=case["groups"],
                    param_dtype=np.float64)
    params = layer.init(0, x.shape)
    kernel = np.asarray(params["kernel"])
    assert kernel.shape == case["kernel_size"] + (4 // case["groups"], 8)
    params = {"kernel": kernel, "bias": rng.standard_normal(8)}
    strides = (case["strides"],) * spatial if isinstance(case["strides"], int) else case["strides"]
    dilation = case.get("dilation", (1,) * spatial)
    from cotan.convolution import padding_amounts
    windows = [(k - 1) * d + 1 for k, d in zip(case["kernel_size"], dilation)]
    pads = padding_amounts(case["padding"], x.shape[1:-1], windows, strides)
    to_nc = (0, spatial + 1) + tuple(range(1, spatial + 1))
    expected = reference_conv(x.transpose(to_nc), kernel.transpose((spatial + 1, spatial) + tuple(range(spatial))),
                              strides, pads, (1,) * spatial, dilation, case["groups"])
    expected = np.moveaxis(expected, 1, -1) + params["bias"]
    assert_matches(cotan.jit(layer.apply)(params, x), expected)


def test_conv_gradients(rng):
    layer = nn.Conv(3, (2, 2), strides=(1, 2), param_dtype=np.float64)
    x = rng.standard_normal((2, 4, 5, 2))
    params = {k: np.asarray(v) for k, v in layer.init(0, x.shape).items()}
    params["bias"] = rng.standard_normal(3)
    check_grads(layer.apply, (params, x), modes=("rev",))


def test_conv_errors():
    with pytest.raises(TypeError, match=HERE + ".*kernel_size must be a tuple"):
        nn.Conv(4, 3)
    with pytest.raises(ValueError, match=HERE + ".*feature_group_count 3 must divide"):
        nn.Conv(4, (3, 3), feature_group_count=3).init(0, (1, 5, 5, 6))
    layer = nn.Conv(4, (3, 3))
    params = layer.init(0, (1, 5, 5, 2))
    with pytest.raises(ValueError, match=HERE + ".*2-d Conv takes inputs"):
        layer.apply(params, np.ones((5, 5, 2), np.float32))
    with pytest.raises(ValueError, match=HERE + ".*input has 3 features but the filters take 2"):
        layer.apply(params, np.ones((1, 5, 5, 3), np.float32))


# -- normalization ---------------------------------------------------------------

def np_batch_norm(x, axes, scale, bias, eps):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * scale + bias, x.mean(axis=axes), x.var(axis=axes)


@pytest.mark.parametrize("shape, axis", [((8, 3), -1), ((4, 5, 5, 3), -1), ((4, 3, 6), 1)])
def test_batch_norm_train_and_eval(shape, axis, rng):
    layer = nn.BatchNorm(momentum=0.9, axis=axis, param_dtype=np.float64)
    x = rng.standard_normal(shape) * 2 + 1
    params = {"scale": rng.standard_normal(3), "bias": rng.standard_normal(3)}
    state = layer.init_state(shape)
    assert_matches(state["mean"], np.zeros(3)) and assert_matches(state["var"], np.ones(3))
    stat_shape = [1] * len(shape)
    stat_shape[axis] = 3
    axes = tuple(i for i in range(len(shape)) if i != axis % len(shape))
    expected, mean, var = np_batch_norm(x, axes, params["scale"].reshape(stat_shape),
                                        params["bias"].reshape(stat_shape), 1e-5)
    y, new_state = cotan.jit(layer.apply, static_argnums=3)(params, x, state, True)
    assert_matches(y, expected)
    assert_matches(new_state["mean"], 0.1 * mean)
    assert_matches(new_state["var"], 0.9 + 0.1 * var)
    # Inference normalizes with the running statistics and keeps them.
    y_eval, same_state = layer.apply(params, x, new_state)
    running = (x - (0.1 * mean).reshape(stat_shape)) / np.sqrt((0.9 + 0.1 * var).reshape(stat_shape) + 1e-5)
    assert_matches(y_eval, running * params["scale"].reshape(stat_shape) + params["bias"].reshape(stat_shape))
    assert same_state is new_state


def test_batch_norm_gradients_flow_through_batch_statistics(rng):
    layer = nn.BatchNorm(param_dtype=np.float64)
    x = rng.standard_normal((6, 4))
    params = {"scale": rng.standard_normal(4), "bias": rng.standard_normal(4)}
    state = {k: np.asarray(v) for k, v in layer.init_state(x.shape).items()}
    check_grads(lambda p, x: layer.apply(p, x, state, train=True)[0], (params, x))


def test_batch_norm_state_keeps_its_dtype():
    layer = nn.BatchNorm()
    state = layer.init_state((4, 2))
    params = layer.init(0, (4, 2))
    _, new_state = layer.apply(params, np.ones((4, 2)), state, train=True)
    assert new_state["mean"].dtype == np.float32 and new_state["var"].dtype == np.float32


def test_batch_norm_errors():
    layer = nn.BatchNorm()
    params = layer.init(0, (4, 3))
    with pytest.raises(ValueError, match=HERE + ".*needs its state"):
        layer.apply(params, np.ones((4, 3)), {})
    with pytest.raises(ValueError, match=HERE + ".*initialised for 3 features"):
        layer.apply(params, np.ones((4, 2)), layer.init_state((4, 3)))


@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 7), (5,)])
def test_layer_norm(shape, rng):
    layer = nn.LayerNorm(param_dtype=np.float64)
    x = rng.standard_normal(shape) * 3
    params = {"scale": rng.standard_normal(shape[-1]), "bias": rng.standard_normal(shape[-1])}
    mean = x.mean(-1, keepdims=True)
    expected = (x - mean) / np.sqrt(x.var(-1, keepdims=True) + 1e-6) * params["scale"] + params["bias"]
    assert_matches(cotan.jit(layer.apply)(params, x), expected)
    check_grads(layer.apply, (params, x))


def test_layer_norm_without_affine():
    layer = nn.LayerNorm(use_scale=False, use_bias=False)
    assert layer.init(0, (2, 3)) == {}
    y = np.asarray(layer.apply({}, np.array([[1.0, 2.0, 3.0]], np.float32)))
    np.testing.assert_allclose(y, [[-1.2247, 0.0, 1.2247]], atol=1e-4)


# -- Dropout ---------------------------------------------------------------------

def test_dropout(rng):
    layer = nn.Dropout(0.25)
    x = rng.standard_normal((50, 40)).astype(np.float32)
    mask = layer.make_mask(3, x.shape)
    assert np.asarray(mask).dtype == np.bool_
    assert abs(np.asarray(mask).mean() - 0.75) < 0.03
    assert_matches(cotan.jit(layer.apply, static_argnums=2)({}, x, True, mask),
                   np.where(np.asarray(mask), x / 0.75, 0).astype(np.float32))
    assert_matches(layer.apply({}, x), x)  # inference: the identity
    # A mask broadcast over the batch drops whole features.
    row = np.array([True, False] * 20)
    assert_matches(layer.apply({}, x, True, row), np.where(row, x / 0.75, 0).astype(np.float32))
    grad = cotan.grad(lambda x: cnp.sum(layer.apply({}, x, True, mask)))(x)
    assert_matches(grad, np.where(np.asarray(mask), 1 / 0.75, 0).astype(np.float32))


def test_dropout_errors():
    with pytest.raises(ValueError, match=HERE + ".*rate must be in \\[0, 1\\)"):
        nn.Dropout(1.0)
    layer = nn.Dropout(0.5)
    x = np.ones((3, 4), np.float32)
    with pytest.raises(ValueError, match=HERE + ".*needs randomness"):
        layer.apply({}, x, train=True)
    with pytest.raises(TypeError, match=HERE + ".*must be boolean"):
        layer.apply({}, x, True, np.ones((3, 4)))
    with pytest.raises(ValueError, match=HERE + ".*does not broadcast"):
        layer.apply({}, x, True, np.ones((3, 5), bool))


# -- LSTMCell --------------------------------------------------------------------

def np_lstm_step(params, c, h, x):
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    gates = x @ params["input_kernel"] + h @ params["recurrent_kernel"] + params["bias"]
    i, f, g, o = np.split(gates, 4, axis=-1)
    c = sig(f) * c + sig(i) * np.tanh(g)
    return c, sig(o) * np.tanh(c)


def test_lstm_cell_over_a_sequence(rng):
    cell = nn.LSTMCell(5, param_dtype=np.float64)
    params = {k: np.asarray(v) for k, v in cell.init(0, (3, 4)).items()}
    params["bias"] = rng.standard_normal(20) * 0.1
    assert params["input_kernel"].shape == (4, 20) and params["recurrent_kernel"].shape == (5, 20)
    xs = rng.standard_normal((6, 3, 4))

    def run(params, xs):
        carry, hs = cotan.lax.scan(lambda carry, x: cell.apply(params, carry, x),
                                   cell.initialize_carry((3,), np.float64), xs)
        return hs

    c = h = np.zeros((3, 5))
    expected = []
    for x in xs:
        c, h = np_lstm_step(params, c, h, x)
        expected.append(h)
    assert_matches(cotan.jit(run)(params, xs), np.stack(expected))
    check_grads(lambda p, x: cnp.sum(run(p, x) ** 2), (params, xs), modes=("rev",))


def test_lstm_cell_errors():
    cell = nn.LSTMCell(2)
    params = cell.init(0, (1, 3))
    with pytest.raises(TypeError, match=HERE + ".*carry is a pair"):
        cell.apply(params, np.zeros((1, 2)), np.zeros((1, 3)))
    with pytest.raises(TypeError, match=HERE + ".*cannot be a layer of Sequential"):
        nn.Sequential([cell]).apply((params,), np.zeros((1, 3), np.float32))


# -- Sequential --------------------------------------------------------------------

def test_sequential_matches_manual_composition(rng):
    model = nn.Sequential([nn.Dense(6), nn.relu, nn.LayerNorm(), nn.Dense(2)])
    params = model.init(0, (4, 3))
    assert len(params) == 4 and params[1] == {}
    x = rng.standard_normal((4, 3)).astype(np.float32)
    h = np.maximum(x @ np.asarray(params[0]["kernel"]) + np.asarray(params[0]["bias"]), 0)
    h = (h - h.mean(-1, keepdims=True)) / np.sqrt(h.var(-1, keepdims=True) + 1e-6)
    expected = h @ np.asarray(params[3]["kernel"]) + np.asarray(params[3]["bias"])
    assert_matches(cotan.jit(model.apply)(params, x), expected.astype(np.float32))
    assert model.output_shape(params, (4, 3)) == (4, 2)


def test_sequential_cnn_with_state_and_dropout(rng):
    model = nn.Sequential([nn.Conv(4, (3, 3)), nn.BatchNorm(), nn.relu, nn.MaxPool((2, 2), (2, 2)),
                           nn.Flatten(), nn.Dropout(0.5), nn.Dense(3)])
    shape = (5, 6, 6, 2)
    params = model.init(1, shape)
    state = model.init_state(shape)
    assert params[0]["kernel"].shape == (3, 3, 2, 4) and params[6]["kernel"].shape == (36, 3)
    assert state[1]["mean"].shape == (4,) and state[0] == {}
    x = rng.standard_normal(shape).astype(np.float32)
    labels = np.array([0, 1, 2, 1, 0])
    masks = model.dropout_masks(2, params, shape)
    assert len(masks) == 1 and masks[0].shape == (5, 36)

    @cotan.jit
    def train_step(params, state, x, masks):
        def loss(params):
            logits, new_state = model.apply(params, x, state=state, train=True, masks=masks)
            return cnp.mean(nn.softmax_cross_entropy(logits, labels)), new_state
        (value, new_state), grads = cotan.value_and_grad(loss, has_aux=True)(params)
        return value, new_state, grads

    value, new_state, grads = train_step(params, state, x, masks)
    assert np.isfinite(float(value))
    assert cotan.tree_util.tree_structure(grads) == cotan.tree_util.tree_structure(params)
    assert not np.allclose(np.asarray(new_state[1]["mean"]), 0)
    logits, same = model.apply(params, x, state=new_state)  # inference: no masks needed
    assert logits.shape == (5, 3) and same[1] is new_state[1]


def test_sequential_errors():
    model = nn.Sequential([nn.Dense(3), nn.Dropout(0.5)])
    params = model.init(0, (2, 4))
    x = np.ones((2, 4), np.float32)
    with pytest.raises(ValueError, match=HERE + ".*has 2 layers"):
        model.apply(params[:1], x)
    with pytest.raises(ValueError, match=HERE + ".*needs randomness"):
        model.apply(params, x, train=True)
    masks = model.dropout_masks(0, params, x.shape)
    with pytest.raises(ValueError, match=HERE + ".*got 2 dropout masks for 1 Dropout"):
        model.apply(params, x, train=True, masks=masks * 2)
    with pytest.raises(TypeError, match=HERE + ".*neither a cotan.nn layer nor a function"):
        nn.Sequential([nn.Dense(3), 4])


def test_parameters_of_the_wrong_layer_are_clear_errors():
    dense, conv = nn.Dense(3), nn.Conv(2, (3, 3))
    x = np.ones((1, 4, 4, 2), np.float32)
    with pytest.raises(ValueError, match=HERE + ".*Conv expects the parameters its init returned, with 'kernel'; "
                                              "got \\['embedding'\\]"):
        conv.apply(nn.Embedding(3, 2).init(0, ()), x)
    with pytest.raises(ValueError, match=HERE + ".*Dense expects the parameters its init returned.*got tuple"):
        dense.apply((dense.init(0, (2, 4)),), np.ones((2, 4), np.float32))
    with pytest.raises(ValueError, match=HERE + ".*LayerNorm expects.*'scale'"):
        nn.LayerNorm().apply({}, np.ones((2, 3)))


def test_layers_are_hashable_static_arguments(rng):
    layer = nn.Conv(2, [3, 3], strides=[1, 1])
    params = layer.init(0, (1, 4, 4, 1))
    apply = cotan.jit(lambda layer, params, x: layer.apply(params, x), static_argnums=0)
    x = rng.standard_normal((1, 4, 4, 1)).astype(np.float32)
    assert apply(layer, params, x).shape == (1, 4, 4, 2)
    assert hash(nn.MaxPool([2, 2])) == hash(nn.MaxPool((2, 2)))


def test_eval_shape():
    out = cotan.eval_shape(lambda a, b: {"y": a @ b, "n": cnp.sum(a)},
                           cotan.ShapeDtypeStruct((3, 4), np.float32), np.ones((4, 5), np.float32))
    assert out["y"] == cotan.ShapeDtypeStruct((3, 5), np.float32)
    assert out["n"].shape == () and out["n"].dtype == np.float32
    with pytest.raises(TypeError, match=HERE + ".*eval_shape takes arrays"):
        cotan.eval_shape(lambda a: a, "text")


def test_dropout_with_a_prng_key(rng):
    from cotan import random
    layer = nn.Dropout(0.5)
    x = np.ones((200, 50), np.float32)
    key = random.PRNGKey(0)
    y = np.asarray(cotan.jit(lambda x, k: layer.apply({}, x, True, rng=k))(x, key))
    kept = y != 0
    assert abs(kept.mean() - 0.5) < 0.02 and np.allclose(y[kept], 2.0)
    again = np.asarray(layer.apply({}, x, True, rng=key))
    np.testing.assert_array_equal(again, y)  # same key, same mask, eagerly or compiled
    other = np.asarray(layer.apply({}, x, True, rng=random.split(key)[0]))
    assert not np.array_equal(other, y)
    # Sequential splits the key between its Dropout layers.
    model = nn.Sequential([nn.Dropout(0.5), nn.Dense(3), nn.Dropout(0.5)])
    params = model.init(0, (4, 6))
    out = cotan.jit(lambda p, x, k: model.apply(p, x, train=True, rng=k))(params, np.ones((4, 6), np.float32), key)
    assert out.shape == (4, 3)
    np.testing.assert_array_equal(np.asarray(model.apply(params, np.ones((4, 6), np.float32))),
                                  np.asarray(model.apply(params, np.ones((4, 6), np.float32), rng=key)))
