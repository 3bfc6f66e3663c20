"""eval_shape: the shapes and dtypes a function returns, found by tracing it
without compiling or running anything (jax.eval_shape)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import compiler, shape_poly
from . import dtypes as _dt
from .core import ShapedArray
from .errors import user_error
from .tree_util import tree_flatten, tree_unflatten


@dataclass(frozen=True)
class ShapeDtypeStruct:
    """An array's shape and dtype, without data: a stand-in argument for
    eval_shape and what it returns."""

    shape: tuple[int, ...]
    dtype: np.dtype

    def __init__(self, shape: Any, dtype: Any):
        """`shape` may have symbolic dimensions (shape_poly.symbolic_shape):
        eval_shape then traces with them and answers symbolically."""
        dims = tuple(d if shape_poly.is_symbolic(d) else int(d) for d in shape)
        object.__setattr__(self, "shape", dims)
        object.__setattr__(self, "dtype", np.dtype(dtype))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> Any:
        return math.prod(self.shape)


def _aval(leaf: Any) -> ShapedArray:
    from .jit import _abstractify, _NotAnArray
    if isinstance(leaf, ShapeDtypeStruct):
        return ShapedArray(leaf.shape, _dt.canonicalize(leaf.dtype))
    try:
        return _abstractify(leaf)[0]
    except _NotAnArray:
        raise user_error(TypeError, f"eval_shape takes arrays, scalars and ShapeDtypeStructs, "
                                    f"got a {type(leaf).__name__}") from None


def eval_shape(fun: Callable, *args: Any, **kwargs: Any) -> Any:
    """fun(*args, **kwargs)'s output pytree with each array replaced by
    its ShapeDtypeStruct. Arguments may be arrays or ShapeDtypeStructs."""
    from .jit import _lift_output
    leaves, in_tree = tree_flatten((args, kwargs))
    avals = [_aval(leaf) for leaf in leaves]
    out_tree_box = []

    def body(trace, inputs):
        call_args, call_kwargs = tree_unflatten(in_tree, inputs)
        leaves, out_tree = tree_flatten(fun(*call_args, **call_kwargs))
        out_tree_box.append(out_tree)
        return [_lift_output(x) for x in leaves]

    traced = compiler.trace(getattr(fun, "__name__", "eval_shape"), avals, body)
    structs = [ShapeDtypeStruct(a.shape, a.dtype) for a in traced.out_avals]
    return tree_unflatten(out_tree_box[0], structs)

