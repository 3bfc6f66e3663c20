"""lax.conv_general_dilated against a NumPy reference written from the
definition (explicit loops over output positions), over strides, padding,
dilations, groups and layouts; derivatives against central differences;
vmap over inputs and over filters against a loop; and the errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import cotan
from cotan import lax
from cotan.testing import check_grads

from conftest import assert_matches

HERE = r"test_convolution.py:\d+"


def reference_conv(x, w, strides, padding, lhs_dilation, rhs_dilation, groups):
    """NCHW-style input [N, C, in...], filters [O, C/G, k...]."""
    n, c = x.shape[:2]
    o, cg = w.shape[:2]
    spatial = x.ndim - 2
    # Dilate the input, then pad (negative pads crop).
    dil_shape = [(s - 1) * d + 1 if s else 0 for s, d in zip(x.shape[2:], lhs_dilation)]
    dilated = np.zeros((n, c, *dil_shape), x.dtype)
    dilated[(slice(None), slice(None)) + tuple(slice(None, None, d) for d in lhs_dilation)] = x
    pad = [(0, 0), (0, 0)] + [(max(lo, 0), max(hi, 0)) for lo, hi in padding]
    padded = np.pad(dilated, pad)
    crop = tuple(slice(max(-lo, 0), padded.shape[i + 2] - max(-hi, 0)) for i, (lo, hi) in enumerate(padding))
    padded = padded[(slice(None), slice(None)) + crop]
    window = [(k - 1) * d + 1 for k, d in zip(w.shape[2:], rhs_dilation)]
    out_shape = [(p - k) // s + 1 for p, k, s in zip(padded.shape[2:], window, strides)]
    out = np.zeros((n, o, *out_shape), np.result_type(x, w))
    og = o // groups
    for pos in itertools.product(*map(range, out_shape)):
        region = tuple(slice(p * s, p * s + k, d) for p, s, k, d in zip(pos, strides, window, rhs_dilation))
        patch = padded[(slice(None), slice(None)) + region]  # [N, C, k...]
        for g in range(groups):
            block = patch[:, g * cg:(g + 1) * cg]
            filters = w[g * og:(g + 1) * og]
            axes = tuple(range(1, spatial + 2))
            out[(slice(None), slice(g * og, (g + 1) * og)) + pos] = np.tensordot(block, filters, (axes, axes))
    return out


CASES = {
    "same": dict(x=(2, 3, 8, 8), w=(4, 3, 3, 3), strides=(1, 1), padding="SAME"),
    "valid_strided": dict(x=(2, 3, 9, 7), w=(4, 3, 3, 2), strides=(2, 1), padding="VALID"),
    "explicit_pad_rhs_dilation_groups": dict(x=(2, 4, 9, 7), w=(6, 2, 3, 3), strides=(1, 2),
                                             padding=((1, 2), (0, 1)), rhs_dilation=(2, 1), groups=2),
    "lhs_dilation_negative_pad": dict(x=(2, 3, 5, 6), w=(4, 3, 3, 3), strides=(1, 1),
                                      padding=((2, 2), (-1, 1)), lhs_dilation=(2, 1)),
    "depthwise_1d": dict(x=(2, 4, 10), w=(8, 1, 3), strides=(3,), padding="SAME", groups=4),
    "3d": dict(x=(1, 2, 4, 5, 4), w=(3, 2, 2, 2, 3), strides=(1, 2, 1), padding="VALID"),
    "1x1": dict(x=(3, 5, 4, 4), w=(2, 5, 1, 1), strides=(1, 1), padding="VALID"),
    "non_square_odd": dict(x=(1, 2, 7, 11), w=(3, 2, 2, 5), strides=(3, 2), padding="SAME_LOWER"),
}


def _explicit_padding(case):
    from cotan.convolution import padding_amounts
    lhs_dil = case.get("lhs_dilation", (1,) * len(case["strides"]))
    rhs_dil = case.get("rhs_dilation", (1,) * len(case["strides"]))
    sizes = [(s - 1) * d + 1 for s, d in zip(case["x"][2:], lhs_dil)]
    windows = [(k - 1) * d + 1 for k, d in zip(case["w"][2:], rhs_dil)]
    return padding_amounts(case["padding"], sizes, windows, case["strides"]), lhs_dil, rhs_dil


def _conv(case, layout=None):
    return lambda x, w: lax.conv_general_dilated(
        x, w, case["strides"], case["padding"], lhs_dilation=case.get("lhs_dilation"),
        rhs_dilation=case.get("rhs_dilation"), dimension_numbers=layout,
        feature_group_count=case.get("groups", 1))


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
def test_conv_matches_reference(name, dtype, rng):
    case = CASES[name]
    x = (rng.standard_normal(case["x"]) * 3).astype(dtype)
    w = (rng.standard_normal(case["w"]) * 3).astype(dtype)
    pads, lhs_dil, rhs_dil = _explicit_padding(case)
    expected = reference_conv(x, w, case["strides"], pads, lhs_dil, rhs_dil, case.get("groups", 1))
    assert_matches(cotan.jit(_conv(case))(x, w), expected)


# Large enough for cotan-tile-matmul's blocked kernel, which reads the input
# in place through the window: ragged rows and columns, strides,
# dilations, groups and transposed convolutions.
KERNEL_CASES = {
    "ragged_strided_dilated": dict(x=(3, 5, 13, 11), w=(33, 5, 3, 3), strides=(2, 1), padding="SAME",
                                   rhs_dilation=(1, 2)),
    "grouped": dict(x=(2, 8, 12, 12), w=(16, 4, 3, 3), strides=(1, 1), padding="SAME", groups=2),
    "transposed": dict(x=(2, 6, 7, 9), w=(10, 6, 4, 4), strides=(1, 1), padding=((3, 3), (3, 2)),
                       lhs_dilation=(2, 2)),
    "1d_long": dict(x=(4, 16, 50), w=(24, 16, 5), strides=(1,), padding="VALID"),
}


@pytest.mark.parametrize("name", KERNEL_CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_kernel_matches_reference(name, dtype, rng):
    case = KERNEL_CASES[name]
    x = rng.standard_normal(case["x"]).astype(dtype)
    w = rng.standard_normal(case["w"]).astype(dtype)
    pads, lhs_dil, rhs_dil = _explicit_padding(case)
    # The exact sums, against which f32 rounding is bounded by the sum's size.
    expected = reference_conv(x.astype(np.float64), w.astype(np.float64), case["strides"], pads,
                              lhs_dil, rhs_dil, case.get("groups", 1))
    got = np.asarray(cotan.jit(_conv(case))(x, w))
    assert got.dtype == dtype
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(got, expected, rtol=100 * eps, atol=100 * eps * np.abs(expected).max())


@pytest.mark.parametrize("name", ["ragged_strided_dilated", "grouped", "transposed"])
def test_conv_kernel_derivatives(name, rng):
    case = KERNEL_CASES[name]
    check_grads(_conv(case), (rng.standard_normal(case["x"]), rng.standard_normal(case["w"])),
                rtol=1e-4)


@pytest.mark.parametrize("strides", [(1, 1), (2, 1)])
def test_conv_kernel_channels_last_derivatives(strides, rng):
    """flax's layouts: the input is read through its transposes and the
    filter gradient accumulates straight into HWIO."""
    dn = ("NHWC", "HWIO", "NHWC")
    f = lambda x, w: lax.conv_general_dilated(x, w, strides, "SAME", dimension_numbers=dn)
    x, w = rng.standard_normal((3, 11, 9, 6)), rng.standard_normal((3, 3, 6, 20))
    check_grads(f, (x, w), rtol=1e-4)
    from cotan.convolution import padding_amounts
    pads = padding_amounts("SAME", (11, 9), (3, 3), strides)
    expected = reference_conv(x.transpose(0, 3, 1, 2), w.transpose(3, 2, 0, 1), strides, pads,
                              (1, 1), (1, 1), 1).transpose(0, 2, 3, 1)
    assert_matches(cotan.jit(f)(x, w), expected)


def test_conv_kernel_dynamic_batch(rng):
    case = KERNEL_CASES["ragged_strided_dilated"]
    f = cotan.jit(_conv(case), polymorphic_shapes=("b, 5, 13, 11", None))
    w = rng.standard_normal(case["w"])
    pads, lhs_dil, rhs_dil = _explicit_padding(case)
    for batch in (1, 3, 5):
        x = rng.standard_normal((batch, 5, 13, 11))
        expected = reference_conv(x, w, case["strides"], pads, lhs_dil, rhs_dil, 1)
        assert_matches(f(x, w), expected)


def test_conv_channels_last_layouts(rng):
    x = rng.standard_normal((2, 8, 7, 3))  # NHWC
    w = rng.standard_normal((3, 2, 3, 5))  # HWIO
    got = lax.conv_general_dilated(x, w, (2, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
    x_nchw, w_oihw = x.transpose(0, 3, 1, 2), w.transpose(3, 2, 0, 1)
    pads = [(0, 1), (0, 1)]  # SAME for sizes (8, 7), windows (3, 2), strides (2, 1)
    expected = reference_conv(x_nchw, w_oihw, (2, 1), pads, (1, 1), (1, 1), 1).transpose(0, 2, 3, 1)
    assert_matches(got, expected)


def test_conv_zero_size_batch():
    got = cotan.jit(lambda x, w: lax.conv(x, w, (1, 1), "SAME"))(np.ones((0, 2, 4, 4)), np.ones((3, 2, 3, 3)))
    assert got.shape == (0, 3, 4, 4)


@pytest.mark.parametrize("name", ["same", "valid_strided", "explicit_pad_rhs_dilation_groups",
                                  "lhs_dilation_negative_pad", "depthwise_1d", "non_square_odd"])
def test_conv_derivatives(name, rng):
    case = CASES[name]
    check_grads(_conv(case), (rng.standard_normal(case["x"]), rng.standard_normal(case["w"])))


@pytest.mark.parametrize("axes", [(0, 0), (0, None), (None, 0)])
def test_vmap_over_inputs_and_filters(axes, rng):
    x = rng.standard_normal((4, 2, 3, 6, 5))
    w = rng.standard_normal((4, 6, 1, 3, 3))
    f = lambda x, w: lax.conv_general_dilated(x, w, (1, 2), "SAME", feature_group_count=3)
    xa = x if axes[0] == 0 else x[0]
    wa = w if axes[1] == 0 else w[0]
    expected = np.stack([np.asarray(f(xa[i] if axes[0] == 0 else xa, wa[i] if axes[1] == 0 else wa))
                         for i in range(4)])
    assert_matches(cotan.vmap(f, in_axes=axes)(xa, wa), expected)


def test_conv_errors():
    x, w = np.ones((1, 3, 5, 5), np.float32), np.ones((4, 2, 3, 3), np.float32)
    with pytest.raises(ValueError, match=HERE + r": the input has 3 features but the filters take 2 per group x 1 group\(s\) = 2"):
        lax.conv(x, w, (1, 1), "SAME")
    w = np.ones((4, 3, 7, 7), np.float32)
    with pytest.raises(ValueError, match=HERE + r": the window \(7 with dilation\) is larger than the padded input \(5\) in spatial dimension 0"):
        lax.conv(x, w, (1, 1), "VALID")
    w = np.ones((4, 3, 3, 3), np.float32)
    with pytest.raises(ValueError, match=HERE + r": window_strides must be positive, got \(1, -1\)"):
        lax.conv(x, w, (1, -1), "SAME")
    with pytest.raises(ValueError, match=HERE + r": rhs_dilation must be positive, got \(0, 1\)"):
        lax.conv_general_dilated(x, w, (1, 1), "SAME", rhs_dilation=(0, 1))
    with pytest.raises(ValueError, match=HERE + r": unknown padding 'FULL'"):
        lax.conv(x, w, (1, 1), "FULL")
    with pytest.raises(ValueError, match=HERE + r": feature_group_count 2 must divide the input features \(3\)"):
        lax.conv_general_dilated(x, w, (1, 1), "SAME", feature_group_count=2)
    with pytest.raises(ValueError, match=HERE + r": the input layout 'NHWX'"):
        lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=("NHWX", "OIHW", "NCHW"))


hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@st.composite
def conv_configs(draw):
    """A random valid convolution: 1-2 spatial dims, strides, paddings
    (named or explicit, negative included), both dilations, feature groups
    and NCHW or NHWC layouts; sizes small, some large enough for the kernel."""
    spatial = draw(st.integers(1, 2))
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    cg, og = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    window = [draw(st.integers(1, 3)) for _ in range(spatial)]
    strides = [draw(st.integers(1, 3)) for _ in range(spatial)]
    lhs_dil = [draw(st.sampled_from([1, 1, 2])) for _ in range(spatial)]
    rhs_dil = [draw(st.sampled_from([1, 1, 2])) for _ in range(spatial)]
    sizes = [draw(st.integers(1, 9)) for _ in range(spatial)]
    padding = draw(st.sampled_from(["VALID", "SAME", "explicit"]))
    if padding == "explicit":
        padding = [(draw(st.integers(-1, 2)), draw(st.integers(-1, 2))) for _ in range(spatial)]
    batch = draw(st.sampled_from([1, 2, 3, 16]))
    layout = draw(st.sampled_from(["NCHW", "NHWC"]))
    case = dict(x=(batch, groups * cg, *sizes), w=(groups * og, cg, *window), strides=tuple(strides),
                padding=padding, lhs_dilation=tuple(lhs_dil), rhs_dilation=tuple(rhs_dil),
                groups=groups)
    pads, _, _ = _explicit_padding(case)
    dilated = [(s - 1) * d + 1 for s, d in zip(sizes, lhs_dil)]
    windows = [(k - 1) * d + 1 for k, d in zip(window, rhs_dil)]
    hypothesis.assume(all(s + lo + hi >= w for s, (lo, hi), w in zip(dilated, pads, windows)))
    return case, layout


def _channels_last(case):
    """The case's convolution taking and giving channels-last arrays."""
    spatial = len(case["strides"])
    names = "HWD"[:spatial]
    dn = ("N" + names + "C", names + "IO", "N" + names + "C")
    return lambda x, w: lax.conv_general_dilated(
        x, w, case["strides"], case["padding"], lhs_dilation=case["lhs_dilation"],
        rhs_dilation=case["rhs_dilation"], dimension_numbers=dn,
        feature_group_count=case["groups"])


@settings(max_examples=40, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(config=conv_configs(), seed=st.integers(0, 2**31 - 1))
def test_random_convolutions_match_reference(config, seed):
    """Fuzzed: any valid configuration, in either layout, equals the loop
    reference, and its gradients central differences."""
    case, layout = config
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal(case["x"]), rng.standard_normal(case["w"])
    pads, lhs_dil, rhs_dil = _explicit_padding(case)
    expected = reference_conv(x, w, case["strides"], pads, lhs_dil, rhs_dil, case["groups"])
    if layout == "NCHW":
        f, args, to_nchw = _conv(case), (x, w), lambda y: y
    else:
        last = (0, *range(2, x.ndim), 1)
        f = _channels_last(case)
        args = (x.transpose(last), w.transpose(*range(2, w.ndim), 1, 0))
        to_nchw = lambda y: np.moveaxis(np.asarray(y), -1, 1)
    assert_matches(to_nchw(cotan.jit(f)(*args)), expected)
    if expected.size and x.size <= 2000:
        check_grads(f, args, modes=("rev",), rtol=1e-4)
