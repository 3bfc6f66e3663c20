"""Pytrees: nested tuples, lists, dicts (and registered containers) of
leaves, flattened to a list and a treedef that rebuilds them."""

from __future__ import annotations

from typing import Any, Callable, Hashable, Iterable, Iterator

_registry: dict[type, tuple[Callable, Callable]] = {}


def register_pytree_node(cls: type, flatten: Callable, unflatten: Callable) -> None:
    """flatten(x) -> (children, aux_data); unflatten(aux_data, children) -> x."""
    _registry[cls] = (flatten, unflatten)


register_pytree_node(tuple, lambda t: (list(t), None), lambda _, c: tuple(c))
register_pytree_node(list, lambda t: (list(t), None), lambda _, c: list(c))
register_pytree_node(
    dict,
    lambda d: ([d[k] for k in sorted(d)], tuple(sorted(d))),
    lambda keys, c: dict(zip(keys, c)),
)
register_pytree_node(type(None), lambda _: ([], None), lambda _, __: None)


def _node_kind(x: Any):
    cls = type(x)
    if cls in _registry:
        return cls
    if isinstance(x, tuple) and hasattr(x, "_fields"):  # namedtuple
        return "namedtuple"
    return None


class PyTreeDef:
    """The structure of a pytree: a node type, its aux data and children.

    Tree definitions are interned, so equal structures are the same object
    and compare and hash by identity (cheap on every jit call)."""

    __slots__ = ("kind", "aux", "children", "num_leaves", "__weakref__")
    _interned: dict = {}

    def __new__(cls, kind: Hashable, aux: Hashable, children: tuple["PyTreeDef", ...]):
        key = (kind, aux, children)
        node = cls._interned.get(key)
        if node is None:
            node = super().__new__(cls)
            node.kind, node.aux, node.children = kind, aux, children
            node.num_leaves = 1 if kind is None else sum(c.num_leaves for c in children)
            cls._interned[key] = node
        return node

    def __reduce__(self):
        return (PyTreeDef, (self.kind, self.aux, self.children))

    def __repr__(self) -> str:
        if self.kind is None:
            return "*"
        name = self.kind if isinstance(self.kind, str) else self.kind.__name__
        inner = ", ".join(repr(c) for c in self.children)
        return f"{name}({inner})" if name != "NoneType" else "None"


_LEAF = PyTreeDef(None, None, ())


# The recursions below are module-level functions, not closures that call
# themselves: such a closure is a reference cycle, which would keep the
# leaves (often large arrays) alive until the garbage collector runs.

def tree_flatten(tree: Any, is_leaf: Callable[[Any], bool] | None = None):
    leaves: list[Any] = []
    treedef = _flatten(tree, is_leaf, leaves)
    return leaves, treedef


def _flatten(x: Any, is_leaf: Callable[[Any], bool] | None, leaves: list) -> PyTreeDef:
    kind = None if (is_leaf is not None and is_leaf(x)) else _node_kind(x)
    if kind is None:
        leaves.append(x)
        return _LEAF
    if kind == "namedtuple":
        return PyTreeDef(kind, type(x), tuple(_flatten(c, is_leaf, leaves) for c in x))
    children, aux = _registry[kind][0](x)
    return PyTreeDef(kind, aux, tuple(_flatten(c, is_leaf, leaves) for c in children))


def tree_unflatten(treedef: PyTreeDef, leaves: Iterable[Any]) -> Any:
    return _unflatten(treedef, iter(leaves))


def _unflatten(td: PyTreeDef, leaves: Iterator[Any]) -> Any:
    if td.kind is None:
        return next(leaves)
    children = [_unflatten(c, leaves) for c in td.children]
    if td.kind == "namedtuple":
        return td.aux(*children)
    return _registry[td.kind][1](td.aux, children)


def tree_leaves(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> list:
    return tree_flatten(tree, is_leaf)[0]


def tree_structure(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> PyTreeDef:
    return tree_flatten(tree, is_leaf)[1]


def tree_map(f: Callable, tree: Any, *rest: Any, is_leaf=None) -> Any:
    """Applies f to corresponding leaves of `tree` and `rest` (same structure)."""
    leaves, treedef = tree_flatten(tree, is_leaf)
    others = []
    for r in rest:
        r_leaves, r_def = tree_flatten(r, is_leaf)
        if r_def != treedef:
            raise ValueError(
                f"tree_map: structures differ: {treedef} vs {r_def}"
            )
        others.append(r_leaves)
    return tree_unflatten(treedef, [f(*xs) for xs in zip(leaves, *others)])


def keystr(path: tuple) -> str:
    """`[0]['w']`-style text for a path of keys."""
    return "".join(f"[{k!r}]" for k in path)


def tree_flatten_with_path(tree: Any) -> list[tuple[tuple, Any]]:
    """(path, leaf) pairs; a path is the tuple of indices/keys to the leaf."""
    out: list[tuple[tuple, Any]] = []
    _flatten_with_path(tree, (), out)
    return out


def _flatten_with_path(x: Any, path: tuple, out: list) -> None:
    kind = _node_kind(x)
    if kind is None:
        out.append((path, x))
    elif kind is dict:
        for k in sorted(x):
            _flatten_with_path(x[k], path + (k,), out)
    elif kind is type(None):
        return
    elif kind in (tuple, list, "namedtuple"):
        for i, c in enumerate(x):
            _flatten_with_path(c, path + (i,), out)
    else:
        children, _ = _registry[kind][0](x)
        for i, c in enumerate(children):
            _flatten_with_path(c, path + (i,), out)


def broadcast_prefix(prefix: Any, values: Any, is_spec: Callable[[Any], bool], what: str) -> list[Any]:
    """One entry per leaf of `values`: `prefix` is a pytree prefix of
    `values` whose leaves (None, or anything `is_spec` accepts) apply to
    every leaf below them; `what` names the prefix in the error."""
    if prefix is None or is_spec(prefix):
        return [prefix] * len(tree_flatten(values)[0])
    if isinstance(prefix, (tuple, list)) and isinstance(values, (tuple, list)) and len(prefix) == len(values):
        return [s for part, value in zip(prefix, values)
                for s in broadcast_prefix(part, value, is_spec, what)]
    if isinstance(prefix, dict) and isinstance(values, dict) and prefix.keys() == values.keys():
        return [s for k in values for s in broadcast_prefix(prefix[k], values[k], is_spec, what)]
    from .errors import user_error
    raise user_error(ValueError, f"{what} {prefix!r} does not match the structure of the values "
                                 f"({tree_flatten(values)[1]})")
