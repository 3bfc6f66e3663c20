"""Run by every process of `mpirun -np N` (test_distributed.py): jit with
in_shardings/out_shardings (partitioned by MLIR's shard passes) gives the
numbers of the unsharded function, for tensor-parallel matmuls (forward and
gradient) and batch-sharded results."""

import numpy as np

import cotan
import cotan.numpy as cnp
from cotan.sharding import Mesh, NamedSharding, P

cotan.distributed.initialize()
n = cotan.distributed.process_count()
mesh = Mesh((n,), ("model",))
rng = np.random.default_rng(0)
x = rng.standard_normal((8, 4))
w1 = rng.standard_normal((4, 3 * n))
w2 = rng.standard_normal((3 * n, 5))
columns, rows, replicated = NamedSharding(mesh, P(None, "model")), NamedSharding(mesh, P("model")), None


def mlp(x, w1, w2):
    return cnp.tanh(x @ w1) @ w2


def loss(w1, w2, x):
    return (mlp(x, w1, w2) ** 2).sum()


sharded = cotan.jit(mlp, in_shardings=(replicated, columns, rows), out_shardings=replicated)
np.testing.assert_allclose(sharded(x, w1, w2), mlp(x, w1, w2), rtol=1e-12, err_msg="tensor-parallel forward")
assert n == 1 or "mpi.allreduce" in sharded.lower(x, w1, w2).as_text("linalg")

grads = cotan.jit(cotan.grad(loss, argnums=(0, 1)), in_shardings=(columns, rows, replicated),
                  out_shardings=(columns, rows))(w1, w2, x)
want = cotan.jit(cotan.grad(loss, argnums=(0, 1)))(w1, w2, x)
for got, expected in zip(grads, want):
    np.testing.assert_allclose(got, expected, rtol=1e-10, err_msg="tensor-parallel gradient")

batch = NamedSharding(Mesh((n,), ("data",)), P("data"))
rows_out = cotan.jit(lambda a, b: cnp.exp(a) * b, in_shardings=(batch, batch), out_shardings=batch)
a, b = rng.standard_normal((2 * n, 3)), rng.standard_normal((2 * n, 3))
np.testing.assert_allclose(rows_out(a, b), np.exp(a) * b, rtol=1e-12, err_msg="batch-sharded result")

if cotan.distributed.process_index() == 0:
    print(f"partitioned on {n} processes: ok")
