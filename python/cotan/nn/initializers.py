"""Parameter initialisers with jax.nn.initializers' definitions: each is
`init(rng, shape, dtype=float32) -> Array`.

`rng` is an int seed or a `numpy.random.Generator`. Parameters are drawn
on the host once, before any compiled step runs, so NumPy's generators
serve until cotan has counter-based PRNG keys."""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence, Union

import numpy as np

from .. import dtypes as _dt
from ..array import Array
from ..errors import user_error

Rng = Union[int, np.random.Generator]
Initializer = Callable[..., Array]

__all__ = ["Initializer", "Rng", "as_generator", "constant", "glorot_normal", "glorot_uniform",
           "he_normal", "he_uniform", "lecun_normal", "lecun_uniform", "normal", "ones", "orthogonal", "split",
           "truncated_normal", "uniform", "variance_scaling", "zeros"]

# The standard deviation of a unit normal truncated to [-2, 2]; dividing by
# it makes a truncated draw have the variance asked for.
_TRUNCATED_STDDEV = 0.87962566103423978


def as_generator(rng: Rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise user_error(TypeError, "expected an int seed or a numpy.random.Generator for rng, "
                                f"got {type(rng).__name__}")


def split(rng: Rng, count: int) -> list[np.random.Generator]:
    """`count` independent generators derived deterministically from rng."""
    seeds = as_generator(rng).integers(0, 2**63 - 1, size=count)
    return [np.random.default_rng(int(s)) for s in seeds]


def _float_dtype(dtype: Any) -> np.dtype:
    dtype = np.dtype(dtype)
    if not _dt.is_float(dtype):
        raise user_error(TypeError, f"initialisers draw floating-point parameters, got dtype {dtype}")
    return dtype


def _shape(shape: Any) -> tuple[int, ...]:
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if any(not isinstance(d, (int, np.integer)) or d < 0 for d in shape):
        raise user_error(ValueError, f"a parameter shape must be non-negative integers, got {shape}")
    return tuple(int(d) for d in shape)


def _finish(values: np.ndarray, dtype: Any) -> Array:
    return Array(np.asarray(values, dtype=_float_dtype(dtype)))


def zeros(rng: Rng, shape: Sequence[int], dtype: Any = np.float32) -> Array:
    return _finish(np.zeros(_shape(shape)), dtype)


def ones(rng: Rng, shape: Sequence[int], dtype: Any = np.float32) -> Array:
    return _finish(np.ones(_shape(shape)), dtype)


def constant(value: float) -> Initializer:
    def init(rng: Rng, shape: Sequence[int], dtype: Any = np.float32) -> Array:
        return _finish(np.full(_shape(shape), value), dtype)
    return init


def _truncated_unit_normal(gen: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Unit normal draws resampled until they lie in [-2, 2]."""
    values = gen.standard_normal(shape)
    outside = np.abs(values) > 2
    while outside.any():
        values[outside] = gen.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2
    return values


def normal(stddev: float = 1e-2) -> Initializer:
    def init(rng: Rng, shape: Sequence[int], dtype: Any = np.float32) -> Array:
        return _finish(stddev * as_generator(rng).standard_normal(_shape(shape)), dtype)
    return init


def truncated_normal(stddev: float = 1e-2) -> Initializer:
    """Normal draws truncated to two standard deviations."""
    def init(rng: Rng, shape: Sequence[int], dtype: Any = np.float32) -> Array:
        return _finish(stddev * _truncated_unit_normal(as_generator(rng), _shape(shape)), dtype)
    return init


def uniform(scale: float = 1e-2) -> Initializer:
    """Uniform draws in [0, scale), as jax.nn.initializers.uniform."""
    def init(rng: Rng, shape: Sequence[int], dtype: Any = np.float32) -> Array:
        return _finish(scale * as_generator(rng).random(_shape(shape)), dtype)
    return init


def orthogonal(scale: float = 1.0, column_axis: int = -1) -> Initializer:
    """A (scaled) matrix with orthonormal rows or columns, whichever are
    fewer, from the QR decomposition of a Gaussian matrix; the other axes
    are folded into the rows."""
    def init(rng: Rng, shape: Sequence[int], dtype: Any = np.float32) -> Array:
        shape = _shape(shape)
        if len(shape) < 2:
            raise user_error(ValueError, f"orthogonal initialisation needs a shape of rank >= 2, got {shape}")
        columns = shape[column_axis]
        rows = math.prod(shape) // columns if columns else 0
        gaussian = as_generator(rng).standard_normal((max(rows, columns), min(rows, columns)))
        q, r = np.linalg.qr(gaussian)
        q = q * np.sign(np.diag(r))
        matrix = q if rows >= columns else q.T
        moved = [d for i, d in enumerate(shape) if i != column_axis % len(shape)] + [columns]
        values = np.moveaxis(matrix.reshape(moved), -1, column_axis)
        return _finish(scale * values, dtype)
    return init


def _fans(shape: tuple[int, ...], in_axis: int, out_axis: int) -> tuple[float, float]:
    """(fan_in, fan_out): the in/out axes times the receptive field (the
    product of the other axes, e.g. a convolution's window)."""
    if len(shape) < 2:
        raise user_error(ValueError, "variance-scaling initialisers need a shape with input and output "
                                     f"axes (rank >= 2), got {shape}")
    try:
        fan_in, fan_out = shape[in_axis], shape[out_axis]
    except IndexError:
        raise user_error(ValueError, f"in_axis {in_axis} / out_axis {out_axis} out of range for shape "
                                     f"{shape}") from None
    receptive = math.prod(shape) / (fan_in * fan_out) if fan_in * fan_out else 0
    return fan_in * receptive, fan_out * receptive


def variance_scaling(scale: float, mode: str, distribution: str, in_axis: int = -2,
                     out_axis: int = -1) -> Initializer:
    """Draws with variance scale / n, n the fan-in, fan-out or their mean
    (`mode`), from a truncated normal, normal or uniform `distribution`."""
    if mode not in ("fan_in", "fan_out", "fan_avg"):
        raise user_error(ValueError, f"mode must be 'fan_in', 'fan_out' or 'fan_avg', got {mode!r}")
    if distribution not in ("truncated_normal", "normal", "uniform"):
        raise user_error(ValueError, "distribution must be 'truncated_normal', 'normal' or 'uniform', "
                                     f"got {distribution!r}")

    def init(rng: Rng, shape: Sequence[int], dtype: Any = np.float32) -> Array:
        shape = _shape(shape)
        fan_in, fan_out = _fans(shape, in_axis, out_axis)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
        variance = scale / max(fan, 1.0)
        gen = as_generator(rng)
        if distribution == "truncated_normal":
            values = math.sqrt(variance) / _TRUNCATED_STDDEV * _truncated_unit_normal(gen, shape)
        elif distribution == "normal":
            values = math.sqrt(variance) * gen.standard_normal(shape)
        else:
            values = math.sqrt(3 * variance) * gen.uniform(-1.0, 1.0, shape)
        return _finish(values, dtype)
    return init


def glorot_uniform(in_axis: int = -2, out_axis: int = -1) -> Initializer:
    return variance_scaling(1.0, "fan_avg", "uniform", in_axis, out_axis)


def glorot_normal(in_axis: int = -2, out_axis: int = -1) -> Initializer:
    return variance_scaling(1.0, "fan_avg", "truncated_normal", in_axis, out_axis)


def he_uniform(in_axis: int = -2, out_axis: int = -1) -> Initializer:
    return variance_scaling(2.0, "fan_in", "uniform", in_axis, out_axis)


def he_normal(in_axis: int = -2, out_axis: int = -1) -> Initializer:
    return variance_scaling(2.0, "fan_in", "truncated_normal", in_axis, out_axis)


def lecun_uniform(in_axis: int = -2, out_axis: int = -1) -> Initializer:
    return variance_scaling(1.0, "fan_in", "uniform", in_axis, out_axis)


def lecun_normal(in_axis: int = -2, out_axis: int = -1) -> Initializer:
    return variance_scaling(1.0, "fan_in", "truncated_normal", in_axis, out_axis)
