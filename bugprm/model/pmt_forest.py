"""Baselines the PRM is measured against: predictive mutation testing's random forest, and "covered means killed".

PMT (Zhang et al.) predicts a mutant's fate from hand features; adapted to Python these are the operator, the
covering tests and their assertions and duration, and the function's complexity, nesting and size. Numeric
features are read from `Candidate.features` as they are; categorical ones are one-hot encoded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bugprm.records import POSITIVE_OUTCOMES, Candidate, Execution

# ``kind``: one forest reads candidate bugs (P(killed)) and patches (P(correct)), whose features mean other things
CATEGORICAL = ("operator", "family", "node_kind", "language", "kind")


@dataclass(frozen=True)
class FeatureEncoder:
    numeric: tuple[str, ...]
    categories: tuple[tuple[str, str], ...]

    @classmethod
    def fit(cls, candidates: list[Candidate]) -> "FeatureEncoder":
        numeric = sorted({k for c in candidates for k, v in c.features.items()
                          if k not in CATEGORICAL and isinstance(v, (int, float))})
        categories = sorted({(k, str(c.features.get(k, getattr(c, k, "")))) for c in candidates for k in CATEGORICAL})
        return cls(tuple(numeric), tuple(categories))

    def transform(self, candidates: list[Candidate]) -> np.ndarray:
        return np.array([self._row(c) for c in candidates], dtype=float).reshape(len(candidates), -1)

    def _row(self, c: Candidate) -> list[float]:
        numbers = [float(c.features.get(name, 0) or 0) for name in self.numeric]
        flags = [float(str(c.features.get(k, getattr(c, k, ""))) == v) for k, v in self.categories]
        return numbers + flags


def is_valid_bug(execution: Execution) -> int:
    """1 for a trajectory that ended well: a valid bug (killed) or, for a repair, a correct patch."""
    return int(execution.outcome in POSITIVE_OUTCOMES)


class PmtForest:
    """A scikit-learn random forest on PMT-style features; the within-project line to beat."""

    def __init__(self, seed: int = 0, trees: int = 300, min_leaf: int = 2):
        from sklearn.ensemble import RandomForestClassifier

        self.model = RandomForestClassifier(n_estimators=trees, random_state=seed, n_jobs=-1,
                                            min_samples_leaf=min_leaf, class_weight="balanced")
        self.encoder: FeatureEncoder | None = None

    def fit(self, candidates: list[Candidate], labels: list[int]) -> "PmtForest":
        self.encoder = FeatureEncoder.fit(candidates)
        self.model.fit(self.encoder.transform(candidates), labels)
        return self

    def predict(self, candidates: list[Candidate]) -> np.ndarray:
        probabilities = self.model.predict_proba(self.encoder.transform(candidates))
        positive = list(self.model.classes_).index(1) if 1 in self.model.classes_ else None
        return probabilities[:, positive] if positive is not None else np.zeros(len(candidates))


def covered_means_killed(candidates: list[Candidate], key: str = "covering_tests") -> np.ndarray:
    """The rule earlier predictors reduce to: a covered mutant is killed."""
    return np.array([float((c.features.get(key) or 0) > 0) for c in candidates])
