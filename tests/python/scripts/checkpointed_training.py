"""Trains the spiral MLP for --steps steps, checkpointing every --every
steps in --dir and resuming from the latest checkpoint there. --die-at K
kills the process (SIGKILL, no cleanup) right after step K, as a crash
would. Prints the final parameters' checksum."""

import argparse
import os
import pathlib
import signal
import sys

import numpy as np

import cotan

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3] / "examples"))
from train_mlp import model, optimizer, spirals, train_step  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--dir", required=True)
parser.add_argument("--steps", type=int, default=30)
parser.add_argument("--every", type=int, default=4)
parser.add_argument("--die-at", type=int, default=-1)
args = parser.parse_args()

x, y = spirals(points_per_class=50, classes=3)
fresh = model.init(1, x.shape)
state, step = cotan.checkpoint.restore(args.dir, like=(fresh, optimizer.init(fresh)))
if state is None:
    state, step = (fresh, optimizer.init(fresh)), 0
else:
    print(f"resumed from step {step}")
params, opt_state = state
while step < args.steps:
    params, opt_state, _ = train_step(params, opt_state, x, y)
    step += 1
    if step % args.every == 0:
        cotan.checkpoint.save(args.dir, (params, opt_state), step, keep=2)
    if step == args.die_at:
        os.kill(os.getpid(), signal.SIGKILL)
leaves = [np.asarray(p, np.float64) for p in cotan.tree_util.tree_leaves(params)]
print("checksum " + " ".join(f"{leaf.sum():.10e}" for leaf in leaves))
