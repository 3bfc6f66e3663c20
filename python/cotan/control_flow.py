"""Structured control flow: cond, switch, while_loop, fori_loop and scan,
with JAX's signatures and pytree carries.

Each function argument (a branch, a loop predicate or body) is traced on
abstract values into a private function of the current module, then its
body moves into a region of cotan.switch, cotan.while or cotan.scan.
Regions are closed: the values a function closes over become extra
operands of the op, shared by all its regions. Loops are never unrolled,
so a scan of 1000 steps compiles like one of 10.

Called on concrete values outside any trace, loops compile (cached per
function and signature, as jit does); cond and switch run the chosen
branch.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from . import dtypes as _dt
from .array import ArrayBase
from .core import ShapedArray, Trace, Tracer
from .core import polymorphic as polymorphic_op
from .errors import user_error
from .mlir import ir
from .mlir.dialects import cotan as cotan_d
from .tree_util import PyTreeDef, tree_flatten, tree_unflatten


def _operand(x: Any) -> ArrayBase:
    """x as a cotan array; Python scalars stay weakly typed."""
    from .numpy import _operand as as_array
    return as_array(x)


def _enclosing(values: list) -> Trace | None:
    from .transforms import _enclosing_trace
    return _enclosing_trace(values)


def _aval(x: ArrayBase) -> ShapedArray:
    return ShapedArray(tuple(x.shape), x.dtype, x.weak_type)


def _describe(aval: ShapedArray) -> str:
    return f"{aval.dtype}[{','.join(map(str, aval.shape))}]"


@functools.lru_cache(maxsize=128)
def _compiled(kind: str, funs: tuple, statics: tuple) -> Callable:
    """A jitted function running one control-flow call on concrete values,
    one per (functions, static parameters), so eager loops compile once."""
    from .jit import Jitted
    run = {"while_loop": lambda init: while_loop(funs[0], funs[1], init),
           "fori_loop": lambda init: fori_loop(statics[0], statics[1], funs[0], init),
           "scan": lambda init, xs: scan(funs[0], init, xs, statics[0], statics[1])}[kind]
    run.__name__ = kind
    return Jitted(run)


# -- tracing functions into regions ----------------------------------------


@dataclass
class _Body:
    """A function traced into a private function of the enclosing module,
    its return not yet emitted: its outputs may still need conversions."""

    inner: Trace
    raw: Any  # what the function returned
    outputs: list[ArrayBase]  # the flattened outputs

    def finish(self, dtypes: Sequence[np.dtype]) -> None:
        """Emits the return, converting outputs to `dtypes`."""
        from . import numpy as cnp
        outs = [o if o.dtype == d else cnp.astype(o, d) for o, d in zip(self.outputs, dtypes)]
        with self.inner.active():
            self.inner.finish(outs)

    def discard(self) -> None:
        self.inner.alive = False
        self.inner.func.operation.erase()

    def move_into(self, region: ir.Region, captures: list[Tracer]) -> None:
        """Moves the body into `region`: a block taking the explicit inputs
        then all of `captures`, ending in cotan.yield."""
        inner = self.inner
        old = inner.block
        n = len(inner.inputs)
        types = [a.type for a in list(old.arguments)[:n]] + [c.aval.mlir_type() for c in captures]
        block = region.blocks.append(*types)
        position = {id(c): n + k for k, c in enumerate(captures)}
        for i in range(n):
            old.arguments[i].replace_all_uses_with(block.arguments[i])
        for j, outer in enumerate(inner.captured):
            old.arguments[n + j].replace_all_uses_with(block.arguments[position[id(outer)]])
        ops = list(old.operations)
        ret = ops[-1]
        with ir.InsertionPoint(block), ret.location:
            yield_op = cotan_d.YieldOp(list(ret.operands))
        for op in ops[:-1]:
            op.move_before(yield_op)
        ret.erase()
        inner.func.operation.erase()


def _trace_body(trace: Trace, fun: Callable, args: Any, avals: list[ShapedArray], name: str) -> _Body:
    """Traces fun(*args) with the leaves of `args` replaced by inputs of `avals`."""
    _, in_tree = tree_flatten(args)
    inner = Trace(name, avals, parent=trace)
    try:
        with inner.active():
            raw = fun(*tree_unflatten(in_tree, inner.inputs))
            leaves, _ = tree_flatten(raw)
            outputs = [_operand(x) for x in leaves]
    except BaseException:
        inner.alive = False
        inner.func.operation.erase()
        raise
    return _Body(inner, raw, outputs)


def _union_of_captures(bodies: Sequence[_Body]) -> list[Tracer]:
    seen, union = set(), []
    for body in bodies:
        for c in body.inner.captured:
            if id(c) not in seen:
                seen.add(id(c))
                union.append(c)
    return union


def _emit(trace: Trace, name: str, make_op: Callable, result_avals: list[ShapedArray],
          bodies: Sequence[_Body], *operand_groups: list) -> list[Tracer]:
    """Emits the op built by make_op(result_types, *groups) (groups: the
    operand values, then the captures), moves each body into its region and
    returns the results. Control flow takes symbolic dimensions."""
    captures = _union_of_captures(bodies)

    def build(result_types, *groups, loc=None, ip=None):
        op = make_op(result_types, *groups, loc=loc, ip=ip)
        for body, region in zip(bodies, op.regions):
            body.move_into(region, captures)
        return op.results

    build.__name__ = name
    polymorphic_op(build)
    return trace.emit_results(build, result_avals, *operand_groups, list(captures))


def _check_structure(got: PyTreeDef, want: PyTreeDef, what: str) -> None:
    if got != want:
        raise user_error(TypeError, f"{what} has structure {got} but must have structure {want}")


def _check_loop_carry(outputs: list[ArrayBase], avals: list[ShapedArray], paths: list[str],
                      what: str) -> list[ShapedArray] | None:
    """Checks a loop body's carry outputs against the carry's avals.
    Returns promoted carry avals when a weakly typed initial value must take
    the body's dtype (then the loop is traced again), else None."""
    promoted, changed = [], False
    for out, aval, path in zip(outputs, avals, paths):
        if tuple(out.shape) != aval.shape:
            raise user_error(TypeError, f"{what} returns a carry of shape {tuple(out.shape)} at {path}, "
                                        f"but the initial value has shape {aval.shape}; a loop carry "
                                        "must keep its shape")
        if out.dtype != aval.dtype and not out.weak_type:
            if not aval.weak_type:
                raise user_error(TypeError, f"{what} returns a carry of dtype {out.dtype} at {path}, "
                                            f"but the initial value has dtype {aval.dtype}; convert one "
                                            "of them with .astype")
            changed = True
            promoted.append(ShapedArray(aval.shape, out.dtype, False))
        else:
            promoted.append(aval)
    return promoted if changed else None


def _leaf_paths(tree: Any, prefix: str) -> list[str]:
    from .tree_util import keystr, tree_flatten_with_path
    return [prefix + keystr(p) for p, _ in tree_flatten_with_path(tree)]


# -- cond and switch --------------------------------------------------------


def switch(index: Any, branches: Sequence[Callable], *operands: Any) -> Any:
    """branches[index](*operands), with index clamped to the branches:
    every branch is compiled and must return the same types."""
    branches = list(branches)
    if not branches:
        raise user_error(ValueError, "switch needs at least one branch")
    for k, b in enumerate(branches):
        if not callable(b):
            raise user_error(TypeError, f"branch {k} of switch is a {type(b).__name__}, not a function")
    index = _operand(index)
    if index.shape != () or not _dt.is_int(index.dtype):
        raise user_error(TypeError, f"the switch index must be an integer scalar, got "
                                    f"{_describe(_aval(index))}")
    return _switch(index, branches, [f"branch {k}" for k in range(len(branches))], operands, "switch")


def cond(pred: Any, true_fun: Callable, false_fun: Callable, *operands: Any) -> Any:
    """true_fun(*operands) if pred else false_fun(*operands), with a traced
    scalar `pred`: both branches are compiled and must return the same
    types. Use this where a Python `if` would need the value of a traced
    array."""
    if not callable(true_fun) or not callable(false_fun):
        raise user_error(TypeError, "cond takes (pred, true_fun, false_fun, *operands)")
    pred = _operand(pred)
    if pred.shape != ():
        raise user_error(TypeError, f"the cond predicate must be a scalar, got shape {tuple(pred.shape)}; "
                                    "use cotan.numpy.where for elementwise choices")
    from . import numpy as cnp
    index = cnp.astype(pred if pred.dtype == _dt.bool_ else pred != 0, np.int32)
    return _switch(index, [false_fun, true_fun], ["false_fun", "true_fun"], operands, "cond")


def _switch(index: ArrayBase, branches: list[Callable], names: list[str], operands: tuple,
            what: str) -> Any:
    from . import numpy as cnp
    leaves, _ = tree_flatten(operands)
    trace = _enclosing([index] + list(leaves))
    if trace is None:
        chosen = min(max(int(np.asarray(index)), 0), len(branches) - 1)
        return branches[chosen](*operands)
    inputs = [_operand(x) for x in leaves]
    avals = [_aval(x) for x in inputs]
    bodies: list[_Body] = []
    try:
        for k, branch in enumerate(branches):
            bodies.append(_trace_body(trace, branch, operands, avals, f"{what}_branch{k}"))
        out_dtypes, out_tree = _unify_branches(bodies, names, what)
        for body in bodies:
            body.finish(out_dtypes)
    except BaseException:
        for body in bodies:
            body.discard()
        raise
    first = bodies[0].outputs
    result_avals = [ShapedArray(tuple(o.shape), d, all(b.outputs[i].weak_type for b in bodies))
                    for i, (o, d) in enumerate(zip(first, out_dtypes))]
    index32 = cnp.astype(index, np.int32)

    def make(result_types, index_value, input_values, capture_values, *, loc=None, ip=None):
        return cotan_d.SwitchOp(result_types, index_value, input_values + capture_values,
                                len(bodies), loc=loc, ip=ip)

    results = _emit(trace, "switch", make, result_avals, bodies, index32, inputs)
    return tree_unflatten(out_tree, results)


def _unify_branches(bodies: list[_Body], names: list[str],
                    what: str) -> tuple[list[np.dtype], PyTreeDef]:
    """The output dtypes all branches agree on (weakly typed outputs take
    the others' dtype) and the shared output structure."""
    trees = [tree_flatten(b.raw)[1] for b in bodies]
    paths = _leaf_paths(bodies[0].raw, "output")
    for k, tree in enumerate(trees[1:], 1):
        if tree != trees[0]:
            raise user_error(TypeError, f"{what}: {names[k]} returns structure {tree} but {names[0]} "
                                        f"returns {trees[0]}; all branches must return the same structure")
    dtypes = []
    for i, path in enumerate(paths):
        outs = [b.outputs[i] for b in bodies]
        for k, o in enumerate(outs[1:], 1):
            if tuple(o.shape) != tuple(outs[0].shape):
                raise user_error(TypeError, f"{what}: {names[k]} returns shape {tuple(o.shape)} at {path} "
                                            f"but {names[0]} returns shape {tuple(outs[0].shape)}")
        strong = {o.dtype for o in outs if not o.weak_type}
        if len(strong) > 1:
            listing = ", ".join(f"{name}: {o.dtype}" for name, o in zip(names, outs))
            raise user_error(TypeError, f"{what}: branches return different dtypes at {path} ({listing}); "
                                        "convert them to one dtype with .astype")
        dtypes.append(strong.pop() if strong else outs[0].dtype)
    return dtypes, trees[0]


# -- while_loop and fori_loop -----------------------------------------------


def while_loop(cond_fun: Callable, body_fun: Callable, init_val: Any) -> Any:
    """Runs `val = body_fun(val)` while `cond_fun(val)` is true, starting
    from init_val (a pytree); body_fun must keep the carry's structure,
    shapes and dtypes. Reverse-mode differentiation is not supported (the
    trip count is unbounded): use scan or fori_loop with static bounds."""
    if not callable(cond_fun) or not callable(body_fun):
        raise user_error(TypeError, "while_loop takes (cond_fun, body_fun, init_val)")
    leaves, tree = tree_flatten(init_val)
    trace = _enclosing(leaves)
    if trace is None:
        return _compiled("while_loop", (cond_fun, body_fun), ())(init_val)
    init = [_operand(x) for x in leaves]
    avals = [_aval(x) for x in init]
    paths = _leaf_paths(init_val, "carry")
    while True:
        cond_body = _trace_body(trace, cond_fun, (init_val,), avals, "while_cond")
        try:
            _check_predicate(cond_body)
            body = _trace_body(trace, body_fun, (init_val,), avals, "while_body")
        except BaseException:
            cond_body.discard()
            raise
        try:
            _check_structure(tree_flatten(body.raw)[1], tree, "the output of body_fun")
            promoted = _check_loop_carry(body.outputs, avals, paths, "body_fun")
        except BaseException:
            cond_body.discard()
            body.discard()
            raise
        if promoted is None:
            break
        cond_body.discard()
        body.discard()
        avals = promoted
    from . import numpy as cnp
    init = [x if x.dtype == a.dtype else cnp.astype(x, a.dtype) for x, a in zip(init, avals)]
    cond_body.finish([_dt.bool_])
    body.finish([a.dtype for a in avals])

    def make(result_types, init_values, capture_values, *, loc=None, ip=None):
        return cotan_d.WhileOp(result_types, init_values, capture_values, loc=loc, ip=ip)

    results = _emit(trace, "while", make, avals, [cond_body, body], init)
    return tree_unflatten(tree, results)


def _check_predicate(body: _Body) -> None:
    outs = body.outputs
    if len(outs) != 1 or outs[0].shape != () or outs[0].dtype != _dt.bool_:
        got = ", ".join(_describe(_aval(o)) for o in outs) or "nothing"
        raise user_error(TypeError, f"cond_fun must return a boolean scalar, got {got}")


def fori_loop(lower: Any, upper: Any, body_fun: Callable, init_val: Any) -> Any:
    """Runs `val = body_fun(i, val)` for i in [lower, upper). With bounds
    known at trace time (Python ints) it is a scan, which reverse-mode
    differentiation supports; with traced bounds, a while_loop."""
    if not callable(body_fun):
        raise user_error(TypeError, "fori_loop takes (lower, upper, body_fun, init_val)")
    static = _static_int(lower), _static_int(upper)
    leaves, _ = tree_flatten(init_val)
    bound_leaves = [b for b in (lower, upper) if isinstance(b, ArrayBase)]
    trace = _enclosing(list(leaves) + bound_leaves)
    if trace is None and None not in static:
        return _compiled("fori_loop", (body_fun,), static)(init_val)
    from . import numpy as cnp
    if None not in static:
        lo, hi = static
        i0 = cnp.asarray(lo, np.int32)

        def step(carry, _):
            i, val = carry
            return (i + np.int32(1), body_fun(i, val)), None

        (_, out), _ = scan(step, (i0, init_val), None, length=max(hi - lo, 0))
        return out
    lo, hi = _operand(lower), _operand(upper)
    for name, b in (("lower", lo), ("upper", hi)):
        if b.shape != () or not _dt.is_int(b.dtype):
            raise user_error(TypeError, f"fori_loop: {name} must be an integer scalar, got {_describe(_aval(b))}")
    dtype = np.promote_types(lo.dtype, hi.dtype)
    lo, hi = cnp.astype(lo, dtype), cnp.astype(hi, dtype)
    _, _, out = while_loop(lambda c: c[0] < c[1],
                           lambda c: (c[0] + cnp.asarray(1, dtype), c[1], body_fun(c[0], c[2])),
                           (lo, hi, init_val))
    return out


def _static_int(x: Any) -> int | None:
    """x as a Python int when it is known at trace time."""
    if isinstance(x, (bool, Tracer)):
        return None
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (np.ndarray, ArrayBase)) and x.shape == () and _dt.is_int(x.dtype):
        return int(np.asarray(x))
    return None


# -- scan ------------------------------------------------------------------


def scan(f: Callable, init: Any, xs: Any = None, length: int | None = None,
         reverse: bool = False, unroll: int | bool = 1) -> tuple[Any, Any]:
    """Loops `carry, y = f(carry, x)` over the leading axis of xs (a
    pytree of arrays, or None with `length`), returning the final carry and
    the ys stacked along a new leading axis. With reverse, steps run from
    the last slice to the first (ys keep xs' order). `unroll` is accepted
    for JAX compatibility; cotan keeps the loop rolled."""
    if not callable(f):
        raise user_error(TypeError, "scan takes (f, init, xs=None, length=None, reverse=False)")
    if not isinstance(unroll, int) or (not isinstance(unroll, bool) and unroll < 1):
        raise user_error(ValueError, f"scan: unroll must be a positive int or a bool, got {unroll!r}")
    x_leaves, _ = tree_flatten(xs)
    xs_ops = [_operand(x) for x in x_leaves]
    length = _scan_length(xs_ops, xs, length)
    carry_leaves, carry_tree = tree_flatten(init)
    trace = _enclosing(list(carry_leaves) + list(x_leaves))
    if trace is None:
        return _compiled("scan", (f,), (length, bool(reverse)))(init, xs)
    carry = [_operand(x) for x in carry_leaves]
    avals = [_aval(x) for x in carry]
    slice_avals = [ShapedArray(tuple(x.shape[1:]), x.dtype, x.weak_type) for x in xs_ops]
    paths = _leaf_paths(init, "carry")
    num_carry = len(carry)
    while True:
        body = _trace_body(trace, f, (init, xs), avals + slice_avals, "scan_body")
        try:
            carry_out, ys = _split_scan_output(body)
            _check_structure(tree_flatten(carry_out)[1], carry_tree, "the carry returned by the scan body")
            promoted = _check_loop_carry(body.outputs[:num_carry], avals, paths, "the scan body")
        except BaseException:
            body.discard()
            raise
        if promoted is None:
            break
        body.discard()
        avals = promoted
    from . import numpy as cnp
    carry = [x if x.dtype == a.dtype else cnp.astype(x, a.dtype) for x, a in zip(carry, avals)]
    y_outs = body.outputs[num_carry:]
    body.finish([a.dtype for a in avals] + [y.dtype for y in y_outs])
    y_tree = tree_flatten(ys)[1]
    stacked = [ShapedArray((length,) + tuple(y.shape), y.dtype, y.weak_type) for y in y_outs]

    def make(result_types, init_values, x_values, capture_values, *, loc=None, ip=None):
        return cotan_d.ScanOp(result_types, length, init_values, x_values, capture_values,
                              reverse=True if reverse else None, loc=loc, ip=ip)

    results = _emit(trace, "scan", make, avals + stacked, [body], carry, xs_ops)
    return tree_unflatten(carry_tree, results[:num_carry]), tree_unflatten(y_tree, results[num_carry:])


def _scan_length(xs: list[ArrayBase], tree: Any, length: int | None) -> int:
    lengths = set()
    for x, path in zip(xs, _leaf_paths(tree, "xs")):
        if x.ndim == 0:
            raise user_error(TypeError, f"scan: {path} is a scalar; scanned arrays need a leading axis")
        lengths.add(int(x.shape[0]))
    if length is not None:
        length = _static_int(length)
        if length is None or length < 0:
            raise user_error(TypeError, "scan: length must be a non-negative Python int")
        lengths.add(length)
    if not lengths:
        raise user_error(ValueError, "scan needs xs or length to know how many steps to run")
    if len(lengths) > 1:
        raise user_error(ValueError, f"scan: xs leading axes and length disagree: {sorted(lengths)}")
    return lengths.pop()


def _split_scan_output(body: _Body) -> tuple[Any, Any]:
    raw = body.raw
    if not (isinstance(raw, tuple) and len(raw) == 2):
        raise user_error(TypeError, f"the scan body must return a pair (carry, y), got {type(raw).__name__}")
    return raw
