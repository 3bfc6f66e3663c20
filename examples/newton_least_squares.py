"""Newton's method on a small nonlinear least-squares problem with
cotan.hessian.

Fit y = a * exp(-b * t) + c to noisy samples by minimizing the squared
residuals. Each Newton step solves H d = g with the exact Hessian and
gradient, both compiled by cotan (the 3x3 solve runs in NumPy).

    python examples/newton_least_squares.py
"""

from __future__ import annotations

import numpy as np

import cotan
import cotan.numpy as cnp


def make_data(seed: int = 0):
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 4.0, 40)
    true = np.array([2.5, 1.3, 0.5])
    y = true[0] * np.exp(-true[1] * t) + true[2] + rng.normal(0, 0.01, t.shape)
    return t, y, true


def loss(params, t, y):
    a, b, c = params[0], params[1], params[2]
    residual = a * cnp.exp(-b * t) + c - y
    return 0.5 * cnp.sum(residual * residual)


gradient = cotan.jit(cotan.grad(loss))
hess = cotan.jit(cotan.hessian(loss))


def newton(params, t, y, steps: int = 20, tol: float = 1e-10):
    for step in range(steps):
        g = np.asarray(gradient(params, t, y))
        h = np.asarray(hess(params, t, y))
        params = params - np.linalg.solve(h, g)
        print(f"step {step:2d}  loss {float(loss(params, t, y)):.8f}  |grad| {np.linalg.norm(g):.2e}")
        if np.linalg.norm(g) < tol:
            break
    return params


def main() -> None:
    t, y, true = make_data()
    fitted = newton(np.array([2.0, 1.0, 0.3]), t, y)
    print("fitted:", np.round(fitted, 4), " true:", true)
    if np.abs(fitted - true).max() > 0.05:
        raise SystemExit("Newton's method did not recover the parameters")


if __name__ == "__main__":
    main()
