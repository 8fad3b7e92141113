import math
from dataclasses import replace
from types import SimpleNamespace

import pytest

from bugprm.errors import GateFailed, InputError, ModelError
from bugprm.records import BUG_STEPS, Candidate, Edit, Execution, Kind, Outcome, Step, TrajectoryScore
from bugprm.scoring.records import (
    Located, Recommendation, Region, ScoreSettings, ScoringInput, aggregate, check_gate, most_uncertain,
    prediction_agrees, predictions_record, recommend, score_input, verify,
)
from bugprm.scoring.adapter import ModelScorer, idle_cores, load_scorer
from bugprm.scoring.run import serving_pool
from bugprm.calibration import Calibration
from bugprm.stratified_calibration import PoolTerm, StratifiedCalibration

REGION = Region(1, 1, 1, 2)


def candidate(ident: str, texts=None, edits=True) -> Candidate:
    texts = texts or [f"{name} of {ident}\nmore" for name in BUG_STEPS]
    steps = tuple(Step(name, text) for name, text in zip(BUG_STEPS, texts))
    edit = (Edit("a.py", 0, 1, "x", "y"),) if edits else ()
    return Candidate(ident, Kind.BUG, "r", "a.py", "f", 1, "op", "fam", "diff", steps, edit)


class TableScorer:
    """Rewards looked up by candidate id."""

    def __init__(self, table):
        self.table = table

    def score(self, candidates):
        return [TrajectoryScore(c.id, *self.table[c.id]) for c in candidates]


def report_for(table, settings=ScoreSettings(), edits=True):
    items = tuple(Located(candidate(i, edits=edits), REGION) for i in table)
    return score_input(ScoringInput("test", items), TableScorer(table), settings, "model")


FLAT = (0.1, 0.1, 0.1, 0.1, 0.1)


@pytest.mark.parametrize("how, expected", [("min", 0.2), ("product", 0.2 * 0.5 * 0.9), ("mean", 1.6 / 3),
                                           ("last", 0.9)])
def test_aggregates(how, expected):
    assert aggregate([0.2, 0.5, 0.9], how) == pytest.approx(expected)


def test_aggregate_of_nothing_is_nan_and_unknown_names_are_input_errors():
    assert math.isnan(aggregate([], "min"))
    with pytest.raises(InputError, match="unknown aggregate"):
        aggregate([0.5], "median")


def test_recommendation_uses_the_threshold_inclusively():
    assert recommend(0.7, 0.7) is Recommendation.USE
    assert recommend(0.6999, 0.7) is Recommendation.REFINE


def test_scores_rank_by_score_then_id_and_name_the_weakest_step():
    report = report_for({
        "b": ((0.9, 0.8, 0.95, 0.9, 0.9), FLAT),
        "a": ((0.9, 0.8, 0.95, 0.9, 0.9), FLAT),
        "c": ((0.9, 0.9, 0.3, 0.9, 0.4), FLAT),
    })
    assert [c.id for c in report.candidates] == ["a", "b", "c"]
    weakest = report.candidates[2].weakest
    assert (weakest.name, weakest.reward, weakest.says) == ("select", 0.3, "select of c")
    assert [str(c.recommendation) for c in report.candidates] == ["use", "use", "refine"]
    assert report.test_gaps == (report.candidates[2],)


def test_rounded_score_decides_the_recommendation():
    report = report_for({"a": ((0.699996,) * 5, FLAT)})
    assert report.candidates[0].score == 0.7
    assert report.candidates[0].recommendation is Recommendation.USE


def test_a_product_aggregate_changes_the_verdict():
    table = {"a": ((0.9,) * 5, FLAT)}
    assert report_for(table).candidates[0].recommendation is Recommendation.USE
    product = report_for(table, ScoreSettings("product", 0.7)).candidates[0]
    assert product.score == pytest.approx(0.5905) and product.recommendation is Recommendation.REFINE


def test_a_model_that_gives_the_wrong_number_of_steps_is_a_model_error():
    with pytest.raises(ModelError, match="another bugprm version"):
        report_for({"a": ((0.9, 0.9), (0.1, 0.1))})


def test_most_uncertain_prefers_spread_then_closeness_to_a_half():
    report = report_for({
        "wide": ((0.9,) * 5, (0.3,) * 5),
        "half": ((0.5,) * 5, (0.1,) * 5),
        "sure": ((0.99,) * 5, (0.1,) * 5),
    })
    assert [c.id for c in most_uncertain(report.candidates, 2)] == ["wide", "half"]


def test_verify_executes_the_most_uncertain_and_compares():
    report = report_for({"a": ((0.9,) * 5, (0.3,) * 5), "b": ((0.2,) * 5, (0.2,) * 5), "c": ((0.9,) * 5, FLAT)})
    asked = []

    def execute(candidates):
        asked.extend(c.id for c in candidates)
        return {"a": Execution("a", Outcome.SURVIVED), "b": Execution("b", Outcome.SURVIVED)}

    verified = verify(report, execute, 2)
    assert asked == ["a", "b"]
    assert [(v.candidate_id, v.predicted, v.outcome, v.agrees) for v in verified.verified] == [
        ("a", "use", Outcome.SURVIVED, False), ("b", "refine", Outcome.SURVIVED, True)]
    assert verified.agreement == (1, 2)
    assert {c.id: c.outcome for c in verified.candidates}["a"] is Outcome.SURVIVED


def test_verify_skips_candidates_without_edits():
    report = report_for({"a": ((0.5,) * 5, (0.3,) * 5)}, edits=False)
    assert verify(report, lambda cs: pytest.fail("nothing to run"), 3).verified == ()


def test_agreement_ignores_outcomes_that_say_nothing():
    assert prediction_agrees("use", Outcome.KILLED) is True
    assert prediction_agrees("use", Outcome.INCOMPETENT) is False
    assert prediction_agrees("refine", Outcome.INFRA_ERROR) is None


def test_gate_fails_below_and_passes_at_the_bar():
    report = report_for({"a": ((0.8,) * 5, FLAT), "b": ((0.4,) * 5, FLAT)})
    check_gate(report, None)
    check_gate(report, 0.4)
    with pytest.raises(GateFailed, match="1 of 2 candidates score below 0.5: b") as failed:
        check_gate(report, 0.5)
    assert failed.value.exit_code == 1


def test_predictions_record_holds_every_candidate():
    record = predictions_record(report_for({"a": ((0.8,) * 5, FLAT)}))
    assert record["predictions"] == {"a": {"score": 0.8, "recommendation": "use"}}
    assert record["threshold"] == 0.7


def test_load_scorer_without_a_model_directory_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="no model at") as failed:
        load_scorer(tmp_path / "missing")
    assert failed.value.exit_code == 2


class ThreadsSeen:
    def score(self, candidates, threads=None):
        self.threads = threads
        return [TrajectoryScore(c, (0.9, 0.2), (0.1, 0.3)) for c in candidates]


def test_the_model_scorer_gives_each_steps_mean_and_std_on_the_threads_asked_for():
    model = ThreadsSeen()
    assert ModelScorer(model, threads=3).score(["a"]) == [TrajectoryScore("a", (0.9, 0.2), (0.1, 0.3))]
    assert model.threads == 3


@pytest.mark.parametrize("load, threads", [(0.1, 2), (1.2, 1), (5.0, 1)])
def test_by_default_the_model_scorer_uses_the_idle_cores(monkeypatch, load, threads):
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr("os.getloadavg", lambda: (load, 0.0, 0.0))
    model = ThreadsSeen()
    ModelScorer(model).score(["a"])
    assert model.threads == idle_cores() == threads


def test_aggregates_match_the_metrics_module():
    metrics = pytest.importorskip("bugprm.metrics")
    for how in ("min", "product", "mean", "last"):
        assert aggregate([0.3, 0.9, 0.6], how) == pytest.approx(metrics.aggregate([0.3, 0.9, 0.6], how))


def test_executed_candidates_report_their_verdict_and_gaps_come_best_first():
    table = {"killed": ((0.1,) * 5, FLAT), "survived": ((0.95,) * 5, FLAT), "likely": ((0.2,) * 5, FLAT),
             "maybe": ((0.6,) * 5, FLAT), "error": ((0.3,) * 5, FLAT)}
    outcomes = {"killed": Outcome.KILLED, "survived": Outcome.SURVIVED, "error": Outcome.INFRA_ERROR}
    items = tuple(Located(candidate(i), REGION, outcomes.get(i)) for i in table)
    report = score_input(ScoringInput("test", items), TableScorer(table), ScoreSettings(), "model")
    by_id = {c.id: c for c in report.candidates}
    assert (by_id["killed"].score, by_id["killed"].executed) == (1.0, True)  # predicted 0.1, but it was killed
    assert (by_id["survived"].score, by_id["survived"].executed) == (0.0, True)
    assert not by_id["error"].executed and by_id["error"].score == 0.3  # an infra error tells nothing
    assert [c.id for c in report.test_gaps] == ["survived", "likely", "error", "maybe"]


def _base_calibration() -> StratifiedCalibration:
    identity = Calibration()
    return StratifiedCalibration((("uncovered", identity), ("covered", identity), ("other", identity)),
                                 pool=PoolTerm(0.0, 2.0, 0.5))


def test_the_model_scorer_binds_a_base_calibration_to_its_pool_s_covered_share():
    pool = [replace(candidate(str(i)), features={"line_covered": int(i < 3)}) for i in range(4)]
    patch = replace(candidate("p"), kind=Kind.REPAIR, features={"line_covered": 0})
    model = SimpleNamespace(calibration=_base_calibration())
    ModelScorer(model).for_pool(pool + [patch])
    assert model.calibration.covered_share == pytest.approx(0.75)  # bugs only: a patch is no part of the pool
    local = SimpleNamespace(calibration=Calibration("platt", 2.0, 0.0))  # `bugprm train`'s map: nothing to bind
    ModelScorer(local).for_pool(pool)
    assert local.calibration == Calibration("platt", 2.0, 0.0)


class PoolStore:
    def __init__(self, bugs):
        self.bugs = bugs

    def candidates(self, kind=None):
        return self.bugs if kind is Kind.BUG else []


def test_score_serves_the_store_s_whole_pool_and_falls_back_to_the_candidates_scored():
    covered = [replace(candidate(f"c{i}"), features={"line_covered": 1}) for i in range(3)]
    scored = ScoringInput("diff", (Located(replace(candidate("d"), features={"line_covered": 0}), REGION),))
    model = SimpleNamespace(calibration=_base_calibration())
    serving_pool(ModelScorer(model), PoolStore(covered), scored)
    assert model.calibration.covered_share == 1.0  # the repository's pool, not the one uncovered candidate scored
    serving_pool(ModelScorer(model), PoolStore([]), scored)
    assert model.calibration.covered_share == 0.0
    coverage_only = TableScorer({})
    assert serving_pool(coverage_only, None, scored) is coverage_only
