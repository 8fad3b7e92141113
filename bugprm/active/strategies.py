"""Selection strategies: which unexecuted trajectories are worth the cost of running their tests.

Every strategy reads the same `Prediction` (per-head step probabilities) and returns one uncertainty score per
trajectory, higher meaning more worth executing, plus which trajectories count as uncertain at all. Only the
steps up to and including the first predicted error matter: after it, the trajectory is already judged off course.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bugprm.config import STRATEGIES, THRESHOLDS, ActiveLearningConfig
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

    delta_pred: float = ActiveLearningConfig.delta_pred
    delta_std: float = ActiveLearningConfig.delta_std
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


def survival_score(p: Prediction) -> float:
    """How likely the tests let the trajectory through: 1 - its predicted chance of being killed (its weakest step)."""
    return float(1 - np.min(p.mean))


def committee_score(p: Prediction) -> float:
    """Vote entropy of the heads' yes/no decisions, worst decisive step; a unanimous vote scores exactly 0."""
    votes = (p.per_head[:, p.decisive_steps()] >= DEFAULT_THRESHOLD).mean(axis=0)
    return float(np.max(_binary_entropy(votes)))


def _binary_entropy(p: np.ndarray) -> np.ndarray:
    """Bits of a yes/no with chance p, 0 at p = 0 or 1 (no clipping, which turned a unanimous vote into > 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = -(p * np.log2(p) + (1 - p) * np.log2(1 - p))
    return np.nan_to_num(terms, nan=0.0)


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




@dataclass(frozen=True)
class RelativeActPRM:
    """ActPRM's two tests with thresholds taken from the pool: the least confident ``share``/2 and the ``share``/2
    with the widest head spread are uncertain (fixed thresholds pass every candidate once the heads disagree at all).
    The score is a trajectory's higher percentile of the two, so the union of both tests ranks first."""

    share: float = 0.3
    name: str = "actprm"

    def scores(self, predictions: list[Prediction], rng: np.random.Generator) -> np.ndarray:
        confidence = np.array([_decisive_confidence(p) for p in predictions])
        spread = np.array([float(np.max(p.std[p.decisive_steps()])) for p in predictions])
        return np.maximum(_percentile_rank(-confidence, rng), _percentile_rank(spread, rng))

    def uncertain(self, predictions: list[Prediction], rng: np.random.Generator) -> np.ndarray:
        return self.scores(predictions, rng) > 1 - self.share / 2


@dataclass(frozen=True)
class TopShare:
    """Any score strategy, relative to the pool: the ``share`` of trajectories with the highest scores is uncertain,
    ties broken at random."""

    inner: object
    share: float = 0.3

    @property
    def name(self) -> str:
        return self.inner.name

    def scores(self, predictions: list[Prediction], rng: np.random.Generator) -> np.ndarray:
        return self.inner.scores(predictions, rng)

    def uncertain(self, predictions: list[Prediction], rng: np.random.Generator) -> np.ndarray:
        return _percentile_rank(self.scores(predictions, rng), rng) > 1 - self.share


@dataclass(frozen=True)
class DensityWeighted:
    """Information density: a strategy's score times a weight per trajectory (``neighbours.density_weights``: how
    many unexecuted candidates its label would inform); the top ``share`` by the weighted score is uncertain."""

    inner: object
    weights: np.ndarray = field(compare=False)
    share: float = 0.3

    @property
    def name(self) -> str:
        return self.inner.name

    def scores(self, predictions: list[Prediction], rng: np.random.Generator) -> np.ndarray:
        return self.inner.scores(predictions, rng) * self.weights

    def uncertain(self, predictions: list[Prediction], rng: np.random.Generator) -> np.ndarray:
        return _percentile_rank(self.scores(predictions, rng), rng) > 1 - self.share


def _decisive_confidence(p: Prediction) -> float:
    mean = p.mean[p.decisive_steps()]
    return float(np.min(np.maximum(mean, 1 - mean)))


def _percentile_rank(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each value's rank in (0, 1], highest 1; equal values are ordered at random."""
    order = np.lexsort((rng.random(len(values)), values))
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1) / max(len(values), 1)
    return ranks


STRATEGY_NAMES = STRATEGIES


def make_strategy(name: str, delta_pred: float = ActPRM.delta_pred, delta_std: float = ActPRM.delta_std,
                  weights=None, thresholds: str = "absolute", share: float = ActiveLearningConfig.uncertain_share,
                  aleatoric: str = "confidence"):
    """``thresholds`` relative: the top ``share`` of the pool is uncertain; absolute: the fixed thresholds.
    ``aleatoric`` rank: relative ActPRM's first test is the expected rank gain (`rank_gain`), not confidence."""
    builders = {
        "actprm": lambda: ActPRM(delta_pred, delta_std),
        "entropy": lambda: ScoreStrategy("entropy", entropy_score),
        "mc-dropout": lambda: ScoreStrategy("mc-dropout", mc_variance_score),
        "margin": lambda: ScoreStrategy("margin", margin_score),
        "committee": lambda: ScoreStrategy("committee", committee_score),
        "composite": lambda: Composite(tuple(weights)) if weights else Composite(),
        "survivors": lambda: ScoreStrategy("survivors", survival_score),
        "random": RandomSelection,
    }
    if name not in builders:
        raise ConfigError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGY_NAMES)}")
    if thresholds not in THRESHOLDS or not 0 < share <= 1:
        raise ConfigError(f"active_learning.thresholds must be one of {', '.join(THRESHOLDS)} and uncertain_share in "
                          f"(0, 1], got {thresholds!r} and {share!r}")
    if thresholds == "absolute" or name == "random":
        return builders[name]()
    if name == "actprm" and aleatoric == "rank":
        from bugprm.active.rank_gain import RankActPRM

        return RankActPRM(share)
    return RelativeActPRM(share) if name == "actprm" else TopShare(builders[name](), share)
