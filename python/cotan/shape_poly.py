"""Symbolic dimensions for shape-polymorphic compilation.

`jit(f, polymorphic_shapes=("b, 784", None))` traces `f` once with the
first argument's leading dimension a symbol `b`; every call whose shapes
differ only in `b` runs the same executable. A dimension is a `DimExpr`, a
polynomial with integer coefficients over symbols that each stand for an
integer >= 1 (JAX's `jax.export` semantics). In the IR it is a dynamic
(`?`) dimension whose size the compiled code reads from its arguments.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import operator
import re
import threading
from typing import Any, Callable, Iterable, Mapping, Sequence, Union

# A monomial: sorted ((symbol, power), ...); () is the constant term.
_Monomial = tuple
Dim = Union[int, "DimExpr"]


class ShapePolymorphismError(ValueError):
    """A polymorphic shape that does not parse, a symbol bound to two sizes,
    or a symbolic dimension where a static one is required."""


class InconclusiveDimensionOperation(ShapePolymorphismError):
    """A comparison or conversion of symbolic dimensions whose answer
    depends on the symbols' values."""


class DimExpr:
    """An integer polynomial over dimension symbols, immutable and hashable.
    Equality is structural (b*2 == 2*b); comparisons with integers hold
    when they hold for every value >= 1 of the symbols."""

    __slots__ = ("_terms", "_hash")

    def __init__(self, terms: Mapping[_Monomial, int]):
        self._terms = {m: c for m, c in sorted(terms.items()) if c != 0}
        self._hash = hash(tuple(self._terms.items()))

    @staticmethod
    def symbol(name: str) -> "DimExpr":
        return DimExpr({((name, 1),): 1})

    @staticmethod
    def normalize(terms: Mapping[_Monomial, int]) -> Dim:
        """The expression, or a plain int when no symbol is left."""
        e = DimExpr(terms)
        if not e._terms:
            return 0
        if list(e._terms) == [()]:
            return e._terms[()]
        return e

    # -- structure --------------------------------------------------------

    @property
    def symbols(self) -> set[str]:
        return {s for m in self._terms for s, _ in m}

    def terms(self) -> Iterable[tuple[_Monomial, int]]:
        """(monomial, coefficient) pairs; a monomial is ((symbol, power), ...)."""
        return self._terms.items()

    def as_symbol(self) -> str | None:
        """The symbol's name if this is exactly one symbol."""
        if len(self._terms) == 1:
            (m, c), = self._terms.items()
            if c == 1 and len(m) == 1 and m[0][1] == 1:
                return m[0][0]
        return None

    def linear_in(self, name: str) -> tuple[int, "Dim"] | None:
        """(k, rest) with self == k * name + rest and rest free of `name`,
        if self is linear in `name`."""
        k, rest = 0, {}
        for m, c in self._terms.items():
            powers = dict(m)
            p = powers.get(name, 0)
            if p == 0:
                rest[m] = c
            elif p == 1 and len(m) == 1:
                k += c
            else:
                return None
        return (k, DimExpr.normalize(rest)) if k else None

    def evaluate(self, env: Mapping[str, int]) -> int:
        total = 0
        for m, c in self._terms.items():
            total += c * math.prod(env[s] ** p for s, p in m)
        return total

    # -- arithmetic -------------------------------------------------------

    @staticmethod
    def _terms_of(x: Any) -> dict:
        if isinstance(x, DimExpr):
            return dict(x._terms)
        value = operator.index(x)  # TypeError for anything but integers
        return {(): value} if value else {}

    def __add__(self, other: Any) -> Dim:
        try:
            terms = self._terms_of(other)
        except TypeError:
            return NotImplemented
        for m, c in self._terms.items():
            terms[m] = terms.get(m, 0) + c
        return DimExpr.normalize(terms)

    __radd__ = __add__

    def __neg__(self) -> Dim:
        return DimExpr.normalize({m: -c for m, c in self._terms.items()})

    def __sub__(self, other: Any) -> Dim:
        try:
            return self + (-other)
        except TypeError:
            return NotImplemented

    def __rsub__(self, other: Any) -> Dim:
        return (-self) + other

    def __mul__(self, other: Any) -> Dim:
        try:
            other_terms = self._terms_of(other)
        except TypeError:
            return NotImplemented
        terms: dict = {}
        for (m1, c1), (m2, c2) in itertools.product(self._terms.items(), other_terms.items()):
            powers: dict = dict(m1)
            for s, p in m2:
                powers[s] = powers.get(s, 0) + p
            m = tuple(sorted(powers.items()))
            terms[m] = terms.get(m, 0) + c1 * c2
        return DimExpr.normalize(terms)

    __rmul__ = __mul__

    def __floordiv__(self, other: Any) -> Dim:
        """Exact division by an integer or a dimension (as in reshape's -1)."""
        if isinstance(other, DimExpr):
            quotient = self._divide(other)
            if quotient is not None:
                return quotient
        elif isinstance(other, int) and other != 0 and all(c % other == 0 for c in self._terms.values()):
            return DimExpr.normalize({m: c // other for m, c in self._terms.items()})
        raise InconclusiveDimensionOperation(
            f"the symbolic dimension {self} is not divisible by {other} for every value of its symbols")

    def _divide(self, divisor: "DimExpr") -> Dim | None:
        """self / divisor when divisor is one monomial dividing every term."""
        if len(divisor._terms) != 1:
            return None
        (dm, dc), = divisor._terms.items()
        dpowers = dict(dm)
        terms = {}
        for m, c in self._terms.items():
            powers = dict(m)
            if c % dc or any(powers.get(s, 0) < p for s, p in dpowers.items()):
                return None
            for s, p in dpowers.items():
                powers[s] -= p
            terms[tuple(sorted((s, p) for s, p in powers.items() if p))] = c // dc
        return DimExpr.normalize(terms)

    def __rfloordiv__(self, other: Any) -> Dim:
        raise InconclusiveDimensionOperation(f"cannot divide {other} by the symbolic dimension {self}")

    def __mod__(self, other: Any) -> Dim:
        try:
            self // other
            return 0
        except InconclusiveDimensionOperation:
            raise InconclusiveDimensionOperation(
                f"the remainder of the symbolic dimension {self} by {other} is not known") from None

    # -- comparisons ------------------------------------------------------

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, DimExpr):
            return self._terms == other._terms
        if isinstance(other, int):
            return False  # a DimExpr always has a symbol
        return NotImplemented

    def __ne__(self, other: Any) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return self._hash

    def _lower_bound(self) -> int | None:
        """The least value for symbols >= 1, when every non-constant
        coefficient is non-negative (the value then grows with them)."""
        if any(c < 0 for m, c in self._terms.items() if m):
            return None
        return sum(self._terms.values())

    def _compare(self, other: Any, op: str) -> bool:
        diff = self - other
        if isinstance(diff, int):
            return {"ge": diff >= 0, "gt": diff > 0, "le": diff <= 0, "lt": diff < 0}[op]
        low, high = diff._lower_bound(), (-diff)._lower_bound()
        if op in ("ge", "gt") and low is not None and (low > 0 or low == 0 and op == "ge"):
            return True
        if op in ("le", "lt") and high is not None and (high > 0 or high == 0 and op == "le"):
            return True
        if op in ("lt", "le") and low is not None and (low > 0 or low == 0 and op == "lt"):
            return False
        if op in ("gt", "ge") and high is not None and (high > 0 or high == 0 and op == "gt"):
            return False
        sign = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}[op]
        raise InconclusiveDimensionOperation(
            f"whether {self} {sign} {other} depends on the value of {', '.join(sorted(diff.symbols))}")

    def __ge__(self, other: Any) -> bool: return self._compare(other, "ge")
    def __gt__(self, other: Any) -> bool: return self._compare(other, "gt")
    def __le__(self, other: Any) -> bool: return self._compare(other, "le")
    def __lt__(self, other: Any) -> bool: return self._compare(other, "lt")

    # -- conversions ------------------------------------------------------

    def __index__(self) -> int:
        raise static_required(self)

    __int__ = __float__ = __index__

    def __bool__(self) -> bool:
        return self != 0 and bool(self._compare(0, "gt"))

    def __str__(self) -> str:
        def monomial(m: _Monomial, c: int) -> str:
            factors = [s if p == 1 else f"{s}^{p}" for s, p in m]
            if not factors:
                return str(c)
            return "*".join(([str(c)] if c != 1 else []) + factors)
        parts = []
        for m, c in sorted(self._terms.items(), key=lambda mc: (-sum(p for _, p in mc[0]), mc[0])):
            text = monomial(m, abs(c))
            parts.append(("- " if c < 0 else "+ ") + text if parts else ("-" if c < 0 else "") + text)
        return " ".join(parts)

    __repr__ = __str__


_tracing = threading.local()


@contextlib.contextmanager
def symbol_origins(origins: Mapping[str, str]):
    """While tracing: where each symbol comes from ("argument x dimension
    0"), for the errors that name it."""
    previous = getattr(_tracing, "origins", {})
    _tracing.origins = origins
    try:
        yield
    finally:
        _tracing.origins = previous


def describe(expr: "DimExpr") -> str:
    """Its symbols, each with where it comes from when known."""
    origins = getattr(_tracing, "origins", {})
    parts = [f"{name} is {origins[name]}" if name in origins else name for name in sorted(expr.symbols)]
    return ", ".join(parts)


def static_required(expr: "DimExpr", what: str = "") -> ShapePolymorphismError:
    from .errors import where
    what = what or "a static (integer) dimension"
    return ShapePolymorphismError(
        f"{where()}: the symbolic dimension {expr} (symbols: {describe(expr)}) is "
        f"used where {what} is required; compile without polymorphic_shapes for this "
        "argument, or keep that dimension static with `_`")


def check_whole(shape: Sequence[Any], what: str, moved: Callable[[int], bool]) -> None:
    """Raises if `moved(k)` for a symbolic dimension k of `shape`: slices,
    pads, concatenations and gathers take a symbolic dimension whole."""
    from .errors import where
    for k, n in enumerate(shape):
        if isinstance(n, DimExpr) and moved(k):
            raise ShapePolymorphismError(
                f"{where()}: {what} dimension {k} of an array of shape ({', '.join(map(str, shape))}), "
                f"which is the symbolic {n}: a symbolic dimension can only be taken whole")


def edge_slice_limit(shape: Sequence[Any], k: int, start: Any, limit: Any, stride: Any) -> int:
    """The limit a slice op writes for the symbolic dimension k of `shape`
    sliced [start:limit:stride]: -1 - e where limit is the size less e. A
    symbolic dimension is sliced with stride 1 from a static start to its
    size less a static count ([1:], [:-1]); anything else raises."""
    from .errors import where
    n = shape[k]
    dropped = n - limit
    if stride != 1 or is_symbolic(start) or is_symbolic(dropped) or start < 0 or dropped < 0:
        raise ShapePolymorphismError(
            f"{where()}: cannot slice dimension {k} of an array of shape ({', '.join(map(str, shape))}), "
            f"which is the symbolic {n}, as [{start}:{limit}:{stride}]: a symbolic dimension is "
            "sliced with stride 1 from a static start to its size less a static count, such as "
            "[1:] or [:-1]")
    try:
        fits = n - start - dropped >= 0
    except InconclusiveDimensionOperation:
        fits = False
    if not fits:
        raise ShapePolymorphismError(
            f"{where()}: slicing [{start}:{limit}] of the symbolic dimension {n} needs "
            f"{n} >= {start + dropped}, which is not known ({describe(n)}; a symbol is any size >= 1)")
    return -1 - dropped


def is_symbolic(d: Any) -> bool:
    return isinstance(d, DimExpr)


def is_polymorphic(shape: Iterable[Any]) -> bool:
    return any(isinstance(d, DimExpr) for d in shape)


def evaluate(shape: Sequence[Dim], env: Mapping[str, int]) -> tuple[int, ...]:
    return tuple(d.evaluate(env) if isinstance(d, DimExpr) else d for d in shape)


# -- parsing -----------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(\d+)|([A-Za-z_][A-Za-z0-9_]*)|(\.\.\.)|(.))")

# A parsed shape: per dimension a DimExpr, an int, or None for `_` (keep
# the argument's static size); a trailing Ellipsis keeps the rest static.
ShapeSpec = tuple


def parse(spec: str, argname: str = "argument") -> ShapeSpec:
    """Parses "b, 784", "(b, _)", "2*b, ..." into a ShapeSpec."""
    if not isinstance(spec, str):
        raise ShapePolymorphismError(
            f"polymorphic shape of {argname} must be a string such as \"b, 784\", "
            f"got {type(spec).__name__}")
    tokens = []
    for number, name, ellipsis, other in _TOKEN.findall(spec):
        if other.strip():
            tokens.append(("op", other))
        elif number:
            tokens.append(("int", int(number)))
        elif name:
            tokens.append(("name", name))
        elif ellipsis:
            tokens.append(("...", None))
    parser = _Parser(tokens, spec, argname)
    return parser.shape()


class _Parser:
    def __init__(self, tokens: list, text: str, argname: str):
        self.tokens, self.pos, self.text, self.argname = tokens, 0, text, argname

    def error(self, what: str) -> ShapePolymorphismError:
        return ShapePolymorphismError(
            f"cannot parse the polymorphic shape {self.text!r} of {self.argname}: {what} "
            "(expected comma-separated dimensions such as \"b, 784\", \"2*b, _\" or \"b, ...\")")

    def peek(self) -> tuple:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", None)

    def take(self) -> tuple:
        token = self.peek()
        self.pos += 1
        return token

    def shape(self) -> ShapeSpec:
        parenthesized = self.peek() == ("op", "(")
        if parenthesized:
            self.take()
        dims: list = []
        closing = ("op", ")") if parenthesized else ("end", None)
        while self.peek() != closing:
            if self.peek()[0] == "...":
                self.take()
                dims.append(Ellipsis)
                if self.peek() != closing:
                    raise self.error("`...` must come last")
                break
            if self.peek() == ("name", "_"):
                self.take()
                dims.append(None)
            else:
                dims.append(self.sum())
            if self.peek() == ("op", ","):
                self.take()
            elif self.peek() != closing:
                raise self.error(f"unexpected {self.describe(self.peek())}")
        self.take()
        if parenthesized and self.peek() != ("end", None):
            raise self.error(f"unexpected {self.describe(self.peek())} after `)`")
        return tuple(dims)

    @staticmethod
    def describe(token: tuple) -> str:
        kind, value = token
        return "end of text" if kind == "end" else f"`{value}`"

    def sum(self) -> Dim:
        value = self.product()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            rhs = self.product()
            value = value + rhs if op == "+" else value - rhs
        return value

    def product(self) -> Dim:
        value = self.atom()
        while self.peek() == ("op", "*"):
            self.take()
            value = value * self.atom()
        return value

    def atom(self) -> Dim:
        kind, value = self.take()
        if kind == "int":
            return value
        if kind == "name" and value != "_":
            return DimExpr.symbol(value)
        if (kind, value) == ("op", "("):
            inner = self.sum()
            if self.take() != ("op", ")"):
                raise self.error("unbalanced parentheses")
            return inner
        raise self.error(f"unexpected {self.describe((kind, value))}")


def symbolic_shape(spec: str) -> tuple:
    """The shape "b, 784" as (DimExpr b, 784), for
    cotan.ShapeDtypeStruct and cotan.eval_shape (jax.export.symbolic_shape):
    every dimension is a number or an expression of symbols."""
    dims = parse(spec, "symbolic_shape")
    if any(d is None or d is Ellipsis for d in dims):
        raise ShapePolymorphismError(
            f"symbolic_shape({spec!r}): `_` and `...` stand for an argument's static sizes, "
            "so they only have a meaning in jit's polymorphic_shapes")
    if any(isinstance(d, int) and d < 0 for d in dims):
        raise ShapePolymorphismError(f"symbolic_shape({spec!r}): sizes must be non-negative")
    return dims


# -- binding symbols to sizes at call time ----------------------------------

def specialize(spec: ShapeSpec, shape: tuple[int, ...], argname: str) -> tuple:
    """The symbolic shape of an argument of concrete `shape`: `spec`'s
    expressions, with `_` and `...` replaced by the static sizes."""
    dims = list(spec)
    if dims and dims[-1] is Ellipsis:
        dims = dims[:-1]
        if len(shape) < len(dims):
            raise ShapePolymorphismError(
                f"{argname} has shape {shape}, of rank {len(shape)}, but its polymorphic shape "
                f"names at least {len(dims)} dimensions")
        dims += [None] * (len(shape) - len(dims))
    if len(dims) != len(shape):
        raise ShapePolymorphismError(
            f"{argname} has shape {shape}, of rank {len(shape)}, but its polymorphic shape "
            f"has {len(dims)} dimensions")
    return tuple(size if d is None else d for d, size in zip(dims, shape))


def bind(symbolic: Sequence[tuple], shapes: Sequence[tuple[int, ...]],
         argnames: Sequence[str]) -> dict[str, int]:
    """Solves for each symbol's size from the arguments' concrete shapes;
    raises if a dimension's size contradicts another's."""
    env: dict[str, int] = {}
    origin: dict[str, str] = {}
    pending = [(d, size, f"{name} dimension {k}")
               for sym_shape, shape, name in zip(symbolic, shapes, argnames)
               for k, (d, size) in enumerate(zip(sym_shape, shape))]
    progress = True
    while pending and progress:
        progress, waiting = False, []
        for d, size, where_ in pending:
            if isinstance(d, int):
                if d != size:
                    raise ShapePolymorphismError(f"{where_} has size {size}, but its polymorphic shape says {d}")
                continue
            unknown = sorted(d.symbols - env.keys())
            if not unknown:
                value = d.evaluate(env)
                if value != size:
                    names = ", ".join(f"{s}={env[s]} (from {origin[s]})" for s in sorted(d.symbols))
                    raise ShapePolymorphismError(
                        f"{where_} has size {size}, but {d} = {value} with {names}")
                continue
            partial = _substitute(d, env)
            linear = partial.linear_in(unknown[0]) if len(unknown) == 1 else None
            if linear is None:
                waiting.append((d, size, where_))
                continue
            k, rest = linear
            value, remainder = divmod(size - rest, k)
            if remainder or value < 1:
                raise ShapePolymorphismError(
                    f"{where_} has size {size}, which {d} cannot equal for an integer "
                    f"{unknown[0]} >= 1")
            env[unknown[0]] = value
            origin[unknown[0]] = where_
            progress = True
        pending = waiting
    if pending:
        d, size, where_ = pending[0]
        raise ShapePolymorphismError(
            f"cannot solve for {', '.join(sorted(d.symbols - env.keys()))} from {where_} "
            f"(size {size} = {d}); give each symbol a dimension of its own, such as \"b, ...\"")
    return env


def _substitute(d: DimExpr, env: Mapping[str, int]) -> DimExpr:
    terms: dict = {}
    for m, c in d._terms.items():
        coeff, rest = c, []
        for s, p in m:
            if s in env:
                coeff *= env[s] ** p
            else:
                rest.append((s, p))
        terms[tuple(rest)] = terms.get(tuple(rest), 0) + coeff
    return DimExpr(terms)
