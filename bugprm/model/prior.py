"""Priors the reward heads read beside the backbone: a random forest on the PMT step features, and a linear model
of the trajectory's text as hashed token n-grams. Each gives a log-odds per trajectory.

Within a project, a forest on covering tests, assertions, duration and complexity ranks mutants well from few
labels, and a small transformer trained from scratch on the same labels does not (see BENCHMARKS.md). So the heads
see both: the backbone's state at each step end and the forest's estimate for the trajectory. The heads are
trained on out-of-fold forest estimates, so they learn how far to trust the forest on data it has not seen.

A small transformer trained from scratch on a few hundred labels also reads the text poorly next to a linear
n-gram model of it, which carries across projects (BENCHMARKS.md); the heads get that model's estimate too.

Both are kept as plain arrays (saved with safetensors, no pickle) and evaluated with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from bugprm.baselines import FeatureEncoder, PmtForest

CLIP = 0.02  # probabilities kept in [CLIP, 1 - CLIP]: a leaf's 0 or 1 would be an infinite log-odds
FOLDS = 5
FOREST_ARRAYS = ("left", "right", "feature", "threshold", "positive", "roots")
HASH_FEATURES = 2**18
TOKEN_PATTERN = r"[A-Za-z_]+|\d+|[^\sA-Za-z_\d]"  # words, numbers, and each punctuation mark on its own


class Judged(Protocol):
    """What a prior reads: an Example (``features`` dict and step ``texts``)."""
    features: dict
    texts: tuple[str, ...]


class Prior(Protocol):
    def log_odds(self, items: Sequence[Judged]) -> np.ndarray: ...

    def to_saved(self) -> tuple[dict, dict]: ...


@dataclass(frozen=True)
class ForestPrior:
    encoder: FeatureEncoder
    arrays: dict  # name -> np.ndarray, the trees' nodes concatenated (see ``_flatten``)

    @classmethod
    def fit(cls, items: Sequence[Judged], labels: Sequence[int], seed: int = 0) -> "ForestPrior":
        forest = PmtForest(seed=seed).fit(list(items), list(labels))
        return cls(forest.encoder, _flatten(forest))

    def probability(self, items: Sequence[Judged]) -> np.ndarray:
        x = self.encoder.transform(list(items)).astype(np.float32)  # as scikit-learn's trees compare
        a = self.arrays
        node = np.broadcast_to(a["roots"], (len(x), len(a["roots"]))).copy()
        rows = np.arange(len(x))[:, None]
        while (inner := a["left"][node] >= 0).any():
            go_left = x[rows, a["feature"][node]] <= a["threshold"][node]
            node = np.where(inner, np.where(go_left, a["left"][node], a["right"][node]), node)
        return a["positive"][node].mean(axis=1) if len(x) else np.zeros(0)

    def log_odds(self, items: Sequence[Judged]) -> np.ndarray:
        return logit(self.probability(items))

    def to_saved(self) -> tuple[dict, dict]:
        """(JSON-ready settings, arrays for safetensors)."""
        encoder = {"numeric": list(self.encoder.numeric), "categories": [list(c) for c in self.encoder.categories]}
        return encoder, dict(self.arrays)

    @classmethod
    def from_saved(cls, settings: dict, arrays: dict) -> "ForestPrior":
        categories = tuple(tuple(c) for c in settings["categories"])
        loaded = {name: np.asarray(arrays[name]) for name in FOREST_ARRAYS}
        return cls(FeatureEncoder(tuple(settings["numeric"]), categories), loaded)


@dataclass(frozen=True)
class TextPrior:
    """Logistic regression on tf-idf weighted, hashed 1-3-grams of all step texts."""
    idf: np.ndarray
    weights: np.ndarray
    bias: float

    @classmethod
    def fit(cls, items: Sequence[Judged], labels: Sequence[int], seed: int = 0) -> "TextPrior":
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.linear_model import LogisticRegression

        tfidf = TfidfTransformer().fit(_hashed(items))
        model = LogisticRegression(max_iter=2000, class_weight="balanced", random_state=seed)
        model.fit(tfidf.transform(_hashed(items)), list(labels))
        return cls(tfidf.idf_.astype(np.float32), model.coef_[0].astype(np.float32), float(model.intercept_[0]))

    def log_odds(self, items: Sequence[Judged]) -> np.ndarray:
        weighted = _hashed(items).multiply(self.idf).tocsr()
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1))).ravel()
        raw = np.asarray(weighted @ self.weights).ravel() / np.maximum(norms, 1e-12) + self.bias
        return np.clip(raw, *logit(np.array([0.0, 1.0])))

    def to_saved(self) -> tuple[dict, dict]:
        return {"bias": self.bias}, {"idf": self.idf, "weights": self.weights}

    @classmethod
    def from_saved(cls, settings: dict, arrays: dict) -> "TextPrior":
        return cls(np.asarray(arrays["idf"]), np.asarray(arrays["weights"]), float(settings["bias"]))


KINDS = {"forest": ForestPrior, "text": TextPrior}


def prior_names(setting: str) -> tuple[str, ...]:
    """``none``, ``forest``, ``text`` or ``forest+text`` -> the priors' names."""
    return () if setting == "none" else tuple(setting.split("+"))


def out_of_fold_log_odds(kind: str, items: Sequence[Judged], labels: Sequence[int], seed: int = 0) -> np.ndarray:
    """Each trajectory's estimate from a prior that never saw it (k-fold); the base rate when too few."""
    labels = np.asarray(labels)
    folds = min(FOLDS, int(np.bincount(labels, minlength=2).min())) if len(labels) else 0
    if folds < 2:
        return np.full(len(labels), logit(np.array([labels.mean() if len(labels) else 0.5]))[0])
    estimates = np.zeros(len(labels))
    for train, held in _stratified_folds(labels, folds, seed):
        prior = KINDS[kind].fit([items[i] for i in train], labels[train], seed)
        estimates[held] = prior.log_odds([items[i] for i in held])
    return estimates


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, CLIP, 1 - CLIP)
    return np.log(p / (1 - p))


def _hashed(items: Sequence[Judged]):
    from sklearn.feature_extraction.text import HashingVectorizer

    vectorizer = HashingVectorizer(n_features=HASH_FEATURES, ngram_range=(1, 3), token_pattern=TOKEN_PATTERN,
                                   alternate_sign=False, norm=None, lowercase=False)
    return vectorizer.transform(["\n".join(item.texts) for item in items])


def _stratified_folds(labels: np.ndarray, folds: int, seed: int):
    from sklearn.model_selection import StratifiedKFold

    return StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(labels)), labels)


def _flatten(forest: PmtForest) -> dict:
    """Every tree's nodes in one set of arrays; child indices are global, -1 marks a leaf."""
    model, parts, offset = forest.model, {name: [] for name in FOREST_ARRAYS}, 0
    positive = list(model.classes_).index(1) if 1 in model.classes_ else None
    for estimator in model.estimators_:
        tree = estimator.tree_
        leaf = tree.children_left < 0
        parts["left"].append(np.where(leaf, -1, tree.children_left + offset))
        parts["right"].append(np.where(leaf, -1, tree.children_right + offset))
        parts["feature"].append(np.where(leaf, 0, tree.feature))
        parts["threshold"].append(tree.threshold)
        parts["positive"].append(_leaf_positive_share(tree.value[:, 0, :], positive))
        parts["roots"].append(np.array([offset]))
        offset += tree.node_count
    return {name: np.concatenate(values) for name, values in parts.items()}


def _leaf_positive_share(value: np.ndarray, positive: int | None) -> np.ndarray:
    if positive is None:
        return np.zeros(len(value))
    return value[:, positive] / np.maximum(value.sum(axis=1), 1e-12)
