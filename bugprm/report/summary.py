"""The store at a glance: counts, the mutation score estimated from the executed sample, and test cost."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass, field


from bugprm.records import Candidate, Execution, Outcome
from bugprm.scoring.records import MISSED_OUTCOMES, prediction_agrees
from bugprm.store import Store


# Outcomes that say whether the tests catch the bug; timeouts, incompetent and infra errors say nothing about that.
_SCORED = {Outcome.KILLED, Outcome.SURVIVED, Outcome.NO_COVERAGE}


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float
    sample: int


@dataclass(frozen=True)
class Agreement:
    """How the last ``bugprm score --bugs`` predictions compare with the outcomes executed since (or before)."""

    compared: int
    agreed: int
    share: float
    model: str


@dataclass(frozen=True)
class FileKillRate:
    """Killed among the executed candidates of one file whose outcome says whether the tests catch them."""

    killed: int
    scored: int
    rate: float


@dataclass(frozen=True)
class Survivor:
    """A candidate bug the tests let through: where to look, and the id ``bugprm show`` takes."""

    id: str
    file: str
    line: int
    function: str
    operator: str
    outcome: str


@dataclass(frozen=True)
class StoreSummary:
    store: str
    repo: str | None
    candidates: int
    executed: int
    by_file: dict[str, int]
    by_family: dict[str, int]
    by_operator: dict[str, int]
    by_outcome: dict[str, int]
    skipped: list[tuple[str, str]]
    mutation_score: Estimate | None
    cpu_seconds_spent: float
    cpu_seconds_all_estimated: float
    agreement: Agreement | None = None
    kill_rates: dict[str, FileKillRate] = field(default_factory=dict)
    survivors: list[Survivor] = field(default_factory=list)
    training: dict | None = None  # the last `bugprm train` run's three goals (`bugprm.active.goals`)

    def as_dict(self) -> dict:
        return asdict(self)


def summarise_store(store: Store) -> StoreSummary:
    candidates = store.candidates()
    executions = store.verdicts()
    spent = sum(e.cpu_seconds for e in executions.values())
    return StoreSummary(
        store=str(store.directory),
        repo=store.repository(),
        candidates=len(candidates),
        executed=len(executions),
        by_file=_sorted_counts(c.file for c in candidates),
        by_family=_sorted_counts(c.family for c in candidates),
        by_operator=_sorted_counts(c.operator for c in candidates),
        by_outcome=_sorted_counts(str(e.outcome) for e in executions.values()),
        skipped=store.skipped(),
        mutation_score=mutation_score(executions.values()),
        cpu_seconds_spent=round(spent, 3),
        cpu_seconds_all_estimated=round(spent / len(executions) * len(candidates), 3) if executions else 0.0,
        agreement=prediction_agreement(store.last_score(), executions),
        kill_rates=kill_rates_by_file(candidates, executions),
        survivors=survivors(candidates, executions),
        training=last_training(store, executions),
    )


def last_training(store: Store, executions: dict[str, Execution]) -> dict | None:
    """The goals of the run that wrote the store's last round, from its round log and the current verdicts."""
    from bugprm.active.gap_target import gap_ids
    from bugprm.active.goals import goal_summary
    from bugprm.model.pmt_forest import is_valid_bug

    run_id = store.latest_run()
    if run_id is None:
        return None
    verdicts = {i: is_valid_bug(e) for i, e in executions.items()}
    return {"run_id": run_id, **goal_summary(store.rounds(run_id), verdicts, gap_ids(executions))}


def kill_rates_by_file(candidates: list[Candidate], executions: dict[str, Execution]) -> dict[str, FileKillRate]:
    """Per file, the killed share of its executed candidates; files ordered by rate, lowest (weakest tests) first."""
    tally: dict[str, list[int]] = {}
    for c in candidates:
        execution = executions.get(c.id)
        if execution is not None and execution.outcome in _SCORED:
            counts = tally.setdefault(c.file, [0, 0])
            counts[0] += execution.outcome is Outcome.KILLED
            counts[1] += 1
    rates = {f: FileKillRate(k, n, round(k / n, 4)) for f, (k, n) in tally.items()}
    return dict(sorted(rates.items(), key=lambda kv: (kv[1].rate, kv[0])))


def survivors(candidates: list[Candidate], executions: dict[str, Execution]) -> list[Survivor]:
    """Executed candidates the tests did not catch (survived, or no test covers them), by file and line."""
    found = [Survivor(c.id, c.file, c.line, c.function, c.operator, str(executions[c.id].outcome))
             for c in candidates if c.id in executions and executions[c.id].outcome in MISSED_OUTCOMES]
    return sorted(found, key=lambda s: (s.file, s.line, s.id))


def prediction_agreement(last_score: dict | None, executions: dict[str, Execution]) -> Agreement | None:
    """Share of saved predictions ("use" = on course) that the executed outcome confirms; None without any."""
    if not last_score:
        return None
    predictions = last_score.get("predictions", {})
    verdicts = [prediction_agrees(predictions[i]["recommendation"], e.outcome)
                for i, e in executions.items() if i in predictions]
    judged = [v for v in verdicts if v is not None]
    if not judged:
        return None
    agreed = sum(judged)
    return Agreement(len(judged), agreed, round(agreed / len(judged), 4), str(last_score.get("model", "")))


def mutation_score(executions) -> Estimate | None:
    """Killed share of the executed sample, with a 95% Wilson interval."""
    scored = [e for e in executions if e.outcome in _SCORED]
    if not scored:
        return None
    killed = sum(e.outcome is Outcome.KILLED for e in scored)
    low, high = wilson_interval(killed, len(scored))
    return Estimate(round(killed / len(scored), 4), round(low, 4), round(high, 4), len(scored))


def wilson_interval(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    share = successes / total
    centre = (share + z * z / (2 * total)) / (1 + z * z / total)
    spread = z * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(0.0, centre - spread), min(1.0, centre + spread)


def _sorted_counts(values) -> dict[str, int]:
    return dict(sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0])))


