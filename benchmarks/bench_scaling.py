"""How ``bugprm generate`` grows with the size of one file: a 20 KB module against a 100 KB one (issue 19's bar: at
most 5x the time for 5x the bytes).

    python benchmarks/bench_scaling.py [--sizes 20,100] [--repeat 3]

Each module is made of the same function template repeated with fresh names, so the mutants per KB stay the same
and any excess over the size ratio is work that grows with the file, not with the mutants. Prints the median time
and mutants of each size and the ratio of each size's time to the smallest size's.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bugprm.mutate.run import generate_pool

TEMPLATE = '''

def clamp_{n}(value, low, high):
    """Keep value within [low, high]."""
    if value < low:
        return low
    if value > high and high >= 0:
        return high
    return value


def weighted_total_{n}(items, weights=None):
    result = 0
    for index, item in enumerate(items):
        weight = weights[index] if weights else 1
        result += item * weight - {n} % 7
    return result // 2


class Counter{n}:
    def __init__(self, start=0):
        self.count = start
        self.label = "counter-{n}"

    def bump(self, step=1):
        if step <= 0 or not isinstance(step, int):
            raise ValueError("step must be positive")
        self.count += step
        return self.count == {n}
'''


def synthetic_module(kilobytes: int) -> str:
    """Repeated template blocks up to ``kilobytes`` KB."""
    parts, size, n = ['"""Synthetic module for bench_scaling."""\n'], 0, 0
    while size < kilobytes * 1000:
        block = TEMPLATE.format(n=n)
        parts.append(block)
        size += len(block)
        n += 1
    return "".join(parts)


def timed_generate(kilobytes: int, scratch: Path, run: int) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of this process, mutants): CPU time is what other loads on a shared machine move
    least."""
    repo = scratch / f"repo{kilobytes}-{run}"
    (repo / "pkg").mkdir(parents=True)
    (repo / "pkg" / "big.py").write_text(synthetic_module(kilobytes), encoding="utf-8")
    started, cpu_started = time.perf_counter(), time.process_time()
    summary = generate_pool(repo, scratch / f"store{kilobytes}-{run}")
    return time.perf_counter() - started, time.process_time() - cpu_started, summary.candidates_found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="20,100", help="module sizes in KB, the first is the baseline")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            runs = [timed_generate(size, Path(scratch), run) for run in range(args.repeat)]
            results[size] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), runs[0][2])
    base_wall, base_cpu = results[sizes[0]][:2]
    for size, (wall, cpu, mutants) in results.items():
        print(f"{size:>5} KB  wall {wall:8.3f} s  cpu {cpu:8.3f} s  {mutants:6d} mutants  "
              f"{cpu / max(mutants, 1) * 1000:6.3f} cpu ms/mutant  ratio wall {wall / base_wall:5.2f}x "
              f"cpu {cpu / base_cpu:5.2f}x for {size / sizes[0]:.1f}x the bytes")


if __name__ == "__main__":
    main()
