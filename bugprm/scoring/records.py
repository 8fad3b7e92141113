"""Scoring candidates with a trained PRM: score records and the pure logic around them (no torch here).

A ``Scorer`` turns candidates into per-step rewards (mean over the ensemble's heads) and spreads (std over the
heads); everything else here is arithmetic on those numbers: the trajectory aggregate, the use/refine
recommendation, the weakest step, the ranking, which predictions are worth verifying, and the CI gate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol, Sequence

from bugprm import metrics
from bugprm.config import ScoringConfig
from bugprm.errors import GateFailed, InputError, ModelError
from bugprm.records import (
    POSITIVE_OUTCOMES, UNLABELLED_OUTCOMES, Candidate, Execution, Kind, Oracle, Outcome, StrEnum,
    TrajectoryScore,
)

AGGREGATES = tuple(metrics.AGGREGATES)
DEFAULT_AGGREGATE = ScoringConfig.aggregate
DEFAULT_THRESHOLD = ScoringConfig.threshold
# Executed outcomes where the tests let a candidate bug through.
MISSED_OUTCOMES = frozenset({Outcome.SURVIVED, Outcome.NO_COVERAGE})
SCORE_CHUNK = 512  # candidates per scorer call: progress moves between calls
DIGITS = 4  # every reward, spread and score is rounded once, here, so what is shown is what was compared


class Scorer(Protocol):
    def score(self, candidates: Sequence[Candidate]) -> list[TrajectoryScore]: ...


class Recommendation(StrEnum):
    USE = "use"
    REFINE = "refine"


@dataclass(frozen=True)
class Region:
    """Where a candidate sits in its file: 1-based lines and columns, the end column exclusive."""

    start_line: int
    start_column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Located:
    """A candidate ready to score: its place in the file and, where the harness ran it, its outcome."""

    candidate: Candidate
    region: Region
    outcome: Outcome | None = None


@dataclass(frozen=True)
class SourceFile:
    path: str
    language: str
    text: str


@dataclass(frozen=True)
class ScoringInput:
    """What a SOURCE option (``--bugs``, ``--patch``, ``--diff``) resolved to."""

    description: str
    items: tuple[Located, ...]
    files: tuple[SourceFile, ...] = ()


@dataclass(frozen=True)
class StepScore:
    name: str
    reward: float
    std: float
    says: str  # the first line of the step's text


@dataclass(frozen=True)
class ScoredCandidate:
    candidate: Candidate
    region: Region
    steps: tuple[StepScore, ...]
    score: float
    recommendation: Recommendation
    weakest: StepScore
    uncertainty: float  # mean spread over the steps
    outcome: Outcome | None = None
    executed: bool = False  # score and recommendation are the executed verdict (1 or 0), not a prediction

    @property
    def id(self) -> str:
        return self.candidate.id


@dataclass(frozen=True)
class Verification:
    """A prediction next to what the harness then found."""

    candidate_id: str
    score: float
    predicted: Recommendation
    outcome: Outcome
    agrees: bool | None  # None: the outcome says nothing about the candidate (an infra error)


@dataclass(frozen=True)
class ScoreSettings:
    aggregate: str = DEFAULT_AGGREGATE
    threshold: float = DEFAULT_THRESHOLD


@dataclass(frozen=True)
class ScoreReport:
    model: str
    source: str
    settings: ScoreSettings
    candidates: tuple[ScoredCandidate, ...]  # ranked: score descending, then id
    files: tuple[SourceFile, ...] = ()
    verified: tuple[Verification, ...] = ()

    @property
    def refine(self) -> tuple[ScoredCandidate, ...]:
        return tuple(c for c in self.candidates if c.recommendation is Recommendation.REFINE)

    @property
    def use(self) -> tuple[ScoredCandidate, ...]:
        return tuple(c for c in self.candidates if c.recommendation is Recommendation.USE)

    @property
    def agreement(self) -> tuple[int, int]:
        """(verified predictions that matched the outcome, verified predictions the outcome could judge)."""
        judged = [v for v in self.verified if v.agrees is not None]
        return sum(v.agrees for v in judged), len(judged)

    @property
    def test_gaps(self) -> tuple[ScoredCandidate, ...]:
        """Candidate bugs the suite would not notice: those executed and not killed first, then those predicted to
        survive, the least likely to be killed first."""
        gaps = [c for c in self.candidates if c.candidate.kind is Kind.BUG and _is_gap(c)]
        return tuple(sorted(gaps, key=lambda c: (not c.executed, c.score, c.id)))


def aggregate(rewards: Sequence[float], how: str = DEFAULT_AGGREGATE) -> float:
    """One trajectory score from its step rewards: min (default), product, mean or last."""
    if how not in AGGREGATES:
        raise InputError(f"unknown aggregate {how!r} (known: {', '.join(AGGREGATES)})")
    return metrics.aggregate(rewards, how)


def recommend(score: float, threshold: float) -> Recommendation:
    return Recommendation.USE if score >= threshold else Recommendation.REFINE


def weakest_step(steps: Sequence[StepScore]) -> StepScore:
    """The lowest-reward step; the earliest one on a tie."""
    return min(steps, key=lambda s: s.reward)


def step_scores(candidate: Candidate, prediction: TrajectoryScore) -> tuple[StepScore, ...]:
    means, stds = prediction.step_mean, prediction.step_std
    if not len(means) == len(stds) == len(candidate.steps):
        raise ModelError(f"the model gave {len(means)} step rewards for the {len(candidate.steps)} steps of "
                         f"{candidate.id}; is the model from another bugprm version?")
    return tuple(
        StepScore(str(step.name), round(float(m), DIGITS), round(float(s), DIGITS), _first_line(step.text))
        for step, m, s in zip(candidate.steps, means, stds)
    )


def score_one(item: Located, prediction: TrajectoryScore, settings: ScoreSettings) -> ScoredCandidate:
    steps = step_scores(item.candidate, prediction)
    score = round(aggregate([s.reward for s in steps], settings.aggregate), DIGITS)
    scored = ScoredCandidate(
        candidate=item.candidate, region=item.region, steps=steps, score=score,
        recommendation=recommend(score, settings.threshold), weakest=weakest_step(steps),
        uncertainty=round(sum(s.std for s in steps) / len(steps), DIGITS), outcome=item.outcome,
    )
    return as_executed(scored, settings) if item.outcome not in (None, *UNLABELLED_OUTCOMES) else scored


def as_executed(scored: ScoredCandidate, settings: ScoreSettings) -> ScoredCandidate:
    """An executed candidate reports what its tests gave (a known-killed bug is no test gap), never a prediction."""
    verdict = 1.0 if scored.outcome in POSITIVE_OUTCOMES else 0.0
    return replace(scored, score=verdict, recommendation=recommend(verdict, settings.threshold), uncertainty=0.0,
                   executed=True)


def rank(scored: Sequence[ScoredCandidate]) -> tuple[ScoredCandidate, ...]:
    return tuple(sorted(scored, key=lambda c: (-c.score, c.id)))


def score_input(source: ScoringInput, scorer: Scorer, settings: ScoreSettings, model: str,
                progress: bool = False) -> ScoreReport:
    candidates = [item.candidate for item in source.items]
    predictions = _predictions(scorer, candidates, progress)
    if len(predictions) != len(candidates):
        raise ModelError(f"the model scored {len(predictions)} of {len(candidates)} candidates")
    scored = [score_one(item, p, settings) for item, p in zip(source.items, predictions)]
    return ScoreReport(model, source.description, settings, rank(scored), source.files)


def _predictions(scorer: Scorer, candidates: list[Candidate], shown: bool) -> list[TrajectoryScore]:
    """The scorer's predictions, ``SCORE_CHUNK`` candidates a call so that progress (with its ETA) can move."""
    from bugprm.progress import progress

    predictions: list[TrajectoryScore] = []
    with progress("score", len(candidates), shown) as advance:
        for start in range(0, len(candidates), SCORE_CHUNK):
            chunk = candidates[start:start + SCORE_CHUNK]
            predictions += scorer.score(chunk)
            advance(len(chunk))
    return predictions


def most_uncertain(scored: Sequence[ScoredCandidate], count: int) -> list[ScoredCandidate]:
    """The ``count`` predictions worth executing first: widest spread over the heads, then closest to 0.5."""
    return sorted(scored, key=lambda c: (-c.uncertainty, abs(c.score - 0.5), c.id))[:count]


def prediction_agrees(recommendation: str, outcome: Outcome) -> bool | None:
    """Whether "use" (predicted on course) matches the executed outcome; None when the outcome tells nothing."""
    if outcome in UNLABELLED_OUTCOMES:
        return None
    return (recommendation == Recommendation.USE) == (outcome in POSITIVE_OUTCOMES)


def verify(report: ScoreReport, execute: Oracle, count: int) -> ScoreReport:
    """Execute the ``count`` most uncertain predictions and put predicted next to actual.

    Only candidates with edits can run (a hunk of ``--diff`` is already in the new revision, so it has none).
    """
    chosen = most_uncertain([c for c in report.candidates if c.candidate.edits], count)
    executions = execute([c.candidate for c in chosen]) if chosen else {}
    verified = tuple(_verification(c, executions[c.id]) for c in chosen if c.id in executions)
    outcomes = {v.candidate_id: v.outcome for v in verified}
    updated = tuple(replace(c, outcome=outcomes.get(c.id, c.outcome)) for c in report.candidates)
    return replace(report, candidates=updated, verified=verified)


def below(report: ScoreReport, fail_under: float) -> tuple[ScoredCandidate, ...]:
    return tuple(c for c in report.candidates if c.score < fail_under)


def check_gate(report: ScoreReport, fail_under: float | None) -> None:
    """Raise ``GateFailed`` (exit 1) when any candidate or hunk scores below ``fail_under``."""
    failing = below(report, fail_under) if fail_under is not None else ()
    if failing:
        shown = ", ".join(f"{c.id} ({c.score:.2f})" for c in failing[:5])
        more = f" and {len(failing) - 5} more" if len(failing) > 5 else ""
        raise GateFailed(f"{len(failing)} of {len(report.candidates)} candidates score below {fail_under}: "
                         f"{shown}{more}")


def predictions_record(report: ScoreReport) -> dict:
    """What ``bugprm report`` later compares with executed outcomes (saved as the store's ``last_score``)."""
    return {
        "model": report.model, "aggregate": report.settings.aggregate, "threshold": report.settings.threshold,
        "predictions": {c.id: {"score": c.score, "recommendation": str(c.recommendation)} for c in report.candidates},
    }


def untested(scored: ScoredCandidate) -> bool:
    """Not executed, and on a line no passing test runs (the baseline of the sources scored says so): the tests
    cannot catch it, whatever a model predicts."""
    unexecuted = scored.outcome is None or scored.outcome in UNLABELLED_OUTCOMES
    return unexecuted and scored.candidate.features.get("line_covered") == 0


def _is_gap(scored: ScoredCandidate) -> bool:
    if scored.outcome is not None and scored.outcome not in UNLABELLED_OUTCOMES:
        return scored.outcome in MISSED_OUTCOMES
    return untested(scored) or scored.recommendation is Recommendation.REFINE


def _verification(scored: ScoredCandidate, execution: Execution) -> Verification:
    agrees = prediction_agrees(scored.recommendation, execution.outcome)
    return Verification(scored.id, scored.score, scored.recommendation, execution.outcome, agrees)


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
