"""cotan.random: Threefry bits, keys, splits and samples against values
JAX computed, the same numbers eagerly, under jit and under vmap over
keys, sample statistics, and errors for bad keys, shapes and
probabilities."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import cotan
from cotan import random

HERE = r"test_random.py:\d+"

# Produced once with JAX 0.10.2 in its default configuration
# (jax_threefry_partitionable=True, 32-bit mode), e.g.
#   jax.random.bits(jax.random.PRNGKey(42), (7,))
#   jax.random.split(jax.random.PRNGKey(42), 3)
#   jax.random.fold_in(jax.random.PRNGKey(42), 7)
#   jax.random.uniform(jax.random.PRNGKey(42), (5,))
#   jax.random.normal(jax.random.PRNGKey(42), (6,))
#   jax.random.bernoulli(jax.random.PRNGKey(42), 0.3, (8,))
JAX = {
    "keys": {0: [0, 0], 42: [0, 42], -1: [0, 4294967295], 2**31 - 1: [0, 2147483647]},
    "bits_7": [2098992034, 2919706841, 2646866425, 2409546199, 1935504149, 2516274904, 321304473],
    "split_3": [[1832780943, 270669613], [64467757, 2916123636], [2465931498, 255383827]],
    "fold_in_7": [2547012911, 1371500959],
    "fold_in_max": [2455960720, 876592557],
    "uniform_5": [0.48870956897735596, 0.6797971725463867, 0.6162714958190918, 0.5610160827636719,
                  0.4506446123123169],
    "uniform_-2_3": [0.4435478448867798, 1.3989858627319336, 1.081357479095459],
    "normal_6": [-0.02830461598932743, 0.4671318531036377, 0.2957029640674591, 0.15354591608047485,
                 -0.12403281778097153, 0.21692314743995667],
    "bernoulli_8": [False, False, False, False, False, False, True, False],
    # exponential/laplace/gumbel(key, (4,)); categorical(key, logits) with
    # logits [[0.1, 2, -1, 0.5]] * 3, and [0, 1, 2] with shape (6,);
    # randint(key, (8,), 0, 10) and randint(key, (5,), -7, 1000003).
    "exponential_4": [0.670817494392395, 1.1388006210327148, 0.9578199982643127, 0.8232924938201904],
    "laplace_4": [0.022839652374386787, -0.4456535577774048, -0.2646729052066803, -0.1301453858613968],
    "gumbel_4": [0.3340933918952942, 0.952019453048706, 0.7255305647850037, 0.5481715202331543],
    "categorical_rows": [1, 1, 1],
    "categorical_6": [2, 2, 2, 2, 1, 2],
    "randint_8": [4, 4, 1, 9, 9, 9, 7, 7],
    "randint_wide_5": [263019, 831525, 363320, 977140, 574264],
    # truncated_normal(key, -1.0, 2.0, (5,)) and (key, 2.5, 4.0, (3,));
    # multivariate_normal(key, [1, -1], [[2, 0.6], [0.6, 1]], (3,)).
    "truncated_normal_5": [0.14770005643367767, 0.5684449076652527, 0.42102551460266113, 0.29997000098228455,
                           0.0691138207912445],
    "truncated_normal_tail_3": [2.7275400161743164, 2.876607894897461, 2.819845199584961],
    "multivariate_normal_3": [[0.9599712491035461, -0.5890027284622192], [1.418187141418457, -0.7355021238327026],
                              [0.8245911002159119, -0.8561904430389404]],
    # permutation(key, 10), permutation(PRNGKey(1), 20000)[:5] (two sorting
    # rounds), permutation(key, arange(12).reshape(3, 4), axis=1);
    # choice(key, 10, (5,), replace=False), choice(key, 5, (6,), p=P) and
    # choice(key, 5, (3,), replace=False, p=P) with P = [.1, .2, .3, .2, .2].
    "permutation_10": [7, 4, 2, 5, 3, 6, 8, 9, 0, 1],
    "permutation_20000_head": [19851, 12832, 2748, 10523, 1960],
    "permutation_columns": [[2, 3, 0, 1], [6, 7, 4, 5], [10, 11, 8, 9]],
    "choice_without_replacement": [7, 4, 2, 5, 3],
    "choice_p": [2, 2, 2, 2, 2, 2],
    "choice_p_without_replacement": [2, 1, 3],
}


def words(x) -> list:
    return np.asarray(x).view(np.uint32).tolist()


@pytest.mark.parametrize("seed", list(JAX["keys"]))
def test_keys_match_jax(seed):
    assert words(random.PRNGKey(seed)) == JAX["keys"][seed]


def test_bits_split_and_fold_in_match_jax_bit_for_bit():
    key = random.PRNGKey(42)
    assert words(random.bits(key, (7,))) == JAX["bits_7"]
    assert words(random.bits(key, (2, 3))) == [JAX["bits_7"][:3], JAX["bits_7"][3:6]]  # row-major counters
    assert words(random.split(key, 3)) == JAX["split_3"]
    assert words(random.fold_in(key, 7)) == JAX["fold_in_7"]
    assert words(random.fold_in(key, 2**31 - 1)) == JAX["fold_in_max"]


def test_samples_match_jax():
    key = random.PRNGKey(42)
    np.testing.assert_array_equal(np.asarray(random.uniform(key, (5,))), np.float32(JAX["uniform_5"]))
    np.testing.assert_allclose(np.asarray(random.uniform(key, (3,), minval=-2.0, maxval=3.0)),
                               JAX["uniform_-2_3"], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(random.normal(key, (6,))), JAX["normal_6"], rtol=2e-6, atol=1e-7)
    assert np.asarray(random.bernoulli(key, 0.3, (8,))).tolist() == JAX["bernoulli_8"]


def test_more_samplers_match_jax():
    key = random.PRNGKey(42)
    for name in ("exponential", "laplace", "gumbel"):
        np.testing.assert_allclose(np.asarray(getattr(random, name)(key, (4,))), JAX[f"{name}_4"],
                                   rtol=2e-6, atol=1e-7, err_msg=name)
    rows = np.array([[0.1, 2.0, -1.0, 0.5]] * 3, np.float32)
    assert np.asarray(random.categorical(key, rows, axis=-1)).tolist() == JAX["categorical_rows"]
    assert np.asarray(random.categorical(key, np.float32([0, 1, 2]), shape=(6,))).tolist() == JAX["categorical_6"]
    assert np.asarray(random.randint(key, (8,), 0, 10)).tolist() == JAX["randint_8"]
    assert np.asarray(random.randint(key, (5,), -7, 1000003)).tolist() == JAX["randint_wide_5"]


def test_truncated_and_multivariate_normal_match_jax():
    key = random.PRNGKey(42)
    np.testing.assert_allclose(np.asarray(random.truncated_normal(key, -1.0, 2.0, (5,))),
                               JAX["truncated_normal_5"], rtol=2e-6, atol=1e-6)
    np.testing.assert_allclose(np.asarray(random.truncated_normal(key, 2.5, 4.0, (3,))),
                               JAX["truncated_normal_tail_3"], rtol=2e-5)
    cov = np.array([[2.0, 0.6], [0.6, 1.0]], np.float32)
    np.testing.assert_allclose(np.asarray(random.multivariate_normal(key, np.float32([1, -1]), cov, (3,))),
                               JAX["multivariate_normal_3"], rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("bounds", [(-1.0, 2.0), (-np.inf, 0.5), (2.0, 6.0), (-0.1, 0.1)], ids=str)
def test_truncated_normal_statistics(bounds):
    lower, upper = bounds
    draws = np.asarray(random.truncated_normal(random.PRNGKey(3), lower, upper, (20000,), dtype=np.float64))
    assert draws.dtype == np.float64 and (draws > lower).all() and (draws < upper).all()
    assert stats.kstest(draws, stats.truncnorm(lower, upper).cdf).pvalue > 1e-3
    # Per-element bounds broadcast against the shape, under jit.
    both = cotan.jit(lambda k: random.truncated_normal(k, np.array([-1.0, 0.0]), 1.0, (5000, 2)))(random.PRNGKey(4))
    assert (np.asarray(both)[:, 1] > 0).all() and (np.asarray(both)[:, 0] > -1).all()


def test_multivariate_normal_statistics_and_batches():
    key = random.PRNGKey(6)
    mean = np.array([1.0, -2.0, 0.5])
    a = np.array([[1.0, 0.0, 0.0], [0.8, 0.6, 0.0], [-0.3, 0.2, 0.5]])
    cov = a @ a.T
    draws = np.asarray(random.multivariate_normal(key, mean, cov, (40000,), dtype=np.float64))
    np.testing.assert_allclose(draws.mean(0), mean, atol=0.02)
    np.testing.assert_allclose(np.cov(draws.T), cov, atol=0.03)
    # A batch of means against one covariance, and vmap over keys.
    batch = np.asarray(random.multivariate_normal(key, np.zeros((4, 3)), cov))
    assert batch.shape == (4, 3)
    keys = random.split(key, 5)
    mapped = cotan.vmap(lambda k: random.multivariate_normal(k, mean, cov, (2,)))(keys)
    assert np.asarray(mapped).shape == (5, 2, 3)
    np.testing.assert_allclose(np.asarray(mapped)[1], np.asarray(random.multivariate_normal(keys[1], mean, cov, (2,))),
                               rtol=1e-6)
    with pytest.raises(ValueError, match=HERE + ".*cov is not positive-definite"):
        random.multivariate_normal(key, np.zeros(2), np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match=HERE + ".*must share their last dimension"):
        random.multivariate_normal(key, np.zeros(3), np.eye(2))
    with pytest.raises(ValueError, match=HERE + ".*square matrices"):
        random.multivariate_normal(key, np.zeros(2), np.ones((2, 3)))
    # Traced covariances are not checked: NaN, as in JAX.
    bad = cotan.jit(lambda c: random.multivariate_normal(key, np.zeros(2), c))(np.array([[1.0, 2.0], [2.0, 1.0]]))
    assert np.isnan(np.asarray(bad)).any()


def test_permutation_and_choice_match_jax():
    key = random.PRNGKey(42)
    assert np.asarray(random.permutation(key, 10)).tolist() == JAX["permutation_10"]
    assert np.asarray(random.permutation(random.PRNGKey(1), 20000))[:5].tolist() == JAX["permutation_20000_head"]
    columns = random.permutation(key, np.arange(12).reshape(3, 4), axis=1)
    assert np.asarray(columns).tolist() == JAX["permutation_columns"]
    assert np.asarray(random.choice(key, 10, (5,), replace=False)).tolist() == JAX["choice_without_replacement"]
    p = np.array([0.1, 0.2, 0.3, 0.2, 0.2], np.float32)
    assert np.asarray(random.choice(key, 5, (6,), p=p)).tolist() == JAX["choice_p"]
    assert np.asarray(random.choice(key, 5, (3,), replace=False, p=p)).tolist() == JAX["choice_p_without_replacement"]


def test_permutation_and_choice_statistics():
    # Every position is equally likely to hold any element.
    keys = random.split(random.PRNGKey(7), 4000)
    perms = np.asarray(cotan.jit(cotan.vmap(lambda k: random.permutation(k, 5)))(keys))
    assert (np.sort(perms, axis=1) == np.arange(5)).all()
    counts = np.stack([np.bincount(perms[:, i], minlength=5) for i in range(5)])
    assert stats.chisquare(counts.ravel(), np.full(25, 4000 / 5)).pvalue > 1e-3
    x = np.arange(20.0).reshape(4, 5)
    shuffled = np.asarray(random.permutation(random.PRNGKey(0), x, axis=1, independent=True))
    np.testing.assert_array_equal(np.sort(shuffled, axis=1), x)
    p = np.array([0.5, 0.0, 0.25, 0.25])
    draws = np.asarray(random.choice(random.PRNGKey(3), 4, (20000,), p=p))
    np.testing.assert_allclose(np.bincount(draws, minlength=4) / 20000, p, atol=0.015)
    rows = np.asarray(random.choice(random.PRNGKey(4), x, (2, 3), axis=0))
    assert rows.shape == (2, 3, 5) and set(rows[:, :, 0].ravel()) <= {0.0, 5.0, 10.0, 15.0}
    picked = np.asarray(random.choice(random.PRNGKey(5), 6, (6,), replace=False, p=np.full(6, 1 / 6)))
    assert sorted(picked.tolist()) == list(range(6))


def test_bad_permutation_and_choice_arguments():
    key = random.PRNGKey(0)
    with pytest.raises(TypeError, match=HERE + ".*permutation: x must be an integer or an array"):
        random.permutation(key, 2.5)
    with pytest.raises(ValueError, match=HERE + ".*cannot take a larger sample \\(size 6\\) than the population"):
        random.choice(key, 5, (6,), replace=False)
    with pytest.raises(ValueError, match=HERE + ".*choice: p must have shape \\(5,\\)"):
        random.choice(key, 5, (2,), p=np.ones(4) / 4)
    with pytest.raises(ValueError, match=HERE + ".*probabilities p must be non-negative"):
        random.choice(key, 2, (2,), p=np.array([1.5, -0.5]))
    with pytest.raises(ValueError, match=HERE + ".*shape must be non-negative integers"):
        random.choice(key, 5, (-1,))
    assert np.asarray(random.choice(key, 5, (0,))).shape == (0,)


def test_more_sampler_statistics():
    key = random.PRNGKey(5)
    e = np.asarray(random.exponential(key, (20000,)))
    assert stats.kstest(e, "expon").pvalue > 1e-3
    lap = np.asarray(random.laplace(key, (20000,), dtype=np.float64))
    assert stats.kstest(lap, "laplace").pvalue > 1e-3
    g = np.asarray(random.gumbel(key, (20000,)))
    assert stats.kstest(g, "gumbel_r").pvalue > 1e-3
    logits = np.log(np.array([0.2, 0.5, 0.3], np.float32))
    draws = np.asarray(random.categorical(key, logits, shape=(20000,)))
    np.testing.assert_allclose(np.bincount(draws, minlength=3) / 20000, [0.2, 0.5, 0.3], atol=0.015)
    ints = np.asarray(random.randint(key, (30000,), -3, 4))
    assert ints.min() == -3 and ints.max() == 3
    np.testing.assert_allclose(np.bincount(ints + 3) / 30000, np.full(7, 1 / 7), atol=0.01)
    assert (np.asarray(random.randint(key, (10,), 5, 5)) == 5).all()  # an empty range gives minval


def test_same_numbers_eagerly_under_jit_and_under_vmap():
    key = random.PRNGKey(3)
    eager = np.asarray(random.normal(key, (4,)))
    np.testing.assert_array_equal(np.asarray(cotan.jit(lambda k: random.normal(k, (4,)))(key)), eager)
    keys = random.split(key, 5)
    batched = np.asarray(cotan.jit(cotan.vmap(lambda k: random.normal(k, (4,))))(keys))
    for i in range(5):
        np.testing.assert_array_equal(batched[i], np.asarray(random.normal(np.asarray(keys)[i], (4,))))
    # The samplers built on others (sorting, Cholesky, erf) agree too.
    cov = np.array([[1.0, 0.3], [0.3, 2.0]], np.float32)
    samplers = [lambda k: random.truncated_normal(k, -0.5, 1.5, (6,)),
                lambda k: random.multivariate_normal(k, np.zeros(2, np.float32), cov, (3,)),
                lambda k: random.permutation(k, 9),
                lambda k: random.choice(k, 7, (4,), replace=False),
                lambda k: random.choice(k, 3, (5,), p=np.array([0.2, 0.3, 0.5], np.float32))]
    for sampler in samplers:
        eager = np.asarray(sampler(key))
        np.testing.assert_array_equal(np.asarray(cotan.jit(sampler)(key)), eager)
        batched = np.asarray(cotan.vmap(sampler)(keys))
        np.testing.assert_array_equal(batched[2], np.asarray(sampler(np.asarray(keys)[2])))
    # A traced step count folded in under jit.
    step = cotan.jit(lambda k, s: random.uniform(random.fold_in(k, s), (2,)))
    np.testing.assert_array_equal(np.asarray(step(key, np.int32(7))),
                                  np.asarray(random.uniform(random.fold_in(key, 7), (2,))))
    assert step.trace_count == 1 and step(key, np.int32(8)).shape == (2,) and step.trace_count == 1


def test_split_keys_are_independent_and_shapes_work():
    key = random.PRNGKey(0)
    a, b = np.asarray(random.split(key))
    assert not np.array_equal(np.asarray(random.bits(a, (4,))), np.asarray(random.bits(b, (4,))))
    assert random.uniform(key, ()).shape == ()
    assert random.normal(key, (0, 3)).shape == (0, 3)
    assert random.split(key, 0).shape == (0, 2)
    assert random.uniform(key, (2,), dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_uniform_and_normal_statistics(dtype):
    key = random.PRNGKey(123)
    u = np.asarray(random.uniform(key, (20000,), dtype=dtype, minval=-1.0, maxval=3.0))
    assert u.dtype == dtype and u.min() >= -1.0 and u.max() < 3.0
    assert stats.kstest(u, stats.uniform(loc=-1, scale=4).cdf).pvalue > 1e-3
    n = np.asarray(random.normal(random.fold_in(key, 1), (20000,), dtype=dtype))
    assert n.dtype == dtype and np.isfinite(n).all()
    assert stats.kstest(n, "norm").pvalue > 1e-3
    assert abs(n.mean()) < 0.03 and abs(n.std() - 1) < 0.03


def test_bernoulli_frequencies():
    p = np.array([0.1, 0.5, 0.9], np.float32)
    draws = np.asarray(random.bernoulli(random.PRNGKey(9), p, (5000, 3)))
    np.testing.assert_allclose(draws.mean(axis=0), p, atol=0.03)
    assert np.asarray(random.bernoulli(random.PRNGKey(9), 0.0, (100,))).sum() == 0
    assert np.asarray(random.bernoulli(random.PRNGKey(9), 1.0, (100,))).all()


def test_bad_random_arguments():
    key = random.PRNGKey(0)
    with pytest.raises(TypeError, match=HERE + ".*PRNG key: an int32 array of shape \\(2,\\).*float32 of shape \\(3,\\)"):
        random.normal(np.zeros(3, np.float32), (2,))
    with pytest.raises(ValueError, match=HERE + ".*shape must be non-negative integers"):
        random.uniform(key, (2, -1))
    with pytest.raises(ValueError, match=HERE + ".*shape must be non-negative integers"):
        random.normal(key, (2.5,))
    with pytest.raises(ValueError, match=HERE + ".*probabilities must lie in \\[0, 1\\]"):
        random.bernoulli(key, 1.5)
    with pytest.raises(TypeError, match=HERE + ".*draws float32 or float64"):
        random.uniform(key, (2,), dtype=np.int32)
    with pytest.raises(TypeError, match=HERE + ".*integer seed"):
        random.PRNGKey(1.5)
    with pytest.raises(ValueError, match=HERE + ".*num must be a non-negative integer"):
        random.split(key, -1)
    with pytest.raises(TypeError, match=HERE + ".*fold_in takes an integer"):
        random.fold_in(key, np.float32(1.5))
    with pytest.raises(ValueError, match=HERE + ".*must end with the logits' batch shape"):
        random.categorical(key, np.zeros((2, 3), np.float32), shape=(4, 3))
    with pytest.raises(TypeError, match=HERE + ".*randint draws int32"):
        random.randint(key, (2,), 0, 5, dtype=np.float32)


@pytest.mark.parametrize("a", [0.3, 1.0, 2.5, 10.0])
def test_gamma_against_scipy(a):
    g = np.asarray(random.gamma(random.PRNGKey(0), a, (20000,)))
    assert g.dtype == np.float32 and (g > 0).all()
    assert stats.kstest(g, stats.gamma(a).cdf).pvalue > 1e-3


def test_beta_and_dirichlet():
    key = random.PRNGKey(4)
    b = np.asarray(random.beta(key, 2.0, 5.0, (20000,), dtype=np.float64))
    assert b.dtype == np.float64 and stats.kstest(b, stats.beta(2, 5).cdf).pvalue > 1e-3
    d = np.asarray(random.dirichlet(key, np.array([1.0, 2.0, 3.0]), (20000,)))
    assert d.shape == (20000, 3)
    np.testing.assert_allclose(d.sum(-1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(d.mean(0), [1 / 6, 2 / 6, 3 / 6], atol=0.01)
    # Per-element shape parameters, under jit and vmap over keys.
    draws = cotan.jit(cotan.vmap(lambda k: random.gamma(k, np.array([0.5, 4.0]))))(random.split(key, 3000))
    np.testing.assert_allclose(np.asarray(draws).mean(0), [0.5, 4.0], rtol=0.08)
    with pytest.raises(ValueError, match=HERE + ".*shape parameter a must be positive"):
        random.gamma(key, -1.0)


def test_eager_draws_reuse_compiled_code():
    from cotan.jit import _closures
    key = random.PRNGKey(0)
    random.normal(key, (3,))
    count = len(_closures)
    for seed in range(5):
        random.normal(random.PRNGKey(seed), (3,))
    assert len(_closures) == count
