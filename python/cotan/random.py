"""cotan.random: splittable counter-based random numbers (JAX's design).

A key is two 32-bit words; the same key always gives the same numbers, so
programs are reproducible and parallel-safe, and jit/vmap/grad transform
them like any other function. Split a key to get independent ones:

    key = random.PRNGKey(0)
    key, sub = random.split(key)
    x = random.normal(sub, (3, 4))

The generator is Threefry-2x32 (the `cotan.threefry2x32` op) used as JAX
uses it by default (`jax_threefry_partitionable`): the same keys give the
same bits, uniforms and normals as JAX. Keys and raw bits are int32 arrays
holding the bits of JAX's uint32 ones (`np.asarray(bits).view(np.uint32)`).
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from . import dtypes as _dt
from . import numpy as cnp
from . import ops
from .array import Array, ArrayBase
from .core import current_trace, find_trace
from .errors import user_error
from .scipy.special import erfinv_single

__all__ = ["PRNGKey", "bernoulli", "beta", "bits", "categorical", "choice", "dirichlet", "exponential", "fold_in",
           "gamma", "gumbel", "key", "laplace", "multivariate_normal", "normal", "permutation", "randint", "split",
           "truncated_normal", "uniform"]

_MASK = 0xFFFFFFFF


def _as_int32_words(words: Sequence[int]) -> np.ndarray:
    return np.asarray([w & _MASK for w in words], np.uint32).view(np.int32)


def PRNGKey(seed: int) -> Array:  # noqa: N802 - JAX's name
    """The key of an integer seed: [seed >> 32, seed & 0xFFFFFFFF] (seeds in
    the 32-bit range give [0, seed mod 2**32], as JAX's default mode)."""
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise user_error(TypeError, f"PRNGKey takes an integer seed, got {type(seed).__name__}")
    seed = int(seed)
    if not -2**63 <= seed < 2**64:
        raise user_error(OverflowError, f"PRNGKey seed {seed} does not fit in 64 bits")
    high = 0 if -2**31 <= seed < 2**32 else (seed >> 32)
    return Array(_as_int32_words([high, seed]))


key = PRNGKey


def check_concrete(values: ArrayBase, ok: Any, message: str) -> None:
    """Raises ValueError(message) when concrete `values` fail `ok` (an
    elementwise NumPy predicate); traced ones are not checked: as in JAX,
    invalid traced parameters give NaNs."""
    if find_trace([values]) is None and not np.all(ok(np.asarray(values))):
        raise user_error(ValueError, message)


def _check_key(k: Any, what: str) -> ArrayBase:
    if isinstance(k, np.ndarray) and k.dtype == np.uint32:
        k = k.view(np.int32)
    k = cnp.asarray(k)
    if k.shape != (2,) or k.dtype != np.int32:
        raise user_error(TypeError, f"{what} takes a PRNG key: an int32 array of shape (2,) from "
                                    f"random.PRNGKey or random.split; got {k.dtype} of shape {k.shape}")
    return k


def _shape(shape: Any, what: str) -> tuple[int, ...]:
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if any(isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer)) or d < 0 for d in shape):
        raise user_error(ValueError, f"{what}: shape must be non-negative integers, got {shape}")
    return tuple(int(d) for d in shape)


def _traced(fn, *args: Any, statics: tuple = ()) -> Any:
    """fn(*args) inside a trace: directly when already tracing, else
    compiled (the generator is an op with two results that only runs
    compiled), once per closure body and `statics` (the shapes and dtypes
    `fn` closes over)."""
    if find_trace([a for a in args if isinstance(a, ArrayBase)]) or current_trace() is not None:
        return fn(*args)
    from .jit import jit_once
    return jit_once((fn.__code__, statics), fn)(*args)


def _words(k: ArrayBase, shape: tuple[int, ...]) -> tuple[ArrayBase, ArrayBase]:
    """Threefry-2x32 of the counters (index >> 32, index & 0xFFFFFFFF) of
    every position of `shape`, row-major: JAX's partitionable scheme."""
    count = math.prod(shape)
    if count >= 2**31:
        raise user_error(ValueError, f"cannot draw {count} random values at once (at most 2**31 - 1)")
    low = cnp.reshape(cnp.arange(count, dtype=np.int32), shape)
    high = cnp.zeros(shape, np.int32)
    k0 = cnp.broadcast_to(k[0], shape)
    k1 = cnp.broadcast_to(k[1], shape)
    return tuple(ops.threefry2x32(*(cnp.asarray(v) for v in (k0, k1, high, low))))


def split(key: Any, num: int = 2) -> ArrayBase:
    """`num` new keys, shape (num, 2), independent of each other and of
    `key`."""
    k = _check_key(key, "split")
    if isinstance(num, (bool, np.bool_)) or not isinstance(num, (int, np.integer)) or num < 0:
        raise user_error(ValueError, f"split: num must be a non-negative integer, got {num!r}")
    num = int(num)

    def run(k):
        y0, y1 = _words(k, (num,))
        return cnp.stack([y0, y1], axis=1)
    return _traced(run, k, statics=(num,))


def fold_in(key: Any, data: int) -> ArrayBase:
    """A new key from `key` and an integer (e.g. a step number)."""
    k = _check_key(key, "fold_in")
    if isinstance(data, (int, np.integer)) and not isinstance(data, (bool, np.bool_)):
        data = _as_int32_words([0 if -2**31 <= int(data) < 2**32 else int(data) >> 32, int(data)])
    else:  # an integer scalar array, possibly traced (a step counter under jit)
        data = cnp.asarray(data)
        if data.shape != () or not _dt.is_int(data.dtype) or data.dtype == np.bool_:
            raise user_error(TypeError, f"fold_in takes an integer (or integer scalar array) to fold in, "
                                        f"got {data.dtype} of shape {data.shape}")
        data = cnp.stack([cnp.zeros((), np.int32), cnp.astype(data, np.int32)])

    def run(k, data):
        # One counter pair: the data's two words (JAX's threefry_2x32).
        y0, y1 = ops.threefry2x32(*(cnp.asarray(v) for v in (k[0:1], k[1:2], data[0:1], data[1:2])))
        return cnp.concatenate([y0, y1])
    return _traced(run, k, cnp.asarray(data))


def bits(key: Any, shape: Any = ()) -> ArrayBase:
    """32 random bits per element (int32 holding JAX's uint32 bits)."""
    k = _check_key(key, "bits")
    shape = _shape(shape, "bits")

    def run(k):
        y0, y1 = _words(k, shape)
        return ops.xor(y0, y1)
    return _traced(run, k, statics=(shape,))


def _unit_interval(k: ArrayBase, shape: tuple[int, ...], dtype: np.dtype) -> ArrayBase:
    """Uniform floats in [0, 1): random mantissa bits under the exponent of
    1.0, reinterpreted, minus 1 (JAX's construction)."""
    y0, y1 = _words(k, shape)
    if dtype == np.float32:
        mantissa = ops.shift_right_logical(ops.xor(y0, y1), cnp.full(shape, 9, np.int32))
        one = cnp.full(shape, np.float32(1).view(np.int32), np.int32)
        return ops.bitcast_convert(ops.or_(mantissa, one), dtype=np.dtype(np.float32)) - np.float32(1)
    # float64: 64 bits from the two words, high word first.
    low32 = cnp.full(shape, _MASK, np.int64)
    high = ops.shift_left(cnp.astype(y0, np.int64), cnp.full(shape, 32, np.int64))
    word = ops.or_(high, ops.and_(cnp.astype(y1, np.int64), low32))
    mantissa = ops.shift_right_logical(word, cnp.full(shape, 12, np.int64))
    one = cnp.full(shape, np.float64(1).view(np.int64), np.int64)
    return ops.bitcast_convert(ops.or_(mantissa, one), dtype=np.dtype(np.float64)) - np.float64(1)


def _float_dtype(dtype: Any, what: str) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise user_error(TypeError, f"{what} draws float32 or float64, got {dtype}")
    return dtype


def uniform(key: Any, shape: Any = (), dtype: Any = np.float32, minval: Any = 0.0,
            maxval: Any = 1.0) -> ArrayBase:
    """Uniform values in [minval, maxval)."""
    k = _check_key(key, "uniform")
    shape = _shape(shape, "uniform")
    dtype = _float_dtype(dtype, "uniform")

    def run(k, minval, maxval):
        minval, maxval = cnp.astype(minval, dtype), cnp.astype(maxval, dtype)
        return cnp.maximum(minval, _unit_interval(k, shape, dtype) * (maxval - minval) + minval)
    return _traced(run, k, cnp.asarray(minval), cnp.asarray(maxval), statics=(shape, dtype))


def normal(key: Any, shape: Any = (), dtype: Any = np.float32) -> ArrayBase:
    """Standard normal values: sqrt(2) erfinv(u) for u uniform in (-1, 1)."""
    k = _check_key(key, "normal")
    shape = _shape(shape, "normal")
    dtype = _float_dtype(dtype, "normal")
    low = np.nextafter(np.array(-1.0, dtype), np.array(0.0, dtype))

    def run(k):
        u = cnp.maximum(low, _unit_interval(k, shape, dtype) * (1.0 - low) + low)
        return cnp.astype(math.sqrt(2.0) * erfinv_single(u), dtype)
    return _traced(run, k, statics=(shape, dtype))


def truncated_normal(key: Any, lower: Any, upper: Any, shape: Any = None,
                     dtype: Any = np.float32) -> ArrayBase:
    """Standard normal values conditioned on lower < x < upper (JAX's
    method): sqrt(2) erfinv(u) for u uniform between erf(lower / sqrt(2))
    and erf(upper / sqrt(2)), clamped into the open interval."""
    from .scipy.special import erf, erfinv
    k = _check_key(key, "truncated_normal")
    dtype = _float_dtype(dtype, "truncated_normal")
    lower, upper = cnp.astype(cnp.asarray(lower), dtype), cnp.astype(cnp.asarray(upper), dtype)
    batch = tuple(np.broadcast_shapes(lower.shape, upper.shape))
    shape = batch if shape is None else _shape(shape, "truncated_normal")
    if np.broadcast_shapes(shape, batch) != shape:
        raise user_error(ValueError, f"truncated_normal: shape {shape} does not broadcast the bounds' shape {batch}")
    half = 1 / math.sqrt(2.0)
    u = uniform(k, shape, dtype, minval=erf(lower * half), maxval=erf(upper * half))
    out = math.sqrt(2.0) * erfinv(u)
    from .transforms import stop_gradient
    low, high = stop_gradient(lower), stop_gradient(upper)
    return cnp.clip(out, cnp.nextafter(low, np.inf), cnp.nextafter(high, -np.inf))


def bernoulli(key: Any, p: Any = 0.5, shape: Any = None) -> ArrayBase:
    """True with probability p (broadcast to `shape`, default p's shape)."""
    k = _check_key(key, "bernoulli")
    p = cnp.asarray(p)
    if not _dt.is_float(p.dtype):
        p = cnp.astype(p, np.float32)
    check_concrete(p, lambda v: ~((v < 0) | (v > 1)), "bernoulli: probabilities must lie in [0, 1]")
    shape = p.shape if shape is None else _shape(shape, "bernoulli")

    def run(k, p):
        return _unit_interval(k, shape, np.dtype(p.dtype)) < p
    return _traced(run, k, p, statics=(shape,))


def exponential(key: Any, shape: Any = (), dtype: Any = np.float32) -> ArrayBase:
    """Exponential values with rate 1: -log(1 - u)."""
    u = uniform(key, shape, _float_dtype(dtype, "exponential"))
    return -cnp.log1p(-u)


def laplace(key: Any, shape: Any = (), dtype: Any = np.float32) -> ArrayBase:
    """Laplace values with scale 1: sign(u) log(1 - |u|), u in (-1, 1)."""
    dtype = _float_dtype(dtype, "laplace")
    u = uniform(key, shape, dtype, minval=-1.0 + float(np.finfo(dtype).epsneg), maxval=1.0)
    return cnp.sign(u) * cnp.log1p(-cnp.abs(u))


def gumbel(key: Any, shape: Any = (), dtype: Any = np.float32) -> ArrayBase:
    """Standard Gumbel values: -log(-log(u)), u in [tiny, 1)."""
    dtype = _float_dtype(dtype, "gumbel")
    u = uniform(key, shape, dtype, minval=float(np.finfo(dtype).tiny), maxval=1.0)
    return -cnp.log(-cnp.log(u))


def categorical(key: Any, logits: Any, axis: int = -1, shape: Any = None) -> ArrayBase:
    """Category indices drawn with probabilities softmax(logits) along
    `axis` (the Gumbel-max trick); `shape` defaults to the batch shape
    (logits' shape without `axis`) and must end with it."""
    logits = cnp._float(logits)
    if logits.ndim == 0:
        raise user_error(ValueError, "categorical needs logits with a category axis, got a scalar")
    axis = cnp._axes(axis, logits.ndim)[0]
    batch = logits.shape[:axis] + logits.shape[axis + 1:]
    shape = batch if shape is None else _shape(shape, "categorical")
    if shape[len(shape) - len(batch):] != batch:
        raise user_error(ValueError, f"categorical: shape {shape} must end with the logits' batch shape {batch}")
    prefix = shape[:len(shape) - len(batch)]
    noise_shape = prefix + logits.shape
    noise = gumbel(key, noise_shape, np.dtype(logits.dtype))
    expanded = cnp.reshape(logits, (1,) * len(prefix) + logits.shape)
    return cnp.argmax(noise + expanded, axis=len(prefix) + axis)


def randint(key: Any, shape: Any, minval: Any, maxval: Any, dtype: Any = np.int32) -> ArrayBase:
    """Integers in [minval, maxval) (minval where maxval <= minval): 64
    random bits per value reduced modulo the span, as JAX does."""
    k = _check_key(key, "randint")
    shape = _shape(shape, "randint")
    if np.dtype(dtype) != np.int32:
        raise user_error(TypeError, f"randint draws int32 values, got dtype {np.dtype(dtype)}")
    first, second = split(k)

    def run(first, second, minval, maxval):
        minval = cnp.broadcast_to(cnp.astype(minval, np.int32), shape)
        maxval = cnp.broadcast_to(cnp.astype(maxval, np.int32), shape)
        mask = cnp.full(shape, _MASK, np.int64)

        def unsigned(x):  # a 32-bit word's unsigned value, in int64
            return ops.and_(cnp.astype(x, np.int64), mask)

        higher, lower = unsigned(bits(first, shape)), unsigned(bits(second, shape))
        span = unsigned(maxval - minval)
        span = cnp.where(maxval <= minval, cnp.ones(shape, np.int64), span)
        # (higher * 2**32 + lower) mod span, in uint32 arithmetic (wrapping).
        multiplier = cnp.remainder(cnp.full(shape, 2**16, np.int64), span)
        multiplier = cnp.remainder(ops.and_(multiplier * multiplier, mask), span)
        offset = ops.and_(ops.and_(cnp.remainder(higher, span) * multiplier, mask)
                          + cnp.remainder(lower, span), mask)
        return minval + cnp.astype(cnp.remainder(offset, span), np.int32)
    return _traced(run, first, second, cnp.asarray(minval), cnp.asarray(maxval), statics=(shape,))


def gamma(key: Any, a: Any, shape: Any = None, dtype: Any = np.float32) -> ArrayBase:
    """Gamma(a, 1) values by Marsaglia and Tsang's rejection method: every
    element proposes until it accepts (a while loop over the whole batch;
    about 1.03 rounds per element), with Ahrens-Dieter's boost
    u^(1/a) Gamma(a + 1) for a < 1. Statistically, not bitwise, JAX's."""
    k = _check_key(key, "gamma")
    dtype = _float_dtype(dtype, "gamma")
    a = cnp.astype(cnp.asarray(a), dtype)
    check_concrete(a, lambda v: v > 0, "gamma: the shape parameter a must be positive")
    shape = a.shape if shape is None else _shape(shape, "gamma")

    def run(k, a):
        from .control_flow import while_loop
        a = cnp.broadcast_to(a, shape)
        proposals, boost_key = split(k)
        boosted = a < 1
        d = cnp.where(boosted, a + 1.0, a) - 1.0 / 3.0
        c = 1.0 / cnp.sqrt(9.0 * d)

        def propose(state):
            i, done, value = state
            normal_key, uniform_key = split(fold_in(proposals, i))
            x = normal(normal_key, shape, dtype)
            u = uniform(uniform_key, shape, dtype)
            v = (1.0 + c * x) ** 3
            positive = v > 0
            accept = positive & (cnp.log(u) < 0.5 * x * x + d - d * v
                                 + d * cnp.log(cnp.where(positive, v, 1.0)))
            value = cnp.where(cnp.logical_not(done) & accept, d * v, value)
            return i + 1, done | accept, value

        start = (cnp.zeros((), np.int32), cnp.zeros(shape, np.bool_), cnp.zeros(shape, dtype))
        _, _, value = while_loop(lambda state: cnp.logical_not(cnp.all(state[1])), propose, start)
        boost = uniform(boost_key, shape, dtype) ** (1.0 / a)
        return cnp.where(boosted, value * boost, value)
    return _traced(run, k, a, statics=(shape, dtype))


def beta(key: Any, a: Any, b: Any, shape: Any = None, dtype: Any = np.float32) -> ArrayBase:
    """Beta(a, b) values: X / (X + Y) for X ~ Gamma(a), Y ~ Gamma(b)."""
    k = _check_key(key, "beta")
    a, b = cnp.asarray(a), cnp.asarray(b)
    shape = tuple(np.broadcast_shapes(a.shape, b.shape)) if shape is None else _shape(shape, "beta")
    ka, kb = split(k)
    x = gamma(ka, a, shape, dtype)
    y = gamma(kb, b, shape, dtype)
    return x / (x + y)


def dirichlet(key: Any, alpha: Any, shape: Any = None, dtype: Any = np.float32) -> ArrayBase:
    """Dirichlet(alpha) vectors along the last axis: normalized Gamma(alpha_i)
    values; `shape` is the batch shape (default alpha's without the last axis)."""
    alpha = cnp.asarray(alpha)
    if alpha.ndim == 0:
        raise user_error(ValueError, "dirichlet needs concentrations alpha with a last (category) axis")
    batch = alpha.shape[:-1] if shape is None else _shape(shape, "dirichlet")
    g = gamma(key, alpha, batch + alpha.shape[-1:], dtype)
    return g / cnp.sum(g, axis=-1, keepdims=True)


def multivariate_normal(key: Any, mean: Any, cov: Any, shape: Any = None, dtype: Any = np.float32,
                        method: str = "cholesky") -> ArrayBase:
    """Draws of N(mean, cov): mean + L z with L L^T = cov (Cholesky) and z
    standard normal, as JAX computes it. `shape` is the batch shape (default
    the broadcast of mean's and cov's batch shapes); each draw has mean's
    last axis. A covariance that is not positive-definite gives NaN (as in
    JAX), or an error when it is a concrete array."""
    from . import linalg
    if method != "cholesky":
        raise user_error(NotImplementedError, f"multivariate_normal: method {method!r} is not supported; "
                                              "use 'cholesky'")
    dtype = _float_dtype(dtype, "multivariate_normal")
    mean = cnp.astype(cnp.asarray(mean), dtype)
    cov = linalg.square_matrices(cnp.astype(cnp.asarray(cov), dtype), "multivariate_normal's cov")
    if mean.ndim == 0 or mean.shape[-1] != cov.shape[-1]:
        raise user_error(ValueError, f"multivariate_normal: mean of shape {mean.shape} and cov of shape "
                                     f"{cov.shape} must share their last dimension")
    batch = tuple(np.broadcast_shapes(mean.shape[:-1], cov.shape[:-2]))
    shape = batch if shape is None else _shape(shape, "multivariate_normal")
    if np.broadcast_shapes(shape, batch) != shape:
        raise user_error(ValueError, f"multivariate_normal: shape {shape} does not broadcast the parameters' "
                                     f"batch shape {batch}")
    factor = linalg.cholesky(cov)
    check_concrete(factor, lambda f: ~np.isnan(f), "multivariate_normal: cov is not positive-definite")
    z = normal(key, shape + mean.shape[-1:], dtype)
    return mean + cnp.einsum("...ij,...j->...i", factor, z)


def _shuffle(key: ArrayBase, x: ArrayBase, axis: int) -> ArrayBase:
    """x's entries along axis in a random order: sorted by random 32-bit
    keys, repeated until key collisions are unlikely (JAX's rounds)."""
    from .sorting import sort_key_val
    rounds = int(np.ceil(3 * np.log(max(1, x.size)) / np.log(_MASK)))
    for _ in range(rounds):
        key, subkey = split(key)
        # Flipping the sign bit orders the words as JAX's uint32 keys.
        words = ops.xor(bits(subkey, x.shape), cnp.full(x.shape, -2**31, np.int32))
        _, x = sort_key_val(words, x, axis)
    return x


def permutation(key: Any, x: Any, axis: int = 0, independent: bool = False) -> ArrayBase:
    """A random permutation of range(x) for an integer x, or of x's slices
    along axis (each line independently if `independent`); JAX's values."""
    k = _check_key(key, "permutation")
    if isinstance(x, (int, np.integer)) or (isinstance(x, (np.ndarray, ArrayBase)) and np.ndim(x) == 0):
        if not np.issubdtype(np.asarray(x).dtype, np.integer):
            raise user_error(TypeError, "permutation: x must be an integer or an array with at least one dimension")
        n = int(np.asarray(x))
        if n < 0:
            raise user_error(ValueError, f"permutation: the length must be non-negative, got {n}")
        return _shuffle(k, cnp.arange(n, dtype=np.int32), 0)
    x = cnp.asarray(x)
    if x.ndim == 0:
        raise user_error(TypeError, "permutation: x must be an integer or an array with at least one dimension")
    (axis,) = cnp._axes(axis, x.ndim)
    if independent or x.ndim == 1:
        return _shuffle(k, x, axis)
    order = _shuffle(k, cnp.arange(x.shape[axis], dtype=np.int32), 0)
    return cnp.take(x, order, axis=axis)


def choice(key: Any, a: Any, shape: Any = (), replace: bool = True, p: Any = None, axis: int = 0) -> ArrayBase:
    """Draws from range(a) for an integer a, or slices of a along axis:
    with replacement (uniformly, or with probabilities p by inverting their
    cumulative sum), or without (a permutation's prefix, or the Gumbel
    top-k trick for p); JAX's values."""
    from .sorting import searchsorted, top_k
    k = _check_key(key, "choice")
    shape = _shape(shape, "choice")
    scalar = isinstance(a, (int, np.integer)) or np.ndim(a) == 0
    if scalar:
        if not np.issubdtype(np.asarray(a).dtype, np.integer):
            raise user_error(TypeError, "choice: a must be an integer or an array with at least one dimension")
        arr, n_inputs = None, int(np.asarray(a))
    else:
        arr = cnp.asarray(a)
        (axis,) = cnp._axes(axis, arr.ndim)
        n_inputs = arr.shape[axis]
    n_draws = math.prod(shape)
    dtype = np.dtype(np.int32) if arr is None else np.dtype(arr.dtype)
    out_shape = shape if arr is None else arr.shape[:axis] + shape + arr.shape[axis + 1:]
    if n_draws == 0:
        return cnp.zeros(out_shape, dtype)
    if n_inputs <= 0:
        raise user_error(ValueError, "choice: a must be positive (or non-empty) unless no samples are taken")
    if not replace and n_draws > n_inputs:
        raise user_error(ValueError, f"choice: cannot take a larger sample (size {n_draws}) than the population "
                                     f"(size {n_inputs}) when replace=False")
    if p is None:
        if replace:
            index = randint(k, shape, 0, n_inputs)
        else:
            drawn = permutation(k, n_inputs if arr is None else arr, axis)
            if arr is not None:
                return cnp.reshape(ops.slice(drawn, start=(0,) * arr.ndim,
                                             limit=arr.shape[:axis] + (n_draws,) + arr.shape[axis + 1:],
                                             strides=(1,) * arr.ndim), out_shape)
            index = drawn[:n_draws]
    else:
        probabilities = cnp._float(p)
        if probabilities.shape != (n_inputs,):
            raise user_error(ValueError, f"choice: p must have shape ({n_inputs},), got {probabilities.shape}")
        check_concrete(probabilities, lambda v: v >= 0, "choice: probabilities p must be non-negative")
        if replace:
            total = cnp.cumsum(probabilities)
            u = total[-1] * (1 - uniform(k, shape, dtype=np.dtype(probabilities.dtype)))
            index = searchsorted(total, u)
        else:
            g = gumbel(k, (n_inputs,), dtype=np.dtype(probabilities.dtype)) + cnp.log(probabilities)
            index = top_k(g, n_draws)[1]
    index = cnp.reshape(index, shape)
    return index if arr is None else cnp.reshape(cnp.take(arr, cnp.ravel(index), axis=axis), out_shape)
