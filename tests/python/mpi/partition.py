"""Run by every process of `mpirun -np N` (test_distributed.py): jit with
in_shardings/out_shardings (partitioned by MLIR's shard passes) gives the
numbers of the unsharded function, for tensor-parallel matmuls (forward and
gradient), batch-sharded results, operands split in conflicting ways, and
data-parallel training (batch split, parameters replicated)."""

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

rows_cols = cotan.jit(lambda a, b: a @ b + b, in_shardings=(batch, NamedSharding(batch.mesh, P(None, "data"))))
square = rng.standard_normal((2 * n, 2 * n))
np.testing.assert_allclose(rows_cols(square, square.T), square @ square.T + square.T, rtol=1e-12,
                           err_msg="operands split by rows and by columns")
result_only = cotan.jit(lambda a: cnp.tanh(a) * 2, out_shardings=batch)
np.testing.assert_allclose(result_only(a), np.tanh(a) * 2, rtol=1e-12, err_msg="only the result split")

# Data-parallel SGD through in_shardings: each process takes its slice of
# the batch; the gradients' sums over the batch become all-reduces.
from cotan import nn  # noqa: E402
# Layers 64 wide run on the matmul kernel, with bias adds fused into it.
model = nn.Sequential([nn.Dense(64), nn.relu, nn.Dense(64), nn.relu, nn.Dense(3)])
images = rng.standard_normal((8 * n, 4)).astype(np.float32)
labels = rng.integers(0, 3, 8 * n).astype(np.int32)


def sgd_step(params, x, y):
    loss, grads = cotan.value_and_grad(lambda p: cnp.mean(nn.softmax_cross_entropy(model.apply(p, x), y)))(params)
    return loss, cotan.tree_util.tree_map(lambda p, g: p - 0.5 * g, params, grads)


parallel = cotan.jit(sgd_step, in_shardings=(None, batch, batch))
single = cotan.jit(sgd_step)
params = want_params = model.init(0, images.shape)
for _ in range(5):
    loss, params = parallel(params, images, labels)
    want_loss, want_params = single(want_params, images, labels)
    np.testing.assert_allclose(loss, want_loss, rtol=1e-5, err_msg="data-parallel loss")
for got, expected in zip(cotan.tree_util.tree_leaves(params), cotan.tree_util.tree_leaves(want_params)):
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6, err_msg="data-parallel parameters")
text = parallel.lower(params, images, labels).as_text("linalg")
assert n == 1 or "MPI_BOR" not in text, "data parallelism should not gather the batch"

if cotan.distributed.process_index() == 0:
    print(f"partitioned on {n} processes: ok")
