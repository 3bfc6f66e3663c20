"""Run by every process of `mpirun -np N` (test_distributed.py): each
collective against NumPy on the processes' blocks, and derivatives through
collectives against central differences. Any failed check raises, so the
process (and mpirun) exits non-zero."""

from __future__ import annotations

import numpy as np

import cotan
import cotan.numpy as cnp
from cotan import lax
from cotan.sharding import Mesh, P

cotan.distributed.initialize()
rank, n = cotan.distributed.process_index(), cotan.distributed.process_count()
mesh = Mesh((n,), ("i",))
rng = np.random.default_rng(0)  # the same global arrays on every process


def check(name: str, got, want, **tolerance) -> None:
    got = np.asarray(got)
    want = np.asarray(want)
    assert got.shape == want.shape, f"{name}: shape {got.shape} != {want.shape}"
    assert got.dtype == want.dtype, f"{name}: dtype {got.dtype} != {want.dtype}"
    np.testing.assert_allclose(got, want, err_msg=name, **tolerance)


def per_process(f, in_specs=P("i"), out_specs=P()):
    return cotan.shard_map(f, mesh=mesh, in_specs=in_specs, out_specs=out_specs)


# Reductions over per-process blocks, f32/f64/i32/bool, scalar and 2-D.
for dtype in (np.float32, np.float64, np.int32, np.bool_):
    x = (rng.standard_normal((n * 2, 3)) * 4).astype(dtype) if dtype != np.bool_ else rng.random((n * 2, 3)) < 0.5
    blocks = x.reshape(n, 2, 3)
    got = per_process(lambda b: (lax.psum(b, "i"), lax.pmax(b, "i"), lax.pmin(b, "i")))(x)
    counts = np.int32 if dtype == np.bool_ else dtype  # booleans are counted
    want = (blocks.sum(0).astype(counts), blocks.max(0), blocks.min(0))
    for name, g, w in zip(("psum", "pmax", "pmin"), got, want):
        check(f"{name} {np.dtype(dtype)}", g, w, rtol=1e-6)
    scalar = per_process(lambda b: lax.psum(b.sum(), "i"))(x.astype(np.float64))
    check("psum of a scalar", scalar, x.astype(np.float64).sum(), rtol=1e-12)

x = rng.standard_normal((n * 2, 3)).astype(np.float32)
blocks = x.reshape(n, 2, 3)
check("pmean", per_process(lambda b: lax.pmean(b, "i"))(x), blocks.mean(0), rtol=1e-6)
check("pmean of ints is float", per_process(lambda b: lax.pmean(b, "i"))(np.arange(2 * n, dtype=np.int32)),
      np.arange(2 * n).reshape(n, 2).mean(0).astype(np.float32))
check("axis_index", per_process(lambda b: lax.axis_index("i")[None], out_specs=P("i"))(x), np.arange(n, dtype=np.int32))
check("psum of a pytree", per_process(lambda b: lax.psum({"a": b, "b": 2 * b}, "i"))(x)["b"], 2 * blocks.sum(0), rtol=1e-6)

# Data movement: every value arrives bit for bit (-0.0 and NaN included).
special = x.copy()
special[0, 0], special[-1, 1] = -0.0, np.nan
gathered = per_process(lambda b: lax.all_gather(b, "i"))(special)
check("all_gather stacks", gathered, special.reshape(n, 2, 3))
assert np.signbit(np.asarray(gathered)[0, 0, 0]), "all_gather kept -0.0"
check("all_gather tiled axis 1", per_process(lambda b: lax.all_gather(b, "i", axis=1, tiled=True))(x),
      np.concatenate(list(blocks), axis=1))
check("all_gather of ints", per_process(lambda b: lax.all_gather(b, "i", axis=0))(np.arange(2 * n, dtype=np.int64)),
      np.arange(2 * n).reshape(n, 2))

y = rng.standard_normal((n * n, 4)).astype(np.float64)     # per process: n x 4
yb = y.reshape(n, n, 4)
check("psum_scatter untiled", per_process(lambda b: lax.psum_scatter(b, "i"), out_specs=P("i"))(y),
      yb.sum(0).reshape(-1), rtol=1e-12)
check("psum_scatter tiled", per_process(lambda b: lax.psum_scatter(b, "i", scatter_dimension=1, tiled=True),
                                        out_specs=P("i"))(np.tile(y, (1, n))),
      np.concatenate([np.tile(yb, (1, 1, n)).sum(0)[:, k * 4:(k + 1) * 4] for k in range(n)]), rtol=1e-12)
# all_to_all: process p sends row j of its block to process j.
exchanged = per_process(lambda b: lax.all_to_all(b, "i", 0, 0), out_specs=P("i"))(y)
check("all_to_all untiled", exchanged, yb.transpose(1, 0, 2).reshape(n * n, 4))
tiled = per_process(lambda b: lax.all_to_all(b, "i", 1, 0, tiled=True), out_specs=P("i"))(np.tile(y, (1, n)))
want = np.concatenate([np.concatenate([np.tile(yb[p], (1, n))[:, q * 4:(q + 1) * 4] for p in range(n)])
                       for q in range(n)])
check("all_to_all tiled", tiled, want)
check("pbroadcast", per_process(lambda b: lax.pbroadcast(b, "i", n - 1))(x), blocks[n - 1])

# vmap over a per-process batch: the collective communicates the batch.
check("vmap of psum", per_process(lambda b: cotan.vmap(lambda row: lax.psum(row, "i"))(b))(x), blocks.sum(0), rtol=1e-6)

# Derivatives of global functions through collectives, against central
# differences in float64.
w = rng.standard_normal((n * 2, 3))


def global_loss(v):
    def local(b, wb):
        gathered = lax.all_gather(b, "i", tiled=True)             # (2n, 3), every process
        s = lax.psum((cnp.sin(b) * wb).sum(), "i")
        m = lax.pmax(cnp.tanh(b).sum(), "i")
        scattered = lax.psum_scatter(cnp.cos(gathered) * 1.5, "i", tiled=True)  # (2, 3)
        moved = lax.all_to_all(b ** 2, "i", 1, 1, tiled=True) if b.shape[1] % n == 0 else b ** 2
        return s + m + (gathered ** 2).sum() * 0.1 + lax.psum((scattered * b).sum() + moved.sum(), "i")
    return cotan.shard_map(local, mesh=mesh, in_specs=(P("i"), P("i")), out_specs=P())(v, w)


v = rng.standard_normal((n * 2, 3))
grad = np.asarray(cotan.jit(cotan.grad(global_loss))(v))
loss = cotan.jit(global_loss)
h = 1e-6
for k in [(0, 0), (n * 2 - 1, 2), (1, 1)]:
    e = np.zeros_like(v)
    e[k] = h
    fd = (float(loss(v + e)) - float(loss(v - e))) / (2 * h)
    assert abs(fd - grad[k]) < 1e-6 * max(1.0, abs(fd)), f"grad at {k}: {grad[k]} vs {fd}"
# A replicated input's gradient sums every process's contribution.
rep = cotan.grad(lambda c: cotan.shard_map(lambda c, b: lax.psum((c * b).sum(), "i"), mesh=mesh,
                                           in_specs=(P(), P("i")), out_specs=P())(c, v))(np.ones(3))
check("gradient of a replicated input", rep, v.sum(0), rtol=1e-12)
# Forward mode through collectives.
tangent = rng.standard_normal(v.shape)
_, jvp_out = cotan.jvp(global_loss, (v,), (tangent,))
assert abs(float(jvp_out) - float((grad * tangent).sum())) < 1e-8 * max(1.0, abs(float(jvp_out))), "jvp"

# Two-dimensional meshes: groups along one axis, or both.
if n == 4:
    mesh2 = Mesh((2, 2), ("data", "model"))
    z = rng.standard_normal((4, 4))
    blocks2 = z.reshape(2, 2, 2, 2).transpose(0, 2, 1, 3)  # [data, model, rows, cols]
    f = cotan.shard_map(lambda b: (lax.psum(b, "data"), lax.psum(b, ("data", "model")),
                                   lax.axis_index(("model", "data"))[None, None]),
                        mesh=mesh2, in_specs=P("data", "model"),
                        out_specs=(P(None, "model"), P(), P("data", "model")))
    over_data, over_all, positions = f(z)
    check("psum over one mesh axis", over_data, np.concatenate(list(blocks2.sum(0)), axis=1), rtol=1e-12)
    check("psum over both axes", over_all, blocks2.sum((0, 1)), rtol=1e-12)
    check("axis_index over (model, data)", positions, np.array([[0, 2], [1, 3]], np.int32))

if rank == 0:
    print(f"collectives on {n} processes: ok")
