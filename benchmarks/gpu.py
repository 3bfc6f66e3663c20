"""The GPU backend on an NVIDIA GPU: 4096 matmuls in float32 and bfloat16
against cuBLAS through PyTorch (float32 without TF32), a fused elementwise
kernel's bandwidth against a plain copy, and an MLP training step, with the device named.
Inputs live on the GPU; each timing ends when the result is ready.

    cd benchmarks && python gpu.py
"""

from __future__ import annotations

import ml_dtypes
import numpy as np

import cotan
import cotan.numpy as cnp
from cotan import nn, optim
from harness import median_time, torch


def timed(fn, *args) -> float:
    return median_time(lambda: fn(*args), repeat=10, warmup=2)


def main() -> None:
    gpus = cotan.devices("gpu")
    if not gpus:
        from cotan import gpu
        raise SystemExit(f"no GPU here ({gpu.unavailable_reason()}); run this on a machine with one")
    device = gpus[0]
    print(f"{device.device_kind} (compute capability {device.compute_capability})")
    rng = np.random.default_rng(0)
    cuda = torch is not None and torch.cuda.is_available()
    if cuda:
        torch.backends.cuda.matmul.allow_tf32 = False  # cotan computes float32 products in float32

    n = 4096
    for name, dtype, peer_dtype in (("f32", np.float32, "float32"), ("bf16", ml_dtypes.bfloat16, "bfloat16")):
        a = cotan.device_put(rng.standard_normal((n, n)).astype(dtype), device)
        b = cotan.device_put(rng.standard_normal((n, n)).astype(dtype), device)
        matmul = cotan.jit(lambda x, y: x @ y)
        seconds = timed(matmul, a, b)
        line = f"matmul {n} {name}: cotan {1e3 * seconds:8.2f} ms ({2 * n ** 3 / seconds / 1e12:6.2f} TFLOP/s)"
        if cuda:
            kind = getattr(torch, peer_dtype)
            ta, tb = torch.randn(n, n, device="cuda", dtype=kind), torch.randn(n, n, device="cuda", dtype=kind)
            peer = median_time(lambda: (ta @ tb, torch.cuda.synchronize()), repeat=10, warmup=2)
            line += (f"   cuBLAS (torch) {1e3 * peer:8.2f} ms ({2 * n ** 3 / peer / 1e12:6.1f} TFLOP/s)"
                     f"   ratio {seconds / peer:6.2f}")
        print(line)

    size = 1 << 26
    x = cotan.device_put(rng.standard_normal(size).astype(np.float32), device)
    fused = cotan.jit(lambda v: cnp.tanh(v * 2.0 + 1.0) * v)
    seconds = timed(fused, x)
    print(f"fused elementwise on 64M f32: {1e3 * seconds:8.2f} ms, {8 * size / seconds / 1e9:7.1f} GB/s "
          "(read + write)")
    if cuda:
        tx = torch.randn(size, device="cuda")
        peer = median_time(lambda: (tx.clone(), torch.cuda.synchronize()), repeat=10, warmup=2)
        print(f"  device copy (torch clone): {8 * size / peer / 1e9:7.1f} GB/s")

    total = cotan.jit(lambda v: cnp.sum(v))
    seconds = timed(total, x)
    line = f"sum of 64M f32: {1e3 * seconds:8.3f} ms, {4 * size / seconds / 1e9:7.1f} GB/s (read)"
    if cuda:
        peer = median_time(lambda: (tx.sum(), torch.cuda.synchronize()), repeat=10, warmup=2)
        line += f"   torch {1e3 * peer:8.3f} ms   ratio {seconds / peer:6.2f}"
    print(line)
    rows = cotan.device_put(rng.standard_normal((4096, 4096)).astype(np.float32), device)
    softmax = cotan.jit(lambda v: nn.softmax(v, axis=-1))
    seconds = timed(softmax, rows)
    line = f"softmax of 4096 rows of 4096 f32: {1e3 * seconds:8.3f} ms"
    if cuda:
        trows = torch.randn(4096, 4096, device="cuda")
        peer = median_time(lambda: (torch.softmax(trows, dim=-1), torch.cuda.synchronize()), repeat=10, warmup=2)
        line += f"   torch {1e3 * peer:8.3f} ms   ratio {seconds / peer:6.2f}"
    print(line)

    model = nn.Sequential([nn.Dense(512), nn.relu, nn.Dense(512), nn.relu, nn.Dense(10)])
    optimizer = optim.adam(1e-3)
    inputs = rng.standard_normal((256, 784)).astype(np.float32)
    labels = rng.integers(0, 10, 256).astype(np.int32)

    def step(params, state, x, y):
        loss, grads = cotan.value_and_grad(
            lambda p: cnp.mean(nn.softmax_cross_entropy(model.apply(p, x), y)))(params)
        updates, state = optimizer.update(grads, state, params)
        return optim.apply_updates(params, updates), state, loss

    params = model.init(0, inputs.shape)
    state = optimizer.init(params)
    on_gpu = cotan.device_put((params, state, inputs, labels), device)
    gpu_step = cotan.jit(step)
    seconds = timed(lambda: gpu_step(*on_gpu))
    cpu_seconds = timed(lambda: cotan.jit(step)(params, state, inputs, labels))
    print(f"MLP 784-512-512-10 training step, batch 256: GPU {1e3 * seconds:.2f} ms, "
          f"CPU {1e3 * cpu_seconds:.2f} ms")


if __name__ == "__main__":
    main()
