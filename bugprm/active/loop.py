"""The ActPRM active-learning loop, apart from any trainer: score, select, execute, learn, log a round.

The learner and the oracle are parameters, so the same loop drives a live `bugprm train` (the oracle runs the
harness) and a simulated `bugprm bench` (the oracle reads verdicts cached from one full execution).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Protocol

import numpy as np

from bugprm.active.selection import select_uncertain
from bugprm.active.strategies import Prediction, make_strategy
from bugprm.config import ActiveLearningConfig, Budget
from bugprm.records import Candidate, Execution, Oracle, UNLABELLED_OUTCOMES


class Learner(Protocol):
    def fit(self, labelled: list[Candidate]) -> dict: ...

    def predict(self, candidates: list[Candidate], mc_passes: int = 0) -> list[Prediction]: ...


Labeller = Callable[[list[Candidate], dict[str, Execution]], list[Candidate]]


def seed_count(settings: ActiveLearningConfig, pool_size: int) -> int:
    """The random seed set: as configured, else the smaller of 100 and 5% of the pool."""
    return settings.seed_size or min(100, max(1, round(0.05 * pool_size)))


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
        self.settings, self.budget = settings, budget
        self.on_round = on_round or (lambda log: None)
        self.on_selected = on_selected or (lambda round_index, ids: None)
        self.strategy = make_strategy(settings.strategy, settings.delta_pred, settings.delta_std)
        self.rng = np.random.default_rng(settings.seed)
        self.executions: dict[str, Execution] = {}
        self.logs: list[RoundLog] = []
        self._stream_order = [c.id for c in self._shuffled(pool)]
        self._streamed: set[str] = set()
        self._last_fit: dict = {}

    def run(self, executions: dict[str, Execution] | None = None, start_round: int = 0) -> LoopResult:
        pool_ids = {c.id for c in self.pool}
        self.executions = {k: v for k, v in (executions or {}).items() if k in pool_ids}
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

    # -- one round ---------------------------------------------------------------------------------------------
    def _round(self, round_index: int) -> str:
        left = self._budget_left()
        if left <= 0:
            return "budget"
        if not self._labelled_ids():
            chosen, considered = self._seed_set(left), len(self._unexecuted())
        else:
            self._train()
            chosen, considered = self._select(left)
        if not chosen:
            return "nothing uncertain" if considered else "pool exhausted"
        self.on_selected(round_index, [c.id for c in chosen])
        self._execute(chosen)
        self._log(round_index, chosen, considered)
        return ""

    def _seed_set(self, left: int) -> list[Candidate]:
        pool = self._unexecuted()
        size = min(seed_count(self.settings, len(self.pool)), left, len(pool))
        picks = self.rng.choice(len(pool), size=size, replace=False) if size else []
        return [pool[i] for i in sorted(picks)]

    def _select(self, left: int) -> tuple[list[Candidate], int]:
        considered = self._considered()
        predictions = self.learner.predict(considered, self._mc_passes())
        limit = min(left, self.settings.batch_size) if self.settings.mode == "pool" else left
        ids = select_uncertain(predictions, self.strategy, limit, self.rng, self.settings.diversity_weight,
                               self.settings.sampling)
        by_id = {c.id: c for c in considered}
        return [by_id[i] for i in ids], len(considered)

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
        self._last_fit = self.learner.fit(self.labelled())

    def _log(self, round_index: int, chosen: list[Candidate], considered: int) -> None:
        spent = sum(e.cpu_seconds for e in self.executions.values())
        log = RoundLog(round_index, tuple(c.id for c in chosen), considered, len(self.executions),
                       self._budget_left(), round(spent, 3), dict(self._last_fit))
        self.logs.append(log)
        self.on_round(log)

    # -- helpers ---------------------------------------------------------------------------------------------
    def _budget_left(self) -> int:
        spent = sum(e.cpu_seconds for e in self.executions.values())
        return self.budget.left(len(self.executions), spent, len(self.pool))

    def _unexecuted(self) -> list[Candidate]:
        return [c for c in self.pool if c.id not in self.executions]

    def _labelled_ids(self) -> set[str]:
        return {k for k, e in self.executions.items() if e.outcome not in UNLABELLED_OUTCOMES}

    def _mc_passes(self) -> int:
        return self.settings.mc_passes if self.settings.strategy in ("mc-dropout", "composite") else 0

    def _shuffled(self, pool: list[Candidate]) -> list[Candidate]:
        order = np.random.default_rng(self.settings.seed + 1).permutation(len(pool))
        return [pool[i] for i in order]
