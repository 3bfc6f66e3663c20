"""cotan.distributions: log_prob and entropy against scipy.stats, KL
divergences against their definitions, sample moments, and reparameterized
gradients against finite differences with common random numbers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import cotan
import cotan.numpy as cnp
from cotan import distributions as dist
from cotan import random
from cotan.testing import check_grads

HERE = r"test_distributions.py:\d+"


def test_normal_log_prob_entropy_and_moments():
    loc, scale = np.array([0.0, 1.5, -2.0]), np.array([1.0, 0.5, 3.0])
    d = dist.Normal(loc, scale)
    x = np.array([[0.3, 1.0, -5.0], [2.0, 1.5, 0.0]])
    np.testing.assert_allclose(np.asarray(d.log_prob(x)), stats.norm(loc, scale).logpdf(x), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(d.entropy()), stats.norm(loc, scale).entropy(), rtol=1e-12)
    draws = np.asarray(d.sample(random.PRNGKey(0), (20000,)))
    assert draws.shape == (20000, 3)
    np.testing.assert_allclose(draws.mean(0), loc, atol=0.06)
    np.testing.assert_allclose(draws.std(0), scale, rtol=0.03)


def test_bernoulli_and_categorical_against_scipy():
    p = np.array([0.1, 0.5, 0.8])
    b = dist.Bernoulli(probs=p)
    x = np.array([1.0, 0.0, 1.0])
    np.testing.assert_allclose(np.asarray(b.log_prob(x)), stats.bernoulli(p).logpmf(x), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(b.entropy()), stats.bernoulli(p).entropy(), rtol=1e-12)
    logits = np.log(p / (1 - p))
    np.testing.assert_allclose(np.asarray(dist.Bernoulli(logits=logits).log_prob(x)),
                               stats.bernoulli(p).logpmf(x), rtol=1e-12)
    probs = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])
    c = dist.Categorical(probs=probs)
    np.testing.assert_allclose(np.asarray(c.log_prob(np.array([1, 2]))), np.log([0.5, 0.3]), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(c.entropy()), [stats.entropy(row) for row in probs], rtol=1e-12)
    draws = np.asarray(dist.Categorical(logits=np.log(probs[0])).sample(random.PRNGKey(1), (20000,)))
    np.testing.assert_allclose(np.bincount(draws, minlength=3) / 20000, probs[0], atol=0.015)
    flips = np.asarray(b.sample(random.PRNGKey(2), (20000,)))
    np.testing.assert_allclose(flips.mean(0), p, atol=0.015)


def test_kl_divergences():
    p, q = dist.Normal(0.5, 2.0), dist.Normal(-1.0, 0.7)
    xs = np.linspace(-20, 20, 200001)
    dens = stats.norm(0.5, 2.0).pdf(xs)
    numeric = np.trapezoid(dens * (stats.norm(0.5, 2.0).logpdf(xs) - stats.norm(-1.0, 0.7).logpdf(xs)), xs)
    np.testing.assert_allclose(float(dist.kl_divergence(p, q)), numeric, rtol=1e-6)
    bp, bq = dist.Bernoulli(probs=0.3), dist.Bernoulli(probs=0.6)
    np.testing.assert_allclose(float(dist.kl_divergence(bp, bq)),
                               0.3 * np.log(0.3 / 0.6) + 0.7 * np.log(0.7 / 0.4), rtol=1e-6)
    cp, cq = dist.Categorical(probs=np.array([0.2, 0.8])), dist.Categorical(probs=np.array([0.5, 0.5]))
    np.testing.assert_allclose(float(dist.kl_divergence(cp, cq)), stats.entropy([0.2, 0.8], [0.5, 0.5]),
                               rtol=1e-12)


def test_reparameterized_gradients_match_finite_differences():
    key = random.PRNGKey(7)

    def expected_square(loc, scale):
        # E[x^2] by Monte Carlo with common random numbers: a smooth
        # function of (loc, scale) whose exact value is loc^2 + scale^2.
        x = dist.Normal(loc, scale).rsample(key, (4000,))
        return cnp.mean(x ** 2)

    loc, scale = np.array(0.7), np.array(1.3)
    check_grads(expected_square, (loc, scale), modes=("rev",))
    g_loc, g_scale = cotan.grad(expected_square, argnums=(0, 1))(loc, scale)
    eps = np.asarray(random.normal(key, (4000,), np.float64))
    x = 0.7 + 1.3 * eps  # the same draws: the pathwise derivatives exactly
    np.testing.assert_allclose([float(g_loc), float(g_scale)], [np.mean(2 * x), np.mean(2 * x * eps)],
                               rtol=1e-10)
    # sample() cuts the gradient.
    assert float(cotan.grad(lambda m: cnp.mean(dist.Normal(m, 1.0).sample(key, (10,))))(np.array(0.0))) == 0.0


def test_distributions_inside_jit():
    @cotan.jit
    def elbo_term(loc, log_scale, key):
        q = dist.Normal(loc, cnp.exp(log_scale))
        z = q.rsample(key, (64,))
        return cnp.mean(dist.Normal(0.0, 1.0).log_prob(z)) + cnp.mean(q.entropy())

    value = float(elbo_term(np.float32(0.1), np.float32(-0.2), random.PRNGKey(3)))
    assert np.isfinite(value)


def test_bad_distribution_parameters():
    with pytest.raises(ValueError, match=HERE + ".*scale must be positive"):
        dist.Normal(0.0, -1.0)
    with pytest.raises(ValueError, match=HERE + ".*probs must lie in \\[0, 1\\]"):
        dist.Bernoulli(probs=1.2)
    with pytest.raises(ValueError, match=HERE + ".*exactly one of probs and logits"):
        dist.Categorical(probs=[0.5, 0.5], logits=[0.0, 0.0])
    with pytest.raises(NotImplementedError, match=HERE + ".*no reparameterized sampler"):
        dist.Bernoulli(probs=0.5).rsample(random.PRNGKey(0))
    with pytest.raises(NotImplementedError, match=HERE + ".*no closed-form KL"):
        dist.kl_divergence(dist.Normal(), dist.Bernoulli(probs=0.5))
