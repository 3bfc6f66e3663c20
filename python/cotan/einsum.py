"""einsum as a chain of pairwise dot_generals (with reduce_sum for labels
that appear in one operand only)."""

from __future__ import annotations

from typing import Any

from . import ops
from .errors import user_error


def _parse(subscripts: str, count: int) -> tuple[list[str], str]:
    spec = subscripts.replace(" ", "")
    if "." in spec:
        raise user_error(NotImplementedError, "einsum with '...' is not supported yet")
    if "->" in spec:
        inputs, output = spec.split("->")
    else:
        inputs = spec
        letters = inputs.replace(",", "")
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    terms = inputs.split(",")
    if len(terms) != count:
        raise user_error(ValueError, f"einsum: {len(terms)} subscripts for {count} operands")
    for t in terms + [output]:
        if not t.isalpha() and t:
            raise user_error(ValueError, f"einsum: invalid subscript {t!r}")
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
    terms, output = _parse(subscripts, len(operands))
    xs = cnp._promote(*operands)
    sizes: dict[str, int] = {}
    for x, t in zip(xs, terms):
        if x.ndim != len(t):
            raise user_error(ValueError, f"einsum: operand of shape {x.shape} does not match subscript {t!r}")
        for c, n in zip(t, x.shape):
            if sizes.setdefault(c, n) != n:
                raise user_error(ValueError, f"einsum: label {c!r} has sizes {sizes[c]} and {n}")
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
