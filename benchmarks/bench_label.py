"""Candidates executed per second by ``bugprm label`` against mutmut 3.8.1 on the same package, in one run.

    python benchmarks/bench_label.py [REPO] --python /tmp/corpus/venv-semver/bin/python [--workers 2]
        [--limit N] [--module semver.version] [--no-mutmut] [--mutmut-timeout 1200]

REPO defaults to the unpacked semver 3.0.4; it is copied, never written. Our side: ``generate_pool`` on a copy,
then one HarnessSession: the baseline (reference run under coverage, confirmation runs, forced failure), then the
candidates, with where the time of each child went (start = fork up to a configured pytest; collection; tests;
exit). mutmut's side: ``python -m mutmut run --max-children W`` on another copy (installed in the same
interpreter); its own "mutations/second" counts only its mutation phase and only mutants with covering tests, so
ours is given the same way (execution phase, candidates that ran tests), and end to end for both.
mutmut config for semver: ``.pytest.ini`` and the doctest files are copied into mutants/, and
``test_should_process_parsed_cli_arguments`` is deselected: it reuses one context manager object across
parametrised cases, so it fails whenever pytest runs twice in one process, as mutmut's clean-test phase does.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bugprm.execute.features import fill_features
from bugprm.execute.session import HarnessSession
from bugprm.mutate.run import generate_pool
from bugprm.records import Kind, Outcome
from bugprm.store import Store

DEFAULT_REPO = Path("/tmp/corpus/semver-3.0.4")
MUTMUT_CONFIG = """
[tool.mutmut]
source_paths = ["src/{package}"]
also_copy = [".pytest.ini", "docs", "README.rst", "CHANGELOG.rst"]
pytest_add_cli_args = ["--deselect", "tests/test_pysemver-cli.py::test_should_process_parsed_cli_arguments"]
"""


def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory() as scratch:
        ours = _run_ours(args, Path(scratch))
        theirs = None if args.no_mutmut else _run_mutmut(args, Path(scratch))
    _report(ours, theirs)


def _run_ours(args, scratch: Path) -> dict:
    repo = scratch / "ours"
    shutil.copytree(args.repo, repo, symlinks=True)
    generate_pool(repo, repo / ".bugprm")
    with Store.open(repo / ".bugprm") as store:
        pool = [c for c in store.candidates(kind=Kind.BUG) if _in_module(c.file, args.module)][: args.limit]
        started = time.monotonic()
        with HarnessSession.open(store, repo, workers=args.workers, python=args.python) as session:
            baseline_seconds = _timed(lambda: session.baseline)
            runner = session.runner
            fill_features(store, runner, pool)
            execution_started = time.monotonic()
            executions = session.execute(pool)
            execution_seconds = time.monotonic() - execution_started
    ran = [e for e in executions if e.outcome is not Outcome.NO_COVERAGE]
    return {"candidates": len(executions), "ran_tests": len(ran), "baseline": baseline_seconds,
            "execution": execution_seconds, "total": time.monotonic() - started, "timings": dict(runner.timings),
            "outcomes": _count(str(e.outcome) for e in executions)}


def _run_mutmut(args, scratch: Path) -> dict:
    repo = scratch / "mutmut"
    shutil.copytree(args.repo, repo, symlinks=True)
    package = args.package or next(p.name for p in (repo / "src").iterdir() if p.is_dir())
    with open(repo / "pyproject.toml", "a", encoding="utf-8") as config:
        config.write(MUTMUT_CONFIG.format(package=package))
    names = [f"{args.module}*"] if args.module else []
    command = [args.python, "-m", "mutmut", "run", "--max-children", str(args.workers), *names]
    started = time.monotonic()
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=args.mutmut_timeout)
    wall = time.monotonic() - started
    rate = re.search(r"([\d.]+) mutations/second", done.stdout)
    if rate is None:
        sys.exit(f"mutmut did not finish (exit {done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    final = re.findall(r"(\d+)/(\d+)", done.stdout.replace("\r", "\n"))
    return {"rate": float(rate.group(1)), "wall": wall, "mutants": int(final[-1][1]) if final else 0}


def _report(ours: dict, theirs: dict | None) -> None:
    own_rate = ours["ran_tests"] / ours["execution"] if ours["execution"] else 0.0
    end_to_end = ours["candidates"] / ours["total"]
    print(f"bugprm: {ours['candidates']} candidates ({ours['ran_tests']} ran tests) {ours['outcomes']}")
    print(f"  baseline {ours['baseline']:.1f}s, execution {ours['execution']:.1f}s, total {ours['total']:.1f}s")
    print(f"  {own_rate:.2f} candidates/s (execution phase, candidates that ran tests); {end_to_end:.2f}/s end to end")
    _print_timings(ours["timings"])
    if theirs is None:
        return
    print(f"mutmut 3.8.1: {theirs['mutants']} mutants, {theirs['rate']:.2f} mutations/s (its own figure); "
          f"{theirs['mutants'] / theirs['wall']:.2f}/s end to end ({theirs['wall']:.1f}s)")
    print(f"ratio bugprm/mutmut: {own_rate / theirs['rate']:.2f}x (own figures); "
          f"{end_to_end / (theirs['mutants'] / theirs['wall']):.2f}x end to end")


def _print_timings(timings: dict) -> None:
    runs = timings.pop("runs", 0) or 1
    confirmations = timings.pop("confirmations", 0)
    total = sum(timings.values()) or 1.0
    parts = ", ".join(f"{name} {seconds / runs * 1000:.0f} ms ({seconds / total:.0%})"
                      for name, seconds in sorted(timings.items(), key=lambda kv: -kv[1]))
    print(f"  per child ({runs} runs, of which {confirmations} confirmed kills on unmodified code): {parts}")


def _in_module(file: str, module: str | None) -> bool:
    return module is None or file.replace("/", ".").removesuffix(".py").endswith(module)


def _timed(action) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def _count(values) -> dict:
    counts: dict = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items()))


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo", type=Path, nargs="?", default=DEFAULT_REPO)
    parser.add_argument("--python", default=sys.executable, help="the subject's interpreter (with mutmut 3.8.1)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="our side: at most N candidates")
    parser.add_argument("--module", default=None, help="both sides: only this module, e.g. semver.version")
    parser.add_argument("--package", default=None, help="the package under src/ (default: the only one)")
    parser.add_argument("--no-mutmut", action="store_true")
    parser.add_argument("--mutmut-timeout", type=float, default=1800.0)
    return parser.parse_args()


if __name__ == "__main__":
    main()
