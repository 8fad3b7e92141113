"""A ranker of one failing state's patches against each other: which patch of the state is first.

The PRM and its forest score each patch alone, on a scale that is no state's own; ``bugprm repair`` asks only which
of one state's patches comes first. This model scores a patch with a linear function of its features and is trained
on whole states: a softmax over each state's patches, maximising the chance that the first patch is a correct one
(listwise; a logistic regression on one state's (correct, incorrect) feature differences is the pairwise choice,
``objective="pairwise"``). Every state with both a correct and an incorrect patch weighs the same, however many
patches it has.

Its features (``patch_features``) are where a patch stands among its state's patches: the forest's log-odds and that
patch's rank and gap to the state's best by it, the line's Ochiai rank, the heuristic's order, where the failing
tests' tracebacks put the line, the share of the state's patches made by its operator, its operator. In training the
forest's log-odds come from forests that never saw the patch's package (the base model's folds), at run time from
the base model's forest: the same function computes both.

Saved as ``repair_ranker.json`` beside the model (names, centre, scale, weights); loaded with the model's forest.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from bugprm.errors import ModelError
from bugprm.model.examples import from_candidate
from bugprm.model.prior import Prior
from bugprm.records import Candidate

RANKER_FILE = "repair_ranker.json"
RANKER_VERSION = 1
REGULARISATION = 1.0  # the L2 penalty |w|^2 / (2 C) per state (C chosen on the tuning packages, BENCHMARKS.md)
STATE_FEATURES = ("forest_log_odds", "forest_gap", "forest_rank_log", "line_rank_log", "heuristic_rank_log",
                  "deepest_frame", "named_by_traceback", "traceback_inverse_depth", "function_deepest_frame",
                  "function_inverse_depth", "traceback_share", "operator_share", "naturalness_rank_at_line_log",
                  "naturalness_gap_at_line", "diff_rank_at_line_log")
OPERATOR_PREFIX = "operator="
OBJECTIVE = "listwise"  # or "pairwise" (chosen on the tuning packages, BENCHMARKS.md)


@dataclass(frozen=True)
class StatePatches:
    """One failing state's patches, the forest's log-odds of each, and (in training) whether each is correct."""
    patches: tuple[Candidate, ...]
    log_odds: tuple[float, ...]
    correct: tuple[int, ...] = ()


@dataclass(frozen=True)
class RepairRanker:
    names: tuple[str, ...]
    centre: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]

    @classmethod
    def fit(cls, states: Sequence[StatePatches], operators: Sequence[str] = (),
            regularisation: float = REGULARISATION, names: Sequence[str] = STATE_FEATURES,
            objective: str = OBJECTIVE) -> "RepairRanker":
        """Fitted on the states with both a correct and an incorrect patch; ``operators``: those given a weight each."""
        names = tuple(names) + tuple(OPERATOR_PREFIX + o for o in sorted(set(operators)))
        rows = [patch_features(s, names) for s in states]
        stacked = np.concatenate(rows) if rows else np.zeros((0, len(names)))
        centre, scale = stacked.mean(axis=0), np.where(stacked.std(axis=0) > 0, stacked.std(axis=0), 1.0)
        ranked = [((r - centre) / scale, np.array(s.correct)) for r, s in zip(rows, states)
                  if 0 < sum(s.correct) < len(s.correct)]
        if not ranked:
            raise ModelError("no failing state has both a correct and an incorrect patch to rank")
        if objective not in OBJECTIVES:
            raise ValueError(f"objective {objective!r}: expected one of {', '.join(OBJECTIVES)}")
        weights = OBJECTIVES[objective](ranked, regularisation)
        return cls(names, tuple(centre.round(6)), tuple(scale.round(6)), tuple(float(w) for w in weights.round(6)))

    def scores(self, state: StatePatches) -> np.ndarray:
        x = (patch_features(state, self.names) - np.array(self.centre)) / np.array(self.scale)
        return x @ np.array(self.weights)

    def save(self, directory: Path) -> Path:
        path = Path(directory) / RANKER_FILE
        path.write_text(json.dumps({"version": RANKER_VERSION, "names": self.names, "centre": self.centre,
                                    "scale": self.scale, "weights": self.weights}, indent=1) + "\n")
        return path

    @classmethod
    def load(cls, directory: Path) -> "RepairRanker | None":
        """The ranker saved beside the model in ``directory``; None where there is none."""
        path = Path(directory) / RANKER_FILE
        if not path.is_file():
            return None
        try:
            saved = json.loads(path.read_text())
            ranker = cls(*(tuple(saved[k]) for k in ("names", "centre", "scale", "weights")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{path} is corrupt: {exc}") from exc
        if saved.get("version") != RANKER_VERSION or not len(ranker.names) == len(ranker.weights):
            raise ModelError(f"{path} holds ranker version {saved.get('version')}; this bugprm reads "
                             f"{RANKER_VERSION} (train the base model again)")
        return ranker


@dataclass(frozen=True)
class PatchRanker:
    """What ``bugprm repair`` ranks one state's patches with: the base model's forest and the ranker beside it."""
    forest: Prior
    ranker: RepairRanker

    def scores(self, patches: Sequence[Candidate]) -> list[float]:
        log_odds = self.forest.log_odds([from_candidate(p) for p in patches])
        return self.ranker.scores(StatePatches(tuple(patches), tuple(log_odds.tolist()))).tolist()


def load_patch_ranker(directory: Path) -> PatchRanker | None:
    """The model's forest and ranker where ``directory`` holds a ranker; None where it does not."""
    from bugprm.model.io import load_fitted_prior

    ranker = RepairRanker.load(directory)
    return PatchRanker(load_fitted_prior(Path(directory), "forest"), ranker) if ranker is not None else None


def fit_repair_ranker(patches: Sequence[Candidate], log_odds: Mapping[str, float]) -> RepairRanker:
    """The ranker of labelled repair trajectories, ``log_odds``: each patch's forest estimate from a forest that
    never saw its package."""
    correct = {p.id: from_candidate(p).trajectory_label for p in patches}
    return RepairRanker.fit(states_of(patches, log_odds, correct), [p.operator for p in patches])


def patch_features(state: StatePatches, names: Sequence[str]) -> np.ndarray:
    """[patches, names]: each patch's features among its state's patches."""
    log_odds = np.asarray(state.log_odds, dtype=float)
    best = log_odds.max() if len(log_odds) else 0.0
    operators = Counter(p.operator for p in state.patches)
    rows = [_row(p, lo, best, int((log_odds > lo).sum()), operators[p.operator] / len(state.patches))
            for p, lo in zip(state.patches, log_odds)]
    return np.array([[row.get(n, 0.0) for n in names] for row in rows], dtype=float).reshape(len(rows), len(names))


def states_of(patches: Sequence[Candidate], log_odds: Mapping[str, float],
              correct: Mapping[str, int] | None = None) -> list[StatePatches]:
    """Patches grouped by their failing state (``bug_id``), in first-seen order."""
    grouped: dict[str | None, list[Candidate]] = defaultdict(list)
    for patch in patches:
        grouped[patch.bug_id].append(patch)
    return [StatePatches(tuple(found), tuple(float(log_odds[p.id]) for p in found),
                         tuple(int(correct[p.id]) for p in found) if correct is not None else ())
            for found in grouped.values()]


def _row(patch: Candidate, log_odds: float, best: float, higher: int, operator_share: float) -> dict:
    f = patch.features
    depth, function_depth = int(f.get("traceback_depth", 0) or 0), int(f.get("traceback_function_depth", 0) or 0)
    return {"forest_log_odds": log_odds, "forest_gap": best - log_odds, "forest_rank_log": math.log1p(higher),
            "line_rank_log": _log(f, "ochiai_rank"), "heuristic_rank_log": _log(f, "heuristic_rank"),
            "deepest_frame": float(depth == 1), "named_by_traceback": float(depth > 0),
            "traceback_inverse_depth": 1.0 / depth if depth else 0.0,
            "function_deepest_frame": float(function_depth == 1),
            "function_inverse_depth": 1.0 / function_depth if function_depth else 0.0,
            "traceback_share": float(f.get("traceback_share", 0.0) or 0.0), "operator_share": operator_share,
            "naturalness_rank_at_line_log": _log(f, "naturalness_rank_at_line"),
            "naturalness_gap_at_line": float(f.get("naturalness_gap_at_line", 0.0) or 0.0),
            "diff_rank_at_line_log": _log(f, "diff_rank_at_line"), OPERATOR_PREFIX + patch.operator: 1.0}


def _log(features: dict, name: str) -> float:
    return math.log(max(float(features.get(name, 1) or 1), 1.0))


def _pairwise(ranked: list[tuple[np.ndarray, np.ndarray]], regularisation: float) -> np.ndarray:
    """Logistic regression on (correct - incorrect) differences, each state's pairs weighing 1 in all, both
    orders of every pair (no intercept, so the classes must balance)."""
    from sklearn.linear_model import LogisticRegression

    found = [x[correct == 1][:, None, :] - x[correct == 0][None, :, :] for x, correct in ranked]
    pairs = np.concatenate([d.reshape(-1, d.shape[-1]) for d in found])
    weights = np.concatenate([np.full(d.shape[0] * d.shape[1], 1.0 / (d.shape[0] * d.shape[1])) for d in found])
    x = np.concatenate([pairs, -pairs])
    y = np.concatenate([np.ones(len(pairs)), np.zeros(len(pairs))])
    model = LogisticRegression(C=regularisation, fit_intercept=False, max_iter=5000)
    model.fit(x, y, sample_weight=np.concatenate([weights, weights]) * len(weights) / weights.sum())
    return model.coef_[0]


def _listwise(ranked: list[tuple[np.ndarray, np.ndarray]], regularisation: float) -> np.ndarray:
    """A softmax over each state's patches: minimises -log P(the first patch is a correct one), plus an L2
    penalty |w|^2 / (2 C) per state."""
    from scipy.optimize import minimize

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, gradient = float(w @ w) * len(ranked) / (2 * regularisation), w * len(ranked) / regularisation
        for x, correct in ranked:
            s = x @ w
            p = np.exp(s - s.max()); p /= p.sum()
            q = p * correct; q /= q.sum()
            total -= float(np.log(p[correct == 1].sum()))
            gradient -= x.T @ (q - p)
        return total, gradient

    return minimize(loss, np.zeros(ranked[0][0].shape[1]), jac=True, method="L-BFGS-B").x


OBJECTIVES = {"listwise": _listwise, "pairwise": _pairwise}
