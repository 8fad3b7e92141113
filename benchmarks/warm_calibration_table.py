"""Issue 15's calibration and uncertain-share bars from `bench_warm_start.py --json` files (warm or cold runs).

    python benchmarks/warm_calibration_table.py RESULTS.json...

One row per package, strategy, start and budget: means over seeds of the final scores' calibration on the
unexecuted rest (low-decile gap, survivor lift, ACE and the ACE perfectly calibrated scores would show there) with
how many seeds meet each bar, and the loop's uncertain share in
rounds 1 and 2 (mean over the seeds that had such a round).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict

import numpy as np

BARS = {"low_decile_gap": (0.10, np.less_equal), "low_decile_survivor_lift": (3.0, np.greater_equal),
        "calibration_error": (0.05, np.less_equal)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+")
    args = parser.parse_args()
    groups = defaultdict(list)
    for path in args.results:
        document = json.load(open(path))
        for row in document["rows"]:
            groups[(row["package"], row["strategy"], row["start"], row["budget"])].append(row)
    print("| package | run | budget | seeds | gap10 (<= 0.10) | lift (>= 3) | ACE (<= 0.05) | ACE floor "
          "| uncertain share r1 / r2 |")
    print("|---|---|---:|---:|---|---|---|---:|---|")
    for (package, strategy, start, budget), rows in sorted(groups.items()):
        print(_row(package, f"{start} {strategy}", budget, rows))


def _row(package: str, run: str, budget: float, rows: list[dict]) -> str:
    cells = [_bar_cell(rows, key) for key in BARS]
    floor = np.nanmean([r.get("calibration_error_floor", np.nan) for r in rows])
    return (f"| {package} | {run} | {budget:.0%} | {len(rows)} | {' | '.join(cells)} | {floor:.3f} "
            f"| {_share(rows, 1)} / {_share(rows, 2)} |")


def _bar_cell(rows: list[dict], key: str) -> str:
    limit, holds = BARS[key]
    values = np.array([r[key] for r in rows], dtype=float)
    return f"{np.nanmean(values):.3f} ({int(holds(values, limit).sum())}/{len(values)})"


def _share(rows: list[dict], round_number: int) -> str:
    shares = [log["uncertain_share"] for r in rows for log in r.get("rounds", [])
              if log.get("round") == round_number and "uncertain_share" in log]
    return f"{np.mean(shares):.2f} ({len(shares)})" if shares else "no round"


if __name__ == "__main__":
    main()
