"""CPU-seconds and wall time of some test files at two revisions: what a change to the tests saves in CI.

    nice -n 10 python benchmarks/bench_ci_tests.py --old REV --new REV [--old-tests ...] -- tests/e2e ...

Each revision is cloned into a scratch folder and its pytest run there (PYTHONPATH pointing at the clone), one after
the other; CPU-seconds (user + system of pytest and everything it started) vary far less than wall time on a shared
machine. Prints both and the new/old ratios.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(revision: str, tests: list[str], scratch: Path) -> tuple[int, float, float]:
    """(pytest's exit status, wall seconds, CPU-seconds) of ``tests`` at ``revision``."""
    clone = scratch / revision.replace("/", "_")
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", revision], check=True)
    before, started = os.times(), time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests], cwd=clone,
                          env={**os.environ, "PYTHONPATH": str(clone)}, capture_output=True, text=True)
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return done.returncode, time.perf_counter() - started, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", required=True)
    parser.add_argument("--new", required=True)
    parser.add_argument("--old-tests", nargs="*", default=None, help="The old revision's selection (default: same).")
    parser.add_argument("tests", nargs="+")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        old = measure(args.old, args.old_tests or args.tests, Path(scratch))
        new = measure(args.new, args.tests, Path(scratch))
    for name, (code, wall, cpu) in (("old", old), ("new", new)):
        print(f"{name}: exit {code}, wall {wall:.1f} s, CPU {cpu:.1f} s")
    print(f"new/old: wall {new[1] / old[1]:.2f}x, CPU {new[2] / old[2]:.2f}x")


if __name__ == "__main__":
    main()
