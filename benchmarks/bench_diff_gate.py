"""The default gate of ``score --diff`` on a real package: a tested helper and an untested one (issue 17, part 3).

    python benchmarks/bench_diff_gate.py REPO --python VENV/bin/python --module hashids.py --import-name hashids \
        --tests test [--model DIR] [--verify 3]

REPO is copied into a scratch git repository whose ``[tool.bugprm]`` names the interpreter (the same configuration
for every run). Commit 1 adds a helper to MODULE and a test of it under TESTS; commit 2 adds a second helper and no
test. Each commit is checked out and scored with ``bugprm score --diff PARENT..COMMIT`` and nothing else (plus
``--model DIR`` when given): exit code, candidate bugs, listed gaps, the gate's message, wall time. Then the last
commit is scored again (and, with ``--verify K`` and a model, verified twice), and with ``--model`` a generated pool
is scored twice with ``--bugs``: every table's rows and the store's bytes after each run (the bar: no growth).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

TESTED_HELPER = '''

def _is_hex(string):
    """Returns whether a string is a non-empty run of hexadecimal digits."""
    if not string:
        return False
    return all(char in '0123456789abcdefABCDEF' for char in string)
'''
HELPER_TEST = '''from {name} import _is_hex


def test_is_hex():
    assert _is_hex('0af9')
    assert _is_hex('ABC')
    assert not _is_hex('')
    assert not _is_hex('0xz')
    assert not _is_hex('g')
'''
UNTESTED_HELPER = '''

def _pad_left(string, length, fill='0'):
    """Returns the string padded on the left with fill up to length characters."""
    if len(string) >= length:
        return string
    return fill * (length - len(string)) + string
'''


def main() -> None:
    args = _arguments()
    model = ["--model", str(args.model)] if args.model else []
    with tempfile.TemporaryDirectory() as scratch:
        repo = _scratch_repository(args, Path(scratch) / "repo")
        for name, commit in (("tested helper", "main~1"), ("untested helper", "main")):
            _git(repo, "checkout", "-q", "--detach", commit)
            print(f"{name}: {_describe(_score(repo, ['--diff', 'HEAD~1', *model]))}")
        _git(repo, "checkout", "-q", "main")
        runs = [["--diff", "HEAD~1", *model]] * 2
        runs += [["--diff", "HEAD~1", "--verify", str(args.verify), "--max-gaps", "0", *model]] * 2 * bool(args.verify
                                                                                                       and model)
        _growth(repo, runs)
        if args.model:
            _bugprm(repo, "generate", str(repo))
            _growth(repo, [["--bugs", *model]] * 2)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo", type=Path)
    parser.add_argument("--python", required=True, help="the package's interpreter (pytest and its dependencies)")
    parser.add_argument("--module", required=True, help="the file the helpers are added to, relative to REPO")
    parser.add_argument("--import-name", required=True, help="what the helper's test imports _is_hex from")
    parser.add_argument("--tests", required=True, help="the tests folder, relative to REPO")
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--verify", type=int, default=0)
    return parser.parse_args()


def _scratch_repository(args, repo: Path) -> Path:
    shutil.copytree(args.repo, repo, ignore=shutil.ignore_patterns(".bugprm", ".git", "__pycache__", ".pytest_cache"))
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text() if pyproject.exists() else ""
    pyproject.write_text(f'{text}\n[tool.bugprm]\npython = "{args.python}"\n')
    _git(repo, "init", "-q", "-b", "main")
    _commit(repo, "base")
    module = repo / args.module
    module.write_text(module.read_text() + TESTED_HELPER)
    (repo / args.tests / "test_bugprm_gate_helper.py").write_text(HELPER_TEST.format(name=args.import_name))
    _commit(repo, "a helper with a test")
    module.write_text(module.read_text() + UNTESTED_HELPER)
    _commit(repo, "a helper without one")
    return repo


def _score(repo: Path, options: list[str]) -> dict:
    output = repo.parent / "score.json"
    output.unlink(missing_ok=True)
    started = time.monotonic()
    result = _bugprm(repo, "score", *options, "--format", "json", "--output", str(output))
    if not output.exists():
        raise SystemExit(f"bugprm score {' '.join(options)} wrote no report (exit {result.returncode}):\n"
                         f"{result.stderr}")
    document = json.loads(output.read_text())
    return {"code": result.returncode, "seconds": time.monotonic() - started, "document": document,
            "message": next((line for line in result.stderr.splitlines() if "error" in line), "")}


def _describe(run: dict) -> str:
    bugs = [c for c in run["document"]["candidates"] if c["kind"] == "bug"]
    survival = sum(1 - c["score"] for c in bugs) / max(1, len(bugs))
    return (f"exit {run['code']} in {run['seconds']:.1f} s; model {run['document']['model']}; {len(bugs)} candidate "
            f"bugs, {len(run['document']['test_gaps'])} listed as gaps, mean survival {survival:.2f}; "
            f"{run['message'] or 'gate passed'}")


def _growth(repo: Path, runs: list[list[str]]) -> None:
    for options in runs:
        run = _score(repo, options)
        print(f"score {' '.join(options)}: exit {run['code']}, {_footprint(repo / '.bugprm')}")


def _footprint(store: Path) -> str:
    with closing(sqlite3.connect(f"file:{store}/bugprm.sqlite?mode=ro", uri=True)) as db:
        tables = sorted(row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
        counts = {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
        size = db.execute("PRAGMA page_count").fetchone()[0] * db.execute("PRAGMA page_size").fetchone()[0]
    return ", ".join(f"{t} {n}" for t, n in counts.items()) + f"; {size:,} bytes"


def _bugprm(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bugprm", *args], cwd=repo, capture_output=True, text=True)


def _commit(repo: Path, message: str) -> None:
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-qm", message)


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


if __name__ == "__main__":
    main()
