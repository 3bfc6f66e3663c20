"""Hamiltonian Monte Carlo on a correlated 2-D Gaussian.

Each transition draws a momentum, runs leapfrog steps that follow
cotan.grad of the log density inside a lax.fori_loop, and accepts or
rejects with the Metropolis rule; lax.scan chains the transitions, with a
key folded in per step. The whole chain is one compiled function; the
sample mean and covariance are checked against the truth.

    python examples/hmc_gaussian.py
"""

from __future__ import annotations

import time

import numpy as np

import cotan
import cotan.numpy as cnp
from cotan import lax, random

MEAN = np.array([1.0, -2.0], np.float32)
COVARIANCE = np.array([[1.0, 0.9], [0.9, 2.0]], np.float32)
PRECISION = np.linalg.inv(COVARIANCE).astype(np.float32)
STEP_SIZE, LEAPFROG_STEPS, SAMPLES = 0.25, 10, 4000


def log_density(x):
    centred = x - MEAN
    return -0.5 * cnp.sum(centred * (PRECISION @ centred))


grad_log_density = cotan.grad(log_density)


def leapfrog(position, momentum):
    def step(_, state):
        q, p = state
        p = p + 0.5 * STEP_SIZE * grad_log_density(q)
        q = q + STEP_SIZE * p
        p = p + 0.5 * STEP_SIZE * grad_log_density(q)
        return q, p
    return lax.fori_loop(0, LEAPFROG_STEPS, step, (position, momentum))


def transition(position, key):
    momentum_key, accept_key = random.split(key)
    momentum = random.normal(momentum_key, (2,))
    q, p = leapfrog(position, momentum)
    energy_before = -log_density(position) + 0.5 * cnp.sum(momentum * momentum)
    energy_after = -log_density(q) + 0.5 * cnp.sum(p * p)
    accept = cnp.log(random.uniform(accept_key, ())) < energy_before - energy_after
    new = cnp.where(accept, q, position)
    return new, (new, cnp.astype(accept, np.float32))


@cotan.jit
def chain(start, key):
    steps = cnp.arange(SAMPLES, dtype=np.int32)
    _, (samples, accepted) = lax.scan(lambda q, i: transition(q, random.fold_in(key, i)), start, steps)
    return samples, cnp.mean(accepted)


def main() -> None:
    print(f"cotan {cotan.__version__}: HMC, {SAMPLES} samples of a correlated 2-D Gaussian")
    start = time.perf_counter()
    samples, acceptance = chain(np.zeros(2, np.float32), random.PRNGKey(0))
    samples = np.asarray(samples)[500:]  # burn-in
    print(f"compiled and ran in {time.perf_counter() - start:.2f} s; acceptance rate {float(acceptance):.3f}")
    mean, covariance = samples.mean(0), np.cov(samples.T)
    print(f"sample mean {np.round(mean, 3)} (true {MEAN})")
    print(f"sample covariance {np.round(covariance, 3).tolist()} (true {COVARIANCE.tolist()})")
    # Monte Carlo error: HMC draws are nearly independent here; allow 5
    # standard errors of an effective sample of a fifth of the chain.
    effective = len(samples) / 5
    mean_error = 5 * np.sqrt(np.diag(COVARIANCE) / effective)
    if np.any(np.abs(mean - MEAN) > mean_error) or np.any(np.abs(covariance - COVARIANCE) > 0.3):
        raise SystemExit("the chain did not match the target's mean and covariance")
    print("mean and covariance match the target within Monte Carlo error")


if __name__ == "__main__":
    main()
