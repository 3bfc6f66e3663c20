"""Data-parallel training step time at 1, 2 and 4 processes: cotan
(shard_map + pmean, MPI_Allreduce in the compiled step, launched with
mpirun; and the single-process step split by jit(in_shardings)) beside
PyTorch DistributedDataParallel (gloo backend, processes spawned by
torch.multiprocessing), on the same MLP (64-512-512-10, Adam) and the same
global batch (2048), split evenly across the processes.

    python benchmarks/data_parallel.py

Each process gets cores // processes threads (OMP_NUM_THREADS), so the
processes share the machine's cores rather than oversubscribing them
(beyond one thread each). Scaling efficiency is t(1) / (p * t(p)) for this
fixed global batch (strong scaling).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

BATCH, FEATURES, HIDDEN, CLASSES = 2048, 64, 512, 10
STEPS, WARMUP = 30, 3


def data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, FEATURES)).astype(np.float32)
    y = rng.integers(0, CLASSES, BATCH).astype(np.int32)
    return x, y


def cotan_worker(split: str) -> None:
    import cotan
    import cotan.numpy as cnp
    from cotan import lax, nn, optim
    from cotan.sharding import Mesh, NamedSharding, P

    cotan.distributed.initialize()
    processes = cotan.distributed.process_count()
    model = nn.Sequential([nn.Dense(HIDDEN), nn.relu, nn.Dense(HIDDEN), nn.relu, nn.Dense(CLASSES)])
    optimizer = optim.adam(1e-3)
    x, y = data()
    params = model.init(0, x.shape)
    opt_state = optimizer.init(params)
    mesh = Mesh((processes,), ("data",))
    loss = cotan.shard_map(
        lambda p, x, y: lax.pmean(cnp.mean(nn.softmax_cross_entropy(model.apply(p, x), y)), "data"),
        mesh=mesh, in_specs=(P(), P("data"), P("data")), out_specs=P())

    def update(loss):
        def step(params, opt_state, x, y):
            value, grads = cotan.value_and_grad(loss)(params, x, y)
            updates, opt_state = optimizer.update(grads, opt_state, params)
            return optim.apply_updates(params, updates), opt_state, value
        return step

    if split == "shard_map":
        step = cotan.jit(update(loss))
    else:  # the single-process step, split by the compiler
        batch = NamedSharding(mesh, P("data"))
        step = cotan.jit(update(lambda p, x, y: cnp.mean(nn.softmax_cross_entropy(model.apply(p, x), y))),
                         in_shardings=(None, None, batch, batch))

    times = []
    for i in range(WARMUP + STEPS):
        cotan.distributed.barrier()
        start = time.perf_counter()
        params, opt_state, value = step(params, opt_state, x, y)
        float(value)
        times.append(time.perf_counter() - start)
    if cotan.distributed.process_index() == 0:
        print(f"RESULT {statistics.median(times[WARMUP:]) * 1e3:.3f}")


def torch_worker(rank: int, processes: int, port: int, threads: int) -> None:
    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel

    torch.set_num_threads(threads)
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=processes)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(FEATURES, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, HIDDEN),
                                torch.nn.ReLU(), torch.nn.Linear(HIDDEN, CLASSES))
    model = DistributedDataParallel(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = data()
    share = BATCH // processes
    x = torch.from_numpy(x[rank * share:(rank + 1) * share])
    y = torch.from_numpy(y[rank * share:(rank + 1) * share]).long()
    times = []
    for i in range(WARMUP + STEPS):
        dist.barrier()
        start = time.perf_counter()
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        float(loss)
        times.append(time.perf_counter() - start)
    if rank == 0:
        print(f"RESULT {statistics.median(times[WARMUP:]) * 1e3:.3f}", flush=True)
    dist.destroy_process_group()


def run_cotan(processes: int, threads: int, split: str) -> float:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OMPI_ALLOW_RUN_AS_ROOT="1",
               OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
    out = subprocess.run(["mpirun", "-np", str(processes), "--bind-to", "none", sys.executable, __file__,
                          "--worker", "cotan", "--split", split], capture_output=True, text=True, env=env, check=True).stdout
    return float(out.split("RESULT")[1].split()[0])


def run_torch(processes: int, threads: int) -> float:
    out = subprocess.run([sys.executable, __file__, "--worker", "torch", "--processes", str(processes),
                          "--threads", str(threads)], capture_output=True, text=True, check=True).stdout
    return float(out.split("RESULT")[1].split()[0])


def torch_launcher(processes: int, threads: int) -> None:
    import torch.multiprocessing as mp
    port = 29500 + os.getpid() % 1000
    mp.spawn(torch_worker, args=(processes, port, threads), nprocs=processes, join=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=["cotan", "torch"])
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--split", choices=["shard_map", "in_shardings"], default="shard_map")
    args = parser.parse_args()
    if args.worker == "cotan":
        return cotan_worker(args.split)
    if args.worker == "torch":
        return torch_launcher(args.processes, args.threads)
    if shutil.which("mpirun") is None:
        raise SystemExit("mpirun not found: install OpenMPI (apt-get install openmpi-bin libopenmpi-dev)")
    cores = os.cpu_count() or 1
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
    print(f"data-parallel MLP {FEATURES}-{HIDDEN}-{HIDDEN}-{CLASSES}, Adam, global batch {BATCH}, "
          f"{cores} cores; median ms per step")
    print(f"{'processes':>9} {'threads':>7} {'shard_map':>9} {'eff.':>6} {'in_shard.':>9} {'eff.':>6} "
          f"{'DDP gloo':>9} {'eff.':>6} {'cotan/DDP':>9}")
    base: dict[str, float] = {}
    for processes in (1, 2, 4):
        threads = max(1, cores // processes)
        times = {"shard_map": run_cotan(processes, threads, "shard_map"),
                 "in_shardings": run_cotan(processes, threads, "in_shardings"),
                 "torch": run_torch(processes, threads) if have_torch else float("nan")}
        row = f"{processes:9d} {threads:7d}"
        for name, t in times.items():
            base.setdefault(name, t)
            row += f" {t:9.2f} {base[name] / (processes * t):6.2f}"
        print(row + f" {times['shard_map'] / times['torch']:9.2f}")


if __name__ == "__main__":
    main()
