"""Verdicts kept across a one-line change, and a store that does not grow on the same commit (issue 17, part 2).

    python benchmarks/bench_incremental.py [REPO] --python /tmp/corpus/venvs/semver/bin/python [--limit 150]
        [--pytest-args "-o addopts="] [--workers 2]

REPO (default: the unpacked semver 3.0.4) is copied into a scratch git repository. Commit 1: ``generate``, then
``label --limit N``. Commit 2 inserts one line at the top of the body of the function holding the most labelled
candidates (every byte offset below it in the file moves). Then ``generate`` and a harness session at commit 2:
how many of the labelled candidates outside that function keep their id and their verdict (the bar: 95%), and how
many verdicts had to be made again. Last, the same commit generated and labelled twice: the row counts of every
table before and after (the bar: no growth).
"""

from __future__ import annotations

import argparse
import ast
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

from bugprm.execute import label_pool
from bugprm.execute.session import HarnessSession
from bugprm.mutate.run import generate_pool
from bugprm.store import Store

DEFAULT_REPO = Path("/tmp/corpus/semver-3.0.4")
TABLES = ("candidates", "executions", "coverage", "baseline_tests", "blobs", "meta")


def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch) / "repo"
        shutil.copytree(args.repo, repo, ignore=shutil.ignore_patterns(".bugprm"))
        _git(repo, "init", "-q")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-qm", "base")
        before = _first_commit(repo, args)
        function = _edit_one_function(repo, before)
        _git(repo, "commit", "-qam", "one line in one function")
        _report_kept(repo, args, before, function)
        _report_growth(repo, args)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", nargs="?", type=Path, default=DEFAULT_REPO)
    parser.add_argument("--python", required=True)
    parser.add_argument("--pytest-args", default="-o addopts=")
    parser.add_argument("--limit", type=int, default=150)
    parser.add_argument("--workers", type=int, default=2)
    return parser.parse_args()


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=b", "-c", "user.email=b@b", *args], cwd=repo, check=True,
                   capture_output=True)


def _label(repo: Path, args: argparse.Namespace, **chosen):
    return label_pool(repo, None, python=args.python, pytest_args=args.pytest_args, workers=args.workers, **chosen)


def _first_commit(repo: Path, args: argparse.Namespace) -> dict:
    generate_pool(repo, None)
    summary = _label(repo, args, limit=args.limit)
    with Store.open(repo / ".bugprm") as store:
        verdicts = store.executions(summary.fingerprint)
        candidates = store.candidates(ids=verdicts)
    print(f"commit 1: {len(verdicts)} verdicts ({summary.seconds:.0f} s)")
    return {"verdicts": verdicts, "candidates": {c.id: c for c in candidates}}


def _edit_one_function(repo: Path, before: dict) -> tuple[str, str]:
    """Insert ``_ = None`` as the first statement of the function with the most labelled candidates (after its
    docstring)."""
    file, function = Counter((c.file, c.function) for c in before["candidates"].values()).most_common(1)[0][0]
    line = next(c.line for c in before["candidates"].values() if (c.file, c.function) == (file, function))
    text = (repo / file).read_text()
    node = min((n for n in ast.walk(ast.parse(text)) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                and n.name == function.split(".")[-1] and n.lineno <= line <= n.end_lineno),
               key=lambda n: n.end_lineno - n.lineno)
    docstring = isinstance(node.body[0], ast.Expr) and isinstance(getattr(node.body[0], "value", None), ast.Constant)
    target = node.body[1] if docstring and len(node.body) > 1 else node.body[0]
    lines = text.split("\n")
    lines.insert(target.lineno - 1, " " * target.col_offset + "_ = None")
    (repo / file).write_text("\n".join(lines))
    print(f"commit 2: one line inserted at {file}:{target.lineno}, in {function}")
    return file, function


def _report_kept(repo: Path, args: argparse.Namespace, before: dict, function: tuple[str, str]) -> None:
    generate_pool(repo, None)
    with Store.open(repo / ".bugprm") as store, HarnessSession.open(store, repo, workers=args.workers) as session:
        kept = session.executed()
        pool = {c.id for c in store.candidates()}
    others = {i for i, c in before["candidates"].items() if (c.file, c.function) != function}
    same = {i for i in others if i in kept and kept[i].outcome == before["verdicts"][i].outcome}
    print(f"labelled outside the edited function: {len(others)}; verdict kept: {len(same)} "
          f"({len(same) / max(len(others), 1):.1%}); in the edited function: {len(before['verdicts']) - len(others)}")
    for i in sorted(others - same):
        c = before["candidates"][i]
        why = "outcome changed" if i in kept else "verdict pruned (context changed)" if i in pool else "id gone"
        print(f"  lost {i} {c.file}:{c.line} in {c.function} ({before['verdicts'][i].outcome}): {why}")


def _report_growth(repo: Path, args: argparse.Namespace) -> None:
    counts = []
    for _ in range(2):
        generate_pool(repo, None)
        summary = _label(repo, args, limit=args.limit)
        counts.append(_rows(repo))
        print(f"generate + label --limit {args.limit} at commit 2: executed {summary.executed}, rows {counts[-1]}")
    print("store grew" if counts[1] != counts[0] else "store did not grow on the same commit")


def _rows(repo: Path) -> dict[str, int]:
    with Store.open(repo / ".bugprm") as store:
        return {t: store._db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


if __name__ == "__main__":
    main()
