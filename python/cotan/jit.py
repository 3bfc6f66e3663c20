"""cotan.jit: trace once per (pytree structure, shapes, dtypes, static
arguments), compile with cotan-cpu-pipeline, cache, and run."""

from __future__ import annotations

import functools
import inspect
import logging
import time
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Sequence

import numpy as np

from . import compiler, gpu, shape_poly
from . import dtypes as _dt
from .config import config
from .array import Array, ArrayBase
from .core import ShapedArray, Tracer, context, current_trace
from .mlir import ir
from .devices import resolve as resolve_device
from .gpu import GpuArray
from .errors import RetraceError, user_error, where
from .tree_util import (PyTreeDef, broadcast_prefix, keystr, tree_flatten, tree_flatten_with_path,
                        tree_leaves, tree_unflatten)

logger = logging.getLogger("cotan")


@dataclass(frozen=True)
class _Signature:
    """What a compiled function is specialized on."""

    in_tree: PyTreeDef
    in_avals: tuple[ShapedArray, ...]
    statics: tuple[tuple[Any, Any], ...]


@dataclass
class _Entry:
    executable: Any
    traced: compiler.Traced
    out_tree: PyTreeDef
    donated: list[bool]  # per input leaf, whether its argument is donated
    # For a polymorphic executable: the output shapes per symbol sizes seen.
    _out_shapes: dict = field(default_factory=dict)

    def out_shapes(self, env: dict[str, int]) -> list[tuple[int, ...]]:
        key = tuple(env.items())
        shapes = self._out_shapes.get(key)
        if shapes is None:
            if len(self._out_shapes) >= _GENERALIZED_SIGNATURES:
                self._out_shapes.clear()
            shapes = self._out_shapes[key] = [shape_poly.evaluate(a.shape, env)
                                              for a in self.traced.out_avals]
        return shapes


class _NotAnArray(TypeError):
    """A pytree leaf that cannot be a jit argument (reported with its path)."""


# The abstract value of each NumPy (shape, dtype) seen, so that a call does
# not rebuild it.
_ndarray_avals: dict[tuple, ShapedArray] = {}


# What each function compiled to, per jit options, shared by every jit() of
# it, as in JAX: `jit(f)(x)` written inline compiles once. Held weakly by
# the function (the entries do not refer to it), so it goes with it.
_compiled: "weakref.WeakKeyDictionary[Callable, dict]" = weakref.WeakKeyDictionary()


def _compiled_for(fun: Callable, options: tuple) -> dict:
    try:
        per_options = _compiled.setdefault(fun, {})
    except TypeError:  # not weakly referenceable: a cache of its own
        return {}
    return per_options.setdefault(options, {})


_ARRAY_TYPES = frozenset({np.ndarray, Array})


@functools.lru_cache(maxsize=64)
def _positional_arrays_tree(n: int) -> PyTreeDef:
    return tree_flatten((tuple(range(n)), {}))[1]


def _abstractify(leaf: Any) -> tuple[ShapedArray, Any]:
    """The abstract value of an argument leaf and its NumPy buffer (a
    GpuArray stays one)."""
    if type(leaf) is Array:
        return leaf.aval, leaf._value
    if type(leaf) is GpuArray:
        return leaf.aval, leaf
    if isinstance(leaf, np.ndarray):
        aval = _ndarray_avals.get((leaf.shape, leaf.dtype))
        if aval is None:
            aval = ShapedArray(leaf.shape, _dt.canonicalize(leaf.dtype))
            if len(_ndarray_avals) >= 4096:
                _ndarray_avals.clear()
            _ndarray_avals[leaf.shape, leaf.dtype] = aval
        if aval.dtype == leaf.dtype and leaf.flags.c_contiguous:
            return aval, leaf
        return aval, np.asarray(leaf, aval.dtype, order="C")
    if isinstance(leaf, (bool, int, float, np.generic)):
        dtype, weak = _dt.scalar_dtype(leaf)
        return ShapedArray((), dtype, weak), np.asarray(leaf, dtype)
    if isinstance(leaf, Array):
        return leaf.aval, leaf._value
    raise _NotAnArray(type(leaf).__name__)


def _abstractify_all(leaves: list, dynamic: Any, fname: str):
    try:
        pairs = [_abstractify(leaf) for leaf in leaves]
    except (_NotAnArray, _dt.DTypeError) as e:
        paths = [p for p, _ in tree_flatten_with_path(dynamic)]
        bad = next(k for k, leaf in enumerate(leaves) if not _is_valid_leaf(leaf))
        if isinstance(e, _dt.DTypeError):
            raise user_error(TypeError, f"argument {_argname(paths[bad])} of `{fname}`: {e}") from None
        raise user_error(
            TypeError,
            f"argument {_argname(paths[bad])} of `{fname}` is a {e}, which is not a "
            "valid cotan type: pass arrays, scalars, or tuples/lists/dicts of them, "
            "or mark it static with static_argnums/static_argnames") from None
    return tuple(a for a, _ in pairs), [v for _, v in pairs]


def _is_valid_leaf(leaf: Any) -> bool:
    try:
        _abstractify(leaf)
        return True
    except (_NotAnArray, _dt.DTypeError):
        return False


def _argname(path: tuple) -> str:
    if not path:
        return "?"
    kind = path[0]
    head = f"args[{path[1]}]" if kind == 0 else f"kwargs[{path[1]!r}]"
    return head + keystr(path[2:]) if len(path) > 1 else "args"


def _aval_change(before: ShapedArray, after: ShapedArray) -> str:
    parts = []
    if before.shape != after.shape:
        parts.append(f"shape {before.shape} -> {after.shape}")
    if before.dtype != after.dtype:
        parts.append(f"dtype {before.dtype} -> {after.dtype}")
    if before.weak_type != after.weak_type:
        parts.append("a Python scalar -> an array" if before.weak_type else "an array -> a Python scalar")
    return ", ".join(parts)


@functools.lru_cache(maxsize=256)
def _positional_names(fun: Callable) -> tuple[str, ...]:
    """The names of fun's positional parameters, () where unknown."""
    try:
        parameters = inspect.signature(fun).parameters.values()
    except (TypeError, ValueError):
        return ()
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return tuple(p.name for p in parameters if p.kind in kinds)


def _lift_output(x: Any) -> Any:
    if isinstance(x, ArrayBase):
        return x
    from . import numpy as cnp
    try:
        return cnp._operand(x)
    except TypeError:
        raise user_error(TypeError, f"a jitted function returned a {type(x).__name__}, which is not an array") from None


class Jitted:
    """A function compiled on first call for each new signature."""

    def __init__(self, fun: Callable, static_argnums: int | Sequence[int] = (),
                 static_argnames: str | Sequence[str] = (),
                 donate_argnums: int | Sequence[int] = (), device: Any = None,
                 in_shardings: Any = None, out_shardings: Any = None,
                 polymorphic_shapes: Sequence[Any] | None = None, dynamic_axes: Any = None):
        if not callable(fun):
            raise TypeError(f"jit expects a function, got {type(fun).__name__}")
        functools.update_wrapper(self, fun)
        self._fun = fun
        self._name = getattr(fun, "__name__", "fn")
        self._static_argnums = {static_argnums} if isinstance(static_argnums, int) else set(static_argnums)
        self._static_argnames = {static_argnames} if isinstance(static_argnames, str) else set(static_argnames)
        self._donate_argnums = {donate_argnums} if isinstance(donate_argnums, int) else set(donate_argnums)
        if self._donate_argnums & self._static_argnums:
            raise user_error(ValueError, "static arguments cannot be donated: "
                             f"{sorted(self._donate_argnums & self._static_argnums)} are in both "
                             "static_argnums and donate_argnums")
        self._in_shardings, self._out_shardings = in_shardings, out_shardings
        self._sharded = in_shardings is not None or out_shardings is not None
        if polymorphic_shapes is not None and dynamic_axes is not None:
            raise user_error(ValueError, f"jit of `{self._name}`: give polymorphic_shapes or "
                                         "dynamic_axes, not both")
        self._polymorphic = (_PolymorphicShapes(polymorphic_shapes, self._name)
                             if polymorphic_shapes is not None else
                             _DynamicAxes(dynamic_axes, fun, self._name)
                             if dynamic_axes is not None else None)
        # Per cotan.config setting, signature -> compiled entry.
        self._caches = _compiled_for(fun, (
            frozenset(self._static_argnums), frozenset(self._static_argnames),
            frozenset(self._donate_argnums), repr((in_shardings, out_shardings)),
            repr(polymorphic_shapes), repr(dynamic_axes)))
        self.trace_count = 0
        self._device = device
        self._gpu_cache: dict = {}

    def __get__(self, obj, objtype=None):
        return self if obj is None else functools.partial(self, obj)

    @property
    def _cache(self) -> dict:
        """Signature -> compiled entry, for the current cotan.config setting."""
        return self._caches.setdefault(config.key, {})

    # -- signature --------------------------------------------------------

    def _split(self, args: tuple, kwargs: dict):
        statics, dyn_args, dyn_kwargs = [], [], {}
        for i, a in enumerate(args):
            if i in self._static_argnums or (i - len(args)) in self._static_argnums:
                statics.append((i, a))
            else:
                dyn_args.append(a)
        for k, v in kwargs.items():
            if k in self._static_argnames:
                statics.append((k, v))
            else:
                dyn_kwargs[k] = v
        for key, value in statics:
            try:
                hash(value)
            except TypeError:
                raise user_error(
                    TypeError,
                    f"static argument {key!r} of `{self._name}` has unhashable type "
                    f"{type(value).__name__}; pass a hashable value (e.g. a tuple "
                    "instead of a list)") from None
        return tuple(statics), (tuple(dyn_args), dyn_kwargs)

    # -- tracing and compiling -------------------------------------------

    def _trace(self, sig: _Signature) -> tuple[compiler.Traced, PyTreeDef]:
        out_tree_box: list[PyTreeDef] = []

        def body(trace, inputs):
            dyn_args, dyn_kwargs = tree_unflatten(sig.in_tree, inputs)
            args = list(dyn_args)
            kwargs = dict(dyn_kwargs)
            for key, value in sig.statics:
                if isinstance(key, int):
                    args.insert(key, value)
                else:
                    kwargs[key] = value
            out = self._fun(*args, **kwargs)
            leaves, out_tree = tree_flatten(out)
            out_tree_box.append(out_tree)
            return [_lift_output(x) for x in leaves]

        self.trace_count += 1
        origins = self._polymorphic.origins.get(sig, {}) if self._polymorphic is not None else {}
        with shape_poly.symbol_origins(origins):
            traced = compiler.trace(self._name, sig.in_avals, body, self._donated_leaves(sig))
        if self._sharded:
            self._annotate_shardings(traced, sig, out_tree_box[0])
        return traced, out_tree_box[0]

    def _annotate_shardings(self, traced: compiler.Traced, sig: _Signature, out_tree: PyTreeDef) -> None:
        """in_shardings/out_shardings as attributes for cotan-partition."""
        from . import sharding
        dyn_args, dyn_kwargs = tree_unflatten(sig.in_tree, list(range(len(sig.in_avals))))
        in_shardings = self._in_shardings
        if in_shardings is not None and not isinstance(in_shardings, (tuple, list)):
            in_shardings = (in_shardings,) * len(dyn_args)
        if dyn_kwargs:  # keyword arguments are replicated
            dyn_args = (*dyn_args, dyn_kwargs)
            in_shardings = (*(in_shardings or (None,) * (len(dyn_args) - 1)), None)
        outs = tree_unflatten(out_tree, list(range(out_tree.num_leaves)))
        with context():
            function = ir.SymbolTable(traced.module.operation)[traced.name]
            sharding.annotate(function, in_shardings, tuple(dyn_args), self._out_shardings, outs,
                              sig.in_avals, traced.out_avals, self._name)

    def _donated_leaves(self, sig: _Signature) -> list[bool]:
        """Per input leaf, whether its argument is in donate_argnums."""
        if not self._donate_argnums:
            return []
        args_tree = sig.in_tree.children[0]
        static_positions = {k for k, _ in sig.statics if isinstance(k, int)}
        count = len(args_tree.children) + len(static_positions)
        donated = {i % count for i in self._donate_argnums if -count <= i < count}
        flags: list[bool] = []
        dynamic_positions = (i for i in range(count) if i not in static_positions)
        for position, child in zip(dynamic_positions, args_tree.children):
            flags += [position in donated] * child.num_leaves
        return flags

    def _explain_miss(self, sig: _Signature, dynamic: Any) -> str:
        """What differs from the signature compiled last: the static
        arguments, the structure, or which leaves' shapes and dtypes."""
        if not self._cache:
            return "first call"
        prev = next(reversed(self._cache))
        if prev.statics != sig.statics:
            return f"static arguments changed: {prev.statics} -> {sig.statics}"
        if prev.in_tree != sig.in_tree:
            return f"argument structure changed: {prev.in_tree} -> {sig.in_tree}"
        paths = [p for p, _ in tree_flatten_with_path(dynamic)]
        changes = [f"{self._argname(path)}: {_aval_change(a, b)}"
                   for path, a, b in zip(paths, prev.in_avals, sig.in_avals) if a != b]
        if not changes:
            return "new signature"
        more = f" (and {len(changes) - 3} more)" if len(changes) > 3 else ""
        return "; ".join(changes[:3]) + more

    def _argname(self, path: tuple) -> str:
        """`params['w']`: the parameter's name where the signature has one."""
        if len(path) >= 2 and path[0] == 0 and isinstance(path[1], int):
            try:
                names = _positional_names(self._fun)
            except TypeError:  # an unhashable callable
                names = ()
            position = path[1]
            for k in sorted(k for k in self._static_argnums if k >= 0):
                if k <= position:  # the dynamic position, counted in the call
                    position += 1
            if position < len(names):
                return names[position] + keystr(path[2:])
        if len(path) >= 2 and path[0] == 1:
            return str(path[1]) + keystr(path[2:])
        return _argname(path)

    def _entry(self, sig: _Signature, dynamic: Any) -> _Entry:
        entry = self._cache.get(sig)
        if entry is not None:
            return entry
        retrace = config.no_retrace and self._cache
        reason = self._explain_miss(sig, dynamic) if retrace or config.log_compiles else ""
        if retrace:
            raise user_error(RetraceError, f"`{self._name}` would be traced again "
                                           f"(config.no_retrace is set): {reason}")
        start = time.perf_counter()
        traced, out_tree = self._trace(sig)
        trace_seconds = time.perf_counter() - start
        executable = compiler.compile(traced)
        entry = _Entry(executable, traced, out_tree, self._donated_leaves(sig))
        self._cache[sig] = entry
        if config.log_compiles and executable.from_cache:
            logger.warning("cotan: loaded `%s` (called at %s) from the compilation cache in %.3f s "
                           "[trace %.3f s]: %s", self._name, where(), time.perf_counter() - start,
                           trace_seconds, reason)
        elif config.log_compiles:
            timings = executable.timings
            total = trace_seconds + timings["passes"] + timings["llvm"]
            slowest = ", ".join(f"{name} {seconds:.3f} s" for seconds, name in timings.get("slowest passes", []))
            logger.warning("cotan: compiled `%s` (called at %s) in %.3f s [trace %.3f s, passes %.3f s, "
                           "LLVM %.3f s]: %s%s", self._name, where(), total, trace_seconds,
                           timings["passes"], timings["llvm"], reason,
                           f"; slowest passes: {slowest}" if slowest else "")
        return entry

    # -- calling ----------------------------------------------------------

    def _prepare(self, args: tuple, kwargs: dict):
        """(signature, argument buffers, dynamic arguments), or None when
        called while tracing (on traced values, or inside a traced function,
        whose traced values the function may close over)."""
        if not kwargs and not self._static_argnums and all(type(a) in _ARRAY_TYPES for a in args):
            # The common call, positional arrays only: skip the generic
            # pytree walk (its structure is the same interned tree).
            statics, dynamic, leaves = (), (args, {}), list(args)
            in_tree = _positional_arrays_tree(len(args))
        else:
            statics, dynamic = self._split(args, kwargs)
            leaves, in_tree = tree_flatten(dynamic)
        if current_trace() is not None or any(isinstance(x, Tracer) for x in leaves):
            return None
        avals, buffers = _abstractify_all(leaves, dynamic, self._name)
        return _Signature(in_tree, avals, statics), buffers, dynamic

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        prepared = self._prepare(args, kwargs)
        if prepared is None:
            return self._fun(*args, **kwargs)  # inside another trace: inline
        sig, buffers, dynamic = prepared
        out_shapes = None
        if self._polymorphic is not None:
            sig, env = self._polymorphic.generalize(sig, dynamic, self._argname, self._static_argnums)
        device = self._placement(buffers)
        if device is not None:
            if self._polymorphic is not None:
                raise user_error(NotImplementedError, "polymorphic_shapes is not supported on the GPU yet")
            return self._call_on_gpu(device, sig, buffers)
        if any(type(b) is GpuArray for b in buffers):
            buffers = [b._value if type(b) is GpuArray else b for b in buffers]
        entry = self._entry(sig, dynamic)
        if self._polymorphic is not None:
            out_shapes = entry.out_shapes(env)
        if self._donate_argnums:
            outputs = self._call_donating(entry, buffers, dynamic, out_shapes)
        else:
            outputs = entry.executable(buffers, out_shapes)
        arrays = [Array(o, a.weak_type) for o, a in zip(outputs, entry.traced.out_avals)]
        return tree_unflatten(entry.out_tree, arrays)

    def _placement(self, buffers: list) -> Any:
        """The GPU to run on, or None for the CPU: the one asked for, else
        the one holding an argument."""
        if self._device is not None:
            device = resolve_device(self._device)
            return device if device.platform == "gpu" else None
        return next((b.device for b in buffers if type(b) is GpuArray), None)

    def _call_on_gpu(self, device: Any, sig: _Signature, buffers: list) -> Any:
        if self._donate_argnums:
            raise user_error(NotImplementedError, "donate_argnums is not supported on the GPU yet")
        key = (sig, device, config.key)
        entry = self._gpu_cache.get(key)
        if entry is None:
            traced, out_tree = self._trace(sig)
            entry = self._gpu_cache[key] = _Entry(gpu.compile(traced, device), traced, out_tree, [])
        outputs = entry.executable(buffers)
        for output, aval in zip(outputs, entry.traced.out_avals):
            output._weak, output._aval = aval.weak_type, aval
        return tree_unflatten(entry.out_tree, outputs)

    def _call_donating(self, entry: _Entry, buffers: list, dynamic: Any,
                       out_shapes: list | None = None) -> list:
        """Calls with donated inputs, whose buffers the function may
        overwrite: each gets its own memory first (never shared with another
        input), and donated cotan Arrays are deleted afterwards."""
        donated = entry.donated
        for k, flag in enumerate(donated):
            if flag and any(j != k and np.may_share_memory(buffers[k], other)
                            for j, other in enumerate(buffers)):
                buffers[k] = buffers[k].copy()
        outputs = entry.executable(buffers, out_shapes)
        for leaf, flag in zip(tree_leaves(dynamic), donated):
            if flag and type(leaf) is Array:
                leaf.delete()
        return outputs

    def lower(self, *args: Any, **kwargs: Any) -> "Lowered":
        prepared = self._prepare(args, kwargs)
        if prepared is None:
            raise user_error(TypeError, f"cannot lower `{self._name}` on traced values")
        sig = prepared[0]
        if self._polymorphic is not None:
            sig = self._polymorphic.generalize(sig, prepared[2], self._argname, self._static_argnums)[0]
        traced, out_tree = self._trace(sig)
        return Lowered(traced, out_tree)

    def _cache_size(self) -> int:
        return len(self._cache)


class _PolymorphicShapes:
    """jit's polymorphic_shapes: per positional argument None (static), a
    shape string for every array in it ("b, 784"), or a pytree of them."""

    def __init__(self, specs: Sequence[Any], fname: str):
        if isinstance(specs, str) or not isinstance(specs, (tuple, list)):
            raise user_error(TypeError, f"polymorphic_shapes of `{fname}` takes one entry per "
                                        "positional argument, such as (\"b, 784\", None); got "
                                        f"{specs!r}")
        self._specs = tuple(specs)
        self._fname = fname
        # Per argument structure: each leaf's parsed shape (or None) and
        # its name for messages.
        self._leaf_specs: dict[Hashable, list[tuple[Any, str]]] = {}
        # Per generalized signature: where each symbol comes from.
        self.origins: dict[_Signature, dict[str, str]] = {}
        # Per concrete signature seen: its generalization and the symbols'
        # sizes, so that a repeated call skips solving them.
        self._generalized: dict[_Signature, tuple[_Signature, dict[str, int]]] = {}

    def _per_leaf(self, sig: _Signature, dynamic: Any, argname: Callable,
                  static_argnums: set) -> list[tuple[Any, str]]:
        key = self._spec_key(sig)
        specs = self._leaf_specs.get(key)
        if specs is not None:
            return specs
        strings = self._leaf_strings(sig, dynamic, static_argnums)
        names = [argname(path) for path, _ in tree_flatten_with_path(dynamic)]
        try:
            specs = [(None if text is None else _parse_shape(text, name), f"argument {name}")
                     for text, name in zip(strings, names)]
        except shape_poly.ShapePolymorphismError as e:
            raise user_error(shape_poly.ShapePolymorphismError, f"`{self._fname}`: {e}") from None
        self._leaf_specs[key] = specs
        return specs

    def _spec_key(self, sig: _Signature) -> Hashable:
        return sig.in_tree

    @staticmethod
    def _positions(sig: _Signature, args: tuple, static_argnums: set) -> tuple[int, set[int]]:
        """The number of positional arguments of the call, and which of
        them are static."""
        count = len(args) + sum(1 for k, _ in sig.statics if isinstance(k, int))
        return count, {k % count for k in static_argnums if -count <= k < count}

    def _leaf_strings(self, sig: _Signature, dynamic: Any, static_argnums: set) -> list[str | None]:
        """The shape string (or None) of every dynamic leaf."""
        args, kwargs = dynamic
        count, static = self._positions(sig, args, static_argnums)
        if len(self._specs) != count:
            raise user_error(ValueError, f"polymorphic_shapes of `{self._fname}` has {len(self._specs)} "
                                         f"entries for {count} positional arguments")
        for k in sorted(static):
            if self._specs[k] is not None:
                raise user_error(ValueError, f"polymorphic_shapes of `{self._fname}`: argument {k} is "
                                             "static, so its entry must be None")
        per_arg = [spec for k, spec in enumerate(self._specs) if k not in static]
        strings = broadcast_prefix(tuple(per_arg), tuple(args), lambda p: isinstance(p, str),
                                   f"polymorphic_shapes of `{self._fname}`")
        return strings + [None] * len(tree_leaves(kwargs))

    def generalize(self, sig: _Signature, dynamic: Any, argname: Callable, static_argnums: set):
        """The signature with symbolic dimensions, and each symbol's size in
        this call."""
        known = self._generalized.get(sig)
        if known is not None:
            return known
        avals, symbolic, concrete, names = [], [], [], []
        try:
            for aval, (spec, name) in zip(sig.in_avals, self._per_leaf(sig, dynamic, argname, static_argnums)):
                if spec is None:
                    avals.append(aval)
                    continue
                shape = shape_poly.specialize(spec, aval.shape, name)
                avals.append(ShapedArray(shape, aval.dtype, aval.weak_type))
                symbolic.append(shape)
                concrete.append(aval.shape)
                names.append(name)
            env = shape_poly.bind(symbolic, concrete, names)
        except shape_poly.ShapePolymorphismError as e:
            raise user_error(shape_poly.ShapePolymorphismError, f"`{self._fname}`: {e}") from None
        generalized = _Signature(sig.in_tree, tuple(avals), sig.statics)
        if generalized not in self.origins:
            origins: dict[str, str] = {}
            for shape, name in zip(symbolic, names):
                for k, d in enumerate(shape):
                    for symbol in (d.symbols if shape_poly.is_symbolic(d) else ()):
                        origins.setdefault(symbol, f"{name} dimension {k}")
            self.origins[generalized] = origins
        if len(self._generalized) >= _GENERALIZED_SIGNATURES:
            self._generalized.clear()
        self._generalized[sig] = generalized, env
        return generalized, env


# How many concrete signatures a polymorphic jit remembers the symbols of.
_GENERALIZED_SIGNATURES = 256


class _DynamicAxes(_PolymorphicShapes):
    """jit's dynamic_axes: per argument (a position or a parameter name),
    the symbol of its leading axis ("b") or a dict of axis -> symbol
    ({0: "b", 1: "t"}), for every array in it; the other axes are static."""

    def __init__(self, axes: Any, fun: Callable, fname: str):
        if not isinstance(axes, dict):
            raise user_error(TypeError, f"dynamic_axes of `{fname}` maps arguments (positions or "
                                        f"names) to a symbol or to {{axis: symbol}}, such as "
                                        f"{{0: \"b\"}}; got {axes!r}")
        super().__init__((), fname)
        self._axes: dict[Any, dict[int, str]] = {}
        for arg, spec in axes.items():
            spec = {0: spec} if isinstance(spec, str) else spec
            if not isinstance(arg, (int, str)) or not isinstance(spec, dict) or not all(
                    isinstance(k, int) and isinstance(v, str) and v.isidentifier()
                    for k, v in spec.items()):
                raise user_error(TypeError, f"dynamic_axes of `{fname}`: entry {arg!r}: {spec!r} must "
                                            "map an argument to a symbol name or to {axis: symbol}")
            self._axes[arg] = spec
        self._parameters = _positional_names(fun)

    def _spec_key(self, sig: _Signature) -> Hashable:
        return sig.in_tree, tuple(len(a.shape) for a in sig.in_avals)

    def _leaf_strings(self, sig: _Signature, dynamic: Any, static_argnums: set) -> list[str | None]:
        args, kwargs = dynamic
        count, static = self._positions(sig, args, static_argnums)
        for k in sorted(static):
            if k in self._axes or (k < len(self._parameters) and self._parameters[k] in self._axes):
                raise user_error(ValueError, f"dynamic_axes of `{self._fname}`: argument {k} is static")
        positions = [k for k in range(count) if k not in static]  # of each dynamic argument
        unused = set(self._axes)
        strings = []
        for (path, _), aval in zip(tree_flatten_with_path(dynamic), sig.in_avals):
            if path[0] == 0:
                position = positions[path[1]]
                name = self._parameters[position] if position < len(self._parameters) else None
                keys = [position, name]
            else:
                keys = [path[1]]  # a keyword argument's name
            key = next((k for k in keys if k in self._axes), None)
            if key is None:
                strings.append(None)
                continue
            unused.discard(key)
            rank = len(aval.shape)
            dims = ["_"] * rank
            for axis, symbol in self._axes[key].items():
                if not -rank <= axis < rank:
                    raise user_error(ValueError, f"dynamic_axes of `{self._fname}`: axis {axis} is out "
                                                 f"of range for argument {key!r} of shape {aval.shape}")
                dims[axis % rank] = symbol
            strings.append(", ".join(dims))
        if unused:
            listed = ", ".join(repr(k) for k in sorted(unused, key=str))
            raise user_error(ValueError, f"dynamic_axes of `{self._fname}` names {listed}, which "
                                         "are not array arguments of this call")
        return strings


@functools.lru_cache(maxsize=256)
def _parse_shape(text: str, argname: str) -> tuple:
    return shape_poly.parse(text, argname)


class Lowered:
    """A traced function before compilation; `.as_text(stage)` shows its IR
    at "cotan", "linalg" or "llvm"; `.compile()` makes it callable."""

    def __init__(self, traced: compiler.Traced, out_tree: PyTreeDef):
        self._traced = traced
        self._out_tree = out_tree

    def as_text(self, stage: str = "cotan") -> str:
        return self._traced.text(stage)

    def compile(self) -> Callable[..., Any]:
        executable = compiler.compile(self._traced)
        traced, out_tree = self._traced, self._out_tree

        def call(*args: Any, **kwargs: Any) -> Any:
            leaves = tree_flatten((args, kwargs))[0]
            buffers = _abstractify_all(leaves, (args, kwargs), traced.name)[1]
            outs = executable(buffers)
            return tree_unflatten(out_tree, [Array(o, a.weak_type) for o, a in zip(outs, traced.out_avals)])

        return call


def jit(fun: Callable | None = None, *, static_argnums: int | Sequence[int] = (),
        static_argnames: str | Sequence[str] = (),
        donate_argnums: int | Sequence[int] = (), device: Any = None,
        in_shardings: Any = None, out_shardings: Any = None,
        polymorphic_shapes: Sequence[Any] | None = None, dynamic_axes: Any = None) -> Any:
    """Compiles `fun` for each new signature of its arguments.

    Use as `jit(f)`, `@jit`, or `@jit(static_argnums=...)`. Arguments in
    `donate_argnums` are given to the function: it may compute results in
    their buffers (an SGD step updating its parameters in place). Donated
    cotan arrays are deleted by the call; donated NumPy arrays may be
    overwritten. `device` ("cpu", "gpu" or a cotan Device) says where it
    runs; by default on the GPU if an argument is already there (a
    cotan.device_put array or a GPU result), else on the CPU.

    `in_shardings` (per positional argument, a pytree prefix of
    cotan.sharding.NamedSharding, None for replicated) and `out_shardings`
    (likewise for the results) split the computation over the processes
    of their mesh (under MPI): MLIR's sharding propagation and
    partitioning turn the function into a program for one process, which
    computes with its blocks and communicates what the others need.
    Arrays in and out stay global, as with shard_map.

    `polymorphic_shapes` (per positional argument: None, or a shape such
    as "b, 784" for every array in it, or a pytree of them) compiles once
    for all sizes of the named symbols: "b, 784" fixes the second
    dimension and lets the first be any b >= 1; `2*b` and `b*c` are
    expressions, `_` keeps a dimension static and a trailing `...` the
    rest. Each call solves the symbols from its arguments' shapes and
    checks them against each other. `dynamic_axes` says the same per axis:
    {0: "b"} makes the leading axis of argument 0 the symbol b, and
    {"x": {0: "b", 1: "t"}, "labels": "b"} names arguments and axes."""
    options = (static_argnums, static_argnames, donate_argnums, device, in_shardings, out_shardings,
               polymorphic_shapes, dynamic_axes)
    if fun is None:
        return lambda f: Jitted(f, *options)
    return Jitted(fun, *options)


# Jitted closures per static key (see jit_once).
_closures: dict[Hashable, Jitted] = {}


def jit_once(key: Hashable, fun: Callable) -> Jitted:
    """jit(fun) for the first `fun` given for `key`, reused afterwards.

    Library functions called eagerly (random samplers, ffi_call) make a
    fresh closure over their static values (shapes, dtypes, a C function)
    on every call; jit caches per function object, so each call would
    compile again. `key` names those static values."""
    jitted = _closures.get(key)
    if jitted is None:
        jitted = _closures[key] = jit(fun)
    return jitted
