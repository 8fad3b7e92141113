"""What one simulated run is worth: ranking and thresholded metrics on the test set, and the error of the mutation
score it would have reported for the tested repository."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Collection, Mapping

import numpy as np

from bugprm.baselines import is_valid_bug
from bugprm.bench.splits import Split
from bugprm.metrics import DEFAULT_THRESHOLD, auroc, f1_at, pr_auc, processbench
from bugprm.records import Candidate, Execution

METRICS = ("auroc", "auroc_covered", "pr_auc", "f1", "processbench_f1", "score_error")


@dataclass(frozen=True)
class RunResult:
    """``scores``: P(valid bug) of every unexecuted candidate of the tested repository; ``steps``: their step scores,
    for models that have steps (the PRM)."""

    scores: dict[str, float] = field(compare=False)
    executed: tuple[str, ...]
    cpu_seconds: float
    steps: dict[str, list[float]] | None = field(default=None, compare=False)


def evaluate(split: Split, run: RunResult) -> dict:
    test = list(split.test)
    labels = [is_valid_bug(split.verdicts[c.id]) for c in test]
    scores = [run.scores[c.id] for c in test]
    covered = [i for i, c in enumerate(test) if _covered(c)]
    return {
        "auroc": auroc(labels, scores),
        "auroc_covered": auroc([labels[i] for i in covered], [scores[i] for i in covered]),
        "pr_auc": pr_auc(labels, scores),
        "f1": f1_at(labels, scores),
        "processbench_f1": processbench_f1(split, test, run.steps),
        "score_error": score_error(split.target.verdicts, set(run.executed), run.scores),
        "executed": len(run.executed),
        "cpu_seconds": round(run.cpu_seconds, 3),
    }


def score_error(truth: Mapping[str, Execution], executed: Collection[str], scores: Mapping[str, float],
                threshold: float = DEFAULT_THRESHOLD) -> float:
    """|estimated - true| mutation score (valid-bug share) over the pool ``truth`` holds: an executed candidate
    counts as what it became, any other as the model predicts it at ``threshold``."""
    true = [is_valid_bug(e) for e in truth.values()]
    estimated = [is_valid_bug(e) if i in executed else int(scores[i] >= threshold) for i, e in truth.items()]
    return abs(float(np.mean(estimated)) - float(np.mean(true)))


def processbench_f1(split: Split, test: list[Candidate], steps: dict[str, list[float]] | None) -> float:
    if steps is None:
        return float("nan")
    truth = [split.first_wrong[c.id] for c in test]
    return processbench(truth, [steps[c.id] for c in test], DEFAULT_THRESHOLD)["f1"]


def _covered(candidate: Candidate) -> bool:
    return (candidate.features.get("covering_tests") or 0) > 0
