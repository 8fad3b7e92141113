"""Per-test line coverage: the harness's standard-library tracer against coverage.py, on a real package's suite.

    python benchmarks/bench_tracing.py [REPO] --python /tmp/corpus/venvs/semver/bin/python [--repeats 3]
        [--pytest-args "-o addopts= --import-mode=importlib --doctest-modules"]

Three runs of the whole suite in the subject interpreter, alternated ``--repeats`` times: plain pytest; the
harness's tracer (``harness.tracing``: ``sys.monitoring`` on Python >= 3.12, ``sys.settrace`` below) switching
context per test; coverage.py 7 with one dynamic context per test, as the harness used it before (it must be
installed in that interpreter for this comparison only). Prints the median wall time of each, the ratios, and how
far the two line maps agree: lines whose set of covering tests is the same, and lines only one of them saw.
REPO defaults to the unpacked semver 3.0.4; nothing in it is written (no cache, no bytecode).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import tempfile
from pathlib import Path

HARNESS_PARENT = Path(__file__).resolve().parents[1]
DEFAULT_REPO = Path("/tmp/corpus/semver-3.0.4")
MODES = ("plain", "stdlib", "coverage")
DRIVER = r"""
import json, os, sys, time
import pytest

mode, root, out = sys.argv[1:4]


class Contexts:
    def __init__(self, tracer):
        self.tracer = tracer

    def pytest_runtest_logstart(self, nodeid, location):
        self.tracer.switch_context(nodeid)

    def pytest_runtest_logfinish(self, nodeid, location):
        self.tracer.switch_context("")


def coverage_lines(tracer):
    data, found = tracer.get_data(), {}
    for file in data.measured_files():
        lines = data.contexts_by_lineno(file) or {}
        found[os.path.relpath(file, root)] = {str(n): sorted(c) for n, c in lines.items()}
    return found


tracer = None
if mode == "stdlib":
    from harness.tracing import make_tracer
    tracer = make_tracer(root)
elif mode == "coverage":
    import coverage
    tracer = coverage.Coverage(data_file=None, include=[os.path.join(root, "*")], config_file=False)
started = time.perf_counter()
if tracer is not None:
    tracer.start()
code = pytest.main(["-q", "-p", "no:cacheprovider", *sys.argv[4:]], plugins=[Contexts(tracer)] if tracer else [])
if tracer is not None:
    tracer.stop()
seconds = time.perf_counter() - started
lines = {} if tracer is None else tracer.lines() if mode == "stdlib" else coverage_lines(tracer)
with open(out, "w") as sink:
    json.dump({"seconds": seconds, "code": int(code), "lines": lines}, sink)
"""


def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory() as scratch:
        runs = {mode: [] for mode in MODES}
        for _ in range(args.repeats):
            for mode in MODES:
                runs[mode].append(_run(args, mode, Path(scratch)))
    _report(runs)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", nargs="?", type=Path, default=DEFAULT_REPO)
    parser.add_argument("--python", required=True, help="the subject's interpreter (with pytest and coverage.py)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pytest-args", default="-o addopts= --import-mode=importlib --doctest-modules",
                        help="the package's pytest arguments (the default suits semver: its addopts need pytest-cov)")
    return parser.parse_args()


def _run(args: argparse.Namespace, mode: str, scratch: Path) -> dict:
    out = scratch / f"{mode}.json"
    env = {**os.environ, "PYTHONPATH": str(HARNESS_PARENT), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [args.python, "-c", DRIVER, mode, str(args.repo.resolve()), str(out), *shlex.split(args.pytest_args)]
    done = subprocess.run(command, cwd=args.repo, env=env, capture_output=True, text=True, timeout=1800)
    if not out.exists():
        raise SystemExit(f"{mode} run failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return json.loads(out.read_text())


def _report(runs: dict) -> None:
    median = {mode: statistics.median(r["seconds"] for r in runs[mode]) for mode in MODES}
    for mode in MODES:
        print(f"{mode:>9}: median {median[mode]:.2f} s over {len(runs[mode])} runs "
              f"(pytest exit {runs[mode][-1]['code']})")
    print(f"overhead vs plain pytest: stdlib x{median['stdlib'] / median['plain']:.2f}, "
          f"coverage.py x{median['coverage'] / median['plain']:.2f}; "
          f"stdlib / coverage.py = {median['stdlib'] / median['coverage']:.2f}")
    _agreement(_flat(runs["stdlib"][-1]["lines"]), _flat(runs["coverage"][-1]["lines"]))


def _flat(lines: dict) -> dict[tuple[str, int], frozenset[str]]:
    return {(file, int(n)): frozenset(tests) for file, by_line in lines.items() for n, tests in by_line.items()}


def _agreement(ours: dict, theirs: dict) -> None:
    both = ours.keys() & theirs.keys()
    same = sum(ours[k] == theirs[k] for k in both)
    print(f"lines seen by both: {len(both)}; same covering tests on {same} ({same / max(len(both), 1):.1%}); "
          f"only ours: {len(ours.keys() - theirs.keys())}, only coverage.py: {len(theirs.keys() - ours.keys())}")


if __name__ == "__main__":
    main()
