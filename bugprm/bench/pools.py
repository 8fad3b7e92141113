"""The pools a benchmark replays: a repository's candidate bugs, each executed once, verdicts cached in its store."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from bugprm.errors import InputError

from bugprm.records import UNLABELLED_OUTCOMES, Candidate, Execution, Kind
from bugprm.store import Store, find_store_directory


@dataclass(frozen=True)
class JudgedPool:
    """A repository's candidate bugs whose verdict says something; infra errors are dropped."""

    name: str
    path: Path
    candidates: tuple[Candidate, ...]
    verdicts: dict[str, Execution] = field(compare=False)
    dropped: int = 0

    @property
    def cpu_seconds(self) -> float:
        return sum(e.cpu_seconds for e in self.verdicts.values())

    def describe(self) -> dict:
        return {"name": self.name, "path": str(self.path), "judged": len(self.candidates), "dropped": self.dropped,
                "cpu_seconds_all": round(self.cpu_seconds, 3)}


def judged_pool(repo: Path, max_candidates: int | None = None, workers: int = 1, progress: bool = False) -> JudgedPool:
    """The repository's judged pool: generated if the store has none, executed where no current verdict exists."""
    from bugprm.execute import label_pool

    directory = find_store_directory(None, repo)
    _ensure_candidates(repo, directory, max_candidates)
    if _unexecuted(directory):
        label_pool(repo, None, all_=True, workers=workers, progress=progress)
    with Store.open(directory) as store:
        return _judged(repo, store.candidates(kind=Kind.BUG), store.verdicts())


def recorded_pool(repo: Path) -> JudgedPool:
    """The pool as a corpus build left it in REPO's store: every verdict recorded, under whatever harness config
    (a build's kill-matrix reruns sit under another fingerprint); nothing is generated or executed."""
    with Store.open(find_store_directory(None, repo)) as store:
        return _judged(repo, store.candidates(kind=Kind.BUG), store.executions())


def verdict_pool(verdict_file: Path, work: Path, manifests: Path | None = None) -> JudgedPool:
    """A corpus package replayed from its committed verdict file, no test run: the pool regenerated from the sdist
    under ``work`` (which it writes: give it a copy of your own), each candidate with the file's baseline coverage and
    its recorded execution. Named ``NAME-VERSION``, the file's package."""
    from bugprm.corpus_build.fetch import MANIFEST_DIR
    from bugprm.corpus_build.trajectories import replayed_package

    package = replayed_package(Path(verdict_file), Path(work), manifests or MANIFEST_DIR)
    judged = _judged(Path(verdict_file), list(package.pool), package.executions)
    return replace(judged, name=package.name)


def _ensure_candidates(repo: Path, directory: Path, max_candidates: int | None) -> None:
    from bugprm.mutate.run import generate_pool

    with Store.open(directory, create=True) as store:
        empty = store.count_candidates(kind=Kind.BUG) == 0
    if empty:
        generate_pool(repo, None, max_candidates=max_candidates)


def _unexecuted(directory: Path) -> int:
    with Store.open(directory) as store:
        executed = store.verdicts()
        return sum(c.id not in executed for c in store.candidates(kind=Kind.BUG))


def _judged(repo: Path, candidates: list[Candidate], executions: dict[str, Execution]) -> JudgedPool:
    kept = [c for c in candidates if c.id in executions and executions[c.id].outcome not in UNLABELLED_OUTCOMES]
    if not kept:
        raise InputError(f"{repo}: none of its {len(candidates)} candidate bugs has a verdict to learn from")
    return JudgedPool(repo.name, repo, tuple(kept), {c.id: executions[c.id] for c in kept}, len(candidates) - len(kept))
