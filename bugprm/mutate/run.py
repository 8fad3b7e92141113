"""``bugprm generate``: parse a repository, mutate every function, and write the candidate bugs into the store.

Nothing in the repository is written except the store directory.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bugprm.config import load_config
from bugprm.errors import RepoError
from bugprm.mutate.candidates import candidate_from_mutant
from bugprm.mutate.engine import mutate_file
from bugprm.mutate.filters import python_compile_error
from bugprm.mutate.sampling import stratified_sample
from bugprm.parsing import Language, ParsedFile, UnparsableSource, parse_file
from bugprm.parsing.discovery import FileSkipped, SourceFile, discover_sources, in_scope, read_source
from bugprm.parsing.languages import EXTENSIONS
from bugprm.progress import progress
from bugprm.records import Candidate, Kind
from bugprm.store import Store, find_store_directory
from bugprm.store_identity import check_repository, record_sources
from bugprm.store_lock import store_lock


@dataclass(frozen=True)
class GenerateSummary:
    """What one ``generate`` run found and wrote. Operator and family counts are over the (sampled) pool."""

    repo: str
    store_dir: str
    files_parsed: int
    files_skipped: tuple[tuple[str, str], ...]
    candidates_found: int
    candidates_written: int
    operators: dict[str, int]
    families: dict[str, int]
    seconds: float
    languages: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SourcePlan:
    """A repository's source files in scope, found before any store is opened: a tree with nothing to mutate is
    an error that leaves no store behind."""

    root: Path
    sources: tuple[SourceFile, ...]
    skipped: tuple[tuple[str, str], ...]
    started: float  # perf_counter when the scan began: the summary's seconds include it


def scan_repository(repo: Path) -> SourcePlan:
    """The files ``generate`` would mutate: every source file found, less ``[tool.bugprm]`` include/exclude."""
    started = time.perf_counter()
    root = _repository(repo)
    project = load_config(repo=root).project
    sources, skipped = discover_sources(root)
    sources, left_out = in_scope(sources, project.include, project.exclude)
    if not sources:
        raise RepoError(f"no source files under {root} (bugprm reads {' '.join(EXTENSIONS)}; tests are not mutated)")
    return SourcePlan(root, tuple(sources), tuple(skipped + left_out), started)


def generate_pool(
    repo: Path, store_dir: Path | None, *, max_candidates: int | None = None, seed: int = 0, progress: bool = False,
) -> GenerateSummary:
    """``write_pool`` for a caller that holds a store directory rather than an open store."""
    plan = scan_repository(repo)
    with Store.open(find_store_directory(store_dir, plan.root), create=True) as store:
        return write_pool(store, plan, max_candidates=max_candidates, seed=seed, progress=progress)


def write_pool(store: Store, plan: SourcePlan, *, max_candidates: int | None = None, seed: int = 0,
               progress: bool = False) -> GenerateSummary:
    """Write the candidate bugs of ``plan``'s files into ``store``; ``max_candidates`` samples a stratified subset;
    ``progress`` shows files mutated so far on stderr."""
    with store_lock(store.directory):
        check_repository(store, plan.root)
        parsed, unparsed = _parse_all(list(plan.sources))
        pool, dropped = _pool(parsed, plan.root.name, progress)
        chosen = _sampled(pool, max_candidates, seed)
        skipped = [*plan.skipped, *unparsed]
        written = _record(store, plan.root, skipped, chosen, pool)
        record_sources(store, plan.root, {p.path: p.source for p in parsed})
    return GenerateSummary(
        repo=str(plan.root), store_dir=str(store.directory), files_parsed=len(parsed), files_skipped=tuple(skipped),
        candidates_found=len(pool), candidates_written=written,
        operators=_counts(c.operator for c in chosen), families=_counts(c.family for c in chosen),
        seconds=time.perf_counter() - plan.started, languages=_counts(str(p.language) for p in parsed),
        dropped=_ordered(Counter({str(reason): count for reason, count in dropped.items()})),
    )


def _repository(repo: Path) -> Path:
    path = Path(repo)
    if not path.exists():
        raise RepoError(f"repository {repo} does not exist")
    if not path.is_dir():
        raise RepoError(f"repository {repo} is not a directory")
    return path.resolve()


def _parse_all(sources: list[SourceFile]) -> tuple[list[ParsedFile], list[tuple[str, str]]]:
    parsed, skipped = [], []
    for source in sources:
        try:
            parsed.append(_parsed(source))
        except (FileSkipped, UnparsableSource) as exc:
            skipped.append((source.relative, str(exc)))
    return parsed, skipped


def _parsed(source: SourceFile) -> ParsedFile:
    data = read_source(source)
    parsed = parse_file(source.relative, data, source.language)
    error = python_compile_error(data, source.relative) if source.language is Language.PYTHON else None
    if error:
        raise FileSkipped(f"does not compile ({error})")
    return parsed


def _pool(parsed: list[ParsedFile], repo_name: str, shown: bool = False) -> tuple[list[Candidate], Counter]:
    callers = Counter(name for file in parsed for name in file.call_names)
    dropped: Counter = Counter()
    pool: list[Candidate] = []
    with progress("generate (files)", len(parsed), shown) as advance:
        for file in parsed:
            pool += [candidate_from_mutant(mutant, repo_name, file.language, callers[mutant.function.name])
                     for mutant in mutate_file(file, drops=dropped)]
            advance(1, f"{len(pool)} candidates")
    return pool, dropped


def _sampled(pool: list[Candidate], max_candidates: int | None, seed: int) -> list[Candidate]:
    """The stratified sample, kept in pool order so the store lists candidates file by file."""
    if max_candidates is None or len(pool) <= max_candidates:
        return pool
    picked = {c.id for c in stratified_sample(pool, max_candidates, seed)}
    return [c for c in pool if c.id in picked]


def _record(store: Store, root: Path, skipped: list[tuple[str, str]], chosen: list[Candidate],
            pool: list[Candidate]) -> int:
    """New candidates added, known ones moved to where the sources now have them, those of code that no longer
    exists pruned with their verdicts: generating the same commit twice leaves the store as it was."""
    store.set_repository(root)
    store.record_skipped(skipped)
    store.relocate_candidates(chosen)
    store.prune_candidates(Kind.BUG, root.name, {c.id for c in pool})
    return store.add_candidates(chosen)


def _counts(values) -> dict[str, int]:
    return _ordered(Counter(values))


def _ordered(counts: Counter) -> dict[str, int]:
    """Most frequent first, ties by name, so reports and tests see a stable order."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
