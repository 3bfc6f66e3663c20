"""Gradient transformations (optax's design): an optimizer is a pair of
pure functions, `init(params) -> state` and `update(grads, state, params)
-> (updates, state)`, so a whole training step, the optimizer included,
is one function `jit` compiles."""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Optional

from .. import numpy as cnp
from ..errors import user_error
from ..tree_util import tree_map, tree_structure

Params = Any
Updates = Any
OptState = Any


class GradientTransformation(NamedTuple):
    init: Callable[[Params], OptState]
    update: Callable[[Updates, OptState, Optional[Params]], tuple[Updates, OptState]]


class EmptyState(NamedTuple):
    """The state of a stateless transformation."""


def same_structure(what: str, tree: Any, reference: Any, reference_name: str = "params") -> None:
    """A clear error when two pytrees that must match do not."""
    if tree_structure(tree) != tree_structure(reference):
        raise user_error(ValueError, f"the {what} and the {reference_name} have different structures: "
                                     f"{tree_structure(tree)} vs {tree_structure(reference)}")


def needs_params(name: str, params: Any) -> None:
    if params is None:
        raise user_error(ValueError, f"{name} needs the parameters: call update(grads, state, params)")


def chain(*transforms: GradientTransformation) -> GradientTransformation:
    """The transformations applied in order, each to the previous one's
    updates; the state is the tuple of their states."""

    def init(params: Params) -> OptState:
        return tuple(t.init(params) for t in transforms)

    def update(updates: Updates, state: OptState, params: Params = None) -> tuple[Updates, OptState]:
        if not isinstance(state, tuple) or len(state) != len(transforms):
            raise user_error(ValueError, "the optimizer state does not come from this optimizer's init")
        new_state = []
        for transform, s in zip(transforms, state):
            updates, s = transform.update(updates, s, params)
            new_state.append(s)
        return updates, tuple(new_state)

    return GradientTransformation(init, update)


def apply_updates(params: Params, updates: Updates) -> Params:
    """params + updates, each leaf kept in its parameter's dtype."""
    same_structure("updates", updates, params)
    return tree_map(lambda p, u: cnp.astype(cnp.add(p, u), cnp.asarray(p).dtype), params, updates)
