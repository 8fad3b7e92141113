"""``execute_candidates``: verdicts for a given list of candidates, reusing those already made under the current
fingerprint. ``label_pool``, the active-learning loop and ``score --verify`` all come through the same
``HarnessSession.execute``; ``harness_oracle`` gives it the oracle shape the loop and scoring take."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from bugprm.errors import InputError
from bugprm.execute.session import HarnessSession
from bugprm.records import Candidate, Execution
from bugprm.store import Store


def execute_candidates(store: Store, repo: Path | None, ids: Iterable[str | Candidate], *, workers: int = 1,
                       python: str | None = None, pytest_args: str | None = None, full_matrix: bool = False,
                       on_result: Callable[[Execution], None] | None = None, **settings) -> list[Execution]:
    """One Execution per candidate (ids or Candidates), in the order given. ``repo`` None means the repository
    ``generate`` recorded; the interpreter and pytest arguments default to those remembered by ``label``."""
    wanted = list(dict.fromkeys(i.id if isinstance(i, Candidate) else i for i in ids))
    found = {c.id: c for c in store.candidates(ids=wanted)}
    unknown = [i for i in wanted if i not in found]
    if unknown:
        raise InputError(f"{len(unknown)} ids are not in the store: {', '.join(unknown[:5])}")
    with HarnessSession.open(store, _repository(store, repo), workers=workers, python=python,
                             pytest_args=pytest_args, full_matrix=full_matrix, **settings) as session:
        return session.execute([found[i] for i in wanted], on_result)


def harness_oracle(store: Store, repo: Path | None = None, **options) -> Callable[[list[Candidate]], dict]:
    """The oracle shape of the active loop and ``score --verify``: candidates in, verdicts by id out."""

    def execute(candidates: list[Candidate]) -> dict[str, Execution]:
        return {e.candidate_id: e for e in execute_candidates(store, repo, candidates, **options)}

    return execute


def _repository(store: Store, repo: Path | None) -> Path:
    recorded = repo or store.repository()
    if recorded is None:
        raise InputError("which repository? pass it, or run `bugprm generate REPO` first (it records the path)")
    return Path(recorded)
