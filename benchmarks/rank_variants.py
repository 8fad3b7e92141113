"""Paired comparisons of `--goal rank` variants run by separate `bench_active_loop.py --json` calls (one config each).

    python benchmarks/rank_variants.py TAG=RESULTS.json... --compare actprm@nb-random@nb,random@nb-random@plain ...

Each file's rows are named STRATEGY@TAG; the files of one package split it the same way for a seed, so rows of one
package, budget and seed are paired across files. Printed per package and budget: every variant's mean AUROC on the
unexecuted rest (all and covered candidates), and each ``--compare`` pair A-B as the mean per-seed difference with a
95% t-interval. With ``--rounds``, each variant's mean uncertain share, uncertainty spread (p10/p50/p90 of the heads'
std) and labels per round.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from bugprm.bench.paired import mean_interval

METRICS = ("auroc_unexecuted", "auroc_unexecuted_covered")


def load(tagged: list[str]) -> tuple[list[dict], dict]:
    rows, rounds = [], {}
    for item in tagged:
        tag, path = item.split("=", 1)
        document = json.load(open(path))
        rows += [{**r, "variant": f"{r['strategy']}@{tag}"} for r in document["rows"]]
        for key, runs in document["rounds"].items():
            repo, strategy, budget = key.split("|")
            rounds[(repo, f"{strategy}@{tag}", float(budget))] = runs
    return rows, rounds


def paired(rows: list[dict], a: str, b: str, metric: str) -> dict | None:
    theirs = {r["seed"]: r[metric] for r in rows if r["variant"] == b}
    differences = [r[metric] - theirs[r["seed"]] for r in rows if r["variant"] == a and r["seed"] in theirs]
    return mean_interval([d for d in differences if not np.isnan(d)]) if differences else None


def round_line(runs: list) -> str:
    cells = []
    for index in range(1, max(len(r) for r in runs)):
        logs = [r[index] for r in runs if len(r) > index and "uncertain_share" in r[index]]
        if logs:
            share = np.mean([log["uncertain_share"] for log in logs])
            spread = np.mean([log["uncertainty_p10_50_90"] for log in logs], axis=0)
            labels = np.mean([log.get("trained_on", np.nan) for log in logs])
            cells.append(f"r{index} share {share:.2f} spread {'/'.join(f'{v:.3f}' for v in spread)} "
                         f"labels {labels:.0f}")
    return "; ".join(cells) or "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", help="TAG=FILE")
    parser.add_argument("--compare", type=lambda t: [p.split("-", 1) for p in t.split(",")], default=[])
    parser.add_argument("--rounds", action="store_true")
    args = parser.parse_args()
    rows, rounds = load(args.results)
    for repo in sorted({r["repo"] for r in rows}):
        for budget in sorted({r["budget"] for r in rows if r["repo"] == repo}):
            mine = [r for r in rows if r["repo"] == repo and r["budget"] == budget]
            print(f"\n## {repo} at {budget:.0%}")
            for variant in sorted({r["variant"] for r in mine}):
                chosen = [r for r in mine if r["variant"] == variant]
                cells = "  ".join(f"{m} {np.nanmean([r[m] for r in chosen]):.3f}" for m in METRICS)
                print(f"  {variant} ({len(chosen)} seeds): {cells}")
                if args.rounds and rounds.get((repo, variant, budget)):
                    print(f"    {round_line(rounds[(repo, variant, budget)])}")
            for a, b in args.compare:
                found = paired(mine, a, b, METRICS[0])
                if found:
                    interval = "" if found["low"] is None else f" [{found['low']:+.3f}, {found['high']:+.3f}]"
                    print(f"  {a} - {b}: {found['mean']:+.3f}{interval}")


if __name__ == "__main__":
    main()
