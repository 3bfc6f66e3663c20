"""Meshes of processes and `shard_map` (JAX's API), for SPMD programs run
with `mpirun`: every process runs the same function on its block of the
data, and collectives over the mesh's named axes combine the blocks.

    cotan.distributed.initialize()
    mesh = cotan.sharding.Mesh((2,), ("data",))            # 2 processes
    step = cotan.shard_map(local_step, mesh=mesh,
                           in_specs=(P(), P("data")), out_specs=P())

`jit(f, in_shardings=..., out_shardings=...)` with `NamedSharding`s
splits a function automatically instead: MLIR's sharding propagation and
partitioning decide what each process computes and communicates.

Arrays in and out are global: every process passes the whole array, and
`in_specs` say how it is split across the mesh (P("data") splits
dimension 0 over the "data" axis; P() replicates it). The function sees
its process's block; results are reassembled per `out_specs` (P("data"):
the blocks concatenated, an all-gather; P(): the process's value, which
should be equal on every process, e.g. after a psum). Differentiating
through `shard_map` differentiates this global function: a replicated
input's gradient sums every process's contribution.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from . import collectives, distributed, dtypes
from .errors import user_error
from .tree_util import broadcast_prefix, tree_flatten, tree_unflatten


@dataclass(frozen=True)
class Mesh:
    """Processes laid out in a grid with named axes, row-major by rank:
    Mesh((2, 2), ("data", "model")) puts rank 3 at data=1, model=1."""
    shape: tuple[int, ...]
    axis_names: tuple[str, ...]

    def __init__(self, shape: Sequence[int], axis_names: Sequence[str]):
        shape = tuple(shape) if not isinstance(shape, (int, np.integer)) else (shape,)
        axis_names = (axis_names,) if isinstance(axis_names, str) else tuple(axis_names)
        if len(shape) != len(axis_names):
            raise user_error(ValueError, f"a mesh needs one name per axis: shape {shape}, "
                                         f"names {axis_names}")
        if not shape or any(not isinstance(n, (int, np.integer)) or n < 1 for n in shape):
            raise user_error(ValueError, f"mesh sizes must be positive integers, got {shape}")
        if any(not isinstance(n, str) for n in axis_names) or len(set(axis_names)) != len(axis_names):
            raise user_error(ValueError, f"mesh axis names must be distinct strings, got {axis_names}")
        object.__setattr__(self, "shape", tuple(int(n) for n in shape))
        object.__setattr__(self, "axis_names", axis_names)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def axis_size(self, name: str) -> int:
        return self.shape[self.axis_names.index(name)]


def make_mesh(shape: Sequence[int], axis_names: Sequence[str]) -> Mesh:
    """A mesh of all the processes (checked when a shard_map uses it)."""
    return Mesh(shape, axis_names)


class PartitionSpec(tuple):
    """How each dimension of an array is split: None (not split), an axis
    name, or a tuple of names (split over their product). Missing trailing
    dimensions are not split."""

    def __new__(cls, *entries: Any):
        for entry in entries:
            names = entry if isinstance(entry, tuple) else (entry,)
            if entry is not None and not all(isinstance(n, str) for n in names):
                raise user_error(TypeError, f"a PartitionSpec entry is None, an axis name or a "
                                            f"tuple of names, got {entry!r}")
        return super().__new__(cls, entries)

    def __repr__(self) -> str:
        return f"PartitionSpec{tuple.__repr__(self)}"


P = PartitionSpec


@dataclass(frozen=True)
class NamedSharding:
    """An array split over `mesh` per `spec` (for jit's in_shardings and
    out_shardings)."""
    mesh: Mesh
    spec: PartitionSpec

    def __init__(self, mesh: Mesh, spec: Any = None):
        if not isinstance(mesh, Mesh):
            raise user_error(TypeError, f"NamedSharding needs a cotan.sharding.Mesh, got {type(mesh).__name__}")
        spec = P() if spec is None else spec
        if not isinstance(spec, PartitionSpec):
            spec = P(*spec) if isinstance(spec, (tuple, list)) else P(spec)
        object.__setattr__(self, "mesh", mesh)
        object.__setattr__(self, "spec", spec)


def _per_leaf(prefix: Any, values: Any, what: str) -> list[Any]:
    """One entry per leaf of `values`: `prefix` is a pytree prefix of
    `values` whose leaves (a PartitionSpec, a NamedSharding or None) apply
    to every leaf below them."""
    return broadcast_prefix(prefix, values, lambda p: isinstance(p, (PartitionSpec, NamedSharding)), what)


def _specs_for(specs: Any, values: Any, what: str) -> list[PartitionSpec]:
    """One PartitionSpec per leaf of `values` (None: replicated)."""
    leaves = _per_leaf(specs, values, what)
    if any(isinstance(spec, NamedSharding) for spec in leaves):
        raise user_error(TypeError, f"{what} take PartitionSpecs (P(...)); NamedSharding is for "
                                    "jit's in_shardings and out_shardings")
    return [P() if spec is None else spec for spec in leaves]


def _check_mesh(mesh: Mesh) -> None:
    if not isinstance(mesh, Mesh):
        raise user_error(TypeError, f"shard_map needs a cotan.sharding.Mesh, got {type(mesh).__name__}")
    count = distributed.process_count()
    if mesh.size > 1 and not distributed.is_initialized():
        raise user_error(RuntimeError, (
            f"the mesh has {mesh.size} processes: call cotan.distributed.initialize() first, "
            f"in a program started with mpirun -np {mesh.size}"))
    if mesh.size != count:
        raise user_error(ValueError, f"the mesh has {mesh.size} processes ({mesh.shape}) but "
                                     f"{count} are running")


def _split(spec: PartitionSpec, mesh: Mesh, shape: tuple[int, ...], what: str, blocks: bool = False):
    """Per split dimension of `shape` (a global shape, or a block's with
    `blocks`): the dimension, the axis names splitting it, the block size."""
    if len(spec) > len(shape):
        raise user_error(ValueError, f"{what}: spec {spec} has {len(spec)} entries for an array of "
                                     f"shape {shape}")
    used: list[str] = []
    out = []
    for dim, entry in enumerate(spec):
        if entry is None:
            continue
        names = entry if isinstance(entry, tuple) else (entry,)
        for name in names:
            if name not in mesh.axis_names:
                raise user_error(ValueError, f"{what}: spec {spec} names axis {name!r}, which the mesh "
                                             f"(axes {mesh.axis_names}) does not have")
            if name in used:
                raise user_error(ValueError, f"{what}: spec {spec} uses axis {name!r} twice")
            used.append(name)
        parts = int(np.prod([mesh.axis_size(n) for n in names]))
        if blocks:
            out.append((dim, names, shape[dim]))
            continue
        if shape[dim] % parts:
            raise user_error(ValueError, (f"{what}: dimension {dim} of shape {shape} does not split "
                                          f"into {parts} blocks over mesh axes {names}"))
        out.append((dim, names, shape[dim] // parts))
    return out


@functools.cache
def _replicated_input(mesh: Mesh) -> Callable[[Any], Any]:
    """Identity whose cotangent sums every process's: a global input each
    process holds a copy of."""
    from .transforms import custom_vjp
    everyone = mesh.axis_names

    @custom_vjp
    def replicated(x):
        return x

    replicated.defvjp(lambda x: (x, None), lambda _, ct: (collectives.psum(ct, everyone),))
    return replicated


@functools.cache
def _replicated_output(mesh: Mesh) -> Callable[[Any], Any]:
    """Identity whose cotangent is shared by the processes: a global result
    each process holds a copy of is one value, not `mesh.size` of them."""
    from .transforms import custom_vjp
    n = mesh.size

    @custom_vjp
    def replicated(y):
        return y

    replicated.defvjp(lambda y: (y, None), lambda _, ct: (ct / n,))
    return replicated


def _local_block(x: Any, spec: PartitionSpec, mesh: Mesh, what: str) -> Any:
    from . import lax
    from . import numpy as cnp
    x = cnp.asarray(x)
    if dtypes.is_float(x.dtype):
        x = _replicated_input(mesh)(x)
    for dim, names, block in _split(spec, mesh, x.shape, what):
        start = collectives.axis_index(names) * block
        starts = [start if d == dim else cnp.asarray(0, dtypes.int32) for d in range(x.ndim)]
        sizes = tuple(block if d == dim else s for d, s in enumerate(x.shape))
        x = lax.dynamic_slice(x, starts, slice_sizes=sizes)
    return x


def _global_result(y: Any, spec: PartitionSpec, mesh: Mesh, what: str) -> Any:
    from . import numpy as cnp
    y = cnp.asarray(y)
    for dim, names, _ in reversed(_split(spec, mesh, y.shape, what, blocks=True)):
        y = collectives.all_gather(y, names, axis=dim, tiled=True)
    if dtypes.is_float(y.dtype):
        y = _replicated_output(mesh)(y)
    return y


def shard_map(f: Callable, *, mesh: Mesh, in_specs: Any, out_specs: Any) -> Callable:
    """`f` run by every process of `mesh` on its blocks of the inputs (see
    the module docstring); collectives inside name the mesh's axes."""
    name = getattr(f, "__name__", "shard_map")

    def global_function(*args: Any) -> Any:
        _check_mesh(mesh)
        specs = in_specs if isinstance(in_specs, tuple) and not isinstance(in_specs, PartitionSpec) \
            else (in_specs,) * len(args)
        if len(specs) != len(args):
            raise user_error(ValueError, f"shard_map of `{name}`: {len(specs)} in_specs for "
                                         f"{len(args)} arguments")
        leaves, tree = tree_flatten(args)
        leaf_specs = _specs_for(specs, args, f"in_specs of `{name}`")
        with collectives.bind_axes(mesh):
            blocks = [_local_block(x, s, mesh, f"shard_map of `{name}`, input {i}")
                      for i, (x, s) in enumerate(zip(leaves, leaf_specs))]
            outs = f(*tree_unflatten(tree, blocks))
            out_leaves, out_tree = tree_flatten(outs)
            out_leaf_specs = _specs_for(out_specs, outs, f"out_specs of `{name}`")
            results = [_global_result(y, s, mesh, f"shard_map of `{name}`, output {i}")
                       for i, (y, s) in enumerate(zip(out_leaves, out_leaf_specs))]
        return tree_unflatten(out_tree, results)

    from .jit import jit
    global_function.__name__ = name
    return jit(global_function)


def annotate(function: Any, in_shardings: Any, args: tuple, out_shardings: Any, outs: Any,
             in_avals: Sequence[Any], out_avals: Sequence[Any], name: str) -> None:
    """Marks a traced public function for cotan-partition: its mesh and,
    per argument and result leaf, the mesh axes splitting each dimension."""
    from .mlir import ir
    leaves_in = _per_leaf(in_shardings, args, f"in_shardings of `{name}`")
    leaves_out = _per_leaf(out_shardings, outs, f"out_shardings of `{name}`")
    meshes = {s.mesh for s in leaves_in + leaves_out if s is not None}
    if len(meshes) != 1:
        raise user_error(ValueError, f"the shardings of `{name}` must all use one mesh, got "
                                     f"{len(meshes)}")
    mesh = meshes.pop()
    _check_mesh(mesh)

    def axes(sharding: NamedSharding | None, aval: Any, what: str) -> Any:
        spec = sharding.spec if sharding is not None else P()
        split = {dim: names for dim, names, _ in _split(spec, mesh, tuple(aval.shape), what)}
        return ir.ArrayAttr.get([ir.DenseI64ArrayAttr.get(
            [mesh.axis_names.index(n) for n in split.get(dim, ())]) for dim in range(len(spec))])

    def with_axes(old: Any, sharding, aval, what: str) -> Any:
        entries = {a.name: a.attr for a in (old[i] for i in range(len(old)))} if old is not None else {}
        entries["cotan.split_axes"] = axes(sharding, aval, what)
        return ir.DictAttr.get(entries)

    arg_attrs = function.attributes["arg_attrs"] if "arg_attrs" in function.attributes else None
    new_args = []
    for k in range(len(function.regions[0].blocks[0].arguments)):
        old = ir.DictAttr(arg_attrs[k]) if arg_attrs is not None else None
        if k < len(leaves_in):
            new_args.append(with_axes(old, leaves_in[k], in_avals[k], f"`{name}` argument leaf {k}"))
        else:  # constants hoisted out of the function: replicated
            new_args.append(old if old is not None else ir.DictAttr.get({}))
    function.attributes["arg_attrs"] = ir.ArrayAttr.get(new_args)
    function.attributes["res_attrs"] = ir.ArrayAttr.get([
        with_axes(None, s, aval, f"`{name}` result leaf {k}")
        for k, (s, aval) in enumerate(zip(leaves_out, out_avals))])
    function.attributes["cotan.mesh"] = ir.DenseI64ArrayAttr.get(list(mesh.shape))
