"""``--executor ray`` against the local executor on the same pool: verdicts and throughput (candidates/minute).

    nice -n 10 python benchmarks/bench_ray.py REPO --python VENV/bin/python [--pytest-args "-o addopts="]
        [--limit 40] [--workers 2] [--rounds 2]

REPO (e.g. ``bugprm corpus fetch semver``'s) is copied, never written. One pool is generated and its baseline
measured once; each run then labels the same seeded ``--limit`` sample into its own copy of that store, so no run
reuses another's verdicts. Runs alternate local, ray, local, ray... (``--rounds`` pairs) because this machine's
load drifts. Ray is a local Ray with ``--workers`` CPUs, started once before the first ray run (its start-up is
printed apart: a cluster is started once and serves many runs); a ray run's time includes starting its actors,
unpacking the snapshot and warming their workers, as a local run's includes starting its workers.
Prints each run, the verdicts that differ (excluding nothing: the baseline already excludes flaky tests), and the
throughput ratio ray/local over all runs.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from bugprm.execute import label_pool
from bugprm.execute.executors import executor_choice
from bugprm.execute.session import HarnessSession
from bugprm.mutate.run import generate_pool
from bugprm.store import Store


def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory() as scratch:
        repo, pristine = _prepared(args, Path(scratch))
        runs = [_run(args, repo, pristine, name, index) for index in range(args.rounds) for name in ("local", "ray")]
    _report(runs)


def _prepared(args, scratch: Path) -> tuple[Path, Path]:
    repo = scratch / "repo"
    shutil.copytree(args.repo, repo, symlinks=True)
    store_dir = scratch / "pristine"
    generate_pool(repo, store_dir)
    with Store.open(store_dir) as store, HarnessSession.open(store, repo, workers=args.workers, python=args.python,
                                                             pytest_args=args.pytest_args) as session:
        seconds = _timed(lambda: session.baseline)
    print(f"pool and baseline ready (baseline {seconds:.1f}s)")
    return repo, store_dir


def _run(args, repo: Path, pristine: Path, name: str, index: int) -> dict:
    store_dir = pristine.parent / f"{name}-{index}"
    shutil.copytree(pristine, store_dir)
    if name == "ray":
        _start_ray(args.workers)
    summary = label_pool(repo, store_dir, limit=args.limit, workers=args.workers, executor=executor_choice(name))
    with Store.open(store_dir) as store:
        verdicts = {i: str(e.outcome) for i, e in store.executions(summary.fingerprint).items()}
    per_minute = 60 * summary.executed / summary.seconds
    print(f"{name} #{index}: {summary.executed} candidates in {summary.seconds:.1f}s ({per_minute:.1f}/min), "
          f"{summary.outcomes}, CPU s by node {summary.cpu_seconds_by_node}")
    return {"name": name, "verdicts": verdicts, "seconds": summary.seconds, "executed": summary.executed}


def _start_ray(cpus: int) -> None:
    import ray

    if not ray.is_initialized():
        seconds = _timed(lambda: ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False))
        print(f"local Ray with {cpus} CPUs started in {seconds:.1f}s (once)")


def _report(runs: list[dict]) -> None:
    reference = runs[0]["verdicts"]
    for run in runs[1:]:
        found = run["verdicts"]
        differ = {i: (reference[i], found.get(i)) for i in reference if found.get(i) != reference[i]}
        print(f"{run['name']} vs local #0: {len(differ)} of {len(reference)} verdicts differ {differ or ''}")
    rates = {name: sum(r["executed"] for r in runs if r["name"] == name) /
             sum(r["seconds"] for r in runs if r["name"] == name) for name in ("local", "ray")}
    print(f"throughput ray/local: {rates['ray'] / rates['local']:.3f} "
          f"(local {60 * rates['local']:.1f}/min, ray {60 * rates['ray']:.1f}/min)")


def _timed(action) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo", type=Path)
    parser.add_argument("--python", required=True)
    parser.add_argument("--pytest-args", default=None)
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    return parser.parse_args()


if __name__ == "__main__":
    main()
