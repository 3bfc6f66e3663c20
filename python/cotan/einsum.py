"""einsum as a chain of pairwise dot_generals (with reduce_sum for labels
that appear in one operand only). '...' and size-1 dimensions broadcast as
in NumPy."""

from __future__ import annotations

import string
from typing import Any

from . import ops
from .errors import user_error


def _parse(subscripts: str, ndims: list[int]) -> tuple[list[str], str]:
    """Per-operand labels and the output labels, with each '...' replaced by
    labels of its own (right-aligned across operands, as NumPy broadcasts)."""
    spec = subscripts.replace(" ", "")
    inputs, arrow, output = spec.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(ndims):
        raise user_error(ValueError, f"einsum: {len(terms)} subscripts for {len(ndims)} operands")
    for t in terms + [output]:
        if not t.replace("...", "").isalpha() and t.replace("...", ""):
            raise user_error(ValueError, f"einsum: invalid subscript {t!r}")
        if t.count("...") > 1:
            raise user_error(ValueError, f"einsum: more than one '...' in {t!r}")
    ranks = [n - len(t.replace("...", "")) if "..." in t else 0 for t, n in zip(terms, ndims)]
    for t, n, r in zip(terms, ndims, ranks):
        if r < 0 or ("..." not in t and len(t) != n):
            raise user_error(ValueError, f"einsum: operand with {n} dimensions does not match subscript {t!r}")
    spare = [c for c in string.ascii_letters if c not in spec]
    ellipsis = "".join(spare[:max(ranks, default=0)])
    terms = [t.replace("...", ellipsis[len(ellipsis) - r:]) for t, r in zip(terms, ranks)]
    if arrow:
        if "..." not in output and ellipsis:
            raise user_error(ValueError, f"einsum: the inputs of {subscripts!r} have '...' dimensions but its "
                                         "output has no '...'")
        output = output.replace("...", ellipsis)
    else:
        letters = "".join(terms)
        output = ellipsis + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ellipsis))
    for t in terms + [output]:
        if len(set(t)) != len(t):
            raise user_error(NotImplementedError, f"einsum: repeated label in {t!r} (diagonals) is not supported")
    return terms, output


def _sum_out(x: Any, labels: str, keep: set[str]) -> tuple[Any, str]:
    drop = tuple(i for i, c in enumerate(labels) if c not in keep)
    if not drop:
        return x, labels
    return ops.reduce_sum(x, dimensions=drop), "".join(c for c in labels if c in keep)


def einsum(subscripts: str, *operands: Any) -> Any:
    from . import numpy as cnp
    xs = cnp._promote(*operands)
    terms, output = _parse(subscripts, [x.ndim for x in xs])
    sizes: dict[str, int] = {}
    for x, t in zip(xs, terms):
        for c, n in zip(t, x.shape):
            if sizes.get(c, 1) == 1:
                sizes[c] = n
            elif n not in (1, sizes[c]):
                raise user_error(ValueError, f"einsum: label {c!r} has sizes {sizes[c]} and {n}")
    # A size-1 dimension broadcast against a larger one leaves its operand:
    # the label then lives in the other operands only.
    for k, (x, t) in enumerate(zip(xs, terms)):
        thin = [i for i, (c, n) in enumerate(zip(t, x.shape)) if n == 1 and sizes[c] != 1]
        if thin:
            xs[k] = ops.reshape(x, shape=tuple(n for i, n in enumerate(x.shape) if i not in thin))
            terms[k] = "".join(c for i, c in enumerate(t) if i not in thin)
    for c in output:
        if c not in sizes:
            raise user_error(ValueError, f"einsum: output label {c!r} appears in no input")
    acc, acc_labels = xs[0], terms[0]
    for k in range(1, len(xs)):
        later = set(output).union(*terms[k + 1:])
        b, b_labels = xs[k], terms[k]
        acc, acc_labels = _sum_out(acc, acc_labels, later | set(b_labels))
        b, b_labels = _sum_out(b, b_labels, later | set(acc_labels))
        shared = [c for c in acc_labels if c in b_labels]
        batch = [c for c in shared if c in later]
        contract = [c for c in shared if c not in later]
        acc = ops.dot_general(
            acc, b,
            contracting=(tuple(acc_labels.index(c) for c in contract), tuple(b_labels.index(c) for c in contract)),
            batch=(tuple(acc_labels.index(c) for c in batch), tuple(b_labels.index(c) for c in batch)))
        acc_labels = ("".join(batch) + "".join(c for c in acc_labels if c not in shared)
                      + "".join(c for c in b_labels if c not in shared))
    acc, acc_labels = _sum_out(acc, acc_labels, set(output))
    return cnp.transpose(acc, [acc_labels.index(c) for c in output])
