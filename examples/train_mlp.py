"""Train a 3-layer MLP on a 3-class spiral data set with cotan.

The model is a cotan.nn.Sequential and the optimizer cotan.optim.adam, in
JAX's functional style: parameters and optimizer state are pytrees we pass
in and get back. The whole training step (forward pass, softmax
cross-entropy, its gradient from cotan.value_and_grad, and Adam's update)
is one compiled function: cotan traces it once, the cotan-expand-autodiff
pass builds the backward pass from the ops' derivative rules, and the
result is lowered through linalg to LLVM and run on the CPU, or with
--device gpu through NVVM to kernels on an NVIDIA GPU (the data,
parameters and optimizer state are put there once and stay there).

    python examples/train_mlp.py [--device gpu]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import cotan
import cotan.numpy as cnp
from cotan import nn, optim


def spirals(points_per_class: int, classes: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for c in range(classes):
        r = np.linspace(0.05, 1.0, points_per_class)
        t = np.linspace(c * 4.0, (c + 1) * 4.0, points_per_class) + rng.normal(0, 0.2, points_per_class)
        xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        ys.append(np.full(points_per_class, c))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.int32)


model = nn.Sequential([nn.Dense(64), nn.relu, nn.Dense(64), nn.relu, nn.Dense(3)])
optimizer = optim.adam(optim.warmup_cosine_decay_schedule(0.0, 0.02, warmup_steps=50, decay_steps=1000))


def loss_fn(params, x, labels):
    return cnp.mean(nn.softmax_cross_entropy(model.apply(params, x), labels))


@cotan.jit
def train_step(params, opt_state, x, labels):
    loss, grads = cotan.value_and_grad(loss_fn)(params, x, labels)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optim.apply_updates(params, updates), opt_state, loss


@cotan.jit
def accuracy(params, x, labels):
    return cnp.mean(cnp.argmax(model.apply(params, x), axis=1) == labels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu or gpu (see cotan.devices())")
    device = parser.parse_args().device
    x, y = spirals(points_per_class=200, classes=3)
    params = model.init(1, x.shape)
    opt_state = optimizer.init(params)
    # The jitted functions run where their inputs are.
    try:
        x, y, params, opt_state = cotan.device_put((x, y, params, opt_state), device)
    except RuntimeError as e:  # no such device here
        raise SystemExit(str(e)) from None
    print(f"cotan {cotan.__version__}: training a 2-64-64-3 MLP with Adam on {len(x)} spiral points "
          f"({cotan.devices(device)[0]})")

    start = time.perf_counter()
    params, opt_state, loss = train_step(params, opt_state, x, y)
    print(f"first step (trace + compile + run): {time.perf_counter() - start:.2f} s, loss {float(loss):.4f}")
    print(f"cotan IR of the step: {train_step.lower(params, opt_state, x, y).as_text().count(chr(10))} lines")

    steps = 1000
    start = time.perf_counter()
    for step in range(2, steps + 1):
        params, opt_state, loss = train_step(params, opt_state, x, y)
        if step % 200 == 0:
            print(f"step {step:5d}  loss {float(loss):.4f}  accuracy {float(accuracy(params, x, y)):.3f}")
    elapsed = time.perf_counter() - start
    print(f"{steps - 1} compiled steps in {elapsed:.2f} s ({1e3 * elapsed / (steps - 1):.2f} ms/step, "
          f"compiled {train_step._cache_size()}x)")

    final = float(accuracy(params, x, y))
    print(f"final training accuracy: {final:.3f}")
    if final < 0.95:
        raise SystemExit("training did not converge")


if __name__ == "__main__":
    main()
