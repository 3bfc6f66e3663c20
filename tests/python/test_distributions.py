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


def test_gamma_beta_dirichlet_against_scipy():
    a, rate = np.array([0.5, 1.0, 3.7]), np.array([2.0, 1.0, 0.3])
    g = dist.Gamma(a, rate)
    x = np.array([[0.2, 1.0, 9.0], [3.0, 0.01, 20.0]])
    np.testing.assert_allclose(np.asarray(g.log_prob(x)), stats.gamma(a, scale=1 / rate).logpdf(x), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(g.entropy()), stats.gamma(a, scale=1 / rate).entropy(), rtol=1e-12)
    draws = np.asarray(g.sample(random.PRNGKey(0), (20000,)))
    assert draws.shape == (20000, 3)
    for i in range(3):
        assert stats.kstest(draws[:, i], stats.gamma(a[i], scale=1 / rate[i]).cdf).pvalue > 1e-3

    c1, c0 = np.array([0.5, 2.0, 5.0]), np.array([0.5, 3.0, 1.0])
    b = dist.Beta(c1, c0)
    u = np.array([0.1, 0.5, 0.97])
    np.testing.assert_allclose(np.asarray(b.log_prob(u)), stats.beta(c1, c0).logpdf(u), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(b.entropy()), stats.beta(c1, c0).entropy(), rtol=1e-10)
    np.testing.assert_allclose(np.asarray(b.mean), c1 / (c1 + c0), rtol=1e-12)
    draws = np.asarray(b.sample(random.PRNGKey(1), (20000,)))
    assert stats.kstest(draws[:, 1], stats.beta(2.0, 3.0).cdf).pvalue > 1e-3

    alpha = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, 4.0]])
    d = dist.Dirichlet(alpha)
    assert d.batch_shape == (2,) and d.event_shape == (3,)
    p = np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]])
    np.testing.assert_allclose(np.asarray(d.log_prob(p)), [stats.dirichlet(r).logpdf(v) for r, v in zip(alpha, p)],
                               rtol=1e-12)
    np.testing.assert_allclose(np.asarray(d.entropy()), [stats.dirichlet(r).entropy() for r in alpha], rtol=1e-10)
    draws = np.asarray(d.sample(random.PRNGKey(2), (20000,)))
    assert draws.shape == (20000, 2, 3)
    np.testing.assert_allclose(draws.mean(0), alpha / alpha.sum(-1, keepdims=True), atol=0.01)


def test_multivariate_normal_against_scipy():
    loc = np.array([1.0, -1.0, 0.5])
    factor = np.array([[1.0, 0.0, 0.0], [0.5, 0.8, 0.0], [-0.2, 0.3, 0.6]])
    cov = factor @ factor.T
    reference = stats.multivariate_normal(loc, cov)
    x = np.array([[0.0, 0.0, 0.0], [1.0, -1.0, 0.5], [3.0, 1.0, -2.0]])
    for d in (dist.MultivariateNormal(loc, covariance_matrix=cov), dist.MultivariateNormal(loc, scale_tril=factor)):
        assert d.batch_shape == () and d.event_shape == (3,)
        np.testing.assert_allclose(np.asarray(d.log_prob(x)), reference.logpdf(x), rtol=1e-12)
        np.testing.assert_allclose(float(d.entropy()), reference.entropy(), rtol=1e-12)
        np.testing.assert_allclose(np.asarray(d.covariance_matrix), cov, rtol=1e-12)
    draws = np.asarray(dist.MultivariateNormal(loc, cov).sample(random.PRNGKey(0), (40000,)))
    np.testing.assert_allclose(draws.mean(0), loc, atol=0.02)
    np.testing.assert_allclose(np.cov(draws.T), cov, atol=0.03)
    # A batch of locations, each its own distribution.
    batch = dist.MultivariateNormal(np.stack([loc, -loc]), cov)
    assert batch.batch_shape == (2,)
    np.testing.assert_allclose(np.asarray(batch.log_prob(x[:2])),
                               [reference.logpdf(x[0]), stats.multivariate_normal(-loc, cov).logpdf(x[1])],
                               rtol=1e-12)
    # KL between two: against the closed form with explicit inverses.
    other_cov = np.array([[2.0, 0.3, 0.0], [0.3, 1.0, 0.1], [0.0, 0.1, 0.5]])
    other_loc = np.array([0.0, 0.5, 0.0])
    inv = np.linalg.inv(other_cov)
    diff = other_loc - loc
    expected = 0.5 * (np.trace(inv @ cov) + diff @ inv @ diff - 3 + np.log(np.linalg.det(other_cov) / np.linalg.det(cov)))
    kl = dist.kl_divergence(dist.MultivariateNormal(loc, cov), dist.MultivariateNormal(other_loc, other_cov))
    np.testing.assert_allclose(float(kl), expected, rtol=1e-12)


def test_multivariate_normal_reparameterized_gradient():
    key = random.PRNGKey(9)

    def expected_quadratic(loc, factor):
        # E[sum(x^2)] = |loc|^2 + |L|_F^2, estimated with common random numbers.
        x = dist.MultivariateNormal(loc, scale_tril=factor).rsample(key, (2000,))
        return cnp.mean(cnp.sum(x ** 2, axis=-1))

    loc = np.array([0.3, -0.2])
    factor = np.array([[1.0, 0.0], [0.4, 0.7]])
    check_grads(expected_quadratic, (loc, factor), modes=("rev",))
    g_loc, g_factor = cotan.grad(expected_quadratic, argnums=(0, 1))(loc, factor)
    np.testing.assert_allclose(np.asarray(g_loc), 2 * loc, atol=0.1)
    np.testing.assert_allclose(np.tril(np.asarray(g_factor)), 2 * factor, atol=0.15)


def test_log_prob_gradients_of_gamma_family():
    # d/da of the log densities: digamma appears through gammaln's gradient.
    check_grads(lambda a, r: dist.Gamma(a, r).log_prob(np.array([0.5, 2.0])), (np.array([1.5, 3.0]), np.array(0.7)))
    check_grads(lambda a, b: dist.Beta(a, b).log_prob(np.array([0.3, 0.9])), (np.array([1.5, 0.7]), np.array(2.0)))
    check_grads(lambda a: dist.Dirichlet(a).log_prob(np.array([0.2, 0.3, 0.5])), (np.array([1.0, 2.0, 0.5]),))
    check_grads(lambda a: dist.Gamma(a).entropy(), (np.array([0.3, 1.0, 4.0]),))


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
    with pytest.raises(ValueError, match=HERE + ".*concentration must be positive"):
        dist.Gamma(np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match=HERE + ".*rate must be positive"):
        dist.Gamma(1.0, -2.0)
    with pytest.raises(ValueError, match=HERE + ".*concentration0 must be positive"):
        dist.Beta(1.0, -1.0)
    with pytest.raises(ValueError, match=HERE + ".*Dirichlet needs concentrations with a last"):
        dist.Dirichlet(2.0)
    with pytest.raises(ValueError, match=HERE + ".*covariance_matrix is not positive-definite"):
        dist.MultivariateNormal(np.zeros(2), np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match=HERE + ".*scale_tril must have a positive diagonal"):
        dist.MultivariateNormal(np.zeros(2), scale_tril=np.array([[1.0, 0.0], [2.0, -1.0]]))
    with pytest.raises(ValueError, match=HERE + ".*exactly one of covariance_matrix and scale_tril"):
        dist.MultivariateNormal(np.zeros(2))
    with pytest.raises(ValueError, match=HERE + ".*does not match a 2x2 covariance"):
        dist.MultivariateNormal(np.zeros(3), np.eye(2))
    with pytest.raises(NotImplementedError, match=HERE + ".*Gamma has no reparameterized sampler"):
        dist.Gamma(2.0).rsample(random.PRNGKey(0))
