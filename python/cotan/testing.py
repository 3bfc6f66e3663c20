"""Derivative checks against central finite differences (float64)."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .tree_util import tree_flatten, tree_unflatten


def _as_float64_leaves(args: Sequence[Any]):
    leaves, tree = tree_flatten(tuple(args))
    return [np.asarray(x, np.float64) for x in leaves], tree


def _flat_output(f: Callable, tree, leaves) -> np.ndarray:
    out = f(*tree_unflatten(tree, leaves))
    return np.concatenate([np.asarray(o, np.float64).ravel() for o in tree_flatten(out)[0]])


def numerical_jvp(f: Callable, args: Sequence[Any], direction: Sequence[np.ndarray], eps: float = 1e-6) -> np.ndarray:
    """Central difference of f (outputs flattened) along `direction`."""
    leaves, tree = _as_float64_leaves(args)
    plus = [x + eps * d for x, d in zip(leaves, direction)]
    minus = [x - eps * d for x, d in zip(leaves, direction)]
    return (_flat_output(f, tree, plus) - _flat_output(f, tree, minus)) / (2 * eps)


def check_grads(f: Callable, args: Sequence[Any], modes: Sequence[str] = ("fwd", "rev"),
                eps: float = 1e-6, rtol: float = 1e-5, atol: float = 1e-6, seed: int = 0) -> None:
    """Checks cotan's jvp and vjp of `f` at `args` (float64 arrays or pytrees
    of them) against central finite differences along random directions."""
    from . import transforms

    rng = np.random.default_rng(seed)
    leaves, tree = _as_float64_leaves(args)
    direction = [rng.standard_normal(x.shape) for x in leaves]
    expected = numerical_jvp(f, args, direction, eps)
    primals = tree_unflatten(tree, leaves)
    if "fwd" in modes:
        _, tangent = transforms.jvp(f, tuple(primals), tuple(tree_unflatten(tree, direction)))
        got = np.concatenate([np.asarray(t, np.float64).ravel() for t in tree_flatten(tangent)[0]])
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, err_msg="forward mode (jvp)")
    if "rev" in modes:
        out, pullback = transforms.vjp(f, *primals)
        out_leaves, out_tree = tree_flatten(out)
        cotangent = [rng.standard_normal(np.shape(o)) for o in out_leaves]
        grads = tree_flatten(pullback(tree_unflatten(out_tree, cotangent)))[0]
        # <u, J v> computed both ways.
        got = sum(float(np.sum(np.asarray(g, np.float64) * d)) for g, d in zip(grads, direction))
        want = float(np.dot(np.concatenate([c.ravel() for c in cotangent]) if cotangent else np.zeros(0), expected))
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg="reverse mode (vjp)")
