"""Random small array programs, as JSON-able data, and one interpreter that
runs them on NumPy or on cotan.numpy (whose API is NumPy's).

A program is {"dtype", "inputs": [shape...], "ops": [[kind, ...]...]}:
value i is input i, then each op appends one value; the last value is the
result. Valid programs keep every op's shapes consistent; an invalid one
ends with one op that is wrong (shapes, axis, index) and must raise.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

# Unary and binary ops by name: (function of (xp, x[, y]), smooth?). Smooth
# ops are differentiable everywhere, so gradients can be checked against
# finite differences; the rest have kinks (abs, max) where ties are likely.
UNARY: dict[str, tuple[Callable, bool]] = {
    "neg": (lambda xp, x: -x, True),
    "square": (lambda xp, x: x * x, True),
    "tanh": (lambda xp, x: xp.tanh(x), True),
    "sin": (lambda xp, x: xp.sin(x), True),
    "cos": (lambda xp, x: xp.cos(x), True),
    "sqrt1p": (lambda xp, x: xp.sqrt(x * x + 1), True),
    "log1p_sq": (lambda xp, x: xp.log1p(x * x), True),
    "exp_neg_sq": (lambda xp, x: xp.exp(-(x * x)), True),
    "abs": (lambda xp, x: xp.abs(x), False),
    "relu": (lambda xp, x: xp.maximum(x, 0), False),
}
BINARY: dict[str, tuple[Callable, bool]] = {
    "add": (lambda xp, x, y: x + y, True),
    "sub": (lambda xp, x, y: x - y, True),
    "mul": (lambda xp, x, y: x * y, True),
    "div_safe": (lambda xp, x, y: x / (y * y + 1), True),
    "maximum": (lambda xp, x, y: xp.maximum(x, y), False),
    "minimum": (lambda xp, x, y: xp.minimum(x, y), False),
    "where_pos": (lambda xp, x, y: xp.where(x > 0, x, y), False),
}
REDUCE: dict[str, tuple[str, bool]] = {
    "sum": ("sum", True), "mean": ("mean", True), "max": ("max", False), "min": ("min", False),
}
INT_UNARY = ("neg", "square", "abs", "relu")
INT_BINARY = ("add", "sub", "mul", "maximum", "minimum", "where_pos")
INT_REDUCE = ("sum", "max", "min")
DTYPES = ("float32", "float64", "int32")


def run(program: dict, xp: Any, inputs: list) -> Any:
    """The program's result, computed with the array namespace `xp`."""
    values = list(inputs)
    for op in program["ops"]:
        kind, args = op[0], op[1:]
        values.append(_apply(xp, kind, args, values))
    return values[-1]


def _apply(xp: Any, kind: str, args: list, values: list) -> Any:
    if kind == "unary":
        return UNARY[args[0]][0](xp, values[args[1]])
    if kind == "binary":
        return BINARY[args[0]][0](xp, values[args[1]], values[args[2]])
    if kind == "reduce":
        name, a, axis, keepdims = args
        return getattr(xp, REDUCE[name][0])(values[a], axis=axis, keepdims=keepdims)
    if kind == "transpose":
        return xp.transpose(values[args[0]], args[1])
    if kind == "reshape":
        return xp.reshape(values[args[0]], tuple(args[1]))
    if kind == "matmul":
        return xp.matmul(values[args[0]], values[args[1]])
    if kind == "slice":
        a, axis, start, stop, step = args
        index = (slice(None),) * axis + (slice(start, stop, step),)
        return values[a][index]
    if kind == "index":
        a, axis, i = args
        return values[a][(slice(None),) * axis + (i,)]
    if kind == "concat":
        return xp.concatenate([values[args[0]], values[args[1]]], axis=args[2])
    raise ValueError(f"unknown op {kind}")


def input_arrays(program: dict, seed: int) -> list[np.ndarray]:
    """Deterministic inputs: small integers, or floats in [-2, 2]."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(program["dtype"])
    if dtype.kind == "i":
        return [rng.integers(-4, 5, size=tuple(s)).astype(dtype) for s in program["inputs"]]
    return [rng.uniform(-2, 2, size=tuple(s)).astype(dtype) for s in program["inputs"]]


# -- generation ---------------------------------------------------------------

_dims = st.sampled_from([1, 2, 3, 4, 0]) | st.sampled_from([2, 3, 5])


@st.composite
def programs(draw, smooth: bool = False, invalid: bool = False,
             dtypes: tuple[str, ...] = DTYPES) -> dict:
    """A program; `smooth` keeps to differentiable float ops, `invalid` ends
    it with one wrong op."""
    dtype = draw(st.sampled_from(("float64",) if smooth else dtypes))
    is_int = dtype == "int32"
    base = tuple(draw(st.lists(_dims, min_size=0, max_size=3)))
    inputs = [base]
    for _ in range(draw(st.integers(0, 2))):
        inputs.append(_broadcastable_variant(draw, base))
    shapes = [tuple(s) for s in inputs]
    program = {"dtype": dtype, "inputs": [list(s) for s in inputs], "ops": []}
    for _ in range(draw(st.integers(1, 6))):
        op = _valid_op(draw, shapes, program, smooth, is_int)
        if op is None:
            continue
        op, shape = op
        program["ops"].append(op)
        shapes.append(shape)
    if invalid:
        program["ops"].append(_invalid_op(draw, shapes, program))
    elif not program["ops"]:
        program["ops"].append(["unary", "neg", len(shapes) - 1])
    return program


def _broadcastable_variant(draw, base: tuple) -> tuple:
    shape = [1 if draw(st.booleans()) else d for d in base]
    drop = draw(st.integers(0, len(shape)))
    return tuple(shape[drop:])


def _new_input(program: dict, shapes: list, shape: tuple) -> int:
    """Adds an input of `shape` (values are numbered inputs first, so the
    ops' operand numbers shift by one)."""
    program["inputs"].append(list(shape))
    n = len(program["inputs"]) - 1
    for op in program["ops"]:
        _shift_operands(op, n)
    shapes.insert(n, shape)
    return n


def _shift_operands(op: list, first: int) -> None:
    kind = op[0]
    positions = {"unary": [2], "binary": [2, 3], "reduce": [2], "transpose": [1], "reshape": [1],
                 "matmul": [1, 2], "slice": [1], "index": [1], "concat": [1, 2]}[kind]
    for p in positions:
        if op[p] >= first:
            op[p] += 1


def _valid_op(draw, shapes: list, program: dict, smooth: bool, is_int: bool):
    a = draw(st.integers(0, len(shapes) - 1))
    x = shapes[a]
    kind = draw(st.sampled_from(["unary", "binary", "binary", "reduce", "transpose", "reshape",
                                 "matmul", "slice", "index", "concat"]))
    if kind == "unary":
        names = [n for n, (_, s) in UNARY.items() if s or not smooth]
        name = draw(st.sampled_from(INT_UNARY if is_int else names))
        return ["unary", name, a], x
    if kind == "binary":
        b = draw(st.integers(0, len(shapes) - 1))
        try:
            shape = np.broadcast_shapes(x, shapes[b])
        except ValueError:
            return None
        names = [n for n, (_, s) in BINARY.items() if s or not smooth]
        name = draw(st.sampled_from(INT_BINARY if is_int else names))
        return ["binary", name, a, b], tuple(shape)
    if kind == "reduce":
        names = [n for n, (_, s) in REDUCE.items() if s or not smooth]
        name = draw(st.sampled_from(INT_REDUCE if is_int else names))
        axis = draw(st.none() | st.integers(-len(x), len(x) - 1)) if x else None
        keepdims = draw(st.booleans())
        reduced = range(len(x)) if axis is None else [axis % len(x)]
        if name in ("max", "min") and any(x[d] == 0 for d in reduced):
            return None  # NumPy refuses an empty max; so does cotan
        shape = tuple(1 if d in reduced else s for d, s in enumerate(x)) if keepdims else \
            tuple(s for d, s in enumerate(x) if d not in reduced)
        return ["reduce", name, a, axis, keepdims], shape
    if kind == "transpose":
        perm = draw(st.permutations(list(range(len(x)))))
        return ["transpose", a, list(perm)], tuple(x[p] for p in perm)
    if kind == "reshape":
        options = [(math.prod(x),), (1, *x)]
        if len(x) >= 2:
            options.append((x[0] * x[1], *x[2:]))
        shape = draw(st.sampled_from(options))
        return ["reshape", a, list(shape)], shape
    if kind == "matmul":
        if len(x) not in (1, 2) or x[-1] == 0:
            return None
        n = draw(st.integers(1, 4))
        b = _new_input(program, shapes, (x[-1], n))
        a = a + 1 if a >= b else a
        return ["matmul", a, b], (*x[:-1], n)
    if not x:
        return None
    axis = draw(st.integers(0, len(x) - 1))
    size = x[axis]
    if kind == "slice":
        start = draw(st.none() | st.integers(-size - 1, size + 1))
        stop = draw(st.none() | st.integers(-size - 1, size + 1))
        step = draw(st.sampled_from([1, 1, 2, -1]))
        length = len(range(*slice(start, stop, step).indices(size)))
        return ["slice", a, axis, start, stop, step], (*x[:axis], length, *x[axis + 1:])
    if kind == "index":
        if size == 0:
            return None
        i = draw(st.integers(-size, size - 1))
        return ["index", a, axis, i], (*x[:axis], *x[axis + 1:])
    return ["concat", a, a, axis], (*x[:axis], 2 * size, *x[axis + 1:])


def _invalid_op(draw, shapes: list, program: dict) -> list:
    """One op on the last value that must raise: shapes that do not
    broadcast, match or concatenate, an axis or index out of range, a wrong
    size or permutation."""
    a = len(shapes) - 1
    x = shapes[a]

    def with_input(shape: tuple) -> int:
        nonlocal a
        b = _new_input(program, shapes, shape)
        if a >= b:
            a += 1
        return b

    unbroadcastable = [d for d, size in enumerate(x) if size != 1]
    kinds = ["reshape", "transpose"]
    if unbroadcastable:
        kinds.append("binary")
    if x:
        kinds += ["reduce", "index", "matmul", "concat"]
    kind = draw(st.sampled_from(kinds))
    if kind == "binary":
        d = draw(st.sampled_from(unbroadcastable))
        other = list(x)
        other[d] = x[d] + 2
        b = with_input(tuple(other))
        return ["binary", draw(st.sampled_from(["add", "mul"])), a, b]
    if kind == "reshape":
        return ["reshape", a, [math.prod(x) + 1]]
    if kind == "transpose":
        return ["transpose", a, list(range(len(x) + 1))]
    if kind == "reduce":
        return ["reduce", "sum", a, draw(st.sampled_from([len(x), -len(x) - 1])), False]
    if kind == "index":
        axis = draw(st.integers(0, len(x) - 1))
        return ["index", a, axis, draw(st.sampled_from([x[axis], -x[axis] - 1]))]
    if kind == "matmul":
        b = with_input((x[-1] + 1, 2))
        return ["matmul", a, b]
    axis = draw(st.integers(0, len(x) - 1))
    if len(x) == 1:
        b = with_input((2, 2))  # a different rank
    else:
        other = list(x)
        other[(axis + 1) % len(x)] += 1
        b = with_input(tuple(other))
    return ["concat", a, b, axis]
