"""The loop's learner when a repository starts warm: the base model before any local label, then the local learner
stacked on it.

Before the first label the heads are the base model's own, so its uncertainty can pick the seed set
(``active_learning.seed_selection: learner``; stratified by default, since the base's picks cost AUROC). Once
labels exist, each head is ``sigmoid((1 + a) * logit(base) + b * logit(local) + c)``: the local learner's head
(the bagged forests) next to a base head, mixed by a logistic regression fitted on the labels with the local
learner's out-of-bag scores and an L2 penalty that pulls ``a``, ``b`` and ``c`` to zero. With few labels the mix
stays at the base model; it moves only as far as the local labels show the base to be wrong here.

The forests also see the base's log-odds as a feature (``base_feature``), so with few labels they can split on the
base's ranking and correct it where the package's own features disagree, instead of competing with it from
scratch; chosen on tuning packages (BENCHMARKS.md, "Warm start on held-out packages").

Optionally each prediction is moved toward the verdicts of its labelled line-mates (``line_prior``: the prediction
counts as that many of them): mutants of one line mostly share their fate. With the forests reading their
neighbours' verdicts too, it halved the gap to cold training at twice the budget on three tuning packages, where the
mix's form (``mix``: penalised likelihood, share by AUROC, forests alone) moved it by at most 0.01; on seven
evaluation packages it changed nothing beyond noise, so it is off by default (BENCHMARKS.md, "Warm start that
learns locally").
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol, Sequence

import numpy as np

from bugprm.active.coverage_known import covered_if_any, uncovered_mask
from bugprm.active.neighbours import with_line_verdicts
from bugprm.active.forest_learner import HeadsLearner, label_auroc, trajectory_label
from bugprm.records import Candidate, TrajectoryScore

CLIP = 1e-4  # probabilities kept off 0 and 1, where the log-odds is infinite
PENALTY = 1.0  # L2 on the mix's weights: the prior that the base model is right as it is
BASE_FEATURE = "base_log_odds"
MIN_PER_CLASS = 2  # fewer labels of an outcome than this: the mix stays at the base model
MIXES = ("likelihood", "auroc", "local")  # how the mix of base and local is fitted (see fit_mix, fit_mix_by_auroc)
RATIOS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)  # the local part's shares of the sum fit_mix_by_auroc chooses among


class BaseScorer(Protocol):
    def score(self, candidates: Sequence[Candidate]) -> list[TrajectoryScore]: ...


class LocalLearner(Protocol):
    out_of_bag: np.ndarray  # the last fit's out-of-bag probability of each label, in the order fitted

    def fit(self, labelled: list[Candidate]) -> dict: ...

    def head_probabilities(self, candidates: list[Candidate]) -> np.ndarray: ...


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, CLIP, 1 - CLIP)
    return np.log(p / (1 - p))


class WarmLearner(HeadsLearner):
    """A ``Learner`` whose predictions mean something before its first fit (``predicts_unlabelled``)."""

    predicts_unlabelled = True

    def __init__(self, base: BaseScorer, local: LocalLearner, penalty: float = PENALTY, base_weight_fitted: bool = True,
                 base_feature: bool = True, mix: str = "likelihood", local_floor: float = 0.0,
                 line_prior: float | None = None):
        if mix not in MIXES:
            raise ValueError(f"mix must be one of {', '.join(MIXES)}, not {mix!r}")
        self.base, self.local = base, local
        self.penalty, self.base_weight_fitted, self.base_feature = penalty, base_weight_fitted, base_feature
        self.mix, self.local_floor, self.line_prior = mix, local_floor, line_prior
        self.weights = np.zeros(3)  # a, b, c: zero is the base model alone
        self.judged: tuple[list[Candidate], np.ndarray] = ([], np.zeros(0, dtype=int))
        self._base_heads: dict[str, np.ndarray] = {}

    def fit(self, labelled: list[Candidate]) -> dict:
        judged = covered_if_any([c for c in labelled if trajectory_label(c) is not None])  # as the local learner's
        labels = np.array([trajectory_label(c) for c in judged], dtype=int)
        self.judged = (judged, labels)
        if np.bincount(labels, minlength=2).min() < MIN_PER_CLASS:
            self.weights = np.zeros(3)
            return {"trained_on": len(judged), "base_weight": 1.0, "local_weight": 0.0}
        log = self.local.fit(self._for_local(judged))
        inputs = np.column_stack([logit(self.base_probabilities(judged)), logit(self.local.out_of_bag)])
        self.weights = self._fitted_weights(inputs, labels)
        return {**log, "auroc_base": label_auroc(labels, inputs[:, 0]),
                "base_weight": round(1 + float(self.weights[0]), 4), "local_weight": round(float(self.weights[1]), 4)}

    def _fitted_weights(self, inputs: np.ndarray, labels: np.ndarray) -> np.ndarray:
        if self.mix == "auroc":
            return fit_mix_by_auroc(inputs, labels, self.penalty)
        if self.mix == "local":
            return np.array([-1.0, 1.0, 0.0])  # the local forests alone: they already see the base's log-odds
        return fit_mix(inputs, labels, self.penalty, self.base_weight_fitted, self.local_floor)

    def head_probabilities(self, candidates: list[Candidate]) -> np.ndarray:
        """[heads, candidates]: the base model's heads alone until the mix has weight on the local learner."""
        base = self._base_heads_for(candidates)
        if self.weights.any():
            local = self.local.head_probabilities(self._for_local(candidates))
            paired = base[np.arange(len(local)) % len(base)]
            a, b, c = self.weights
            base = 1 / (1 + np.exp(-((1 + a) * logit(paired) + b * logit(local) + c)))
        if self.line_prior is not None and len(self.judged[1]):
            base = np.stack([with_line_verdicts(candidates, head, *self.judged, self.line_prior) for head in base])
        return np.where(uncovered_mask(candidates), 0.0, base)  # a candidate no test covers survives for certain

    def base_probabilities(self, candidates: list[Candidate]) -> np.ndarray:
        return self._base_heads_for(candidates).mean(axis=0)

    def _for_local(self, candidates: list[Candidate]) -> list[Candidate]:
        """With ``base_feature``, the local learner also sees the base model's log-odds as a feature."""
        if not self.base_feature:
            return candidates
        odds = logit(self.base_probabilities(candidates))
        return [replace(c, features={**c.features, BASE_FEATURE: float(z)}) for c, z in zip(candidates, odds)]

    def _base_heads_for(self, candidates: list[Candidate]) -> np.ndarray:
        """[base heads, candidates], each trajectory's weakest step per head; the base never changes, so each
        candidate is scored once."""
        if not candidates:
            return np.zeros((1, 0))
        missing = [c for c in candidates if c.id not in self._base_heads]
        for candidate, score in zip(missing, self.base.score(missing) if missing else []):
            self._base_heads[candidate.id] = np.min(np.array(score.per_head, dtype=float), axis=1)
        return np.stack([self._base_heads[c.id] for c in candidates], axis=1)


def fit_mix(inputs: np.ndarray, labels: np.ndarray, penalty: float = PENALTY,
            base_weight_fitted: bool = True, local_floor: float = 0.0) -> np.ndarray:
    """(a, b, c) of ``sigmoid(inputs[:, 0] + a * inputs[:, 0] + b * inputs[:, 1] + c)``, the penalised maximum
    likelihood: the base's log-odds is the offset, so the penalty shrinks toward the base model, not toward 0.5.
    The problem is convex; L-BFGS finds its optimum where plain Newton steps overshoot on saturated scores. Neither
    ranker's weight goes below 0: on a few labels a reversed out-of-bag ranking would otherwise turn a ranker around
    (the fault the Platt slope floor fixes, seen here on tomlkit's first round, forest weight -0.19)."""
    from scipy.optimize import minimize

    free = [base_weight_fitted, True, True]
    x = np.column_stack([inputs, np.ones(len(inputs))])[:, free]

    def loss(weights: np.ndarray) -> tuple[float, np.ndarray]:
        margin = inputs[:, 0] + x @ weights
        value = np.sum(np.logaddexp(0, margin) - labels * margin) + penalty * weights @ weights / 2
        p = 1 / (1 + np.exp(-margin))
        return float(value), x.T @ (p - labels) + penalty * weights

    weights = np.zeros(3)
    bounds = [bound for bound, kept in zip([(-1.0, None), (local_floor, None), (None, None)], free) if kept]
    start = np.array([0.0, local_floor, 0.0])[free]
    weights[free] = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds).x
    return weights


def fit_mix_by_auroc(inputs: np.ndarray, labels: np.ndarray, penalty: float = PENALTY) -> np.ndarray:
    """The mix whose ranking is best on the labels: the local learner's share ``r`` in ``base + r * local`` is the
    one of ``RATIOS`` with the highest AUROC (the local part's scores out of bag, so it is not judged on labels it
    was fitted on; ties go to the smaller share), then the scale and intercept of that sum are fitted as in
    ``fit_mix``, so the probabilities stay calibrated. The log-likelihood alone gives the local part weight 0 on
    a strong base, where its ranking still helps."""
    quality = [label_auroc(labels, inputs[:, 0] + r * inputs[:, 1]) or 0.0 for r in RATIOS]
    share = RATIOS[int(np.argmax(quality))]
    summed = inputs[:, 0] + share * inputs[:, 1]
    a, _, c = fit_mix(np.column_stack([summed, np.zeros(len(summed))]), labels, penalty)
    return np.array([a, (1 + a) * share, c])
