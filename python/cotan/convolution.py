"""lax.conv_general_dilated and lax.conv: JAX's convolution API over the
cotan.convolution op, which has one fixed layout ([N, C, spatial...] input,
[O, I, window...] filters): other layouts are transposed into it and back."""

from __future__ import annotations

from typing import Any, Sequence

from . import ops, shape_poly
from .array import ArrayBase
from .errors import user_error


def _layouts(dimension_numbers: Any, rank: int) -> tuple[str, str, str]:
    if dimension_numbers is None:
        spatial = "".join(chr(ord("0") + i) for i in range(rank - 2))
        return "NC" + spatial, "OI" + spatial, "NC" + spatial
    specs = tuple(dimension_numbers)
    if len(specs) != 3 or not all(isinstance(s, str) for s in specs):
        raise user_error(TypeError, "dimension_numbers must be None or three layout strings, "
                                    f"e.g. ('NHWC', 'HWIO', 'NHWC'); got {dimension_numbers!r}")
    for spec, required, what in zip(specs, ("NC", "OI", "NC"), ("input", "filter", "output")):
        if len(spec) != rank or len(set(spec)) != rank or any(ch not in spec for ch in required):
            raise user_error(ValueError, f"the {what} layout {spec!r} must name {rank} distinct dimensions "
                                         f"including {required[0]!r} and {required[1]!r}")
    lhs, rhs, out = specs
    spatial = [ch for ch in rhs if ch not in "OI"]
    for spec, what in ((lhs, "input"), (out, "output")):
        if sorted(ch for ch in spec if ch not in "NC") != sorted(spatial):
            raise user_error(ValueError, f"the {what} layout {spec!r} and the filter layout {rhs!r} "
                                         "name different spatial dimensions")
    return lhs, rhs, out


def _permutation(spec: str, pair: str, spatial: list[str]) -> list[int]:
    return [spec.index(pair[0]), spec.index(pair[1])] + [spec.index(ch) for ch in spatial]


def _dilated(size: int, dilation: int) -> int:
    return 0 if size == 0 else (size - 1) * dilation + 1


def _positive(values: Any, count: int, what: str) -> tuple[int, ...]:
    if values is None:
        return (1,) * count
    values = tuple(int(v) for v in values)
    if len(values) != count:
        raise user_error(ValueError, f"{what} has {len(values)} entries for {count} spatial dimensions")
    if any(v <= 0 for v in values):
        raise user_error(ValueError, f"{what} must be positive, got {values}")
    return values


def padding_amounts(padding: Any, in_shape: Sequence[int], window: Sequence[int],
                    strides: Sequence[int]) -> tuple[tuple[int, int], ...]:
    """(low, high) per spatial dimension for 'VALID', 'SAME', 'SAME_LOWER'
    or explicit pairs (sizes already dilated)."""
    if isinstance(padding, str):
        mode = padding.upper()
        if mode == "VALID":
            return tuple((0, 0) for _ in in_shape)
        if mode in ("SAME", "SAME_LOWER"):
            pads = []
            for size, w, s in zip(in_shape, window, strides):
                out = -(-size // s)
                total = max((out - 1) * s + w - size, 0)
                low = total // 2 if mode == "SAME" else -(-total // 2)
                pads.append((low, total - low))
            return tuple(pads)
        raise user_error(ValueError, f"unknown padding {padding!r}: use 'VALID', 'SAME', 'SAME_LOWER' "
                                     "or a sequence of (low, high) pairs")
    try:
        pads = tuple((int(lo), int(hi)) for lo, hi in padding)
    except (TypeError, ValueError):
        raise user_error(TypeError, f"padding must be a string or (low, high) pairs, got {padding!r}") from None
    if len(pads) != len(in_shape):
        raise user_error(ValueError, f"padding has {len(pads)} pairs for {len(in_shape)} spatial dimensions")
    return pads


def conv_general_dilated(lhs: Any, rhs: Any, window_strides: Sequence[int], padding: Any,
                         lhs_dilation: Sequence[int] | None = None,
                         rhs_dilation: Sequence[int] | None = None,
                         dimension_numbers: Any = None, feature_group_count: int = 1,
                         batch_group_count: int = 1, precision: Any = None,
                         preferred_element_type: Any = None) -> ArrayBase:
    """JAX's lax.conv_general_dilated: an N-d convolution (cross-correlation)
    with strides, padding ('VALID', 'SAME', 'SAME_LOWER' or (low, high)
    pairs), input and filter dilation, feature groups (depthwise when equal
    to the input features) and layouts such as ('NHWC', 'HWIO', 'NHWC')."""
    from . import numpy as cnp
    if batch_group_count != 1:
        raise user_error(NotImplementedError, "conv_general_dilated: batch_group_count other than 1 "
                                              "is not supported")
    lhs, rhs = cnp._promote(lhs, rhs)
    if preferred_element_type is not None:
        lhs, rhs = cnp.astype(lhs, preferred_element_type), cnp.astype(rhs, preferred_element_type)
    if lhs.ndim < 3 or rhs.ndim != lhs.ndim:
        raise user_error(ValueError, f"conv_general_dilated needs an input and filters of the same rank "
                                     f">= 3, got shapes {lhs.shape} and {rhs.shape}")
    spatial_count = lhs.ndim - 2
    lhs_spec, rhs_spec, out_spec = _layouts(dimension_numbers, lhs.ndim)
    spatial = [ch for ch in rhs_spec if ch not in "OI"]
    lhs_perm = _permutation(lhs_spec, "NC", spatial)
    rhs_perm = _permutation(rhs_spec, "OI", spatial)
    out_perm = _permutation(out_spec, "NC", spatial)
    x = cnp.transpose(lhs, lhs_perm) if lhs_perm != list(range(lhs.ndim)) else lhs
    w = cnp.transpose(rhs, rhs_perm) if rhs_perm != list(range(rhs.ndim)) else rhs
    for what, dims in (("input", x.shape[1:]), ("filter", w.shape)):
        for d in dims:
            if shape_poly.is_symbolic(d):
                raise shape_poly.static_required(
                    d, f"a static {what} dimension of a convolution (only the batch may be symbolic)")

    strides = _positive(window_strides, spatial_count, "window_strides")
    lhs_dil = _positive(lhs_dilation, spatial_count, "lhs_dilation")
    rhs_dil = _positive(rhs_dilation, spatial_count, "rhs_dilation")
    groups = int(feature_group_count)
    channels, in_per_group, out_features = x.shape[1], w.shape[1], w.shape[0]
    if groups <= 0 or channels % groups or out_features % groups:
        raise user_error(ValueError, f"feature_group_count {groups} must divide the input features "
                                     f"({channels}) and the output features ({out_features})")
    if in_per_group * groups != channels:
        raise user_error(ValueError, f"the input has {channels} features but the filters take "
                                     f"{in_per_group} per group x {groups} group(s) = {in_per_group * groups}")
    in_sizes = [_dilated(s, d) for s, d in zip(x.shape[2:], lhs_dil)]
    windows = [_dilated(s, d) for s, d in zip(w.shape[2:], rhs_dil)]
    pads = padding_amounts(padding, in_sizes, windows, strides)
    for i, (size, window, (lo, hi)) in enumerate(zip(in_sizes, windows, pads)):
        if size + lo + hi < window:
            raise user_error(ValueError, f"the window ({window} with dilation) is larger than the padded "
                                         f"input ({size + lo + hi}) in spatial dimension {i}")
    out = ops.convolution(x, w, window_strides=strides, padding=pads, lhs_dilation=lhs_dil,
                          rhs_dilation=rhs_dil, feature_group_count=groups)
    inverse = [out_perm.index(i) for i in range(out.ndim)]
    return cnp.transpose(out, inverse) if inverse != list(range(out.ndim)) else out


def conv(lhs: Any, rhs: Any, window_strides: Sequence[int], padding: Any) -> ArrayBase:
    """lax.conv: NCHW input, OIHW filters."""
    return conv_general_dilated(lhs, rhs, window_strides, padding)
