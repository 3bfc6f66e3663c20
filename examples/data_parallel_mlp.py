"""Data-parallel training of the spiral MLP (train_mlp.py) over MPI:

    mpirun -np 2 python examples/data_parallel_mlp.py

(as root, OpenMPI also wants --allow-run-as-root; with more processes than
cores, --oversubscribe). Every process runs this script. The training step
is one compiled function per process: `cotan.shard_map` gives each process
its block of the batch, the loss is averaged across processes with
`lax.pmean` (an MPI_Allreduce in the compiled code), and the gradient of
that global loss reaches every process, so all apply the same Adam update
and the parameters stay identical. Only rank 0 prints.

With --in-shardings, the compiler splits the step instead: the unchanged
single-process step of train_mlp.py is compiled with
`jit(..., in_shardings=(None, None, batch, batch))`, and MLIR's sharding
passes find the same communication (one all-reduce per gradient).

With --check, every process also trains the single-process model on the
full batch and verifies that both end with the same parameters.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

import cotan
from cotan import lax, optim
from cotan.sharding import Mesh, NamedSharding, P

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_mlp import loss_fn, model, optimizer, spirals  # noqa: E402
from train_mlp import train_step as single_process_step  # noqa: E402

cotan.distributed.initialize()
rank, processes = cotan.distributed.process_index(), cotan.distributed.process_count()
mesh = Mesh((processes,), ("data",))

# Each process: the mean loss of its block, averaged over the processes.
global_loss = cotan.shard_map(lambda params, x, labels: lax.pmean(loss_fn(params, x, labels), "data"),
                              mesh=mesh, in_specs=(P(), P("data"), P("data")), out_specs=P())


@cotan.jit
def train_step(params, opt_state, x, labels):
    loss, grads = cotan.value_and_grad(global_loss)(params, x, labels)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optim.apply_updates(params, updates), opt_state, loss


# The same step, split by the compiler: parameters and optimizer state
# replicated, the batch split.
batch = NamedSharding(mesh, P("data"))
partitioned_step = cotan.jit(single_process_step.__wrapped__, in_shardings=(None, None, batch, batch))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--in-shardings", action="store_true",
                        help="split the single-process step with jit(in_shardings=...) instead of shard_map")
    parser.add_argument("--check", action="store_true",
                        help="compare with single-process training on the full batch")
    args = parser.parse_args()
    x, y = spirals(points_per_class=100 * processes, classes=3)
    params = model.init(1, x.shape)
    opt_state = optimizer.init(params)
    if rank == 0:
        how = "jit(in_shardings)" if args.in_shardings else "shard_map"
        print(f"cotan {cotan.__version__}: data-parallel training ({how}) of a 2-64-64-3 MLP on "
              f"{processes} processes, {len(x) // processes} of {len(x)} points each")
    reference = (params, opt_state)
    step_fn = partitioned_step if args.in_shardings else train_step
    start = time.perf_counter()
    for step in range(1, args.steps + 1):
        params, opt_state, loss = step_fn(params, opt_state, x, y)
        if args.check:
            reference = single_process_step(*reference, x, y)[:2]
        if rank == 0 and (step == 1 or step % 100 == 0):
            print(f"step {step:4d}  loss {float(loss):.4f}")
    elapsed = time.perf_counter() - start
    if rank == 0:
        print(f"{args.steps} steps in {elapsed:.2f} s ({1e3 * elapsed / args.steps:.2f} ms/step)")
    if args.check:
        ours = cotan.tree_util.tree_leaves(params)
        theirs = cotan.tree_util.tree_leaves(reference[0])
        worst = max(float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) for a, b in zip(ours, theirs))
        # Summing the gradient over processes rounds differently from one
        # process summing the whole batch; near convergence Adam divides
        # tiny gradients by their tiny running scale, so after hundreds of
        # float32 steps the parameters agree to about 1e-4, not to 1e-7.
        if worst > 1e-3:
            raise SystemExit(f"rank {rank}: parameters differ from single-process training by {worst:.2e}")
        if rank == 0:
            print(f"same parameters as single-process training (largest difference {worst:.1e})")


if __name__ == "__main__":
    main()
