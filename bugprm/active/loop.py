"""The ActPRM active-learning loop, apart from any trainer: score, select, execute, learn, log a round.

The learner and the oracle are parameters, so the same loop drives a live `bugprm train` (the oracle runs the
harness) and a simulated `bugprm bench` (the oracle reads verdicts cached from one full execution).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Callable, Protocol

import numpy as np

from bugprm.active.coverage_known import COVERAGE_GOALS, uncovered_ids
from bugprm.active.gap_target import NOT_A_GAP
from bugprm.active.seeding import seed_set
from bugprm.active.selection import Selection, select_round
from bugprm.active.neighbours import density_weights
from bugprm.active.strategies import DensityWeighted, Prediction, make_strategy
from bugprm.config import ActiveLearningConfig, Budget
from bugprm.records import Candidate, Execution, Oracle, UNLABELLED_OUTCOMES


class Learner(Protocol):
    def fit(self, labelled: list[Candidate]) -> dict: ...

    def predict(self, candidates: list[Candidate], mc_passes: int = 0) -> list[Prediction]: ...


# (pool, executions, positive=outcomes labelled 1) -> the pool with step labels; ``labels.step_labels``
Labeller = Callable[..., list[Candidate]]


GAPS_FLOOR = 0.2
GAPS_BATCH = 16  # small rounds: each refit learns from the gaps just found (tuning set, BENCHMARKS.md issue 15)


def for_goal(settings: ActiveLearningConfig) -> ActiveLearningConfig:
    """The settings a goal implies: ``gaps`` executes the likeliest survivors first (the most found per execution)
    in small rounds, with a uniform floor, so that no candidate's chance of being executed is zero; ``estimate``
    draws by its own design (``EstimatingLoop``)."""
    if settings.goal != "gaps":
        return settings
    return replace(settings, strategy="survivors", sampling="top", uniform_floor=settings.uniform_floor or GAPS_FLOOR,
                   batch_size=min(settings.batch_size, GAPS_BATCH))


def seed_count(settings: ActiveLearningConfig, pool_size: int) -> int:
    """The random seed set: as configured, else the smaller of 100 and 5% of the pool."""
    return settings.seed_size or min(100, max(1, round(0.05 * pool_size)))


def selection_log(selection: Selection, predictions: list[Prediction]) -> dict:
    """What a round's selection saw: how many trajectories counted as uncertain, and how spread the scores (the
    heads' mean) and their uncertainty (the heads' std) were over the pool, as 10th/50th/90th percentiles."""
    means = np.array([float(np.min(p.mean)) for p in predictions])
    spreads = np.array([float(np.max(p.std)) for p in predictions])
    return {"uncertain": selection.uncertain, "uncertain_share": round(selection.uncertain / len(predictions), 4),
            "filled": selection.filled, "score_p10_50_90": _percentiles(means),
            "uncertainty_p10_50_90": _percentiles(spreads)}


def _percentiles(values: np.ndarray) -> list[float]:
    return [round(float(v), 4) for v in np.percentile(values, [10, 50, 90])]


@dataclass(frozen=True)
class RoundLog:
    round: int
    selected: tuple[str, ...]
    considered: int
    executed_total: int
    budget_left: int
    cpu_seconds: float
    metrics: dict = field(default_factory=dict)

    @property
    def selection_rate(self) -> float:
        return len(self.selected) / self.considered if self.considered else 0.0


@dataclass(frozen=True)
class LoopResult:
    rounds: tuple[RoundLog, ...]
    executions: dict[str, Execution]
    stopped: str


class ActiveLoop:
    """One run of the loop over a fixed pool. `executions` holds verdicts already made (a resumed run)."""

    def __init__(self, pool: list[Candidate], learner: Learner, oracle: Oracle, labeller: Labeller,
                 settings: ActiveLearningConfig, budget: Budget, on_round: Callable[[RoundLog], None] | None = None,
                 on_selected: Callable[[int, list[str]], None] | None = None):
        self.pool, self.learner, self.oracle, self.labeller = pool, learner, oracle, labeller
        settings = for_goal(settings)
        self.settings, self.budget = settings, budget
        self.on_round = on_round or (lambda log: None)
        self.on_selected = on_selected or (lambda round_index, ids: None)
        self.strategy = make_strategy(settings.strategy, settings.delta_pred, settings.delta_std,
                                      thresholds=settings.thresholds, share=settings.uncertain_share,
                                      aleatoric=settings.aleatoric)
        self.rng = np.random.default_rng(settings.seed)
        self.executions: dict[str, Execution] = {}
        self.logs: list[RoundLog] = []
        self._stream_order = [c.id for c in self._shuffled(pool)]
        self._streamed: set[str] = set()
        self._last_fit: dict = {}
        self._recorded: dict[int, list[str]] = {}
        self._last_selection: dict = {}
        self._known_by_coverage: set[str] = set()

    def run(self, executions: dict[str, Execution] | None = None, start_round: int = 0,
            recorded: dict[int, list[str]] | None = None) -> LoopResult:
        """``recorded``: the selections a killed run wrote before executing them, by round. The run is replayed from
        ``start_round`` (0) with those selections instead of new ones, so it first finishes what it had chosen (the
        oracle answers the verdicts it already has without running them), and its rounds, fits and random draws
        follow the clean run's; only then does it select anew."""
        pool_ids = {c.id for c in self.pool}
        self.executions = {k: v for k, v in (executions or {}).items() if k in pool_ids}
        self._recorded = dict(recorded or {})
        self._resolve_uncovered()
        stopped = "rounds"
        for round_index in range(start_round, self.settings.rounds):
            stopped = self._round(round_index)
            if stopped:
                break
        return LoopResult(tuple(self.logs), dict(self.executions), stopped or "rounds")

    def labelled(self) -> list[Candidate]:
        """The executed trajectories with their step labels, for a last fit after the final round."""
        labelled_ids = self._labelled_ids()
        return [c for c in self.labeller(self.pool, self.executions) if c.id in labelled_ids]

    def _resolve_uncovered(self) -> None:
        """Goals gaps and estimate: candidates no test covers are asked of the oracle first (the executor answers
        without running a test), cost no budget and teach the learner nothing: it only predicts covered ones."""
        if self.settings.goal not in COVERAGE_GOALS:
            return
        uncovered = uncovered_ids(self.pool)
        todo = [c for c in self.pool if c.id in uncovered and c.id not in self.executions]
        if todo:
            self.executions.update(self.oracle(todo))
        self._known_by_coverage = uncovered & set(self.executions)

    # -- one round ---------------------------------------------------------------------------------------------
    def _round(self, round_index: int) -> str:
        left = self._budget_left()
        if left <= 0:
            return "budget"
        if not self._chosen_labels() and self._learner_seeds():
            chosen, considered = self._warm_seed_set(left)
        elif not self._chosen_labels():
            chosen, considered = self._seed_set(left), len(self._unexecuted())
            self._last_selection = {"seed_set": len(chosen), "seed_selection": self.settings.seed_selection}
        else:
            self._train()
            chosen, considered = self._select(self._round_limit(left, round_index))
        chosen = self._as_recorded(round_index, chosen)
        if not chosen:
            return "nothing uncertain" if considered else "pool exhausted"
        self.on_selected(round_index, [c.id for c in chosen])
        self._execute(chosen)
        self._log(round_index, chosen, considered)
        return ""

    def _as_recorded(self, round_index: int, chosen: list[Candidate]) -> list[Candidate]:
        ids = self._recorded.get(round_index)
        if ids is None:
            return chosen
        by_id = {c.id: c for c in self.pool}
        return [by_id[i] for i in ids if i in by_id]

    def _seed_set(self, left: int) -> list[Candidate]:
        pool = self._unexecuted()
        size = min(seed_count(self.settings, len(self.pool)), left, len(pool))
        return seed_set(pool, size, self.rng, self.settings.seed_selection)

    def _learner_seeds(self) -> bool:
        return self.settings.seed_selection == "learner" and getattr(self.learner, "predicts_unlabelled", False)

    def _warm_seed_set(self, left: int) -> tuple[list[Candidate], int]:
        """A learner that knows something before any label (a base model) picks the seed set by its uncertainty,
        as it picks every later round."""
        self._train()
        chosen, considered = self._select(min(seed_count(self.settings, len(self.pool)), left))
        self._last_selection["seed_selection"] = "learner"
        return chosen, considered

    def _round_limit(self, left: int, round_index: int) -> int:
        """Pool mode: at least the batch size, more when the rounds left would not otherwise spend the budget."""
        if self.settings.mode != "pool":
            return left
        rounds_left = max(1, self.settings.rounds - round_index)
        return min(left, max(self.settings.batch_size, math.ceil(left / rounds_left)))

    def _select(self, limit: int) -> tuple[list[Candidate], int]:
        considered = self._considered()
        predictions = self.learner.predict(considered, self._mc_passes())
        selection = select_round(predictions, self._strategy_for(considered), limit, self.rng,
                                 self.settings.diversity_weight, self.settings.sampling,
                                 fill=not self.settings.stop_when_certain,
                                 uniform_floor=self.settings.uniform_floor)
        self._last_selection = {**selection_log(selection, predictions), "model_estimate": self._model_estimate(
            predictions)}
        by_id = {c.id: c for c in considered}
        return [by_id[i] for i in selection.ids], len(considered)

    def _strategy_for(self, considered: list[Candidate]):
        """Goal rank with a ``density_weight``: each uncertainty weighed by how many unexecuted candidates share
        the trajectory's line (a label informs its line-mates); random selection stays random."""
        weight = self.settings.density_weight
        if not weight or self.settings.goal != "rank" or self.settings.strategy == "random":
            return self.strategy
        return DensityWeighted(self.strategy, density_weights(considered, weight), self.settings.uncertain_share)

    def _considered(self) -> list[Candidate]:
        """Pool mode: every unexecuted candidate. Stream mode: the next batch of the stream not yet executed."""
        unexecuted = {c.id: c for c in self._unexecuted()}
        if self.settings.mode == "pool":
            return list(unexecuted.values())
        upcoming = [i for i in self._stream_order if i in unexecuted and i not in self._streamed]
        batch = upcoming[: self.settings.batch_size]
        self._streamed.update(batch)
        return [unexecuted[i] for i in batch]

    def _execute(self, chosen: list[Candidate]) -> None:
        results = self.oracle(chosen)
        self.executions.update(results)

    def _train(self) -> None:
        labelled = self._selection_labelled()
        self._last_fit = self.learner.fit([c for c in labelled if c.id not in self._known_by_coverage])

    def _selection_labelled(self) -> list[Candidate]:
        """What the selection model learns: whether a candidate is killed, or under goal gaps whether it is a test
        gap (``gap_target``); the final model learns the kills either way (``labelled``)."""
        if self.settings.goal != "gaps":
            return self.labelled()
        labelled_ids = self._labelled_ids()
        return [c for c in self.labeller(self.pool, self.executions, positive=NOT_A_GAP) if c.id in labelled_ids]

    def _log(self, round_index: int, chosen: list[Candidate], considered: int) -> None:
        spent = sum(e.cpu_seconds for e in self.executions.values())
        known = {"known_by_coverage": sorted(self._known_by_coverage)} if self._known_by_coverage and not self.logs \
            else {}
        log = RoundLog(round_index, tuple(c.id for c in chosen), considered, len(self.executions),
                       self._budget_left(), round(spent, 3), {**self._last_fit, **self._last_selection, **known})
        self.logs.append(log)
        self.on_round(log)

    def _model_estimate(self, predictions: list[Prediction]) -> float | None:
        """The pool's kill rate by the model: executed candidates as their verdict, the rest as predicted (pool
        mode, where every unexecuted candidate is predicted)."""
        from bugprm.model.pmt_forest import is_valid_bug

        if self.settings.mode != "pool":
            return None
        known = [is_valid_bug(e) for e in self.executions.values() if e.outcome not in UNLABELLED_OUTCOMES]
        predicted = [float(np.min(p.mean)) for p in predictions]
        return round(float(np.mean(known + predicted)), 4) if known or predicted else None

    # -- helpers ---------------------------------------------------------------------------------------------
    def _budget_left(self) -> int:
        spent = sum(e.cpu_seconds for e in self.executions.values())
        return self.budget.left(len(self.executions) - len(self._known_by_coverage), spent, len(self.pool))

    def _unexecuted(self) -> list[Candidate]:
        return [c for c in self.pool if c.id not in self.executions]

    def _labelled_ids(self) -> set[str]:
        return {k for k, e in self.executions.items() if e.outcome not in UNLABELLED_OUTCOMES}

    def _chosen_labels(self) -> set[str]:
        """The labels the loop paid for, apart from what coverage knew."""
        return self._labelled_ids() - self._known_by_coverage

    def _mc_passes(self) -> int:
        return self.settings.mc_passes if self.settings.strategy in ("mc-dropout", "composite") else 0

    def _shuffled(self, pool: list[Candidate]) -> list[Candidate]:
        order = np.random.default_rng(self.settings.seed + 1).permutation(len(pool))
        return [pool[i] for i in order]
