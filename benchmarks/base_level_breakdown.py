"""Where the base model's zero-label level is wrong: each package's candidates split by what the baseline knew of them.

    python benchmarks/base_level_breakdown.py PREDICTIONS.jsonl.gz [--packages NAME,...] [--score score|pooled]

Reads the out-of-fold scores `bench_base_model.py --predictions` wrote and prints, per package, for each part of its
pool, the kill rate against the mean score (their difference is what the calibration error is made of): coverage
group (uncovered; covered on a line run at import or collection time; covered inside a test only), the outcome
classes the target counts as not killed (incompetent, timeout), and covered candidates whose covering tests count no
assertion against those whose tests count some. Kill = outcome killed, as in `../shared/tools/score_quality.py`.
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import defaultdict
from pathlib import Path

GROUPS = ("uncovered", "import-time", "in a test", "no assertion counted", "assertions counted")


def main() -> None:
    args = _arguments()
    by_package = defaultdict(list)
    with gzip.open(args.predictions, "rt") as lines:
        for row in map(json.loads, lines):
            by_package[row["package"]].append(row)
    print("| package | part | n | kill rate | mean score | score - kill | incompetent | timeout |\n"
          "|---|---|---:|---:|---:|---:|---:|---:|")
    for name in args.packages or sorted(by_package):
        for part, rows in [("all", by_package[name]), *parts(by_package[name])]:
            print(_line(name, part, rows, args.score))


def parts(rows: list[dict]) -> list[tuple[str, list[dict]]]:
    found = defaultdict(list)
    for row in rows:
        features = row["features"]
        if not features.get("line_covered"):
            found["uncovered"].append(row)
            continue
        found["import-time" if features.get("import_time_line") else "in a test"].append(row)
        found["assertions counted" if features.get("covering_assertions") else "no assertion counted"].append(row)
    return [(group, found[group]) for group in GROUPS if found[group]]


def _line(name: str, part: str, rows: list[dict], key: str) -> str:
    share = lambda outcome: sum(r["outcome"] == outcome for r in rows) / len(rows)  # noqa: E731
    killed, score = share("killed"), sum(r[key] for r in rows) / len(rows)
    return (f"| {name} | {part} | {len(rows)} | {killed:.3f} | {score:.3f} | {score - killed:+.3f} | "
            f"{share('incompetent'):.2f} | {share('timeout'):.2f} |")


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("predictions", type=Path)
    parser.add_argument("--packages", type=lambda v: v.split(","), default=None)
    parser.add_argument("--score", default="score", choices=("score", "pooled", "raw"))
    return parser.parse_args()


if __name__ == "__main__":
    main()
