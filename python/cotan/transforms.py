"""Differentiation: grad, value_and_grad, vjp and jvp.

Each transformation traces the function into a private func.func of the
current module and emits a `cotan.vjp` or `cotan.jvp` request naming it;
the C++ pass cotan-expand-autodiff turns requests into derivative
functions built from the ops' own rules. Requests nest (the function being
differentiated may itself contain requests), so transformations compose:
grad(grad(f)), jit(grad(f)), grad(jit(f)). Called on concrete arrays, a
transformed function is compiled and cached like a jitted one.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from . import dtypes as _dt
from .array import Array, ArrayBase
from .core import ShapedArray, Trace, Tracer, current_trace, find_trace, polymorphic
from .errors import user_error
from .jit import Jitted
from .mlir.dialects import cotan as cotan_d
from .mlir.dialects import func as func_d
from .mlir import ir
from .tree_util import tree_flatten, tree_map, tree_unflatten


def _as_operand(x: Any) -> ArrayBase:
    from . import numpy as cnp
    return x if isinstance(x, ArrayBase) else cnp.asarray(x)


class _Linearized:
    """`fun` traced as a private function of `trace`'s module, applied to
    `primals`: its outputs, and what a derivative request needs."""

    def __init__(self, trace: Trace, fun: Callable, primals: tuple, has_aux: bool, name: str):
        leaves, self.in_tree = tree_flatten(primals)
        self.primals = [_as_operand(x) for x in leaves]
        avals = [ShapedArray(p.shape, p.dtype, p.weak_type) for p in self.primals]
        inner = Trace(name, avals, parent=trace)
        try:
            with inner.active():
                out = fun(*tree_unflatten(self.in_tree, inner.inputs))
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise user_error(TypeError, "has_aux=True needs the function to return a pair (output, aux)")
                out, aux = out
            else:
                aux = None
            out_leaves, self.out_tree = tree_flatten(out)
            aux_leaves, self.aux_tree = tree_flatten(aux)
            outputs = [_as_operand(x) for x in out_leaves + aux_leaves]
            inner.finish(outputs)
        finally:
            inner.alive = False
        self.trace = trace
        self.callee = inner.name
        self.num_out = len(out_leaves)
        # The callee's arguments: the primals, then the values it captured.
        self.arguments = self.primals + list(inner.captured)
        self.result_avals = [o.aval for o in outputs]
        results = trace.emit_results(_call_builder(self.callee), self.result_avals, self.arguments)
        self.outputs = results[:self.num_out]
        self.aux = tree_unflatten(self.aux_tree, results[self.num_out:])

    def out(self) -> Any:
        return tree_unflatten(self.out_tree, self.outputs)

    def _target(self, seeds: list) -> Trace:
        """Where a request goes: this trace, or one nested in it (a pullback
        may be called inside another transformation)."""
        trace = _enclosing_trace(seeds)
        return trace if trace is not None and trace.encloses(self.trace) else self.trace

    def pullback(self, cotangents: list[ArrayBase]) -> list[Tracer]:
        """Gradients of the primals given one cotangent per output."""
        from . import numpy as cnp
        seeds = list(cotangents) + [cnp.zeros(a.shape, a.dtype) for a in self.result_avals[self.num_out:]]
        avals = self.result_avals + [a.aval.strong() for a in self.arguments]
        results = self._target(seeds).emit_results(_request_builder(cotan_d.vjp, self.callee), avals,
                                          self.arguments, seeds)
        return results[len(self.result_avals):len(self.result_avals) + len(self.primals)]

    def pushforward(self, tangents: list[ArrayBase]) -> list[Tracer]:
        """Tangents of the outputs given one tangent per primal."""
        from . import numpy as cnp
        seeds = list(tangents) + [cnp.zeros(a.shape, a.dtype) for a in self.arguments[len(self.primals):]]
        avals = self.result_avals + [a.strong() for a in self.result_avals]
        results = self._target(seeds).emit_results(_request_builder(cotan_d.jvp, self.callee), avals,
                                          self.arguments, seeds)
        return results[len(self.result_avals):len(self.result_avals) + self.num_out]


def _call_builder(callee: str) -> Callable:
    def call(result_types, operands, *, loc=None, ip=None):
        return func_d.CallOp(result_types, ir.FlatSymbolRefAttr.get(callee), operands, loc=loc, ip=ip).results
    call.__name__ = "call"
    return polymorphic(call)


def _request_builder(builder: Callable, callee: str) -> Callable:
    def request(result_types, primals, seeds, *, loc=None, ip=None):
        return builder(result_types, ir.FlatSymbolRefAttr.get(callee), primals, seeds, loc=loc, ip=ip)
    request.__name__ = builder.__name__
    return polymorphic(request)


def _function_name(fun: Callable) -> str:
    return getattr(fun, "__name__", "fn")


def _check_float(x: ArrayBase, what: str) -> None:
    if not _dt.is_float(x.dtype):
        raise user_error(TypeError, f"{what} must have a float dtype to be differentiated, got {x.dtype}; "
                                    "convert it with .astype(float) or leave it out of argnums")


def _seed_cotangent(out: Any, fname: str) -> ArrayBase:
    from . import numpy as cnp
    if not isinstance(out, ArrayBase) or out.shape != ():
        shape = getattr(out, "shape", type(out).__name__)
        raise user_error(TypeError, f"grad requires `{fname}` to return a scalar, got shape {shape}; "
                                    "use vjp or jacrev for non-scalar outputs")
    _check_float(out, f"the output of `{fname}`")
    return cnp.ones((), out.dtype)


def _normalize_argnums(argnums: int | Sequence[int], nargs: int, fname: str) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for n in nums:
        if not -nargs <= n < nargs:
            raise user_error(ValueError, f"argnums {n} is out of range for `{fname}` called with {nargs} arguments")
    return tuple(n % nargs for n in nums)


def _enclosing_trace(args: Any) -> Trace | None:
    """The trace to build into: the arguments' innermost trace, or the one
    whose function is running (the arguments may be concrete while the
    function closes over its traced values)."""
    found = find_trace(tree_flatten(args)[0])
    active = current_trace()
    if found is None or (active is not None and active.encloses(found)):
        return active
    return found


def _in_trace(impl: Callable) -> Callable:
    """Runs `impl(trace, *args)` inside the enclosing trace; called on
    concrete values outside any trace, compiles it (cached per signature)."""
    def traced(*args):
        return impl(_enclosing_trace(args), *args)

    traced.__name__ = impl.__name__
    jitted = Jitted(traced)

    def call(*args):
        if _enclosing_trace(args) is not None:
            return traced(*args)
        return jitted(*args)

    call.__name__ = impl.__name__
    call.__wrapped__ = impl
    return call


def value_and_grad(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False) -> Callable:
    """fun's value and its gradient with respect to the arguments `argnums`
    (a pytree per argument, like the argument). `fun` must return a float
    scalar (or (scalar, aux) with has_aux)."""
    fname = _function_name(fun)

    def value_and_grad_impl(trace: Trace, *args):
        nums = _normalize_argnums(argnums, len(args), fname)
        for n in nums:
            for leaf in tree_flatten(args[n])[0]:
                _check_float(_as_operand(leaf), f"argument {n} of `{fname}`")
        lin = _Linearized(trace, fun, args, has_aux, fname)
        if lin.num_out != 1:
            raise user_error(TypeError, f"grad requires `{fname}` to return a scalar, got {lin.out_tree}")
        grads = lin.pullback([_seed_cotangent(lin.outputs[0], fname)])
        per_arg = _split_by_argument(args, grads)
        picked = per_arg[nums[0]] if isinstance(argnums, int) else tuple(per_arg[n] for n in nums)
        value = lin.out()
        return ((value, lin.aux), picked) if has_aux else (value, picked)

    value_and_grad_impl.__name__ = f"value_and_grad_{fname}"
    return _in_trace(value_and_grad_impl)


def grad(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False) -> Callable:
    """The gradient of a float-scalar function (see value_and_grad)."""
    vg = value_and_grad(fun, argnums, has_aux)

    def grad_fun(*args):
        out, g = vg(*args)
        return (g, out[1]) if has_aux else g

    grad_fun.__name__ = f"grad_{_function_name(fun)}"
    return grad_fun


def _split_by_argument(args: tuple, flat: list) -> list:
    """Unflattens per-leaf values into one pytree per argument of args."""
    out, k = [], 0
    for a in args:
        leaves, tree = tree_flatten(a)
        out.append(tree_unflatten(tree, flat[k:k + len(leaves)]))
        k += len(leaves)
    return out


def vjp(fun: Callable, *primals: Any, has_aux: bool = False):
    """(fun(*primals), vjp_fn): vjp_fn(cotangent) returns one gradient per
    primal, each shaped like it. With has_aux, returns (out, vjp_fn, aux)."""
    fname = _function_name(fun)
    trace = _enclosing_trace(primals)
    if trace is None:
        return _eager_vjp(fun, primals, has_aux)
    lin = _Linearized(trace, fun, primals, has_aux, fname)

    def vjp_fn(cotangent):
        leaves, tree = tree_flatten(cotangent)
        if tree != lin.out_tree:
            raise user_error(TypeError, f"vjp_fn: cotangent structure {tree} does not match the output {lin.out_tree}")
        cts = [_as_operand(c) for c in leaves]
        for c, o in zip(cts, lin.outputs):
            if c.shape != o.shape:
                raise user_error(ValueError, f"vjp_fn: cotangent shape {c.shape} does not match output shape {o.shape}")
        from . import numpy as cnp
        cts = [cnp.astype(c, o.dtype) for c, o in zip(cts, lin.outputs)]
        return tuple(_split_by_argument(primals, lin.pullback(cts)))

    return (lin.out(), vjp_fn, lin.aux) if has_aux else (lin.out(), vjp_fn)


def _eager_vjp(fun: Callable, primals: tuple, has_aux: bool):
    """vjp on concrete values: the output now, the pullback compiled later."""
    def forward(*p):
        out = fun(*p)
        return out

    result = Jitted(forward)(*primals)
    out, aux = result if has_aux else (result, None)

    def pull(p, ct):
        res = vjp(fun, *p, has_aux=has_aux)
        return res[1](ct)

    pulled = Jitted(pull)

    def vjp_fn(cotangent):
        return pulled(primals, cotangent)

    return (out, vjp_fn, aux) if has_aux else (out, vjp_fn)


def jvp(fun: Callable, primals: Sequence[Any], tangents: Sequence[Any]):
    """(fun(*primals), the directional derivative along `tangents`)."""
    fname = _function_name(fun)
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise user_error(TypeError, "jvp takes primals and tangents as tuples of arguments")
    if len(primals) != len(tangents):
        raise user_error(ValueError, f"jvp got {len(primals)} primals but {len(tangents)} tangents")

    def jvp_impl(trace: Trace, primals, tangents):
        p_leaves, p_tree = tree_flatten(primals)
        t_leaves, t_tree = tree_flatten(tangents)
        if p_tree != t_tree:
            raise user_error(TypeError, f"jvp: tangent structure {t_tree} does not match primals {p_tree}")
        lin = _Linearized(trace, fun, tuple(primals), False, fname)
        ts = []
        for p, t in zip(lin.primals, t_leaves):
            t = _as_operand(t)
            if t.shape != p.shape:
                raise user_error(ValueError, f"jvp: tangent shape {t.shape} does not match primal shape {p.shape}")
            from . import numpy as cnp
            ts.append(cnp.astype(t, p.dtype))
        outs = lin.pushforward(ts)
        return lin.out(), tree_unflatten(lin.out_tree, outs)

    jvp_impl.__name__ = f"jvp_{fname}"
    return _in_trace(jvp_impl)(tuple(primals), tuple(tangents))


def stop_gradient(x: Any) -> Any:
    """x, through which no derivative flows (a pytree of arrays)."""
    from . import ops

    def stop(leaf: Any) -> Any:
        a = _as_operand(leaf)
        if isinstance(a, Array) or not _dt.is_float(a.dtype):
            return a
        return ops.stop_gradient(a)

    return tree_map(stop, x)


def _basis(shape: tuple, dtype: np.dtype) -> np.ndarray:
    """The standard basis of arrays of `shape`, stacked: (size, *shape)."""
    size = int(np.prod(shape, dtype=np.int64))
    return np.eye(size, dtype=dtype).reshape((size,) + tuple(shape))


def _jacobian_args(args: tuple, argnums: int | Sequence[int], fname: str):
    nums = _normalize_argnums(argnums, len(args), fname)
    for n in nums:
        a = _as_operand(args[n])
        _check_float(a, f"argument {n} of `{fname}`")
    return nums


def _single_array(out: Any, fname: str) -> ArrayBase:
    leaves, tree = tree_flatten(out)
    if len(leaves) != 1:
        raise user_error(TypeError, f"jacobians need `{fname}` to return one array, got {tree}")
    return _as_operand(leaves[0])


def jacrev(fun: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """The Jacobian of fun (one array output) with respect to array
    arguments `argnums`, shaped output.shape + argument.shape: the pullback
    vmapped over the standard basis of the output."""
    from . import numpy as cnp
    from .batching import vmap
    fname = _function_name(fun)

    def jacrev_impl(trace: Trace, *args):
        nums = _jacobian_args(args, argnums, fname)
        out, pullback = vjp(fun, *args)
        out = _single_array(out, fname)
        if out.size == 0:
            rows = [cnp.zeros((0,) + _as_operand(a).shape, _as_operand(a).dtype) for a in args]
        else:
            rows = vmap(lambda ct: pullback(ct))(_basis(out.shape, out.dtype))
        jacobians = [cnp.reshape(rows[n], out.shape + _as_operand(args[n]).shape) for n in nums]
        return jacobians[0] if isinstance(argnums, int) else tuple(jacobians)

    jacrev_impl.__name__ = f"jacrev_{fname}"
    return _in_trace(jacrev_impl)


def jacfwd(fun: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """The Jacobian of fun (one array output) with respect to array
    arguments `argnums`, shaped output.shape + argument.shape: the
    pushforward vmapped over the standard basis of each argument."""
    from . import numpy as cnp
    from .batching import vmap
    fname = _function_name(fun)

    def jacfwd_impl(trace: Trace, *args):
        nums = _jacobian_args(args, argnums, fname)
        primals = [_as_operand(a) for a in args]
        out = _single_array(fun(*args), fname)
        jacobians = []
        for n in nums:
            p = primals[n]

            def column(t, n=n):
                tangents = [cnp.zeros(q.shape, q.dtype) for q in primals]
                tangents[n] = t
                return jvp(fun, tuple(primals), tuple(tangents))[1]

            if p.size == 0:
                jacobians.append(cnp.zeros(out.shape + p.shape, out.dtype))
                continue
            columns = vmap(column)(_basis(p.shape, p.dtype))  # (size, *out.shape)
            moved = cnp.moveaxis(columns, 0, -1) if out.ndim else columns
            jacobians.append(cnp.reshape(moved, out.shape + p.shape))
        return jacobians[0] if isinstance(argnums, int) else tuple(jacobians)

    jacfwd_impl.__name__ = f"jacfwd_{fname}"
    return _in_trace(jacfwd_impl)


def hessian(fun: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """The Hessian of a scalar function: jacfwd(jacrev(fun))."""
    return jacfwd(jacrev(fun, argnums), argnums)


def _trace_private(trace: Trace, fun: Callable, avals: list[ShapedArray], name: str,
                   role: str) -> tuple[str, list, Any]:
    """Traces fun(*inputs) -> pytree as a private function of trace's module
    for a custom rule; rule functions may not close over traced values."""
    inner = Trace(name, avals, parent=trace)
    try:
        with inner.active():
            out = fun(inner.inputs)
        leaves, tree = tree_flatten(out)
        outputs = [_as_operand(x) for x in leaves]
        inner.finish(outputs)
    finally:
        inner.alive = False
    if inner.captured:
        raise user_error(TypeError, f"the {role} of a custom derivative closes over a traced value; "
                                    "pass it as an argument instead")
    return inner.name, outputs, tree


class _CustomRule:
    """A function whose derivative rule the user supplies. Concrete calls
    compile (cached); traced calls emit the custom op; while the rules are
    traced, calls evaluate the plain function (rules usually call it)."""

    def __init__(self, fun: Callable):
        self.fun = fun
        self.__name__ = _function_name(fun)
        self.__doc__ = fun.__doc__
        self._eager = Jitted(self)
        self._in_rule = False

    def _has_rule(self) -> bool:
        raise NotImplementedError

    def _emit(self, trace: Trace, args: tuple) -> Any:
        raise NotImplementedError

    def _trace_primal(self, trace: Trace, args: tuple):
        """The function as a private callee of `trace`: (input tree,
        operands, their avals, callee name, outputs, output tree)."""
        leaves, in_tree = tree_flatten(args)
        operands = [_as_operand(x) for x in leaves]
        avals = [ShapedArray(o.shape, o.dtype, o.weak_type) for o in operands]
        callee, outs, out_tree = _trace_private(
            trace, lambda xs: self.fun(*tree_unflatten(in_tree, xs)), avals, self.__name__, "function")
        return in_tree, operands, avals, callee, outs, out_tree

    def __call__(self, *args: Any) -> Any:
        if not self._has_rule():
            raise user_error(TypeError, f"{type(self).__name__} function `{self.__name__}` has no rule: "
                                        f"{self._how_to_define}")
        if self._in_rule:
            return self.fun(*args)
        trace = _enclosing_trace(args)
        if trace is None:
            return self._eager(*args)
        self._in_rule = True
        try:
            return self._emit(trace, args)
        finally:
            self._in_rule = False


class custom_vjp(_CustomRule):
    """A function with a user-defined reverse-mode rule (JAX's API):

        @cotan.custom_vjp
        def f(x): ...
        def f_fwd(x): return f(x), residuals
        def f_bwd(residuals, g): return (gradient_for_x,)
        f.defvjp(f_fwd, f_bwd)

    Forward mode differentiates `f` itself."""

    _how_to_define = "call defvjp(fwd, bwd)"

    def __init__(self, fun: Callable):
        super().__init__(fun)
        self.fwd: Callable | None = None
        self.bwd: Callable | None = None

    def defvjp(self, fwd: Callable, bwd: Callable) -> None:
        self.fwd, self.bwd = fwd, bwd

    def _has_rule(self) -> bool:
        return self.fwd is not None

    def _emit(self, trace: Trace, args: tuple) -> Any:
        in_tree, operands, avals, callee, outs, out_tree = self._trace_primal(trace, args)
        name = self.__name__
        n = len(outs)
        structure = {}

        def forward(xs):
            result = self.fwd(*tree_unflatten(in_tree, xs))
            if not (isinstance(result, tuple) and len(result) == 2):
                raise user_error(TypeError, f"the fwd rule of `{name}` must return (output, residuals)")
            residuals, structure["residuals"] = tree_flatten(result[1])
            return list(tree_flatten(result[0])[0]) + list(residuals)

        fwd_name, fwd_outs, _ = _trace_private(trace, forward, avals, f"{name}_fwd", "fwd rule")
        res_tree = structure["residuals"]
        residual_avals = [o.aval.strong() for o in fwd_outs[n:]]
        out_avals = [o.aval.strong() for o in outs]

        def backward(xs):
            residuals = tree_unflatten(res_tree, xs[:len(residual_avals)])
            cts = tree_unflatten(out_tree, xs[len(residual_avals):])
            grads = self.bwd(residuals, cts)
            if not isinstance(grads, tuple) or len(grads) != len(args):
                raise user_error(TypeError, f"the bwd rule of `{name}` must return a tuple with one "
                                            f"gradient per argument ({len(args)})")
            from . import numpy as cnp
            flat = []
            for g, a in zip(grads, args):
                a_leaves = tree_flatten(a)[0]
                g_leaves = tree_flatten(g)[0] if g is not None else [None] * len(a_leaves)
                for gl, al in zip(g_leaves, a_leaves):
                    al = _as_operand(al)
                    flat.append(cnp.zeros(al.shape, al.dtype) if gl is None else cnp.astype(gl, al.dtype))
            return flat

        bwd_name, _, _ = _trace_private(trace, backward, residual_avals + out_avals, f"{name}_bwd", "bwd rule")
        results = trace.emit_results(_custom_vjp_builder(callee, fwd_name, bwd_name), out_avals, operands)
        return tree_unflatten(out_tree, results)


class custom_jvp(_CustomRule):
    """A function with a user-defined forward-mode rule (JAX's API):

        @cotan.custom_jvp
        def f(x): ...
        @f.defjvp
        def f_jvp(primals, tangents): return f(*primals), tangent_out

    Reverse mode differentiates `f` itself."""

    _how_to_define = "decorate the rule with @<function>.defjvp"

    def __init__(self, fun: Callable):
        super().__init__(fun)
        self.rule: Callable | None = None

    def defjvp(self, rule: Callable) -> Callable:
        self.rule = rule
        return rule

    def _has_rule(self) -> bool:
        return self.rule is not None

    def _emit(self, trace: Trace, args: tuple) -> Any:
        in_tree, operands, avals, callee, outs, out_tree = self._trace_primal(trace, args)
        name = self.__name__
        k = len(avals)

        def rule(xs):
            primals = tuple(tree_unflatten(in_tree, xs[:k]))
            tangents = tuple(tree_unflatten(in_tree, xs[k:]))
            result = self.rule(primals, tangents)
            if not (isinstance(result, tuple) and len(result) == 2):
                raise user_error(TypeError, f"the jvp rule of `{name}` must return (output, tangent)")
            from . import numpy as cnp
            out_leaves = tree_flatten(result[0])[0]
            t_leaves = tree_flatten(result[1])[0]
            return list(out_leaves) + [cnp.astype(t, _as_operand(o).dtype) for t, o in zip(t_leaves, out_leaves)]

        strong = [a.strong() for a in avals]
        rule_name, _, _ = _trace_private(trace, rule, avals + strong, f"{name}_jvp_rule", "jvp rule")
        out_avals = [o.aval.strong() for o in outs]
        results = trace.emit_results(_custom_jvp_builder(callee, rule_name), out_avals, operands)
        return tree_unflatten(out_tree, results)


def _custom_vjp_builder(callee: str, forward: str, backward: str) -> Callable:
    def custom(result_types, operands, *, loc=None, ip=None):
        return cotan_d.custom_vjp(result_types, ir.FlatSymbolRefAttr.get(callee), ir.FlatSymbolRefAttr.get(forward),
                                  ir.FlatSymbolRefAttr.get(backward), operands, loc=loc, ip=ip)
    custom.__name__ = "custom_vjp"
    return polymorphic(custom)


def _custom_jvp_builder(callee: str, rule: str) -> Callable:
    def custom(result_types, operands, *, loc=None, ip=None):
        return cotan_d.custom_jvp(result_types, ir.FlatSymbolRefAttr.get(callee), ir.FlatSymbolRefAttr.get(rule),
                                  operands, loc=loc, ip=ip)
    custom.__name__ = "custom_jvp"
    return polymorphic(custom)
