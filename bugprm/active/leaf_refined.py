"""A warm start's local learner that is the base model's own forest, its leaves refined by the package's labels.

Beside the base model, the bagged forests learn the package from its labels alone, so at a 10% budget they rank with
half the labels cold training has at 20%, and the base (trained on other packages) ranks a package's covered
candidates barely better than 0.6-0.7 (BENCHMARKS.md, warm19 and warm20). Here the labels reach the corpus forest
instead: its trees keep the splits the corpus taught (the general shape), and each leaf's kill rate becomes a
posterior, the corpus rate counting as ``strength`` labels beside the package's labels that reach the leaf. A tree
is then a partition learnt on the corpus, filled in with local verdicts; averaged over the trees, an unexecuted
candidate takes its verdict from the labelled candidates the corpus says are like it.

Each head refines the leaves with its own class-stratified bootstrap of the labels, so the heads disagree where
the labels leave the answer open (what ActPRM's uncertainty reads), and each label's out-of-bag score comes from
the heads that left it out; a Platt map fitted on those scores calibrates the heads, as ``BaggedForestLearner``
does. A candidate no test covers survives for certain and is left out, as there.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol, Sequence

import numpy as np

from bugprm.active.coverage_known import covered_if_any, uncovered_mask
from bugprm.active.forest_learner import (HEADS, HeadsLearner, class_bootstrap, label_auroc, out_of_bag_mean,
                                          trajectory_label)
from bugprm.calibration import Calibration, adaptive_calibration_error, fit_calibration, logit
from bugprm.records import Candidate

STRENGTH = 2.0  # labels' worth of the corpus leaf rate in a leaf's posterior (chosen on tuning, beside 0.5 and 8)


class LeafForest(Protocol):
    """The base model's forest prior (``bugprm.model.prior.ForestPrior``): each item's leaf per tree, and the
    corpus's positive rate at every node."""
    arrays: dict

    def leaves(self, items: Sequence[Candidate]) -> np.ndarray: ...


class LeafRefinedForest(HeadsLearner):
    def __init__(self, forest: LeafForest, seed: int = 0, heads: int = HEADS, strength: float = STRENGTH,
                 calibration: str = "platt"):
        if strength <= 0:
            raise ValueError(f"strength must be above 0 (the corpus rate's weight in a leaf), not {strength}")
        self.forest, self.seed, self.heads, self.strength = forest, seed, heads, strength
        self.calibration_kind = calibration
        self.corpus_rate = np.asarray(forest.arrays["positive"], dtype=float)
        self.counts: list[tuple[np.ndarray, np.ndarray]] = []  # per head: (killed, seen) at every node
        self.calibration = Calibration()
        self.out_of_bag = np.zeros(0)

    def fit(self, labelled: list[Candidate]) -> dict:
        judged = covered_if_any([c for c in labelled if trajectory_label(c) is not None])
        labels = np.array([trajectory_label(c) for c in judged], dtype=int)
        leaves = self.forest.leaves(judged) if judged else np.zeros((0, 1), dtype=int)
        rng = np.random.default_rng(self.seed + len(judged))
        resamples = [class_bootstrap(labels, rng) for _ in range(self.heads)]
        self.counts = [leaf_counts(leaves[rows], labels[rows], len(self.corpus_rate)) for rows in resamples]
        out_of_bag = out_of_bag_mean(self._head_scores(leaves), resamples) if judged else np.zeros(0)
        self.calibration = fit_calibration(self.calibration_kind, out_of_bag, labels)
        self.out_of_bag = calibrated = self.calibration(out_of_bag)
        return {"trained_on": len(judged), "positive_rate": round(float(labels.mean()), 4) if len(labels) else None,
                "calibration": self.calibration.kind,
                "calibration_error_oob": round(adaptive_calibration_error(calibrated, labels), 4),
                "auroc_oob": label_auroc(labels, out_of_bag),
                "auroc_corpus_forest": label_auroc(labels, self.corpus_rate[leaves].mean(axis=1))}

    def head_probabilities(self, candidates: list[Candidate]) -> np.ndarray:
        """[heads, candidates]: each head's calibrated probability that the candidate is a valid bug."""
        if not candidates:
            return np.zeros((max(len(self.counts), 1), 0))
        scores = self._head_scores(self.forest.leaves(candidates))
        return np.where(uncovered_mask(candidates), 0.0, self.calibration(scores))

    def _head_scores(self, leaves: np.ndarray) -> np.ndarray:
        """[heads, items]: the mean over trees of each reached leaf's posterior kill rate (the corpus rate alone
        before any fit)."""
        counts = self.counts or [leaf_counts(leaves[:0], np.zeros(0, dtype=int), len(self.corpus_rate))]
        return np.stack([refined_rate(self.corpus_rate, killed, seen, self.strength)[leaves].mean(axis=1)
                         for killed, seen in counts])


def leaf_counts(leaves: np.ndarray, labels: np.ndarray, nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """(killed, seen): per node, how many of the labelled rows reaching it were killed, and how many reached it."""
    seen = np.bincount(leaves.ravel(), minlength=nodes).astype(float)
    killed = np.bincount(leaves.ravel(), weights=np.repeat(labels, leaves.shape[1]).astype(float), minlength=nodes)
    return killed, seen


def refined_rate(corpus_rate: np.ndarray, killed: np.ndarray, seen: np.ndarray, strength: float) -> np.ndarray:
    """Each node's posterior kill rate: the corpus rate worth ``strength`` labels, plus the local ones."""
    return (strength * corpus_rate + killed) / (strength + seen)


class RefinedFeatureForests(HeadsLearner):
    """The bagged forests on the labels, reading the leaf-refined corpus forest's log-odds as one more feature:
    their own splits on the package, with the corpus partition filled in by the package's verdicts beside them.
    A labelled candidate's refined score leaves its own label out of the leaves, so the forests do not learn to
    trust a feature that already holds the answer."""

    def __init__(self, forest: LeafForest, local, strength: float = STRENGTH):
        self.forest, self.local, self.strength = forest, local, strength
        self.corpus_rate = np.asarray(forest.arrays["positive"], dtype=float)
        self.counts = (np.zeros(len(self.corpus_rate)), np.zeros(len(self.corpus_rate)))

    @property
    def out_of_bag(self) -> np.ndarray:
        return self.local.out_of_bag

    def fit(self, labelled: list[Candidate]) -> dict:
        judged = covered_if_any([c for c in labelled if trajectory_label(c) is not None])
        labels = np.array([trajectory_label(c) for c in judged], dtype=int)
        leaves = self.forest.leaves(judged) if judged else np.zeros((0, 1), dtype=int)
        self.counts = leaf_counts(leaves, labels, len(self.corpus_rate))
        own = self._rates(leaves, labels) if judged else np.zeros(0)
        log = self.local.fit(with_feature(judged, own))
        return {**log, "auroc_refined_loo": label_auroc(labels, own),
                "auroc_corpus_forest": label_auroc(labels, self.corpus_rate[leaves].mean(axis=1))}

    def head_probabilities(self, candidates: list[Candidate]) -> np.ndarray:
        rates = self._rates(self.forest.leaves(candidates)) if candidates else np.zeros(0)
        return self.local.head_probabilities(with_feature(candidates, rates))


    def _rates(self, leaves: np.ndarray, own: np.ndarray | None = None) -> np.ndarray:
        """Each item's mean posterior leaf rate; with ``own`` (the items' labels) each leaves its own label out."""
        killed, seen = self.counts
        if own is None:
            return refined_rate(self.corpus_rate, killed, seen, self.strength)[leaves].mean(axis=1)
        without = (killed[leaves] - own[:, None], seen[leaves] - 1)
        return refined_rate(self.corpus_rate[leaves], *without, self.strength).mean(axis=1)


REFINED_FEATURE = "refined_corpus_rate"


def with_feature(candidates: list[Candidate], rates: np.ndarray) -> list[Candidate]:
    return [replace(c, features={**c.features, REFINED_FEATURE: float(r)}) for c, r in zip(candidates, rates)]


class BlendedLocal(HeadsLearner):
    """Two local learners' heads averaged in log-odds, head by head: the bagged forests' own splits on the package
    and the corpus forest's partition filled in with the package's verdicts (``LeafRefinedForest``), each ranking
    what the other misses. Their out-of-bag scores are averaged the same way, for the warm mix to weigh."""

    def __init__(self, first, second):
        self.parts = (first, second)
        self.strength = getattr(second, "strength", None)
        self.out_of_bag = np.zeros(0)

    def fit(self, labelled: list[Candidate]) -> dict:
        logs = [part.fit(labelled) for part in self.parts]
        self.out_of_bag = mean_in_log_odds([part.out_of_bag for part in self.parts])
        labels = np.array([trajectory_label(c) for c in covered_if_any(
            [c for c in labelled if trajectory_label(c) is not None])], dtype=int)
        return {**logs[0], "auroc_refined_oob": logs[1].get("auroc_oob"),
                "auroc_corpus_forest": logs[1].get("auroc_corpus_forest"),
                "auroc_oob": label_auroc(labels, self.out_of_bag) if len(labels) == len(self.out_of_bag) else None}

    def head_probabilities(self, candidates: list[Candidate]) -> np.ndarray:
        heads = [part.head_probabilities(candidates) for part in self.parts]
        count = min(len(h) for h in heads)
        return mean_in_log_odds([h[:count] for h in heads])



def mean_in_log_odds(probabilities: list[np.ndarray]) -> np.ndarray:
    """The mean of the arrays' log-odds, back as a probability (an exact 0, an uncovered candidate's, stays 0)."""
    mean = logit(np.stack(probabilities)).mean(axis=0)
    return np.where(np.all(np.stack(probabilities) == 0, axis=0), 0.0, 1 / (1 + np.exp(-mean)))
