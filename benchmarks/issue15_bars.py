"""Issue 15's bars, per package, from the JSON files `bench_active_loop.py --json` wrote (any number; rows of one
package and seed are paired across files, as every file splits a package the same way for a seed).

    python benchmarks/issue15_bars.py RESULTS.json...

Printed per package: the actprm uncertain share in rounds 1 and 2; calibration on the unexecuted rest (low-decile
gap, survivor lift, ACE); survivors found by `--goal gaps` (the survivors strategy) over random at 20%, as the
mean per-seed ratio with a 95% t-interval; `--goal estimate`'s mean |error| over the random-sample mean's (pmt-rf),
and both interval coverages, also against coverage-random (uncovered counted exactly, a random sample of the
covered); actprm minus random and minus same-line in AUROC of the unexecuted rest.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict

import numpy as np

from bugprm.bench.paired import mean_interval


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+")
    args = parser.parse_args()
    rows, rounds = [], defaultdict(list)
    for path in args.results:
        document = json.load(open(path))
        rows += document["rows"]
        for key, runs in document["rounds"].items():
            rounds[key] += runs
    rows = list({(r["repo"], r["strategy"], r["budget"], r["seed"]): r for r in reversed(rows)}.values())
    for repo in sorted({r["repo"] for r in rows}):
        _print_package(repo, [r for r in rows if r["repo"] == repo], rounds)


def _print_package(repo: str, rows: list[dict], rounds: dict) -> None:
    print(f"\n## {repo}")
    for budget in sorted({r["budget"] for r in rows}):
        logs = rounds.get(f"{repo}|actprm|{budget}", [])
        shares = [[log.get("uncertain_share") for log in run[1:3]] for run in logs]
        if shares:
            print(f"actprm {budget:.0%}: uncertain share r1/r2 " + "/".join(_mean_share(shares, i) for i in range(2)))
        for strategy in ("actprm", "random", "same-line", "survivors", "estimate", "pmt-rf", "coverage-random"):
            mine = _rows(rows, strategy, budget)
            if mine:
                cells = {m: np.nanmean([r.get(m, np.nan) for r in mine]) for m in
                         ("low_decile_gap", "low_decile_survivor_lift", "calibration_error",
                          "calibration_error_floor", "auroc_unexecuted", "auroc_unexecuted_covered",
                          "survivors_found", "survivors_found_covered", "gaps_found", "gaps_found_covered")}
                print(f"  {strategy} {budget:.0%} ({len(mine)} seeds): " +
                      "  ".join(f"{k} {v:.3f}" for k, v in cells.items()))
        _paired(rows, "actprm", "random", budget, "auroc_unexecuted")
        _paired(rows, "actprm", "same-line", budget, "auroc_unexecuted")
        for reference in ("random", "pmt-rf", "coverage-random"):  # pmt-rf: a plain random share
            for metric in ("survivors_found", "gaps_found"):
                _ratio(rows, "survivors", reference, budget, metric)
        for metric in ("survivors_found_covered", "gaps_found_covered"):
            _ratio(rows, "survivors", "coverage-random", budget, metric)
        for reference in ("pmt-rf", "coverage-random"):
            _estimate(rows, budget, reference)


def _mean_share(shares: list[list], index: int) -> str:
    known = [s[index] for s in shares if len(s) > index and s[index] is not None]
    return f"{np.mean(known):.2f}" if known else "- (budget spent)"


def _rows(rows: list[dict], strategy: str, budget: float) -> list[dict]:
    return sorted((r for r in rows if r["strategy"] == strategy and r["budget"] == budget), key=lambda r: r["seed"])


def _pairs(rows, strategy, reference, budget, metric):
    theirs = {r["seed"]: r[metric] for r in _rows(rows, reference, budget) if metric in r}
    return [(r[metric], theirs[r["seed"]]) for r in _rows(rows, strategy, budget) if r["seed"] in theirs]


def _paired(rows, strategy, reference, budget, metric) -> None:
    pairs = _pairs(rows, strategy, reference, budget, metric)
    if pairs:
        found = mean_interval([a - b for a, b in pairs if not np.isnan(a - b)])
        print(f"  {strategy} - {reference} {metric} at {budget:.0%}: {_interval(found, '+.3f')} ({len(pairs)} seeds)")


def _ratio(rows, strategy, reference, budget, metric) -> None:
    pairs = _pairs(rows, strategy, reference, budget, metric)
    if pairs:
        found = mean_interval([a / b for a, b in pairs if b > 0])
        means = np.mean(pairs, axis=0)
        print(f"  {strategy} / {reference} {metric} at {budget:.0%}: {means[0]:.1f} / {means[1]:.1f}; per-seed ratio "
              f"{_interval(found, '.2f')}")


def _interval(found: dict | None, spec: str) -> str:
    if found is None:
        return "-"
    if found["low"] is None:
        return format(found["mean"], spec)
    return f"{format(found['mean'], spec)} [{format(found['low'], spec)}, {format(found['high'], spec)}]"


def _estimate(rows, budget, reference) -> None:
    """``reference``: pmt-rf (the plain random-sample mean) or coverage-random (uncovered counted exactly)."""
    pairs = _pairs(rows, "estimate", reference, budget, "estimate_error")
    if not pairs:
        return
    errors = np.array(pairs)
    covered = {s: np.mean([r["estimate_covered"] for r in _rows(rows, s, budget)]) for s in ("estimate", reference)}
    print(f"  estimate at {budget:.0%} ({len(errors)} seeds): mean |error| {errors[:, 0].mean():.4f} vs {reference} "
          f"mean {errors[:, 1].mean():.4f} (ratio {errors[:, 0].mean() / errors[:, 1].mean():.2f}; RMS ratio "
          f"{np.sqrt((errors[:, 0] ** 2).mean() / (errors[:, 1] ** 2).mean()):.2f}); interval coverage "
          f"{covered['estimate']:.2f} vs {covered[reference]:.2f}")


if __name__ == "__main__":
    main()
