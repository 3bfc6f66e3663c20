"""Solving Kepler's equation E - e sin(E) = M with Newton's method in a
compiled `cotan.lax.while_loop`.

Each solve iterates until every residual is below a tolerance, so the
number of iterations is only known at run time: a while loop, not a
Python loop unrolled at trace time. The loop runs on a whole array of mean
anomalies at once, vmap batches it over several eccentricities (each lane
stops when it has converged), and forward-mode differentiation through
the loop gives dE/dM, which must match the implicit-function answer
1 / (1 - e cos E).

    python examples/kepler_newton_while.py
"""

from __future__ import annotations

import numpy as np

import cotan
import cotan.numpy as cnp
from cotan import lax

TOLERANCE = 1e-12


def eccentric_anomaly(mean_anomaly, eccentricity):
    """E with E - e sin(E) = M, by Newton's method from E = M."""
    def residual(E):
        return E - eccentricity * cnp.sin(E) - mean_anomaly

    def not_converged(carry):
        E, steps = carry
        return (cnp.max(cnp.abs(residual(E))) > TOLERANCE) & (steps < 50)

    def newton_step(carry):
        E, steps = carry
        return E - residual(E) / (1.0 - eccentricity * cnp.cos(E)), steps + 1

    E, steps = lax.while_loop(not_converged, newton_step, (mean_anomaly, 0))
    return E, steps


def main() -> None:
    M = np.linspace(0.1, 3.0, 8)
    solve = cotan.jit(eccentric_anomaly)
    E, steps = solve(M, np.float64(0.3))
    E = np.asarray(E)
    print(f"e = 0.3: converged in {int(steps)} Newton steps, max residual "
          f"{np.abs(E - 0.3 * np.sin(E) - M).max():.1e}")
    if np.abs(E - 0.3 * np.sin(E) - M).max() > 1e-10:
        raise SystemExit("the solve did not converge")

    eccentricities = np.array([0.0, 0.5, 0.9])
    batched = cotan.jit(cotan.vmap(eccentric_anomaly, in_axes=(None, 0)))
    Es, per_lane_steps = batched(M, eccentricities)
    print("vmap over e =", eccentricities, "-> Newton steps per lane:", np.asarray(per_lane_steps))
    residuals = np.asarray(Es) - eccentricities[:, None] * np.sin(np.asarray(Es)) - M
    if np.abs(residuals).max() > 1e-10:
        raise SystemExit("the batched solve did not converge")

    _, dE = cotan.jit(lambda M: cotan.jvp(lambda m: eccentric_anomaly(m, 0.3)[0], (M,), (cnp.ones_like(M),)))(M)
    implicit = 1.0 / (1.0 - 0.3 * np.cos(E))
    print(f"dE/dM through the loop vs 1/(1 - e cos E): max difference {np.abs(np.asarray(dE) - implicit).max():.1e}")
    if np.abs(np.asarray(dE) - implicit).max() > 1e-8:
        raise SystemExit("forward-mode derivative through while_loop is wrong")


if __name__ == "__main__":
    main()
