"""`--goal estimate`: the mutation score of a pool from few executions, unbiased by the design, with an interval.

Each draw picks one unexecuted candidate with a probability known before the draw: a uniform floor mixed with the
model's uncertainty sqrt(p (1 - p)), which is where a verdict corrects the model most when p is calibrated. Each
draw yields one estimate of the pool's kill rate (a difference estimator): the model's mean over the pool, executed
candidates counting as their verdict, plus the drawn candidate's residual divided by N q. Given everything before
the draw, that term's expectation is the true kill rate whatever the model says, so the mean of a fixed number of
terms is unbiased; the interval comes from the terms' spread (a martingale central limit theorem).

Executed candidates get probability 0: their verdict is in the model's mean already, so their residual is 0.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from statistics import NormalDist
from typing import Mapping, Sequence

import numpy as np

CONFIDENCE = 0.95
UNINFORMED = 0.5  # the seed round's prediction: with uniform draws, its terms are the plain verdicts


@dataclass(frozen=True)
class Draw:
    """One draw: ``probability`` of picking ``id``, the model's ``predicted`` kill probability for it and
    ``pool_mean``, the model's mean over the pool (executed candidates as their verdict), all before the draw."""

    id: str
    round: int
    probability: float
    predicted: float
    pool_mean: float

    def term(self, verdict: int, pool_size: int) -> float:
        return self.pool_mean + (verdict - self.predicted) / (pool_size * self.probability)


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float
    confidence: float
    draws: int
    executed: int
    std_error: float

    def as_dict(self) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def inclusion_probabilities(predicted: np.ndarray, known: np.ndarray, floor: float) -> np.ndarray:
    """Each candidate's chance per draw: 0 once executed; else ``floor`` spread evenly plus the rest in proportion
    to sqrt(p (1 - p)). A model sure of everything leaves only the uniform part."""
    open_ = ~known
    if not open_.any():
        return np.zeros(len(predicted))
    uniform = open_ / open_.sum()
    spread = np.sqrt(np.clip(predicted * (1 - predicted), 0.0, None)) * open_
    if spread.sum() <= 0:
        return uniform
    return floor * uniform + (1 - floor) * spread / spread.sum()


def draw_round(ids: Sequence[str], predicted: np.ndarray, verdicts: Mapping[str, int], count: int,
               rng: np.random.Generator, floor: float, round_index: int) -> list[Draw]:
    """``count`` draws with replacement from the open candidates (one executed twice in a round counts twice)."""
    known = np.array([i in verdicts for i in ids])
    fitted = np.where(known, [verdicts.get(i, 0) for i in ids], predicted).astype(float)
    chances = inclusion_probabilities(predicted, known, floor)
    if count <= 0 or chances.sum() <= 0:
        return []
    pool_mean = float(fitted.mean())
    picks = rng.choice(len(ids), size=count, replace=True, p=chances / chances.sum())
    return [Draw(ids[i], round_index, float(chances[i]), float(fitted[i]), pool_mean) for i in picks]


def seed_draws(ids: Sequence[str], count: int, rng: np.random.Generator,
               known: Mapping[str, int] | None = None) -> list[Draw]:
    """The first round, before any model: uniform draws among the candidates without a verdict (``known``: those
    that coverage already decided), each term a plain verdict scaled to their share of the pool."""
    return draw_round(ids, np.full(len(ids), UNINFORMED), known or {}, count, rng, 1.0, 0)


def estimate(draws: Sequence[Draw], verdicts: Mapping[str, int], pool_size: int,
             confidence: float = CONFIDENCE, bounds: tuple[float, float] | None = None) -> Estimate | None:
    """The mean of the draws' terms and its normal interval; draws without a verdict (infra errors) are left out.
    The spread counts two more terms, the ends of the range the kill rate can take (the plus-two rule; ``bounds``,
    else ``kill_rate_bounds``), so that a few draws that all agree do not claim an interval of width 0."""
    terms = np.array([d.term(verdicts[d.id], pool_size) for d in draws if d.id in verdicts])
    if terms.size == 0:
        return None
    value = float(terms.mean())
    spread = np.concatenate([terms, bounds or kill_rate_bounds(draws, pool_size)])
    error = float(math.sqrt(((spread - value) ** 2).sum() / (spread.size - 1) / terms.size))
    half = NormalDist().inv_cdf(0.5 + confidence / 2) * error
    return Estimate(value, max(0.0, value - half), min(1.0, value + half), confidence, int(terms.size),
                    len({d.id for d in draws}), error)


def kill_rate_bounds(draws: Sequence[Draw], pool_size: int) -> tuple[float, float]:
    """The range of the kill rate given what was known before the first draw: K/N to (K + open)/N, K the known
    kills. A seed draw (uniform over the open candidates, predicted UNINFORMED) maps verdicts 0 and 1 to exactly
    these ends, so its terms are the plain plus-two rule's 0 and 1 rescaled; pseudo-terms 0 and 1 would inflate the
    spread whenever coverage already decided part of the pool. Without a seed draw: 0 and 1."""
    seed = next((d for d in draws if d.round == 0 and d.predicted == UNINFORMED), None)
    if seed is None:
        return 0.0, 1.0
    return max(0.0, seed.term(0, pool_size)), min(1.0, seed.term(1, pool_size))


def draws_from_log(rounds: Sequence[Mapping]) -> list[Draw]:
    """The draws a run's stored round log holds (``Draw`` fields as lists, see ``draw_rows``)."""
    return [Draw(row[0], int(log.get("round", 0)), *map(float, row[1:])) for log in rounds
            for row in log.get("draws", ())]


def bounds_from_log(rounds: Sequence[Mapping]) -> tuple[float, float] | None:
    """The kill rate's range a run logged before its first draw (a warm first round), else None: then the seed
    round's draws imply it (``kill_rate_bounds``)."""
    stated = next((log["kill_rate_range"] for log in rounds if "kill_rate_range" in log), None)
    return None if stated is None else (float(stated[0]), float(stated[1]))


def draw_rows(draws: Sequence[Draw]) -> list[list]:
    """Draws as compact rows for the round log: id, probability, predicted, pool mean."""
    return [[d.id, round(d.probability, 8), round(d.predicted, 6), round(d.pool_mean, 6)] for d in draws]
