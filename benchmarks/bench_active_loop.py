"""Issue 15's measurements: the loop's strategies paired on the same seeds, with what each round saw.

    python benchmarks/bench_active_loop.py REPO... [--budgets 0.1,0.2] [--seeds 10]
        [--strategies actprm,random,same-line] [--config default] [--set active_learning.KEY=VALUE ...] [--json F]
        [--recorded]

`--strategies estimate,pmt-rf` compares `--goal estimate` with the plain mean of a random sample (pmt-rf's): the
error of each against the training pool's true mutation score, and how often the 95% interval holds it.
`coverage-random` is the random baseline that knows what coverage knows (uncovered candidates counted exactly, the
budget a random sample of the covered): what `--goal gaps` and `--goal estimate` gain from selection alone.
`--recorded` replays a store as a corpus build left it (every verdict recorded, nothing is executed).

Each REPO's pool must be fully executed already (`bugprm label --all`): every run replays verdicts from it, as
`bugprm bench` does (within-project split, 30% held out and never executed). Printed per repository and budget:
the mean over seeds of AUROC on every unexecuted candidate and on the covered ones among them, the calibration
error (10 equal-mass bins) and, among the 10% scored least likely to be killed, |mean score - kill rate| and their
survivor share over the pool's; then each strategy minus random and minus same-line, paired by seed, with a 95%
t-interval; then, for active runs, the uncertain share, score and uncertainty percentiles of each round.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from collections import defaultdict

import numpy as np
import yaml

from bugprm.bench.evaluation import evaluate
from bugprm.bench.paired import paired_differences
from bugprm.bench.pools import judged_pool, recorded_pool
from bugprm.bench.runners import forest_size, run_strategy
from bugprm.bench.splits import within_split
from bugprm.config import load_config, with_overrides

SHOWN = ("auroc_unexecuted", "auroc_unexecuted_covered", "calibration_error", "calibration_error_floor",
         "low_decile_gap", "low_decile_survivor_lift", "survivors_found", "survivors_found_covered", "gaps_found",
         "gaps_found_covered", "score_error_probability", "estimate_error", "estimate_covered")
PAIRED = ("auroc_unexecuted", "auroc_unexecuted_covered", "survivors_found", "score_error_probability",
          "estimate_error")


def main() -> None:
    args = _arguments()
    forest_size(args.heads, args.trees)
    config = with_overrides(load_config(args.config), {k: yaml.safe_load(v) for k, v in
                                                        (item.split("=", 1) for item in args.set)})
    rows, rounds = [], defaultdict(list)
    for repo in args.repos:
        pool = recorded_pool(repo) if args.recorded else judged_pool(repo)
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            split = within_split(pool, 0.3, seed)
            for budget in args.budgets:
                for strategy in args.strategies:
                    run = run_strategy(strategy, split, budget, _strategy_config(config, strategy, args.rank_floor))
                    rows.append({"split": "within", "repo": pool.name, "strategy": strategy, "budget": budget,
                                 "seed": seed, **evaluate(split, run)})
                    rounds[(pool.name, strategy, budget)].append(run.rounds)
            _save(args.json, rows, rounds)  # after every seed: a run cut short still leaves its seeds
        _print_repo(pool.name, rows, rounds, args)


def _strategy_config(config, strategy: str, rank_floor: float | None):
    """``--rank-floor``: the uniform floor of actprm's rounds only (`--goal gaps` keeps its own)."""
    if strategy != "actprm" or rank_floor is None:
        return config
    return with_overrides(config, {"active_learning.uniform_floor": rank_floor})


def _save(path: str | None, rows: list[dict], rounds: dict) -> None:
    if path:
        with open(path, "w") as out:
            json.dump({"rows": rows, "rounds": {"|".join(map(str, k)): v for k, v in rounds.items()}}, out,
                      default=float)


def _print_repo(name: str, rows: list[dict], rounds: dict, args) -> None:
    mine = [r for r in rows if r["repo"] == name]
    print(f"\n## {name}\n\n| strategy | budget | " + " | ".join(SHOWN) + " |")
    print("|---|---:|" + "---:|" * len(SHOWN))
    for strategy in args.strategies:
        for budget in args.budgets:
            chosen = [r for r in mine if r["strategy"] == strategy and r["budget"] == budget]
            cells = [_mean([r[m] for r in chosen]) for m in SHOWN]
            print(f"| {strategy} | {budget:.0%} | " + " | ".join(cells) + " |")
    print("\npaired (strategy - reference, mean [95% CI] over seeds):")
    for entry in paired_differences(mine, references=args.references, metrics=PAIRED):
        cells = [f"{m}={_interval(entry[m])}" for m in PAIRED]
        print(f"  {entry['strategy']} - {entry['reference']} at {entry['budget']:.0%}: " + "  ".join(cells))
    _print_estimate_ratio(mine, args.budgets)
    print("\nrounds (mean over seeds): uncertain share | score p10/50/90 | uncertainty p10/50/90")
    for (repo, strategy, budget), runs in rounds.items():
        if repo == name and any(runs):
            summaries = (_round_summary(runs, i) for i in range(1, len(runs[0])))
            print(f"  {strategy} at {budget:.0%}: " + "; ".join(summaries))


def _print_estimate_ratio(rows: list[dict], budgets) -> None:
    """`--goal estimate` against the plain random-sample mean: mean absolute and root-mean-square error ratios."""
    for budget in budgets:
        errors = {s: np.array([r["estimate_error"] for r in rows if r["strategy"] == s and r["budget"] == budget])
                  for s in ("estimate", "pmt-rf", "coverage-random")}
        for reference in ("pmt-rf", "coverage-random"):
            if len(errors["estimate"]) and len(errors[reference]):
                mae = errors["estimate"].mean() / errors[reference].mean()
                rmse = np.sqrt((errors["estimate"] ** 2).mean() / (errors[reference] ** 2).mean())
                print(f"estimate / {reference} mean at {budget:.0%}: mean |error| {errors['estimate'].mean():.4f} / "
                      f"{errors[reference].mean():.4f} = {mae:.2f}; RMS error ratio {rmse:.2f}")


def _round_summary(runs: list, index: int) -> str:
    logs = [r[index] for r in runs if len(r) > index and "uncertain_share" in r[index]]
    if not logs:
        return "-"
    share = np.mean([log["uncertain_share"] for log in logs])
    score = np.mean([log["score_p10_50_90"] for log in logs], axis=0)
    spread = np.mean([log["uncertainty_p10_50_90"] for log in logs], axis=0)
    return f"r{index} {share:.2f} | {'/'.join(f'{v:.2f}' for v in score)} | {'/'.join(f'{v:.3f}' for v in spread)}"


def _mean(values) -> str:
    known = [v for v in values if v is not None and not (isinstance(v, float) and np.isnan(v))]
    return f"{np.mean(known):.3f}" if known else "-"


def _interval(value: dict | None) -> str:
    if value is None:
        return "-"
    if value["low"] is None:
        return f"{value['mean']:+.3f}"
    return f"{value['mean']:+.3f} [{value['low']:+.3f}, {value['high']:+.3f}]"


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--budgets", type=lambda t: [float(b) for b in t.split(",")], default=[0.1, 0.2])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=0, help="seeds FIRST.. (to spread seeds over processes)")
    parser.add_argument("--strategies", type=lambda t: t.split(","), default=["actprm", "random", "same-line"])
    parser.add_argument("--config", default="default")
    parser.add_argument("--set", action="append", default=[], help="a config key, e.g. active_learning.rounds=5")
    parser.add_argument("--json")
    parser.add_argument("--rank-floor", type=float, help="uniform_floor for the actprm strategy only")
    parser.add_argument("--heads", type=int, help="bagged forests per learner (default 16)")
    parser.add_argument("--trees", type=int, help="trees per bagged forest (default 20)")
    parser.add_argument("--recorded", action="store_true", help="replay the store's verdicts; never execute")
    parser.add_argument("--references", type=lambda t: t.split(","),
                        default=["random", "same-line", "pmt-rf", "coverage-random"])
    return parser.parse_args()


if __name__ == "__main__":
    main()
