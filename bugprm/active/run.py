"""`bugprm train`: build or reuse each repository's pool, then run the ActPRM loop with the harness as oracle.

Every round's selection is written to the store before it is executed. A killed run resumes by replaying its
recorded rounds (the verdicts it has are answered from the store, the rest of its last selection is executed) and
only then selects again: the budget counts only verdicts this run asked for, the harness never executes a candidate
twice, and the round log ends as a clean run's would.
"""

from __future__ import annotations

import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np

from bugprm.active.gap_target import gap_ids
from bugprm.active.goals import goal_summary
from bugprm.active.loop import ActiveLoop, RoundLog
from bugprm.config import ActiveLearningConfig, Budget, Config, fingerprint
from bugprm.execute.executors import LOCAL, ExecutorChoice
from bugprm.records import Candidate, Execution, content_id
from bugprm.store import Store, find_store_directory
from bugprm.store_lock import store_lock


@dataclass(frozen=True)
class TrainRequest:
    """A train run. The loop's settings and budget are the config's, command-line overrides applied to it: one
    source, so the run id, the card and the loop cannot disagree about them."""

    repos: tuple[Path, ...]
    config: Config
    out: Path
    eval_fraction: float = 0.0
    workers: int = 1
    python: str | None = None
    pytest_args: str | None = None
    max_candidates: int | None = None
    store_dir: Path | None = None  # with one repository: its run directory, when not .bugprm/ inside it
    executor: ExecutorChoice = LOCAL
    base_model: Path | None = None  # start warm from this base model (``--from base``); None: cold

    @property
    def settings(self) -> ActiveLearningConfig:
        return self.config.active_learning

    @property
    def budget(self) -> Budget:
        return self.config.active_learning.parsed_budget


@dataclass(frozen=True)
class TrainingCard:
    run_id: str
    repos: tuple[str, ...]
    pool_size: int
    held_out: int
    executed: int
    executed_fraction: float
    budget: str
    test_cpu_seconds: float
    stopped: str
    strategy: dict
    rounds: tuple[dict, ...]
    final_fit: dict
    held_out_metrics: dict | None
    config_fingerprint: str
    seconds: float
    model_dir: str
    extra: dict = field(default_factory=dict)


class Pools:
    """The stores and harness sessions of the repositories a run trains on."""

    def __init__(self, request: TrainRequest, stack: ExitStack, progress: bool = False):
        from bugprm.execute.features import fill_features
        from bugprm.execute.session import HarnessSession

        self.stores = [stack.enter_context(_pool_store(r, request)) for r in request.repos]
        for store in self.stores:
            stack.enter_context(store_lock(store.directory))
        self.sessions = [stack.enter_context(HarnessSession.open(s, r, workers=request.workers, python=request.python,
                                                                 pytest_args=request.pytest_args,
                                                                 executor=request.executor))
                         for s, r in zip(self.stores, request.repos)]
        for store, session in zip(self.stores, self.sessions):
            fill_features(store, session.runner, store.candidates())
        self.candidates = [c for store in self.stores for c in store.candidates()]
        self._owner = {c.id: i for i, store in enumerate(self.stores) for c in store.candidates()}
        self._progress = progress

    def oracle(self, candidates: list[Candidate]) -> dict[str, Execution]:
        found: dict[str, Execution] = {}
        for index, session in enumerate(self.sessions):
            mine = [c for c in candidates if self._owner[c.id] == index]
            found.update(self._execute(session, mine) if mine else {})
        return found

    def _execute(self, session, mine: list[Candidate]) -> dict[str, Execution]:
        from bugprm.execute.progress import label_progress

        done = session.executed()
        todo = len([c for c in mine if c.id not in done])
        with label_progress(todo, self._progress, task=f"train: executing in {session.repo.name}") as advance:
            return {e.candidate_id: e for e in session.execute(mine, on_result=advance)}

    def record_round(self, run_id: str, round_index: int, ids: list[str], metrics: dict) -> None:
        for index, store in enumerate(self.stores):
            store.record_round(run_id, round_index, [i for i in ids if self._owner[i] == index], metrics)

    def recorded(self, run_id: str) -> dict[int, list[str]]:
        """The selections this run recorded, by round: a resumed run replays them (``ActiveLoop.run``)."""
        selections: dict[int, list[str]] = {}
        for store in self.stores:
            for found in store.rounds(run_id):
                selections.setdefault(found["round"], []).extend(found["selected"])
        return selections

    def execution_report(self) -> dict:
        """The executor and the test CPU-seconds each node spent in this run (the card's ``extra``)."""
        from bugprm.execute.run import node_seconds

        by_node = sum((session.cpu_by_node for session in self.sessions), Counter())
        return {"executor": self.sessions[0].executor.describe(), "cpu_seconds_by_node": node_seconds(by_node)}


def train_active(request: TrainRequest, on_round: Callable[[RoundLog], None] | None = None,
                 progress: bool = False) -> TrainingCard:
    from bugprm.active.learners import loop_learner, prm_learner
    from bugprm.labels import step_labels

    started = time.perf_counter()
    with ExitStack() as stack:
        pools = Pools(request, stack, progress)
        pool, held_out = held_out_split(pools.candidates, request.eval_fraction, request.settings.seed)
        run_id = _run_id(request, pools)
        corpus = [s.text for c in pool for s in c.steps]
        selector = loop_learner(request.config, request.settings, corpus, request.settings.seed, request.base_model)
        loop = loop_for(request.settings)(pool, selector, pools.oracle, step_labels, request.settings, request.budget,
                          on_round=_recorder(pools, run_id, on_round),
                          on_selected=lambda r, ids: pools.record_round(run_id, r, ids, {"status": "selected"}))
        result = loop.run(recorded=pools.recorded(run_id))
        learner = prm_learner(request.config, corpus, request.settings.seed, init_from=request.base_model)
        final_fit = learner.refit(loop.labelled())
        calibration, calibrated = _calibration(request, corpus, loop.labelled())
        learner.calibrate(calibration)  # the PRM applies it to every score it gives, `score`'s included
        learner.save(request.out)
        final_fit = {**final_fit, **calibrated}
        metrics = _held_out_metrics(learner, pools, held_out) if held_out else None
        rounds = tuple(r["metrics"] for r in pools.stores[0].rounds(run_id))
        card = _card(request, run_id, pool, held_out, result, rounds, final_fit, metrics, time.perf_counter() - started)
        logged = [{"round": r.round, "selected": r.selected, "metrics": r.metrics} for r in result.rounds]
        goals = goal_summary(logged, _verdicts(result.executions), gap_ids(result.executions))
        started = {"started_from": str(request.base_model) if request.base_model else "none"}
        return replace(card, extra={**card.extra, **pools.execution_report(), "goals": goals, **started})


def _calibration(request: TrainRequest, corpus: list[str], labelled: list[Candidate]):
    """The map from the saved PRM's scores to probabilities, cross-fitted on the local labels (a base model's own
    map does not carry over to a model fine-tuned here), and what the card says of it. The fold models start where
    the saved one does: a map fitted on cold models' narrow scores saturated a warm model's to 0 and 1."""
    from bugprm.active.learners import prm_learner
    from bugprm.active.prm_calibration import cross_fitted_calibration

    seed = request.settings.seed

    def fold_learner(fold: int):
        return prm_learner(request.config, corpus, seed + 1 + fold, init_from=request.base_model)

    calibration, report = cross_fitted_calibration(fold_learner, labelled, request.settings.calibration, seed)
    return calibration, report


def loop_for(settings: ActiveLearningConfig) -> type[ActiveLoop]:
    """The loop a goal runs: ``estimate`` draws with known probabilities, the others select uncertain sets."""
    from bugprm.active.estimate_loop import EstimatingLoop

    return EstimatingLoop if settings.goal == "estimate" else ActiveLoop


def _verdicts(executions: dict[str, Execution]) -> dict[str, int]:
    from bugprm.model.pmt_forest import is_valid_bug
    from bugprm.records import UNLABELLED_OUTCOMES

    return {i: is_valid_bug(e) for i, e in executions.items() if e.outcome not in UNLABELLED_OUTCOMES}


def _pool_store(repo: Path, request: TrainRequest) -> Store:
    from bugprm.mutate.run import generate_pool

    directory = find_store_directory(request.store_dir, repo)
    store = Store.open(directory, create=True)
    if store.count_candidates() == 0:
        store.close()
        generate_pool(repo, directory, max_candidates=request.max_candidates, seed=request.settings.seed)
        store = Store.open(directory)
    return store


def held_out_split(candidates: list[Candidate], fraction: float,
                   seed: int) -> tuple[list[Candidate], list[Candidate]]:
    """(pool, held out): a seeded ``fraction`` of the candidates set aside, in their original order."""
    if fraction <= 0:
        return candidates, []
    order = np.random.default_rng(seed + 7).permutation(len(candidates))
    cut = int(round(fraction * len(candidates)))
    held = {candidates[i].id for i in order[:cut]}
    return [c for c in candidates if c.id not in held], [c for c in candidates if c.id in held]


def _run_id(request: TrainRequest, pools: Pools) -> str:
    fingerprints = sorted(s.fingerprint for s in pools.sessions)
    warm = (str(request.base_model),) if request.base_model else ()  # a cold run keeps the id it always had
    return content_id(fingerprint(request.config), asdict(request.settings), request.budget.describe(),
                      request.eval_fraction, fingerprints, len(pools.candidates), *warm)


def _recorder(pools: Pools, run_id: str, on_round):
    def record(log: RoundLog) -> None:
        metrics = {"round": log.round, "selected": len(log.selected), "considered": log.considered,
                   "selection_rate": round(log.selection_rate, 4), "executed_total": log.executed_total,
                   "budget_left": log.budget_left, "cpu_seconds": log.cpu_seconds, **log.metrics}
        pools.record_round(run_id, log.round, list(log.selected), metrics)
        if on_round is not None:
            on_round(log)

    return record


def _held_out_metrics(learner, pools: Pools, held_out: list[Candidate]) -> dict:
    from bugprm.model.pmt_forest import is_valid_bug
    from bugprm.metrics import auroc, pr_auc
    from bugprm.records import UNLABELLED_OUTCOMES

    verdicts = pools.oracle(held_out)
    judged = [c for c in held_out if c.id in verdicts and verdicts[c.id].outcome not in UNLABELLED_OUTCOMES]
    labels = [is_valid_bug(verdicts[c.id]) for c in judged]
    scores = [float(np.min(p.mean)) for p in learner.predict(judged)]
    if len(set(labels)) < 2:
        return {"held_out": len(judged), "note": "one class only: AUROC undefined"}
    return {"held_out": len(judged), "auroc": round(auroc(labels, scores), 4), "pr_auc": round(pr_auc(labels, scores), 4),
            "valid_bug_rate": round(float(np.mean(labels)), 4)}


def _card(request, run_id, pool, held_out, result, rounds, final_fit, metrics, seconds) -> TrainingCard:
    settings = request.settings
    executed = len(result.executions)
    return TrainingCard(
        run_id=run_id, repos=tuple(str(r) for r in request.repos), pool_size=len(pool), held_out=len(held_out),
        executed=executed, executed_fraction=round(executed / len(pool), 4) if pool else 0.0,
        budget=request.budget.describe(),
        test_cpu_seconds=round(sum(e.cpu_seconds for e in result.executions.values()), 2), stopped=result.stopped,
        strategy={"name": settings.strategy, "delta_pred": settings.delta_pred, "delta_std": settings.delta_std,
                  "diversity_weight": settings.diversity_weight, "mode": settings.mode,
                  "batch_size": settings.batch_size},
        rounds=rounds, final_fit=final_fit, held_out_metrics=metrics, config_fingerprint=fingerprint(request.config),
        seconds=round(seconds, 1), model_dir=str(request.out),
    )
