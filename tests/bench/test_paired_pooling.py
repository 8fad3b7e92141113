"""Pooling independent estimates by their figures alone (``bench.paired.pooled_by_count``)."""

import random

import pytest

from bugprm.bench.paired import pooled_by_count


def test_one_estimate_comes_back_with_its_own_symmetric_interval():
    assert pooled_by_count([(0.1, 0.05, 0.15, 40)]) == {"mean": 0.1, "low": 0.05, "high": 0.15, "count": 40}


def test_the_mean_weighs_each_estimate_by_its_count_and_the_interval_narrows():
    pooled = pooled_by_count([(0.2, 0.1, 0.3, 30), (0.0, -0.1, 0.1, 10)])
    assert pooled["mean"] == 0.15 and pooled["count"] == 40
    half = (pooled["high"] - pooled["low"]) / 2
    assert half == pytest.approx(0.1 * (0.75 ** 2 + 0.25 ** 2) ** 0.5, abs=1e-4)


def test_it_agrees_with_a_bootstrap_resampling_each_group_on_its_own():
    rng = random.Random(7)
    groups = [[rng.random() < 0.3 for _ in range(120)], [rng.random() < 0.6 for _ in range(80)]]
    pooled = pooled_by_count([(*_bootstrap([g], rng), len(g)) for g in groups])
    mean, low, high = _bootstrap(groups, rng)
    assert pooled["mean"] == pytest.approx(mean, abs=1e-4)
    assert pooled["low"] == pytest.approx(low, abs=0.015) and pooled["high"] == pytest.approx(high, abs=0.015)


def test_an_inverted_interval_or_an_empty_count_is_refused():
    with pytest.raises(ValueError):
        pooled_by_count([(0.1, 0.2, 0.0, 10)])
    with pytest.raises(ValueError):
        pooled_by_count([(0.1, 0.0, 0.2, 0)])


def _bootstrap(groups, rng, resamples=4000):
    means = sorted(sum(x for g in groups for x in rng.choices(g, k=len(g))) / sum(map(len, groups))
                   for _ in range(resamples))
    return (sum(x for g in groups for x in g) / sum(map(len, groups)),
            means[int(0.025 * resamples)], means[int(0.975 * resamples) - 1])
