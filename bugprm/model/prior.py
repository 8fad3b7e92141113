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

import re
import zlib
from dataclasses import dataclass
from itertools import chain
from typing import Protocol, Sequence

import numpy as np

from bugprm.model.pmt_forest import FeatureEncoder, PmtForest

CLIP = 0.02  # probabilities kept in [CLIP, 1 - CLIP]: a leaf's 0 or 1 would be an infinite log-odds
FOLDS = 5
FOREST_ARRAYS = ("left", "right", "feature", "threshold", "positive", "roots")
HASH_BITS = 18
HASH_FEATURES = 2**HASH_BITS
NGRAMS = (1, 2, 3)
TOKEN = re.compile(r"[A-Za-z_]+|\d+|[^\sA-Za-z_\d]")  # words, numbers, and each punctuation mark on its own
GRAM_PRIME = np.uint64(1099511628211)  # FNV-1a's 64-bit prime: folds a token code into its n-gram's code
GRAM_MIX = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio: Fibonacci hashing of n-gram codes to buckets


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
    def fit(cls, items: Sequence[Judged], labels: Sequence[int], seed: int = 0, trees: int = 300,
            min_leaf: int = 2) -> "ForestPrior":
        """``trees`` and ``min_leaf`` bound the saved size: nodes grow with the labels over ``min_leaf``."""
        forest = PmtForest(seed=seed, trees=trees, min_leaf=min_leaf).fit(list(items), list(labels))
        return cls(forest.encoder, _flatten(forest))

    def probability(self, items: Sequence[Judged]) -> np.ndarray:
        leaves = self.leaves(items)
        return self.arrays["positive"][leaves].mean(axis=1) if len(leaves) else np.zeros(0)

    def leaves(self, items: Sequence[Judged]) -> np.ndarray:
        """[items, trees]: the global index of the leaf each item reaches in each tree."""
        x = self.encoder.transform(list(items)).astype(np.float32)  # as scikit-learn's trees compare
        a = self.arrays
        node = np.broadcast_to(a["roots"], (len(x), len(a["roots"]))).copy()
        rows = np.arange(len(x))[:, None]
        while (inner := a["left"][node] >= 0).any():
            go_left = x[rows, a["feature"][node]] <= a["threshold"][node]
            node = np.where(inner, np.where(go_left, a["left"][node], a["right"][node]), node)
        return node

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

        counts = ngram_counts(items)
        tfidf = TfidfTransformer().fit(counts)
        # A bucket no trajectory has keeps weight 0 under L2 (its gradient is the penalty alone), so L-BFGS on the
        # buckets in use follows the same path, with vectors ~40 times shorter than HASH_FEATURES (bucket 0 always
        # kept, so that texts without a token still leave a column to fit).
        used = np.union1d(np.flatnonzero(counts.getnnz(axis=0)), [0])
        model = LogisticRegression(max_iter=2000, class_weight="balanced", random_state=seed)
        model.fit(tfidf.transform(counts)[:, used], list(labels))
        weights = np.zeros(HASH_FEATURES, dtype=np.float32)
        weights[used] = model.coef_[0]
        return cls(tfidf.idf_.astype(np.float32), weights, float(model.intercept_[0]))

    def log_odds(self, items: Sequence[Judged]) -> np.ndarray:
        from scipy.sparse import csr_matrix

        counts = ngram_counts(items)
        weighted = csr_matrix((counts.data * self.idf[counts.indices], counts.indices, counts.indptr), counts.shape)
        norms = np.sqrt(np.asarray(weighted.power(2).sum(axis=1))).ravel()
        raw = weighted @ self.weights / np.maximum(norms, 1e-12) + self.bias
        return np.clip(raw, *logit(np.array([0.0, 1.0])))

    def to_saved(self) -> tuple[dict, dict]:
        return {"bias": self.bias}, {"idf": self.idf, "weights": self.weights}

    @classmethod
    def from_saved(cls, settings: dict, arrays: dict) -> "TextPrior":
        return cls(np.asarray(arrays["idf"]), np.asarray(arrays["weights"]), float(settings["bias"]))


KINDS = {"forest": ForestPrior, "text": TextPrior, "corpus": TextPrior}
FITTED = ("forest", "text")  # refitted on each project's labels; ``corpus`` is loaded once and stays frozen


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


def ngram_counts(items: Sequence[Judged]):
    """Counts of hashed token 1-3-grams, a sparse [items, HASH_FEATURES]; an item's step texts are one document.

    numpy hashes every n-gram at once from its tokens' crc32 codes (scikit-learn's HashingVectorizer built a
    string per n-gram in Python: a third of the tiny model's scoring time); crc32, unlike ``hash()``, is the same
    in every process, so a saved model's weights find their n-grams again.
    """
    from scipy.sparse import csr_matrix

    tokens = [TOKEN.findall("\n".join(item.texts)) for item in items]
    lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    codes = np.fromiter(map(_TokenCodes().__getitem__, chain.from_iterable(tokens)), np.uint64, int(lengths.sum()))
    document = np.repeat(np.arange(len(tokens)), lengths)
    rows, columns = zip(*(_ngram_cells(codes, document, n) for n in NGRAMS))
    rows, columns = np.concatenate(rows), np.concatenate(columns)
    return csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(len(tokens), HASH_FEATURES))


class _TokenCodes(dict):
    """Token -> its crc32, computed once per distinct token."""

    def __missing__(self, token: str) -> int:
        self[token] = code = zlib.crc32(token.encode())
        return code


def _ngram_cells(codes: np.ndarray, document: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(document, bucket) of every n-gram that lies within one document."""
    count = max(len(codes) - n + 1, 0)
    gram = np.full(count, n, dtype=np.uint64)  # seeded with n, so a bigram and a trigram do not share a code
    for offset in range(n):
        gram = gram * GRAM_PRIME + codes[offset : offset + count]
    within = document[:count] == document[n - 1 : n - 1 + count]
    buckets = gram[within] * GRAM_MIX >> np.uint64(64 - HASH_BITS)  # the top bits: those every code bit reaches
    return document[:count][within], buckets.astype(np.int64)


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
