"""Run by every process of `mpirun -np 2` (test_distributed.py) to check
that faults end the whole job instead of hanging it. The mode (argv[1]):

  raise     rank 1 raises while rank 0 waits in a psum for it
  die       rank 1 is killed (SIGKILL) while rank 0 waits in a psum
  mismatch  the ranks call one psum with different shapes
"""

import os
import signal
import sys

import numpy as np

import cotan
from cotan import lax
from cotan.sharding import Mesh, P

cotan.distributed.initialize()
rank = cotan.distributed.process_index()
mesh = Mesh((cotan.distributed.process_count(),), ("i",))
mode = sys.argv[1]
total = cotan.shard_map(lambda b: lax.psum(b.sum(0), "i"), mesh=mesh, in_specs=P("i"), out_specs=P())
total(np.ones((4, 3), np.float32))  # compiled and run once by both

if rank == 1 and mode == "raise":
    raise ValueError("rank 1 fails on purpose")
if rank == 1 and mode == "die":
    os.kill(os.getpid(), signal.SIGKILL)
shape = (4, 3 + rank) if mode == "mismatch" else (4, 3)
total(np.ones(shape, np.float32))
print(f"rank {rank} finished", flush=True)
