"""Train a 3-layer MLP on a 3-class spiral data set with cotan.

The whole training step (forward pass, softmax cross-entropy, its gradient
from cotan.value_and_grad, and the SGD update) is one compiled function:
cotan traces it once, the cotan-expand-autodiff pass builds the backward
pass from the ops' derivative rules, and the result is lowered through
linalg to LLVM and run on the CPU.

    python examples/train_mlp.py
"""

from __future__ import annotations

import time

import numpy as np

import cotan
import cotan.numpy as cnp


def spirals(points_per_class: int, classes: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for c in range(classes):
        r = np.linspace(0.05, 1.0, points_per_class)
        t = np.linspace(c * 4.0, (c + 1) * 4.0, points_per_class) + rng.normal(0, 0.2, points_per_class)
        xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        ys.append(np.full(points_per_class, c))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.int32)


def init_params(sizes, seed: int = 1):
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.append(rng.normal(0, np.sqrt(2.0 / fan_in), (fan_in, fan_out)).astype(np.float32))
        params.append(np.zeros(fan_out, np.float32))
    return tuple(params)


def logits_of(params, x):
    w1, b1, w2, b2, w3, b3 = params
    h1 = cotan.nn.relu(x @ w1 + b1)
    h2 = cotan.nn.relu(h1 @ w2 + b2)
    return h2 @ w3 + b3


def loss_fn(params, x, labels):
    logits = logits_of(params, x)
    targets = cotan.nn.one_hot(labels, logits.shape[1])
    return -cnp.mean(cnp.sum(targets * cotan.nn.log_softmax(logits), axis=1))


@cotan.jit
def train_step(params, x, labels, learning_rate):
    loss, grads = cotan.value_and_grad(loss_fn)(params, x, labels)
    new_params = tuple(p - learning_rate * g for p, g in zip(params, grads))
    return new_params, loss


@cotan.jit
def accuracy(params, x, labels):
    return cnp.mean(cnp.argmax(logits_of(params, x), axis=1) == labels)


def main() -> None:
    x, y = spirals(points_per_class=200, classes=3)
    params = init_params([2, 64, 64, 3])
    print(f"cotan {cotan.__version__}: training a 2-64-64-3 MLP on {len(x)} spiral points")

    start = time.perf_counter()
    params, loss = train_step(params, x, y, 0.5)
    print(f"first step (trace + compile + run): {time.perf_counter() - start:.2f} s, loss {float(loss):.4f}")
    print(f"cotan IR of the step: {train_step.lower(params, x, y, 0.5).as_text().count(chr(10))} lines")

    steps = 2000
    start = time.perf_counter()
    for step in range(1, steps + 1):
        params, loss = train_step(params, x, y, 0.5)
        if step % 400 == 0:
            print(f"step {step:5d}  loss {float(loss):.4f}  accuracy {float(accuracy(params, x, y)):.3f}")
    elapsed = time.perf_counter() - start
    print(f"{steps} compiled steps in {elapsed:.2f} s ({1e3 * elapsed / steps:.2f} ms/step, compiled {train_step._cache_size()}x)")

    final = float(accuracy(params, x, y))
    print(f"final training accuracy: {final:.3f}")
    if final < 0.9:
        raise SystemExit("training did not converge")


if __name__ == "__main__":
    main()
