"""Selection strategies: which unexecuted trajectories are worth the cost of running their tests.

Every strategy reads the same `Prediction` (per-head step probabilities) and returns one uncertainty score per
trajectory, higher meaning more worth executing, plus which trajectories count as uncertain at all. Only the
steps up to and including the first predicted error matter: after it, the trajectory is already judged off course.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bugprm.config import STRATEGIES
from bugprm.errors import ConfigError
from bugprm.metrics import DEFAULT_THRESHOLD


@dataclass(frozen=True)
class Prediction:
    """What the PRM says of one trajectory: per_head is (heads, steps); mc_variance (steps,) is the variance of the
    step probability over MC-dropout passes (and heads), when such passes were run."""

    id: str
    per_head: np.ndarray
    embedding: np.ndarray | None = None
    mc_variance: np.ndarray | None = None

    @property
    def mean(self) -> np.ndarray:
        return self.per_head.mean(axis=0)

    @property
    def std(self) -> np.ndarray:
        return self.per_head.std(axis=0)

    def decisive_steps(self) -> slice:
        """Steps up to and including the first predicted error (mean below 0.5); all steps if none."""
        below = np.flatnonzero(self.mean < DEFAULT_THRESHOLD)
        return slice(0, int(below[0]) + 1 if below.size else self.per_head.shape[1])


@dataclass(frozen=True)
class ActPRM:
    """The paper's rule: uncertain when confidence < delta_pred (aleatoric) or head std > delta_std (epistemic)."""

    delta_pred: float = 0.95
    delta_std: float = 0.005
    name: str = "actprm"

    def scores(self, predictions: list[Prediction], rng: np.random.Generator) -> np.ndarray:
        return np.array([_actprm_excess(p, self.delta_pred, self.delta_std) for p in predictions])

    def uncertain(self, predictions: list[Prediction], rng: np.random.Generator) -> np.ndarray:
        return self.scores(predictions, rng) > 0


def _actprm_excess(p: Prediction, delta_pred: float, delta_std: float) -> float:
    """How far past either threshold the worst decisive step is; > 0 means uncertain."""
    steps = p.decisive_steps()
    confidence = np.maximum(p.mean[steps], 1 - p.mean[steps])
    return float(max(np.max(delta_pred - confidence), np.max(p.std[steps] - delta_std)))


def entropy_score(p: Prediction) -> float:
    mean = np.clip(p.mean[p.decisive_steps()], 1e-7, 1 - 1e-7)
    return float(np.max(-(mean * np.log2(mean) + (1 - mean) * np.log2(1 - mean))))


def mc_variance_score(p: Prediction) -> float:
    if p.mc_variance is None:
        raise ConfigError("the mc-dropout strategy needs MC-dropout passes (mc_variance) in the predictions")
    return float(np.max(p.mc_variance[p.decisive_steps()]))


def head_variance_score(p: Prediction) -> float:
    return float(np.max(p.per_head[:, p.decisive_steps()].var(axis=0)))


def margin_score(p: Prediction) -> float:
    return float(np.max(1 - np.abs(2 * p.mean[p.decisive_steps()] - 1)))


def committee_score(p: Prediction) -> float:
    """Vote entropy of the heads' yes/no decisions, worst decisive step."""
    votes = (p.per_head[:, p.decisive_steps()] >= DEFAULT_THRESHOLD).mean(axis=0)
    votes = np.clip(votes, 1e-7, 1 - 1e-7)
    return float(np.max(-(votes * np.log2(votes) + (1 - votes) * np.log2(1 - votes))))


@dataclass(frozen=True)
class ScoreStrategy:
    """A strategy that ranks by one per-trajectory score; every trajectory with a score above 0 is uncertain."""

    name: str
    score_one: object

    def scores(self, predictions: list[Prediction], rng: np.random.Generator) -> np.ndarray:
        return np.array([self.score_one(p) for p in predictions], dtype=float)

    def uncertain(self, predictions: list[Prediction], rng: np.random.Generator) -> np.ndarray:
        return self.scores(predictions, rng) > 1e-6


@dataclass(frozen=True)
class Composite:
    """Weighted sum of min-max-normalised entropy, variance, margin and committee scores."""

    weights: tuple[float, float, float, float] = (0.3, 0.3, 0.2, 0.2)
    name: str = "composite"

    def scores(self, predictions: list[Prediction], rng: np.random.Generator) -> np.ndarray:
        variance = mc_variance_score if all(p.mc_variance is not None for p in predictions) else head_variance_score
        parts = [entropy_score, variance, margin_score, committee_score]
        columns = [_normalise(np.array([f(p) for p in predictions])) for f in parts]
        return sum(w * c for w, c in zip(self.weights, columns))

    def uncertain(self, predictions: list[Prediction], rng: np.random.Generator) -> np.ndarray:
        return self.scores(predictions, rng) > 1e-6


@dataclass(frozen=True)
class RandomSelection:
    """The baseline: every trajectory is a candidate, in a seeded random order."""

    name: str = "random"

    def scores(self, predictions: list[Prediction], rng: np.random.Generator) -> np.ndarray:
        return rng.random(len(predictions))

    def uncertain(self, predictions: list[Prediction], rng: np.random.Generator) -> np.ndarray:
        return np.ones(len(predictions), dtype=bool)


def _normalise(values: np.ndarray) -> np.ndarray:
    spread = values.max() - values.min() if values.size else 0.0
    return (values - values.min()) / spread if spread > 0 else np.zeros_like(values)


STRATEGY_NAMES = STRATEGIES


def make_strategy(name: str, delta_pred: float = 0.95, delta_std: float = 0.005, weights=None):
    builders = {
        "actprm": lambda: ActPRM(delta_pred, delta_std),
        "entropy": lambda: ScoreStrategy("entropy", entropy_score),
        "mc-dropout": lambda: ScoreStrategy("mc-dropout", mc_variance_score),
        "margin": lambda: ScoreStrategy("margin", margin_score),
        "committee": lambda: ScoreStrategy("committee", committee_score),
        "composite": lambda: Composite(tuple(weights) if weights else (0.3, 0.3, 0.2, 0.2)),
        "random": RandomSelection,
    }
    if name not in builders:
        raise ConfigError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGY_NAMES)}")
    return builders[name]()
