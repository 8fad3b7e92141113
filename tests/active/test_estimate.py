"""`--goal estimate`'s estimator on synthetic pools: unbiased whatever the model, intervals that hold their
coverage, and cheaper than a plain random sample when the model knows something."""

import numpy as np
import pytest

from bugprm.active.estimate import (draw_round, draws_from_log, draw_rows, estimate, inclusion_probabilities,
                                    kill_rate_bounds, seed_draws)

POOL = 300
REPEATS = 800


def population(seed=0):
    """A pool of mostly near-certain kills and a less certain rest, as mutants are, and verdicts drawn from it."""
    rng = np.random.default_rng(seed)
    chance = np.where(rng.random(POOL) < 0.7, rng.beta(30, 1, size=POOL), rng.beta(2, 2, size=POOL))
    verdicts = (rng.random(POOL) < chance).astype(int)
    return [f"c{i}" for i in range(POOL)], chance, verdicts


def one_run(ids, verdicts, predicted, rng, known_share=0.0, draws=40):
    """One design: a share of the pool already executed, then ``draws`` from the model's probabilities."""
    truth = dict(zip(ids, verdicts.tolist()))
    known = {i: truth[i] for i in ids[: int(known_share * POOL)]}
    drawn = draw_round(ids, predicted, known, draws, rng, floor=0.2, round_index=1)
    return estimate(drawn, truth, POOL)


@pytest.mark.parametrize("model", ["informed", "wrong", "constant"])
def test_the_estimate_is_unbiased_and_its_interval_covers(model):
    ids, chance, verdicts = population()
    predicted = {"informed": chance, "wrong": 1 - chance, "constant": np.full(POOL, 0.9)}[model]
    rng = np.random.default_rng(1)
    runs = [one_run(ids, verdicts, predicted, rng, known_share=0.1) for _ in range(REPEATS)]
    values = np.array([r.value for r in runs])
    truth = verdicts.mean()

    assert abs(values.mean() - truth) < 4 * values.std() / np.sqrt(REPEATS)  # no bias beyond sampling noise
    coverage = np.mean([r.low <= truth <= r.high for r in runs])
    assert 0.92 <= coverage <= 0.975, coverage


def test_an_informed_model_beats_the_plain_random_sample_mean():
    ids, chance, verdicts = population(2)
    rng = np.random.default_rng(3)
    informed = [one_run(ids, verdicts, chance, rng).value for _ in range(REPEATS)]
    plain = [estimate(seed_draws(ids, 40, rng), dict(zip(ids, verdicts.tolist())), POOL).value
             for _ in range(REPEATS)]
    truth = verdicts.mean()
    assert np.mean(np.abs(np.array(informed) - truth)) < 0.8 * np.mean(np.abs(np.array(plain) - truth))


def test_seed_draws_are_plain_verdicts():
    ids, _, verdicts = population()
    truth = dict(zip(ids, verdicts.tolist()))
    drawn = seed_draws(ids, 50, np.random.default_rng(0))
    assert estimate(drawn, truth, POOL).value == pytest.approx(np.mean([truth[d.id] for d in drawn]))


def test_executed_candidates_are_never_drawn_and_the_floor_reaches_everyone_else():
    predicted = np.array([0.5, 1.0, 0.0, 0.9])
    chances = inclusion_probabilities(predicted, np.array([True, False, False, False]), floor=0.2)
    assert chances[0] == 0 and chances.sum() == pytest.approx(1.0)
    assert chances[1] == pytest.approx(0.2 / 3) and chances[3] > chances[1]


def test_the_round_log_round_trips_the_draws():
    ids, chance, verdicts = population()
    drawn = draw_round(ids, chance, {}, 30, np.random.default_rng(0), 0.2, 3)
    truth = dict(zip(ids, verdicts.tolist()))
    again = draws_from_log([{"round": 3, "draws": draw_rows(drawn)}])
    assert estimate(again, truth, POOL).value == pytest.approx(estimate(drawn, truth, POOL).value, abs=1e-4)


def test_a_stratum_coverage_decided_is_counted_exactly_and_never_drawn():
    ids, _, verdicts = population()
    truth = dict(zip(ids, verdicts.tolist()))
    uncovered = {i: 0 for i in ids[:100]}
    drawn = seed_draws(ids, 50, np.random.default_rng(0), uncovered)
    assert not {d.id for d in drawn} & set(uncovered)
    share = (POOL - len(uncovered)) / POOL
    assert estimate(drawn, {**truth, **uncovered}, POOL).value == pytest.approx(
        share * np.mean([truth[d.id] for d in drawn]))

def test_the_interval_counts_two_more_terms_and_the_executed_are_distinct_ids():
    drawn = draws_from_log([{"round": 2, "draws": [["a", 0.5, 0.5, 0.5], ["a", 0.5, 0.5, 0.5],
                                                    ["b", 0.5, 0.5, 0.5], ["lost", 0.5, 0.5, 0.5]]}])
    found = estimate(drawn, {"a": 1, "b": 1}, 2, confidence=0.95)
    error = np.sqrt(1 / 12)  # terms 1, 1, 1 and the plus-two 0 and 1: squared deviations 1 over 4, over 3 terms
    assert (found.value, found.draws, found.executed, found.high) == (1.0, 3, 3, 1.0)
    assert found.std_error == pytest.approx(error) and found.low == pytest.approx(1 - 1.959964 * error)
    assert {d.round for d in drawn} == {2} and found.as_dict()["std_error"] == round(error, 4)
    assert estimate(drawn, {}, 2) is None


def test_a_terms_residual_is_scaled_by_the_pool_and_the_draws_chance():
    drawn = draws_from_log([{"draws": [["a", 0.25, 0.75, 0.6]]}])
    assert drawn[0].round == 0 and drawn[0].term(0, 8) == pytest.approx(0.6 - 0.75 / 2)
    assert estimate(drawn, {"a": 0}, 8).value == pytest.approx(0.225)


def test_a_sure_model_or_nothing_open_or_no_count_changes_the_draws():
    sure = inclusion_probabilities(np.array([0.0, 1.0, 1.0]), np.array([False, False, True]), floor=0.1)
    assert sure.tolist() == [0.5, 0.5, 0.0]
    assert inclusion_probabilities(np.array([0.5]), np.array([True]), floor=0.1).tolist() == [0.0]
    rng = np.random.default_rng(0)
    assert draw_round(["a"], np.array([0.5]), {"a": 1}, 3, rng, 0.2, 1) == []
    assert draw_round(["a", "b"], np.array([0.5, 0.5]), {}, 0, rng, 0.2, 1) == []


def test_each_draw_carries_its_chance_and_the_pool_mean_with_verdicts_for_the_executed():
    drawn = draw_round(["a", "b", "c"], np.array([0.2, 0.5, 0.9]), {"a": 1}, 5, np.random.default_rng(0), 0.3, 4)
    chances = inclusion_probabilities(np.array([0.2, 0.5, 0.9]), np.array([True, False, False]), 0.3)
    assert {d.id for d in drawn} <= {"b", "c"} and all(d.round == 4 for d in drawn)
    assert all(d.probability == pytest.approx(chances["abc".index(d.id)]) for d in drawn)
    assert all(d.pool_mean == pytest.approx((1 + 0.5 + 0.9) / 3) for d in drawn)
    assert all(d.predicted == {"b": 0.5, "c": 0.9}[d.id] for d in drawn)


def test_with_a_stratum_known_the_pseudo_terms_sit_at_the_ends_of_the_kill_rates_range():
    ids, chance, verdicts = population(4)
    truth = dict(zip(ids, verdicts.tolist()))
    uncovered = {i: 0 for i in ids[:180]}  # most of the pool decided by coverage, as on six (61%)
    rng = np.random.default_rng(5)
    runs = [seed_draws(ids, 30, rng, uncovered) for _ in range(REPEATS)]
    found = [estimate(drawn, {**truth, **uncovered}, POOL) for drawn in runs]
    kill_rate = np.mean([{**truth, **uncovered}[i] for i in ids])

    assert kill_rate_bounds(runs[0], POOL) == pytest.approx((0.0, 120 / POOL))
    coverage = np.mean([f.low <= kill_rate <= f.high for f in found])
    wide = np.mean([e.low <= kill_rate <= e.high for e in
                    (estimate(drawn, {**truth, **uncovered}, POOL, bounds=(0.0, 1.0)) for drawn in runs)])
    assert 0.92 <= coverage <= 0.975 < wide, (coverage, wide)
