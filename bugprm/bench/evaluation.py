"""What one simulated run is worth: ranking and thresholded metrics on the test set, and the error of the mutation
score it would have reported for the tested repository."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Collection, Mapping

import numpy as np

from bugprm.active.coverage_known import known_uncovered
from bugprm.config import Budget
from bugprm.model.pmt_forest import is_valid_bug
from bugprm.bench.splits import Split
from bugprm.metrics import DEFAULT_THRESHOLD, auroc, f1_at, pr_auc, processbench
from bugprm.records import Candidate, Execution

METRICS = ("auroc", "auroc_covered", "auroc_unexecuted", "auroc_unexecuted_covered", "pr_auc", "f1", "processbench_f1",
           "score_error", "score_error_probability",
           "calibration_error", "low_decile_gap", "low_decile_survivor_lift", "survivors_found")
LOW_SHARE = 0.1  # the share of unexecuted candidates scored least likely to be killed: where test gaps are sought


@dataclass(frozen=True)
class RunResult:
    """``scores``: P(valid bug) of every unexecuted candidate of the tested repository; ``steps``: their step scores,
    for models that have steps (the PRM)."""

    scores: dict[str, float] = field(compare=False)
    executed: tuple[str, ...]
    cpu_seconds: float
    steps: dict[str, list[float]] | None = field(default=None, compare=False)
    rounds: tuple[dict, ...] = field(default=(), compare=False)  # the loop's per-round log, for active runs
    estimate: dict | None = field(default=None, compare=False)  # the training pool's mutation score, with interval


def evaluate(split: Split, run: RunResult) -> dict:
    test = list(split.test)
    labels = [is_valid_bug(split.verdicts[c.id]) for c in test]
    scores = [run.scores[c.id] for c in test]
    covered = [i for i, c in enumerate(test) if _covered(c)]
    return {
        "auroc": auroc(labels, scores),
        "auroc_covered": auroc([labels[i] for i in covered], [scores[i] for i in covered]),
        **unexecuted_auroc(split.target, run.scores),
        "pr_auc": pr_auc(labels, scores),
        "f1": f1_at(labels, scores),
        "processbench_f1": processbench_f1(split, test, run.steps),
        "score_error": score_error(split.target.verdicts, set(run.executed), run.scores),
        "score_error_probability": probability_score_error(split.target.verdicts, set(run.executed), run.scores),
        **calibration_metrics(split.target.verdicts, run.scores),
        "survivors_found": sum(1 - is_valid_bug(split.verdicts[i]) for i in run.executed),
        "survivors_found_covered": covered_survivors(split, run.executed),
        **gaps_found(split, run.executed),
        "executed": len(run.executed),
        "cpu_seconds": round(run.cpu_seconds, 3),
        **estimate_metrics(split, run.estimate),
    }


def covered_survivors(split: Split, executed: Collection[str]) -> int:
    """Survivors found by executing tests: those on lines some test runs (the others coverage alone lists)."""
    covered = {c.id for c in split.train if _covered(c)}
    return sum(1 - is_valid_bug(split.verdicts[i]) for i in executed if i in covered)


def gaps_found(split: Split, executed: Collection[str]) -> dict:
    """Test gaps among the executed: survived or no test covers them (``survivors_found`` also counts incompetent
    and timed-out candidates, which are not valid bugs but no gap either); in all, and on covered lines."""
    from bugprm.scoring.records import MISSED_OUTCOMES

    missed = [i for i in executed if split.verdicts[i].outcome in MISSED_OUTCOMES]
    covered = {c.id for c in split.train if _covered(c)}
    return {"gaps_found": len(missed), "gaps_found_covered": sum(i in covered for i in missed)}


def estimate_metrics(split: Split, estimate: dict | None) -> dict:
    """|estimate - true| kill rate of the training pool (the population a run samples), and whether the interval
    holds the truth; nan for runs that estimate nothing."""
    if estimate is None:
        return {"estimate_error": float("nan"), "estimate_covered": float("nan")}
    truth = float(np.mean([is_valid_bug(split.verdicts[c.id]) for c in split.train]))
    return {"estimate_error": abs(estimate["value"] - truth),
            "estimate_covered": float(estimate["low"] <= truth <= estimate["high"])}


def score_error(truth: Mapping[str, Execution], executed: Collection[str], scores: Mapping[str, float],
                threshold: float = DEFAULT_THRESHOLD) -> float:
    """|estimated - true| mutation score (valid-bug share) over the pool ``truth`` holds: an executed candidate
    counts as what it became, any other as the model predicts it at ``threshold``."""
    true = [is_valid_bug(e) for e in truth.values()]
    estimated = [is_valid_bug(e) if i in executed else int(scores[i] >= threshold) for i, e in truth.items()]
    return abs(float(np.mean(estimated)) - float(np.mean(true)))


def unexecuted_auroc(target, scores: Mapping[str, float]) -> dict:
    """AUROC over every candidate of the tested repository left unexecuted (the rest a user still has to judge),
    and over the covered ones among them (coverage alone ranks the uncovered last)."""
    rest = [c for c in target.candidates if c.id in scores]
    covered = [c for c in rest if _covered(c)]
    return {f"auroc_unexecuted{suffix}": auroc([is_valid_bug(target.verdicts[c.id]) for c in chosen],
                                               [scores[c.id] for c in chosen])
            for suffix, chosen in (("", rest), ("_covered", covered))}


def probability_score_error(truth: Mapping[str, Execution], executed: Collection[str],
                            scores: Mapping[str, float]) -> float:
    """|estimated - true| mutation score, the estimate counting each unexecuted candidate as its probability."""
    true = [is_valid_bug(e) for e in truth.values()]
    estimated = [is_valid_bug(e) if i in executed else scores[i] for i, e in truth.items()]
    return abs(float(np.mean(estimated)) - float(np.mean(true)))


def calibration_metrics(truth: Mapping[str, Execution], scores: Mapping[str, float]) -> dict:
    """On the scored (unexecuted) candidates of the pool: adaptive calibration error (10 equal-mass bins), and
    among the ``LOW_SHARE`` scored least likely to be killed, |mean score - kill rate| and their survivor share
    over the pool's."""
    from bugprm.calibration import adaptive_calibration_error

    ids = [i for i in scores if i in truth]
    if not ids:
        return {"calibration_error": float("nan"), "low_decile_gap": float("nan"),
                "low_decile_survivor_lift": float("nan"), "calibration_error_floor": float("nan")}
    probabilities = np.array([scores[i] for i in ids], dtype=float)
    labels = np.array([is_valid_bug(truth[i]) for i in ids], dtype=float)
    low = np.argsort(probabilities, kind="stable")[: max(1, round(LOW_SHARE * len(ids)))]
    pool_survivors = 1 - np.mean([is_valid_bug(e) for e in truth.values()])
    return {"calibration_error": adaptive_calibration_error(probabilities, labels),
            "calibration_error_floor": calibration_error_floor(probabilities),
            "low_decile_gap": abs(float(probabilities[low].mean() - labels[low].mean())),
            "low_decile_survivor_lift": float((1 - labels[low].mean()) / pool_survivors) if pool_survivors else
            float("nan")}


def calibration_error_floor(probabilities: np.ndarray, draws: int = 50) -> float:
    """The ACE that perfectly calibrated scores would show on this many candidates: the mean over ``draws`` outcome
    sets drawn from the scores themselves. A measured ACE near it is sampling noise, not miscalibration."""
    from bugprm.calibration import adaptive_calibration_error

    rng = np.random.default_rng(0)
    return float(np.mean([adaptive_calibration_error(probabilities, rng.random(len(probabilities)) < probabilities)
                          for _ in range(draws)]))


def processbench_f1(split: Split, test: list[Candidate], steps: dict[str, list[float]] | None) -> float:
    if steps is None:
        return float("nan")
    truth = [split.first_wrong[c.id] for c in test]
    return processbench(truth, [steps[c.id] for c in test], DEFAULT_THRESHOLD)["f1"]


def _covered(candidate: Candidate) -> bool:
    return (candidate.features.get("covering_tests") or 0) > 0


def sample_variance(kill_rate: float, population: int, draws: int) -> float:
    """Variance of the mean of ``draws`` uniform draws without replacement from a 0/1 population."""
    if draws >= population or population < 2:
        return 0.0
    return kill_rate * (1 - kill_rate) * population / (population - 1) / draws * (1 - draws / population)


def baseline_variances(split, budget: float) -> tuple[float, float]:
    """(plain random sample, coverage-aware random sample) variances of the training pool's kill-rate estimate."""
    train = list(split.train)
    verdicts = np.array([is_valid_bug(split.verdicts[c.id]) for c in train])
    covered = np.array([not known_uncovered(c) for c in train])
    draws = Budget(fraction=budget).limit(len(train))
    plain = sample_variance(verdicts.mean(), len(train), draws)
    share = covered.mean()
    aware = share ** 2 * sample_variance(verdicts[covered].mean(), int(covered.sum()), draws) if covered.any() else 0.0
    return plain, aware
