"""The simulation's parts on hand-made pools: the cached oracle, splits, the score error, metrics, summaries."""

import math
from dataclasses import replace
from pathlib import Path

import pytest

from bugprm.config import ActiveLearningConfig, Budget, load_config
from bugprm.bench.evaluation import RunResult, evaluate, score_error
from bugprm.bench.oracle import CachedOracle
from bugprm.bench.pools import JudgedPool
from bugprm.bench.request import BenchRequest
from bugprm.bench.runners import random_share, run_covered_killed, spending_settings
from bugprm.bench.splits import check_distinct, cross_split, within_split
from bugprm.bench.summary import summarise
from bugprm.errors import InputError
from bugprm.records import BUG_STEPS, Candidate, Execution, Kind, Outcome, Step

KILLED, SURVIVED = Outcome.KILLED, Outcome.SURVIVED


def candidate(ident: str, covering: int = 1) -> Candidate:
    steps = tuple(Step(name, f"{name} of {ident}") for name in BUG_STEPS)
    return Candidate(ident, Kind.BUG, "r", "f.py", "f", 1, "op", "fam", "", steps,
                     features={"covering_tests": covering})


def pool(name: str, outcomes: dict[str, Outcome], uncovered: tuple[str, ...] = ()) -> JudgedPool:
    candidates = tuple(candidate(i, 0 if i in uncovered else 1) for i in outcomes)
    verdicts = {i: Execution(i, o, cpu_seconds=float(n + 1)) for n, (i, o) in enumerate(outcomes.items())}
    return JudgedPool(name, Path(name), candidates, verdicts)


def test_the_cached_oracle_answers_from_the_cache_and_counts_cpu_seconds():
    judged = pool("p", {"a": KILLED, "b": SURVIVED, "c": KILLED})
    oracle = CachedOracle(judged.verdicts)
    answer = oracle([judged.candidates[0], judged.candidates[2]])
    assert answer == {"a": judged.verdicts["a"], "c": judged.verdicts["c"]}
    assert oracle.asked == ["a", "c"] and oracle.cpu_seconds == 1.0 + 3.0


def test_the_cached_oracle_never_invents_a_verdict():
    with pytest.raises(KeyError):
        CachedOracle({})([candidate("unknown")])


def test_score_error_counts_executed_verdicts_and_predicts_the_rest():
    truth = {i: Execution(i, o) for i, o in {"a": KILLED, "b": KILLED, "c": SURVIVED, "d": SURVIVED}.items()}
    # true score 2/4; estimated: a executed (killed), b predicted survived, c and d predicted killed -> 3/4
    assert score_error(truth, {"a"}, {"b": 0.2, "c": 0.9, "d": 0.5}) == pytest.approx(0.25)
    assert score_error(truth, {"a", "b", "c", "d"}, {}) == 0.0


def test_evaluate_reports_every_metric_and_covered_only_auroc():
    judged = pool("p", {"a": KILLED, "b": SURVIVED, "c": KILLED, "d": SURVIVED}, uncovered=("d",))
    split = cross_split([judged, pool("q", {"x": KILLED})], judged, seed=0)
    metrics = evaluate(split, RunResult({"a": 0.9, "b": 0.1, "c": 0.2, "d": 0.8}, (), 0.0))
    assert metrics["auroc"] == pytest.approx(0.75)  # only c (0.2) below d (0.8) is out of order
    assert metrics["auroc_covered"] == pytest.approx(1.0)  # a, b, c: perfectly ranked
    assert math.isnan(metrics["processbench_f1"])  # no step scores
    assert metrics["executed"] == 0 and metrics["score_error"] == pytest.approx(0.0)


def test_covered_means_killed_executes_nothing():
    judged = pool("p", {"a": KILLED, "b": SURVIVED}, uncovered=("b",))
    run = run_covered_killed(within_split(judged, 0.5, seed=0))
    assert run.scores == {"a": 1.0, "b": 0.0} and run.executed == () and run.cpu_seconds == 0.0


def test_within_split_holds_out_a_seeded_share_of_the_pool():
    judged = pool("p", {f"c{i}": KILLED if i % 2 else SURVIVED for i in range(20)})
    split = within_split(judged, 0.3, seed=1)
    assert len(split.test) == 6 and not {c.id for c in split.train} & {c.id for c in split.test}
    assert within_split(judged, 0.3, seed=1).test == split.test


def test_cross_split_trains_on_the_other_repositories_only():
    left, right = pool("left", {"a": KILLED, "b": SURVIVED}), pool("right", {"c": KILLED})
    split = cross_split([left, right], right, seed=0)
    assert [c.id for c in split.train] == ["a", "b"] and [c.id for c in split.test] == ["c"]
    assert split.repo == "right" and set(split.verdicts) == {"a", "b", "c"}


def test_the_same_package_twice_cannot_be_split_across_projects():
    with pytest.raises(InputError, match="share candidate ids"):
        check_distinct([pool("one", {"a": KILLED}), pool("two", {"a": KILLED})])


def test_first_wrong_step_comes_from_labels_over_the_whole_pool():
    split = within_split(pool("p", {"a": KILLED, "b": SURVIVED}), 0.5, seed=0)
    assert split.first_wrong == {"a": -1, "b": 0}  # b shares no step text with a killed candidate


def test_random_share_takes_the_budget_of_the_pool():
    candidates = tuple(candidate(f"c{i}") for i in range(40))
    assert len(random_share(candidates, 0.2, seed=3)) == Budget(fraction=0.2).limit(40)
    assert random_share(candidates, 0.2, seed=3) == random_share(candidates, 0.2, seed=3)


def test_the_batch_grows_until_the_rounds_can_spend_the_budget():
    settings = ActiveLearningConfig(batch_size=10, rounds=5, seed_size=20)
    assert spending_settings(settings, 420, 1000).batch_size == 100
    assert spending_settings(settings, 30, 1000).batch_size == 10
    assert spending_settings(ActiveLearningConfig(mode="stream", batch_size=10), 420, 1000).batch_size == 10


def test_summary_gives_mean_and_spread_over_seeds():
    rows = [{"split": "within", "strategy": "random", "budget": 0.2, "seed": seed, "repo": repo, "auroc": value,
             "auroc_covered": None, "pr_auc": 0.5, "f1": 0.5, "processbench_f1": float("nan"), "score_error": 0.1,
             "executed": 4, "cpu_seconds": 1.0}
            for seed, repo, value in [(0, "x", 0.6), (0, "y", 0.8), (1, "x", 0.9), (1, "y", 0.9)]]
    [entry] = summarise(rows)
    assert entry["auroc"] == {"mean": 0.8, "std": 0.1}  # seeds: 0.7 and 0.9
    assert entry["auroc_covered"] is None and entry["processbench_f1"] is None and entry["seeds"] == 2


def test_budget_free_baselines_run_once_per_split():
    request = BenchRequest((Path("r"),), load_config("tiny"), budgets=(0.1, 0.5),
                           strategies=("random", "full", "pmt-rf", "covered-killed"))
    assert request.runs() == [("random", 0.1), ("random", 0.5), ("full", 1.0), ("pmt-rf", 0.1), ("pmt-rf", 0.5),
                              ("covered-killed", 0.0)]


@pytest.mark.parametrize("change, message", [
    ({"strategies": ("actprm", "oracle")}, "unknown strategy oracle"),
    ({"budgets": (0.0,)}, "budgets must be fractions"),
    ({"splits": ("diagonal",)}, "unknown split"),
    ({"repos": (Path("a/x"), Path("b/x"))}, "distinct folder names"),
])
def test_a_bad_request_is_an_input_error(change, message):
    with pytest.raises(InputError, match=message):
        BenchRequest(**{"repos": (Path("r"),), "config": load_config("tiny"), **change})


def test_same_line_baseline_gives_an_unexecuted_mutant_the_verdict_of_its_executed_line_mates():
    from bugprm.bench.runners import run_same_line

    outcomes = {f"k{i}": KILLED for i in range(10)} | {f"s{i}": SURVIVED for i in range(10)}
    judged = pool("p", outcomes)
    # every candidate sits on line 1 of f.py except the survivors, moved to line 2
    moved = tuple(replace(c, line=2) if c.id.startswith("s") else c for c in judged.candidates)
    judged = JudgedPool("p", Path("p"), moved, judged.verdicts)
    split = cross_split([judged, pool("q", {"x": KILLED})], judged, seed=0)
    split = replace(split, train=moved)
    result = run_same_line(split, 0.5)
    unexecuted = [c for c in moved if c.id not in result.executed]
    assert unexecuted and all(result.scores[c.id] == (1.0 if c.id.startswith("k") else 0.0) for c in unexecuted)


def test_paired_differences_give_the_mean_difference_and_its_interval():
    from bugprm.bench.paired import paired_differences

    values = {"actprm": [0.8 + seed / 100 for seed in range(5)],
              "random": [0.7 + seed / 100 + 0.01 * (seed % 2) for seed in range(5)]}
    rows = [{"split": "within", "repo": "p", "strategy": s, "budget": 0.2, "seed": seed, "auroc": v[seed]}
            for s, v in values.items() for seed in range(5)]
    [entry] = paired_differences(rows, references=("random",), metrics=("auroc",))
    assert entry["strategy"] == "actprm" and entry["seeds"] == 5
    assert entry["auroc"]["mean"] == pytest.approx(0.096)
    assert entry["auroc"]["low"] < 0.096 < entry["auroc"]["high"] and entry["auroc"]["low"] > 0.08


def test_probability_score_error_and_calibration_metrics():
    from bugprm.bench.evaluation import calibration_metrics, probability_score_error

    truth = {i: Execution(i, o) for i, o in {"a": KILLED, "b": KILLED, "c": SURVIVED, "d": SURVIVED}.items()}
    # true 2/4; estimate: a executed killed (1), b 0.5, c 0.5, d 0 -> 2/4
    assert probability_score_error(truth, {"a"}, {"b": 0.5, "c": 0.5, "d": 0.0}) == pytest.approx(0.0)
    metrics = calibration_metrics(truth, {"b": 0.9, "c": 0.1, "d": 0.3})
    assert metrics["low_decile_gap"] == pytest.approx(0.1)  # c: scored 0.1, survived
    assert metrics["low_decile_survivor_lift"] == pytest.approx(2.0)  # 100% survivors against the pool's 50%


def test_certain_scores_have_no_calibration_noise_and_middling_ones_some():
    from bugprm.bench.evaluation import calibration_error_floor

    assert calibration_error_floor([0.0] * 50 + [1.0] * 50) == 0
    assert 0.02 < calibration_error_floor([0.7] * 300) < 0.1


def test_coverage_random_counts_the_uncovered_exactly_and_samples_only_covered_ones():
    from bugprm.bench.runners import run_coverage_random

    outcomes = {f"c{i:02d}": Outcome.NO_COVERAGE if i < 20 else (KILLED if i % 3 else SURVIVED) for i in range(80)}
    judged = pool("p", outcomes, uncovered=tuple(f"c{i:02d}" for i in range(20)))
    split = within_split(judged, 0.3, seed=1)
    run = run_coverage_random(split, 0.2)
    uncovered = {c.id for c in split.train if not c.features["covering_tests"]}
    sampled = set(run.executed) - uncovered
    assert uncovered <= set(run.executed) and len(sampled) == Budget(fraction=0.2).limit(len(split.train))
    kill_rate = sum(outcomes[i] is KILLED for i in sampled) / len(sampled)
    covered_share = 1 - len(uncovered) / len(split.train)
    assert run.estimate["value"] == pytest.approx(covered_share * kill_rate)


def test_gaps_found_count_survivors_and_uncovered_but_not_incompetent_or_timed_out_candidates():
    from bugprm.bench.evaluation import gaps_found

    outcomes = {"a": SURVIVED, "b": Outcome.NO_COVERAGE, "c": Outcome.INCOMPETENT, "d": Outcome.TIMEOUT, "e": KILLED}
    split = within_split(pool("p", outcomes, uncovered=("b",)), 0.0, seed=0)
    assert gaps_found(split, list(outcomes)) == {"gaps_found": 2, "gaps_found_covered": 1}
