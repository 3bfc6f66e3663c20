"""cotan.tree_util against hand-built pytrees."""

from __future__ import annotations

import collections

import pytest

from cotan import tree_util


def test_flatten_unflatten_roundtrip():
    Pair = collections.namedtuple("Pair", ["a", "b"])
    tree = {"w": [1, (2, 3)], "b": None, "p": Pair(4, {"z": 5, "y": 6})}
    leaves, treedef = tree_util.tree_flatten(tree)
    # Dict keys in sorted order ("b" holds no leaves); None is an empty node.
    assert leaves == [4, 6, 5, 1, 2, 3]
    assert tree_util.tree_unflatten(treedef, leaves) == tree
    assert treedef.num_leaves == len(leaves)


def test_dict_keys_are_sorted():
    assert tree_util.tree_leaves({"b": 1, "a": 2}) == [2, 1]


def test_tree_map():
    tree = {"a": [1, 2], "b": (3,)}
    assert tree_util.tree_map(lambda x: x * 10, tree) == {"a": [10, 20], "b": (30,)}
    assert tree_util.tree_map(lambda x, y: x + y, tree, tree) == {"a": [2, 4], "b": (6,)}
    with pytest.raises(ValueError, match="structures differ"):
        tree_util.tree_map(lambda x, y: x, tree, {"a": [1], "b": (3,)})


def test_structure_equality_and_leaves():
    assert tree_util.tree_structure((1, [2])) == tree_util.tree_structure((5, [6]))
    assert tree_util.tree_structure((1, [2])) != tree_util.tree_structure((1, (2,)))
    assert tree_util.tree_leaves([1, [2, [3, None]]]) == [1, 2, 3]


def test_register_pytree_node():
    class Box:
        def __init__(self, value, label):
            self.value, self.label = value, label

    tree_util.register_pytree_node(Box, lambda b: ([b.value], b.label), lambda label, c: Box(c[0], label))
    leaves, treedef = tree_util.tree_flatten([Box(1, "x"), Box(2, "y")])
    assert leaves == [1, 2]
    rebuilt = tree_util.tree_unflatten(treedef, [10, 20])
    assert [b.value for b in rebuilt] == [10, 20] and rebuilt[1].label == "y"


def test_paths():
    paths = [p for p, _ in tree_util.tree_flatten_with_path({"a": [1, {"b": 2}]})]
    assert paths == [("a", 0), ("a", 1, "b")]
    assert tree_util.keystr(("a", 1)) == "['a'][1]"
