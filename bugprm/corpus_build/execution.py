"""The one place ``corpus build`` executes candidates: an executor other than the local harness session (Ray, say)
plugs in here."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from bugprm.corpus_build.fetch import FetchedRepo
from bugprm.corpus_build.document import Pass
from bugprm.execute.baseline import Baseline
from bugprm.execute.executor import CandidateRunner
from bugprm.execute.features import fill_features
from bugprm.execute.saved import load_baseline, save_baseline
from bugprm.execute.selection import changed_lines
from bugprm.execute.session import HarnessSession
from bugprm.records import Candidate, Execution
from bugprm.store import Store

if TYPE_CHECKING:
    from bugprm.corpus_build.build import BuildRequest


def execute_pass(store: Store, repo: FetchedRepo, candidates: list[Candidate], request: BuildRequest,
                 full_matrix: bool, on_result: Callable[[Execution], None] | None = None,
                 baseline: Baseline | None = None) -> Pass:
    """Verdicts for every candidate, run by ``request.executor`` (those already in the store under the same
    fingerprint are reused); the labelling pass (not ``full_matrix``) also fills the candidates' coverage features and their changed lines.
    ``baseline``: the labelling pass's, reused by the kill-matrix pass (stopping at the first failure or not changes
    how candidates run, not what the unmodified suite does), which saves measuring the suite again."""
    with HarnessSession.open(store, Path(repo.path), workers=request.workers, python=repo.python,
                             pytest_args=repo.pytest_args or None, full_matrix=full_matrix,
                             executor=request.executor) as session:
        if baseline is not None and load_baseline(store, session.fingerprint) is None:
            save_baseline(store, replace(baseline, fingerprint=session.fingerprint))
        if not full_matrix:
            fill_features(store, session.runner, candidates)
        executions = session.execute(candidates, on_result)
        lines = {} if full_matrix else {c.id: _changed_lines(session.runner, c) for c in candidates}
        return Pass(session.config, session.fingerprint, session.baseline,
                    {e.candidate_id: e for e in executions}, lines)


def _changed_lines(runner: CandidateRunner, candidate: Candidate) -> list[int]:
    edits = tuple(e for e in candidate.edits if e.file == candidate.file)
    try:
        return sorted(changed_lines(runner.source(candidate.file), edits))
    except (OSError, ValueError, SyntaxError):
        return []
