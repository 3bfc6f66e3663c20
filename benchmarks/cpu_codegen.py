"""The fusion/CPU code generation benchmark: cotan against NumPy (OpenBLAS),
JAX and PyTorch (CPU) on the same inputs, in one process.

Prints, per case, each system's median time and cotan's time relative to
each peer (cotan/peer: below 1 means cotan is faster), then the peak memory
of the fused examples, measured in child processes.

    python benchmarks/cpu_codegen.py [--repeat N] [--quick]

JAX and PyTorch are optional peers: `pip install jax torch`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

import numpy as np

import cotan
import cotan.numpy as cnp

from harness import jax, jnp
from harness import median_time as _median_time

try:
    import torch
except ImportError:  # pragma: no cover - an optional peer
    torch = None


def median_time(fn, repeat: int) -> float:
    # Every system gets the same few warm-up calls (compilation, thread
    # pools, first-touch memory) before the timed ones.
    return _median_time(fn, repeat, warmup=3)


Row = dict[str, float]


def report(name: str, times: Row, unit: str = "ms", work: float | None = None) -> None:
    cells = []
    for system, seconds in times.items():
        value = f"{seconds * 1e3:8.3f} ms" if unit == "ms" else f"{seconds * 1e6:8.2f} us"
        if work is not None:
            value += f" ({work / seconds / 1e9:5.0f} GFLOP/s)"
        cells.append(f"{system} {value}")
    ratios = [f"/{peer} {times['cotan'] / t:5.2f}" for peer, t in times.items() if peer != "cotan"]
    print(f"{name:34s} " + "  ".join(cells) + "   cotan" + " ".join(ratios), flush=True)


def check(got, want, rtol: float = 1e-4, atol: float = 1e-4) -> None:
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=rtol, atol=atol)


def matmul(n: int, repeat: int) -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    f = cotan.jit(lambda x, y: x @ y)
    check(f(a, b), a.astype(np.float64) @ b, rtol=1e-3, atol=1e-2 * np.sqrt(n))
    times = {"cotan": median_time(lambda: f(a, b), repeat),
             "numpy": median_time(lambda: a @ b, repeat)}
    if jax is not None:
        ja, jb = jnp.asarray(a), jnp.asarray(b)
        jf = jax.jit(lambda x, y: x @ y)
        times["jax"] = median_time(lambda: jf(ja, jb).block_until_ready(), repeat)
    report(f"matmul {n}x{n} f32", times, work=2.0 * n ** 3)


def where_silu(np_like):
    return lambda x: np_like.where(x > 0, x, x / (1 + np_like.exp(-x)))


def where_silu_grad_numpy(x: np.ndarray) -> np.ndarray:
    s = 1 / (1 + np.exp(-x))
    return np.where(x > 0, np.float32(1), s + x * s * (1 - s))


def elementwise(repeat: int) -> None:
    x = np.random.default_rng(1).standard_normal(1 << 22, dtype=np.float32)
    f = cotan.jit(where_silu(cnp))
    g = cotan.jit(cotan.grad(lambda v: cnp.sum(where_silu(cnp)(v))))
    check(f(x), where_silu(np)(x))
    check(g(x), where_silu_grad_numpy(x))
    forward = {"cotan": median_time(lambda: f(x), repeat),
               "numpy": median_time(lambda: where_silu(np)(x), repeat)}
    backward = {"cotan": median_time(lambda: g(x), repeat),
                "numpy": median_time(lambda: where_silu_grad_numpy(x), repeat)}
    if jax is not None:
        jx = jnp.asarray(x)
        jf = jax.jit(where_silu(jnp))
        jg = jax.jit(jax.grad(lambda v: jnp.sum(where_silu(jnp)(v))))
        forward["jax"] = median_time(lambda: jf(jx).block_until_ready(), repeat)
        backward["jax"] = median_time(lambda: jg(jx).block_until_ready(), repeat)
    report("where(x>0,x,x/(1+exp(-x))) 4M f32", forward)
    report("  its gradient", backward)


def fused_sum(repeat: int) -> None:
    rng = np.random.default_rng(2)
    x, y, z = (rng.standard_normal(1 << 24, dtype=np.float32) for _ in range(3))
    f = cotan.jit(lambda x, y, z: cnp.sum(x * y + z))
    check(f(x, y, z), np.sum(x.astype(np.float64) * y + z), rtol=1e-3, atol=1.0)
    times = {"cotan": median_time(lambda: f(x, y, z), repeat),
             "numpy": median_time(lambda: np.sum(x * y + z), repeat)}
    if jax is not None:
        jx, jy, jz = (jnp.asarray(v) for v in (x, y, z))
        jf = jax.jit(lambda x, y, z: jnp.sum(x * y + z))
        times["jax"] = median_time(lambda: jf(jx, jy, jz).block_until_ready(), repeat)
    report("sum(x*y+z) 16M f32", times)


MLP_SIZES = [784, 512, 512, 10]


def mlp_params(rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(rng.standard_normal((m, n), dtype=np.float32) / np.float32(np.sqrt(m)),
             np.zeros(n, np.float32)) for m, n in zip(MLP_SIZES[:-1], MLP_SIZES[1:])]


def mlp_loss(np_like, log_softmax):
    def loss(params, x, labels):
        h = x
        for w, b in params[:-1]:
            h = np_like.maximum(h @ w + b, 0)
        w, b = params[-1]
        logp = log_softmax(h @ w + b)
        return -np_like.mean(np_like.sum(logp * labels, axis=1))
    return loss


def sgd_step(value_and_grad, loss, lr: float = 0.01):
    def step(params, x, labels):
        value, grads = value_and_grad(loss)(params, x, labels)
        return value, [(w - lr * gw, b - lr * gb) for (w, b), (gw, gb) in zip(params, grads)]
    return step


def mlp_sgd(repeat: int) -> None:
    rng = np.random.default_rng(3)
    params = mlp_params(rng)
    x = rng.standard_normal((256, 784), dtype=np.float32)
    labels = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 256)]
    step = cotan.jit(sgd_step(cotan.value_and_grad, mlp_loss(cnp, cotan.nn.log_softmax)))
    times = {"cotan": median_time(lambda: step(params, x, labels), repeat)}
    loss_cotan = float(step(params, x, labels)[0])
    if jax is not None:
        jstep = jax.jit(sgd_step(jax.value_and_grad, mlp_loss(jnp, jax.nn.log_softmax)))
        jparams = jax.tree_util.tree_map(jnp.asarray, params)
        jx, jl = jnp.asarray(x), jnp.asarray(labels)
        check(loss_cotan, float(jstep(jparams, jx, jl)[0]), rtol=1e-4)
        times["jax"] = median_time(lambda: jax.block_until_ready(jstep(jparams, jx, jl)), repeat)
    if torch is not None:
        tparams = [(torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True))
                   for w, b in params]
        tx, tl = torch.tensor(x), torch.tensor(labels)

        def torch_step() -> None:
            value = -torch.mean(torch.sum(torch.log_softmax(_torch_logits(tparams, tx), 1) * tl, 1))
            value.backward()
            with torch.no_grad():
                for w, b in tparams:
                    w -= 0.01 * w.grad
                    b -= 0.01 * b.grad
                    w.grad = None
                    b.grad = None
        times["torch"] = median_time(torch_step, repeat)
    report("SGD step MLP 784-512-512-10 b256", times)
    donated_step(params, x, labels, repeat)


def donated_step(params, x, labels, repeat: int) -> None:
    """The SGD step again, with the parameters donated: updated in place."""
    step = cotan.jit(sgd_step(cotan.value_and_grad, mlp_loss(cnp, cotan.nn.log_softmax)),
                     donate_argnums=0)
    state = [[cnp.asarray(np.array(w)), cnp.asarray(np.array(b))] for w, b in params]

    def cotan_step() -> None:
        nonlocal state
        state = step(state, x, labels)[1]

    times = {"cotan": median_time(cotan_step, repeat)}
    if jax is not None:
        jstep = jax.jit(sgd_step(jax.value_and_grad, mlp_loss(jnp, jax.nn.log_softmax)),
                        donate_argnums=0)
        jstate = jax.tree_util.tree_map(jnp.array, params)
        jx, jl = jnp.asarray(x), jnp.asarray(labels)

        def jax_step() -> None:
            nonlocal jstate
            jstate = jax.block_until_ready(jstep(jstate, jx, jl)[1])

        times["jax"] = median_time(jax_step, repeat)
    report("  parameters donated", times)


def _torch_logits(params, x):
    h = x
    for w, b in params[:-1]:
        h = torch.relu(h @ w + b)
    w, b = params[-1]
    return h @ w + b


def dispatch(repeat: int) -> None:
    x = np.arange(4, dtype=np.float32)
    f = cotan.jit(lambda v: v + 1)
    times = {"cotan": median_time(lambda: f(x), repeat * 20)}
    if jax is not None:
        jx = jnp.asarray(x)
        jf = jax.jit(lambda v: v + 1)
        times["jax"] = median_time(lambda: jf(jx).block_until_ready(), repeat * 20)
    report("dispatch: jit(x + 1), 4 elements", times, unit="us")


# Peak memory: each fused example in a child process. After a warm-up call
# (which compiles), the kernel's high-water mark is reset to the current
# resident size (inputs included); then either the function runs or only its
# output is allocated and written. What the run adds on top of that floor is
# what the compiled code materializes.
_PEAK_RSS_CHILD = r"""
import sys
import numpy as np
import cotan, cotan.numpy as cnp
case, run = sys.argv[1], sys.argv[2] == "run"
n = 1 << 24
xs = [np.full(n, 0.5, np.float32) for _ in range(3 if case == "sum" else 1)]
silu = lambda x: cnp.where(x > 0, x, x / (1 + cnp.exp(-x)))
fns = {"sum": lambda x, y, z: cnp.sum(x * y + z), "silu": silu,
       "silu-grad": cotan.grad(lambda x: cnp.sum(silu(x)))}
f = cotan.jit(fns[case])
f(*xs)
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")
if run:
    out = f(*xs)
else:
    out = np.empty(1 if case == "sum" else n, np.float32)
    out[:] = 0
status = open("/proc/self/status").read()
print(int(status.split("VmHWM:")[1].split()[0]))
"""


def peak_memory() -> None:
    cotan_cases = {"sum": "sum(x*y+z) 16M f32 (3 x 64 MiB in)",
                   "silu": "where(...) 16M f32 (64 MiB in, 64 MiB out)",
                   "silu-grad": "  its gradient"}
    if not open("/proc/self/status").read().count("VmHWM"):  # pragma: no cover
        print("peak RSS: needs Linux /proc")
        return
    for case, label in cotan_cases.items():
        peaks = []
        for mode in ("floor", "run"):
            result = subprocess.run([sys.executable, "-c", _PEAK_RSS_CHILD, case, mode],
                                    capture_output=True, text=True, check=True)
            peaks.append(int(result.stdout.split()[-1]) / 1024)
        print(f"peak RSS {label:44s} floor {peaks[0]:7.1f} MiB   running it {peaks[1]:7.1f} MiB"
              f"   extra {peaks[1] - peaks[0]:6.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="small matmuls only, few repeats")
    args = parser.parse_args()
    repeat = 3 if args.quick else args.repeat
    print("median per call; cotan/peer < 1: cotan faster", flush=True)
    for n in ([256] if args.quick else [512, 1024, 2048]):
        matmul(n, repeat)
    elementwise(repeat)
    fused_sum(repeat)
    mlp_sgd(repeat)
    dispatch(repeat)
    peak_memory()


if __name__ == "__main__":
    main()
