"""``bugprm repair``: pick the failing states, localise, generate and store candidate patches, rank, execute the top.

A failing state is a killed candidate bug of the store (``--bug ID``, or a seeded sample of ``--from-store-killed
N``) or, by default, the repository as it stands with its failing tests. Patches and their verdicts go into the
store (``Kind.REPAIR``, linked to the bug by ``bug_id``); the user's tree is never written.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bugprm.errors import InputError
from bugprm.model.choice import chosen_model
from bugprm.execute.failing import FailingState, passing_tests
from bugprm.execute.session import HarnessSession
from bugprm.records import Candidate, Execution, Kind, Outcome
from bugprm.repair.candidates import DEFAULT_TOP_SITES, generate_repairs
from bugprm.repair.patches import check_user_patches, user_repairs
from bugprm.repair.ranking import HEURISTIC, RankedRepair, by_heuristic, by_model, by_state_ranker, with_state_ranks
from bugprm.repair.sites import Localisation, StateFiles, localise
from bugprm.store import Store, find_store_directory

SHOWN_LINES = 5


@dataclass(frozen=True)
class RepairRequest:
    repo: Path
    store_dir: Path | None = None
    bug_id: str | None = None
    from_store_killed: int | None = None
    top_sites: int = DEFAULT_TOP_SITES
    execute: int = 0
    patch_files: tuple[Path, ...] = ()
    model_dir: Path | None = None
    workers: int = 1
    python: str | None = None
    pytest_args: str | None = None
    seed: int = 0
    harness: dict = field(default_factory=dict)  # HarnessConfig settings (timeouts, memory)


@dataclass(frozen=True)
class RepairRow:
    rank: int
    id: str
    file: str
    line: int
    operator: str
    score: float
    diff: str
    outcome: str | None = None
    failing_tests: tuple[str, ...] = ()


@dataclass(frozen=True)
class StateReport:
    bug_id: str | None
    failing_tests: tuple[str, ...]
    suspicious: tuple[dict, ...]  # the most suspicious lines: file, line, ochiai, rank
    repairs: tuple[RepairRow, ...]  # ranked, best first

    @property
    def correct(self) -> tuple[RepairRow, ...]:
        return tuple(r for r in self.repairs if r.outcome == str(Outcome.CORRECT))


@dataclass(frozen=True)
class RepairReport:
    repo: str
    ranking: str
    states: tuple[StateReport, ...]

    def as_dict(self) -> dict:
        return {**asdict(self), "correct": [r.id for s in self.states for r in s.correct]}


def run_repair(request: RepairRequest) -> RepairReport:
    check_user_patches(request.repo, request.patch_files)
    directory = find_store_directory(request.store_dir, request.repo)
    ranker, ranking = _ranker(chosen_model(directory, request.model_dir)[0])
    with Store.open(directory, create=True) as store:
        with HarnessSession.open(store, request.repo, workers=request.workers, python=request.python,
                                 pytest_args=request.pytest_args, allow_failing=True, **request.harness) as session:
            states = chosen_states(session, request)
            reports = tuple(repair_state(session, state, request, ranker) for state in states)
    return RepairReport(str(request.repo), ranking, reports)


def chosen_states(session: HarnessSession, request: RepairRequest) -> list[FailingState]:
    if request.bug_id is not None and request.from_store_killed is not None:
        raise InputError("choose one of --bug ID and --from-store-killed N")
    if request.from_store_killed is not None:
        states = [session.failing_state(i) for i in killed_bugs(session, request.from_store_killed, request.seed)]
        if request.patch_files and len(states) != 1:
            raise InputError("--patch needs one failing state: pass --bug ID (or no bug for the repository's own)")
        return states
    return [session.failing_state(request.bug_id)]


def killed_bugs(session: HarnessSession, count: int, seed: int) -> list[str]:
    """A seeded sample of ``count`` killed candidate bugs, in store order."""
    executed = session.executed()
    killed = [c.id for c in session.store.candidates(Kind.BUG)
              if c.id in executed and executed[c.id].outcome is Outcome.KILLED]
    if not killed:
        raise InputError("the store has no killed candidate bug under the current settings (run `bugprm label`)")
    chosen = set(random.Random(seed).sample(killed, min(count, len(killed))))
    return [i for i in killed if i in chosen]


def repair_state(session: HarnessSession, state: FailingState, request: RepairRequest, ranker) -> StateReport:
    files = StateFiles(session.repo, state)
    localisation = localise(state, files, session.baseline.coverage, passing_tests(state, session.baseline))
    candidates = state_repairs(localisation, files, request, session.repo.name)
    session.store.add_candidates(candidates)
    session.store.update_candidates(candidates)  # a patch stored earlier takes this state's texts and features
    ranked = ranker(candidates)
    executions = session.execute([r.candidate for r in ranked[:request.execute]]) if request.execute else []
    return _state_report(localisation, ranked, {e.candidate_id: e for e in executions})


def state_repairs(localisation: Localisation, files: StateFiles, request: RepairRequest,
                  repo_name: str) -> list[Candidate]:
    generated = generate_repairs(localisation, files, repo_name, request.top_sites)
    user = user_repairs(request.patch_files, localisation, files, repo_name)
    return with_state_ranks(generated + user) if user else generated


def _ranker(model_dir: Path | None):
    """The PRM given, else the store's trained one, else the base model; the heuristic where there is none. A model
    with a state ranker beside it (``model.repair_ranker``) ranks with that."""
    if model_dir is None:
        return by_heuristic, HEURISTIC
    from bugprm.model.repair_ranker import load_patch_ranker
    from bugprm.scoring.adapter import load_scorer

    patch_ranker = load_patch_ranker(model_dir) if Path(model_dir).is_dir() else None
    if patch_ranker is not None:
        return (lambda candidates: by_state_ranker(candidates, patch_ranker)), f"state ranker of model {model_dir}"

    scorer = load_scorer(model_dir)
    return (lambda candidates: by_model(candidates, scorer)), f"model {model_dir}"


def _state_report(localisation: Localisation, ranked: list[RankedRepair],
                  executions: dict[str, Execution]) -> StateReport:
    suspicious = tuple({"file": s.file, "line": s.line, "ochiai": s.suspicion.score, "rank": s.suspicion.rank}
                       for s in localisation.lines[:SHOWN_LINES])
    rows = tuple(_row(rank, r, executions.get(r.candidate.id)) for rank, r in enumerate(ranked, start=1))
    return StateReport(localisation.state.bug_id, localisation.state.failing_tests, suspicious, rows)


def _row(rank: int, ranked: RankedRepair, execution: Execution | None) -> RepairRow:
    c = ranked.candidate
    outcome = str(execution.outcome) if execution is not None else None
    failing = execution.failing_tests if execution is not None else ()
    return RepairRow(rank, c.id, c.file, c.line, c.operator, ranked.score, c.diff, outcome, failing)
