"""Check labelled outcomes against an independent re-execution that shares no code with the harness.

    python benchmarks/verify_labels.py REPO [--store DIR] [--python PATH] [--sample 50] [--seed 0]

For a seeded random sample of candidates already labelled in REPO's store (under any fingerprint, the newest
verdict per candidate), each candidate's diff is applied with ``patch -p1`` to a fresh copy of REPO and the FULL
suite runs with plain ``python -m pytest`` (the repository's own config, ``--junitxml`` for per-test results, the copy's
``src/`` and root on PYTHONPATH, PYTHONHASHSEED=0).
The reference verdict: ``killed`` iff a test fails or errors that does not fail on the unmodified copy (with every
baseline test passing, that is "a test passing at baseline fails", and it holds even where parametrised ids are
built from sets and so change between interpreter runs, as isodate's do); ``incompetent``
when pytest stops on a collection, internal or usage error (exit status 2, 3, 4) or the interpreter crashes; ``timeout`` past --timeout seconds;
``survived`` otherwise. Our ``no_coverage`` is compared as ``survived``. Prints the agreement and every
disagreement, and exits 1 below --min-agreement (default 0.95).
"""

from __future__ import annotations

import argparse
from collections import Counter
import random
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from bugprm.bench.reference import fresh_copy, run_suite

AS_REFERENCE = {"no_coverage": "survived"}


def main() -> int:
    args = _arguments()
    labelled = _labelled(args.store or args.repo / ".bugprm")
    sample = random.Random(args.seed).sample(labelled, min(args.sample, len(labelled)))
    with tempfile.TemporaryDirectory() as scratch:
        passing, failing = _baseline(args, Path(scratch))
        results = [(row, _reference(args, Path(scratch), row["diff"], failing)) for row in sample]
    return _report(results, len(passing), args.min_agreement)


def _labelled(store: Path) -> list[sqlite3.Row]:
    db = sqlite3.connect(store / "bugprm.sqlite")
    db.row_factory = sqlite3.Row
    sql = ("SELECT c.id, c.file, c.line, c.operator, c.diff, e.outcome FROM executions e JOIN candidates c "
           "ON c.id = e.candidate_id WHERE e.outcome != 'infra_error' AND e.executed_at = (SELECT MAX(executed_at) "
           "FROM executions WHERE candidate_id = e.candidate_id) ORDER BY c.seq")
    return db.execute(sql).fetchall()


def _baseline(args, scratch: Path) -> tuple[set[str], set[str]]:
    """(passing, failing) tests of the unmodified copy."""
    copy = fresh_copy(args.repo, scratch / "baseline")
    code, tests = run_suite(args.python, args.pytest_args, args.timeout, copy)
    passing = {t for t, ok in tests.items() if ok}
    if not passing:
        sys.exit(f"the unmodified suite has no passing test (exit {code})")
    return passing, {t for t, ok in tests.items() if not ok}


def _reference(args, scratch: Path, diff: str, failing_at_baseline: set[str]) -> str:
    copy = fresh_copy(args.repo, scratch / "candidate")
    applied = subprocess.run(["patch", "-p1", "--quiet", "--no-backup-if-mismatch"], cwd=copy, input=diff,
                             text=True, capture_output=True)
    if applied.returncode != 0:
        return f"patch failed: {applied.stdout.strip()} {applied.stderr.strip()}"
    try:
        code, tests = run_suite(args.python, args.pytest_args, args.timeout, copy)
    except subprocess.TimeoutExpired:
        return "timeout"
    if code in (2, 3, 4) or code < 0:  # interrupted by a collection error, internal or usage error, or a crash
        return "incompetent"
    if any(not ok and t not in failing_at_baseline for t, ok in tests.items()):
        return "killed"
    return "survived"


def _report(results, baseline_passing: int, min_agreement: float) -> int:
    agree = [(row, ref) for row, ref in results if AS_REFERENCE.get(row["outcome"], row["outcome"]) == ref]
    print(f"baseline: {baseline_passing} passing tests; sample: {len(results)} labelled candidates")
    print("  harness outcomes in the sample: " + ", ".join(
        f"{n} {o}" for o, n in sorted(Counter(row["outcome"] for row, _ in results).items())))
    for row, ref in results:
        if (row, ref) not in agree:
            print(f"  DISAGREE {row['id']} {row['file']}:{row['line']} {row['operator']}: "
                  f"harness={row['outcome']} reference={ref}")
    rate = len(agree) / len(results) if results else 0.0
    print(f"agreement: {len(agree)}/{len(results)} = {rate:.1%} (required {min_agreement:.0%})")
    return 0 if rate >= min_agreement and len(results) >= 40 else 1


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo", type=Path)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--pytest-args", default="", help="extra pytest arguments, as given to `bugprm label`")
    parser.add_argument("--sample", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--min-agreement", type=float, default=0.95)
    args = parser.parse_args()
    args.pytest_args = args.pytest_args.split()
    return args


if __name__ == "__main__":
    sys.exit(main())
