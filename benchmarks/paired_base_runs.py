"""Two designs of the base model's zero-label bench compared package by package, over seeds.

    python benchmarks/paired_base_runs.py --reference A-seed0.json,A-seed1.json,... --arm B-seed0.json,B-seed1.json,...
        [--show NAME,NAME,...] [--json FILE]

Each file is a ``bench_base_model.py --json`` report; the i-th file of each list must share its seed (and so its
folds and forest randomness) with the i-th of the other. Per package each metric is averaged over the seeds, then
means over the tuning and over the evaluation packages (as the reports name them), and the paired difference, arm
minus reference, per package with its 95% t-interval over the packages (``bench.paired.mean_interval``); the
interval over seeds of the evaluation mean's difference says how much the forests' randomness alone moves it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from bugprm.bench.paired import mean_interval

METRICS = ("ace", "auroc", "auroc_covered", "lift10", "gap10")


def main() -> None:
    args = _arguments()
    reference, arm = _reports(args.reference), _reports(args.arm)
    if len(reference) != len(arm):
        raise SystemExit("--reference and --arm need one report per seed each, in the same seed order")
    sets = {"tuning": reference[0]["tuning"], "evaluation": reference[0]["evaluation"]}
    summary = {name: _compared(reference, arm, packages) for name, packages in sets.items()}
    summary["by_seed"] = _by_seed(reference, arm, sets["evaluation"])
    summary["packages"] = {n: {"reference": _seed_mean(reference, n), "arm": _seed_mean(arm, n)}
                           for n in args.show}
    print(json.dumps(summary, indent=1, default=float))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=1, default=float))


def _compared(reference: list[dict], arm: list[dict], packages: list[str]) -> dict:
    found = {}
    for metric in METRICS:
        before = [_seed_mean(reference, n)[metric] for n in packages]
        after = [_seed_mean(arm, n)[metric] for n in packages]
        found[metric] = {"reference": float(np.nanmean(before)), "arm": float(np.nanmean(after)),
                         "difference": mean_interval([_known(a - b) for a, b in zip(after, before)]),
                         "lower_in": int(sum(a < b for a, b in zip(after, before)))}
    return {"packages": len(packages), **found}


def _by_seed(reference: list[dict], arm: list[dict], packages: list[str]) -> dict:
    """The evaluation mean ACE's difference seed by seed, and its interval over the seeds."""
    differences = [float(np.mean([a["packages"][n]["ace"] - r["packages"][n]["ace"] for n in packages]))
                   for r, a in zip(reference, arm)]
    return {"ace_difference_per_seed": differences, "over_seeds": mean_interval(differences)}


def _seed_mean(reports: list[dict], package: str) -> dict:
    return {m: float(np.nanmean([r["packages"][package][m] for r in reports])) for m in METRICS}


def _known(value: float) -> float | None:
    return None if np.isnan(value) else value


def _reports(listed: str) -> list[dict]:
    return [json.loads(Path(p).read_text()) for p in listed.split(",") if p]


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", required=True, help="bench_base_model.py --json reports, one per seed")
    parser.add_argument("--arm", required=True, help="the same seeds' reports of the design compared")
    parser.add_argument("--show", type=lambda v: v.split(","), default=[], help="packages whose rows to print")
    parser.add_argument("--json", type=Path, default=None)
    return parser.parse_args()


if __name__ == "__main__":
    main()
