"""Throughput of ``bugprm generate`` against a plain tree-sitter parse of the same files, in one process.

    python benchmarks/bench_generate.py [REPO] [--repeat N] [--verify]

REPO defaults to the unpacked semver 3.0.4 at /tmp/corpus/semver-3.0.4. The repository is copied first, so
nothing is ever written into it. ``--verify`` also checks the pool: every diff applies to a fresh copy with
``git apply --check``, every mutated Python file compiles, a second run gives the same ids, and the copy's files
are byte-identical afterwards.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bugprm.mutate.run import generate_pool
from bugprm.mutate.filters import python_compile_error
from bugprm.parsing.discovery import discover_sources, read_source
from bugprm.parsing.languages import new_parser
from bugprm.store import Store

DEFAULT_REPO = Path("/tmp/corpus/semver-3.0.4")


def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch) / args.repo.name
        shutil.copytree(args.repo, repo, symlinks=True)
        runs = [_timed_generate(repo, Path(scratch) / f"store{i}") for i in range(args.repeat)]
        parse_seconds = statistics.median(_timed_parse(repo) for _ in range(args.repeat))
        _report(runs, parse_seconds)
        if args.verify:
            _verify(args.repo, repo, Path(scratch))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo", nargs="?", type=Path, default=DEFAULT_REPO)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--verify", action="store_true")
    return parser.parse_args()


def _timed_generate(repo: Path, store: Path):
    started = time.perf_counter()
    summary = generate_pool(repo, store)
    return summary, time.perf_counter() - started


def _timed_parse(repo: Path) -> float:
    """Read and parse every file generate would parse: the floor any tree-sitter tool pays."""
    sources, _ = discover_sources(repo)
    started = time.perf_counter()
    for source in sources:
        new_parser(source.language).parse(read_source(source))
    return time.perf_counter() - started


def _report(runs, parse_seconds: float) -> None:
    summary = runs[0][0]
    seconds = statistics.median(elapsed for _, elapsed in runs)
    files, found = summary.files_parsed, summary.candidates_found
    print(f"repo                 {summary.repo}")
    print(f"files parsed         {files} ({len(summary.files_skipped)} skipped)")
    print(f"candidates           {found} from {len(summary.operators)} operators, {len(summary.families)} families")
    print(f"generate             {seconds:.3f} s  {files / seconds:8.1f} files/s  {found / seconds:8.1f} candidates/s")
    print(f"tree-sitter parse    {parse_seconds:.3f} s  {files / parse_seconds:8.1f} files/s")
    print(f"generate / parse     {seconds / parse_seconds:.1f}x the time of a plain parse "
          f"({seconds / max(found, 1) * 1000:.2f} ms per candidate)")


def _verify(original: Path, repo: Path, scratch: Path) -> None:
    before = _digest(original)
    with Store.open(scratch / "store0") as store:
        candidates = store.candidates()
    again = scratch / "again"
    generate_pool(repo, again, max_candidates=None, seed=0)
    with Store.open(again) as store:
        same_ids = [c.id for c in store.candidates()] == [c.id for c in candidates]
    fresh = scratch / "fresh"
    shutil.copytree(original, fresh, symlinks=True)
    failures = sum(not _applies_and_compiles(fresh, c) for c in candidates)
    print(f"verify               {len(candidates)} diffs, {failures} failed git apply --check or compile; "
          f"same ids on a second run: {same_ids}; "
          f"repository byte-identical: {_digest(original) == before == _digest(repo, skip='.bugprm')}")


def _applies_and_compiles(fresh: Path, candidate) -> bool:
    check = subprocess.run(["git", "apply", "--check", "-"], input=candidate.diff.encode(), cwd=fresh,
                           capture_output=True)
    if check.returncode != 0 or not candidate.file.endswith(".py"):
        return check.returncode == 0
    edit = candidate.edits[0]
    source = (fresh / candidate.file).read_bytes()
    mutated = source[:edit.start_byte] + edit.replacement.encode() + source[edit.end_byte:]
    return python_compile_error(mutated, candidate.file) is None  # the whole file, as py_compile does


def _digest(root: Path, skip: str | None = None) -> str:
    files = sorted(p for p in root.rglob("*") if p.is_file() and skip not in p.relative_to(root).parts)
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


if __name__ == "__main__":
    main()
