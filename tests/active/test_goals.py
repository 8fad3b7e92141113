"""The three goals a training run answers, read back from a round log and verdicts (`bugprm.active.goals`): what
the card and `bugprm report` print, line for line."""

import numpy as np
import pytest

from bugprm.active.estimate import draw_rows, draws_from_log, estimate, seed_draws
from bugprm.active.goals import LISTED_GAPS, describe_goals, goal_summary


def round_row(selected, **metrics):
    return {"selected": list(selected), "metrics": metrics}


def test_gaps_count_each_executed_candidate_once_and_list_survivors_in_order():
    rounds = [round_row(["a", "b", "lost"]), round_row(["c", "a", "d"])]  # "lost": no verdict (an infra error)
    gaps = goal_summary(rounds, {"a": 0, "b": 1, "c": 0, "d": 1})["gaps"]
    assert gaps == {"executed": 4, "survivors": 2, "first": ["a", "c"], "uncovered": 0, "not_killed_no_gap": 0}


def test_only_the_first_survivors_are_listed_but_all_are_counted():
    ids = [f"s{i:02d}" for i in range(LISTED_GAPS + 3)]
    gaps = goal_summary([round_row(ids)], dict.fromkeys(ids, 0))["gaps"]
    assert gaps["survivors"] == LISTED_GAPS + 3 and gaps["first"] == ids[:LISTED_GAPS]


def test_nothing_logged_answers_no_goal():
    assert goal_summary([], {}) == {"estimate": None, "gaps": {"executed": 0, "survivors": 0, "first": [], "uncovered": 0,
                                                               "not_killed_no_gap": 0}, "rank": None}


def test_the_design_estimate_is_recomputed_from_the_draws_of_every_round_and_the_last_pool():
    ids = [f"c{i}" for i in range(20)]
    rng = np.random.default_rng(0)
    first, second = seed_draws(ids, 6, rng), seed_draws(ids, 5, rng)
    verdicts = {i: int(i[-1] in "02468") for i in ids}
    rounds = [round_row([], round=0, draws=draw_rows(first), pool=10),
              round_row([], round=1, draws=draw_rows(second), pool=20, model_estimate=0.1)]
    found = goal_summary(rounds, verdicts)["estimate"]
    expected = estimate(draws_from_log([r["metrics"] for r in rounds]), verdicts, 20)
    assert found == {"kind": "design", **expected.as_dict()} and found["draws"] == 11


def test_draws_without_any_verdict_give_no_estimate():
    drawn = draw_rows(seed_draws(["a", "b"], 2, np.random.default_rng(0)))
    assert goal_summary([round_row([], draws=drawn, pool=2)], {})["estimate"] is None


def test_without_draws_and_pool_the_last_model_estimate_is_reported():
    drawn = draw_rows(seed_draws(["a", "b"], 2, np.random.default_rng(0)))
    rounds = [round_row([], model_estimate=0.4, draws=drawn), round_row([]), round_row([], model_estimate=0.7)]
    assert goal_summary(rounds, {"a": 1, "b": 0})["estimate"] == {"kind": "model", "value": 0.7}


def test_rank_is_the_last_fit_that_measured_itself():
    rounds = [round_row([], auroc_oob=0.6, calibration_error_oob=0.2, trained_on=10),
              round_row([], calibration_error_oob=0.1, trained_on=30), round_row([], trained_on=40)]
    assert goal_summary(rounds, {})["rank"] == {"auroc_oob": None, "calibration_error_oob": 0.1, "trained_on": 30}
    assert goal_summary(rounds[:1], {})["rank"] == {"auroc_oob": 0.6, "calibration_error_oob": 0.2,
                                                    "trained_on": 10}


@pytest.mark.parametrize("goals", [None, {}])
def test_no_goals_describe_nothing(goals):
    assert describe_goals(goals) == []


def test_a_design_estimate_is_described_with_its_interval():
    goals = {"estimate": {"kind": "design", "value": 0.8123, "confidence": 0.95, "low": 0.7, "high": 0.9051,
                          "draws": 40, "executed": 38},
             "gaps": {"executed": 38, "survivors": 2, "first": ["x", "y"]},
             "rank": {"auroc_oob": 0.81234, "calibration_error_oob": None, "trained_on": 38}}
    assert describe_goals(goals) == [
        "mutation score: 81.2% (95% interval 70.0%-90.5%; 40 draws, 38 executed)",
        "test gaps: 2 survivors among 38 executed (first: x, y)",
        "rank: out-of-bag AUROC 0.812, calibration error (ACE) - on 38 labels"]


def test_a_model_estimate_and_no_fit_are_described_as_such():
    goals = {"estimate": {"kind": "model", "value": 0.5}, "gaps": {"executed": 3, "survivors": 0, "first": []},
             "rank": None}
    assert describe_goals(goals) == [
        "mutation score: 50.0% (model-based, no interval: train with --goal estimate)",
        "test gaps: 0 survivors among 3 executed", "rank: no model fitted"]


def test_no_estimate_is_described_as_not_estimated():
    goals = {"gaps": {"executed": 0, "survivors": 0, "first": []}}
    assert describe_goals(goals)[0] == "mutation score: not estimated"


def test_gaps_count_the_candidates_no_test_covers_apart_from_those_executed():
    rounds = [{"round": 0, "selected": ["a", "b"], "metrics": {"known_by_coverage": ["u1", "u2"]}},
              {"round": 1, "selected": ["c"], "metrics": {}}]
    goals = goal_summary(rounds, {"a": 1, "b": 0, "c": 0, "u1": 0, "u2": 0})

    assert goals["gaps"] == {"executed": 3, "survivors": 2, "first": ["b", "c"], "uncovered": 2, "not_killed_no_gap": 0}
    assert "and 2 candidates no test covers" in describe_goals(goals)[1]


def test_gaps_are_the_survived_and_the_other_candidates_not_killed_are_counted_apart():
    rounds = [round_row(["a", "b", "c", "d"])]  # b survived; c incompetent, d timed out: not killed, no gap
    goals = goal_summary(rounds, {"a": 1, "b": 0, "c": 0, "d": 0}, gaps={"b"})

    assert goals["gaps"] == {"executed": 4, "survivors": 1, "first": ["b"], "uncovered": 0, "not_killed_no_gap": 2}
    assert describe_goals(goals)[1] == ("test gaps: 1 survivors among 4 executed (first: b); 2 more not killed but "
                                        "no gap (incompetent or timed out)")
