"""Tensor-parallel training of a two-layer MLP over MPI (Megatron-style):

    mpirun -np 2 python examples/tensor_parallel_mlp.py

The hidden layer is split across the processes: each holds a block of
columns of the first weight matrix and the matching rows of the second,
computes its slice of the hidden activations, and the partial outputs are
summed with `lax.psum` (an MPI_Allreduce in the compiled step). The loss
and its gradient are those of the whole model: `cotan.grad` of the
`shard_map`ped forward pass returns every weight's full gradient. Only
rank 0 prints.

With --check, every process also trains the same model without any
splitting and verifies that both end with the same parameters.
"""

from __future__ import annotations

import argparse

import numpy as np

import cotan
import cotan.numpy as cnp
from cotan import lax, nn
from cotan.sharding import Mesh, P

cotan.distributed.initialize()
rank, processes = cotan.distributed.process_index(), cotan.distributed.process_count()
mesh = Mesh((processes,), ("model",))
HIDDEN = 32 * processes
# Column blocks of w1 and b1, row blocks of w2; b2 on every process.
SPECS = {"w1": P(None, "model"), "b1": P("model"), "w2": P("model", None), "b2": P()}


def mlp(params, x):
    """The model on one process's hidden units; psum adds the partial outputs."""
    hidden = nn.relu(x @ params["w1"] + params["b1"])
    return lax.psum(hidden @ params["w2"], "model") + params["b2"]


sharded_mlp = cotan.shard_map(mlp, mesh=mesh, in_specs=(SPECS, P()), out_specs=P())


def dense_mlp(params, x):
    return nn.relu(x @ params["w1"] + params["b1"]) @ params["w2"] + params["b2"]


def loss(forward, params, x, labels):
    return cnp.mean(nn.softmax_cross_entropy(forward(params, x), labels))


def sgd_step(forward):
    @cotan.jit
    def step(params, x, labels):
        value, grads = cotan.value_and_grad(lambda p: loss(forward, p, x, labels))(params)
        return cotan.tree_util.tree_map(lambda p, g: p - 0.2 * g, params, grads), value
    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--check", action="store_true", help="compare with the unsplit model")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 8)).astype(np.float32)
    labels = (x[:, :4].sum(1) > x[:, 4:].sum(1)).astype(np.int32) + 2 * (x[:, 0] > 0)
    params = {"w1": (rng.standard_normal((8, HIDDEN)) * 0.3).astype(np.float32),
              "b1": np.zeros(HIDDEN, np.float32),
              "w2": (rng.standard_normal((HIDDEN, 4)) * 0.3).astype(np.float32),
              "b2": np.zeros(4, np.float32)}
    if rank == 0:
        print(f"cotan {cotan.__version__}: a 8-{HIDDEN}-4 MLP with its hidden layer split over "
              f"{processes} processes ({HIDDEN // processes} units each)")
    step, dense_step = sgd_step(sharded_mlp), sgd_step(dense_mlp)
    reference = params
    for i in range(1, args.steps + 1):
        params, value = step(params, x, labels)
        if args.check:
            reference, _ = dense_step(reference, x, labels)
        if rank == 0 and (i == 1 or i % 100 == 0):
            print(f"step {i:4d}  loss {float(value):.4f}")
    logits = np.asarray(cotan.jit(sharded_mlp)(params, x))
    accuracy = float(np.mean(logits.argmax(1) == labels))
    if rank == 0:
        print(f"training accuracy {accuracy:.3f}")
    if args.check:
        worst = max(float(np.max(np.abs(np.asarray(params[k]) - np.asarray(reference[k])))) for k in params)
        if worst > 1e-4:
            raise SystemExit(f"rank {rank}: parameters differ from the unsplit model by {worst:.2e}")
        if rank == 0:
            print(f"same parameters as the unsplit model (largest difference {worst:.1e})")


if __name__ == "__main__":
    main()
