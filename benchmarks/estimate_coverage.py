"""`--goal estimate`'s interval over many seeds: how often it holds the truth, with the plus-two pseudo-terms at the
ends of the kill rate's range (the estimator's default) and at 0 and 1 (before issue 15's fourth session).

    python benchmarks/estimate_coverage.py REPO... [--seeds 50] [--first-seed 0] [--budget 0.1] [--heads 8]
        [--trees 10] [--set active_learning.rounds=4] [--base MODEL [--first-round learner|seed]] [--json F]
    python benchmarks/estimate_coverage.py [REPO...] --render F.json...   # the tables again, from saved rows
    python benchmarks/estimate_coverage.py --render F.json... --rounds      # per round, from saved rows
    python benchmarks/estimate_coverage.py --render F.json... --against OLD.json...  # paired by seed with other rows

Each seed splits the pool as `bench_active_loop.py` does (30% held out), runs the estimate loop on the training
pool from its recorded verdicts (`--recorded` stores: nothing is executed) and computes both intervals from the same
draws. ``--base``: the loop starts warm, as `bugprm train` does by default, its forests stacked on this base model
(``WarmLearner``; the base must never have seen the package); the first round is then drawn by the base's
predictions (``--first-round learner``, the loop's default) or uniformly as a cold run's seed round (``seed``).
Printed per package: interval coverage of the true kill rate of the training pool (count, share and its 95%
Wilson interval), mean interval width, the estimate's root-mean-square error and the exact RMS error of the plain
random-sample mean for the same budget (`estimate_baselines.py`), their ratio; then, paired by seed with a plain
random sample of the same size drawn by that seed (`random_share`), the mean |error| of each, their ratio and the
mean paired difference with its 95% t-interval; last, the exact RMS of a coverage-aware random sample (the uncovered
counted, the covered sampled) and the ratio to it: what coverage alone gives. The last line pools every package.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import yaml

from bugprm.active.estimate import CONFIDENCE, estimate
from bugprm.bench.paired import mean_interval
from bugprm.bench.pools import recorded_pool
from bugprm.bench.evaluation import baseline_variances
from bugprm.bench.remembered import RememberedScorer
from bugprm.bench.runners import estimating_run, forest_size, random_share
from bugprm.bench.splits import within_split
from bugprm.config import load_config, with_overrides
from bugprm.active.coverage_known import known_uncovered
from bugprm.metrics import auroc
from bugprm.model.pmt_forest import is_valid_bug

VARIANTS = {"range": None, "zero_one": (0.0, 1.0)}  # where the two pseudo-terms sit


def one_seed(pool, seed: int, budget: float, config, base=None, warm_first: bool | None = None) -> dict:
    split = within_split(pool, 0.3, seed)
    loop, _, _ = estimating_run(split, budget, config, base, warm_first)
    truth = float(np.mean([is_valid_bug(split.verdicts[c.id]) for c in split.train]))
    plain = float(np.mean([is_valid_bug(split.verdicts[c.id]) for c in random_share(split.train, budget, seed)]))
    plain_variance, aware_variance = baseline_variances(split, budget)
    row = {"repo": pool.name, "seed": seed, "truth": truth, "plain_variance": plain_variance,
           "aware_variance": aware_variance, "plain_sample": plain, "warm": base is not None, "first_round": "learner" if loop.warm_first else "seed"}
    for name, bounds in VARIANTS.items():
        found = estimate(loop.draws, loop.verdicts(), len(loop.pool), CONFIDENCE, bounds or loop.bounds)
        row[name] = {"value": found.value, "low": found.low, "high": found.high,
                     "covered": found.low <= truth <= found.high}
    return {**row, "rounds": round_diagnostics(loop, split, truth)}


def round_diagnostics(loop, split, truth: float) -> list[dict]:
    """Per round: its share of the estimate's error, its terms' spread, the chances it drew with (N_open q: 1 is
    uniform), and the predictions it drew by against the verdicts, among the drawn and the covered left undrawn."""
    verdicts, size, rows, before = loop.verdicts(), len(loop.pool), [], set(loop.verdicts()) - {
        d.id for d in loop.draws}
    y = np.array([is_valid_bug(split.verdicts[c.id]) for c in loop.pool])
    for index, predicted in sorted(loop.predicted_by_round.items()):
        drawn = [d for d in loop.draws if d.round == index and d.id in verdicts]
        terms = np.array([d.term(verdicts[d.id], size) for d in drawn])
        at = {c.id: k for k, c in enumerate(loop.pool)}
        open_ = np.array([c.id not in before and not known_uncovered(c) for c in loop.pool])
        undrawn = open_ & ~np.isin([c.id for c in loop.pool], [d.id for d in drawn])
        picked = [at[d.id] for d in drawn]
        rows.append({"round": index, "draws": len(drawn), "error_share": float((terms - truth).sum() / len(loop.draws)),
                     "terms_sd": float(terms.std()), "open_q": [float(np.min([d.probability for d in drawn]) * open_.sum()),
                                                               float(np.median([d.probability for d in drawn]) * open_.sum())],
                     "drawn_predicted": float(predicted[picked].mean()), "drawn_killed": float(y[picked].mean()),
                     "undrawn_predicted": float(predicted[undrawn].mean()), "undrawn_killed": float(y[undrawn].mean()),
                     "undrawn_auroc": auroc(y[undrawn].tolist(), predicted[undrawn].tolist()),
                     "residual_by_fifth": residual_by_fifth(predicted[open_], y[open_])})
        before |= {d.id for d in drawn}
    return rows


def residual_by_fifth(predicted: np.ndarray, killed: np.ndarray) -> list[list[float]]:
    """The open covered candidates in five equal-count strata of the prediction: mean prediction, kill rate and
    mean squared residual of each."""
    order = np.array_split(np.argsort(predicted), 5)
    return [[float(predicted[k].mean()), float(killed[k].mean()), float(((killed[k] - predicted[k]) ** 2).mean())]
            for k in order if len(k)]


def wilson(hits: int, total: int, z: float = 1.959964) -> tuple[float, float]:
    share, spread = hits / total, z * z / total
    centre = (share + spread / 2) / (1 + spread)
    half = z / (1 + spread) * math.sqrt(share * (1 - share) / total + spread / (4 * total))
    return centre - half, centre + half


def summary_line(name: str, rows: list[dict]) -> str:
    cells = []
    for variant in VARIANTS:
        hits = sum(r[variant]["covered"] for r in rows)
        low, high = wilson(hits, len(rows))
        width = np.mean([r[variant]["high"] - r[variant]["low"] for r in rows])
        cells.append(f"{hits}/{len(rows)} = {hits / len(rows):.2f} [{low:.2f}, {high:.2f}] | {width:.4f}")
    error = math.sqrt(np.mean([(r["range"]["value"] - r["truth"]) ** 2 for r in rows]))
    plain, aware = (math.sqrt(np.mean([r[key] for r in rows])) for key in ("plain_variance", "aware_variance"))
    return (f"| {name} | {len(rows)} | " + " | ".join(cells) + f" | {error:.4f} | {plain:.4f} | {error / plain:.2f} | "
            + paired_cells(rows) + f" | {aware:.4f} | {error / aware:.2f} |")


def paired_cells(rows: list[dict]) -> str:
    """Mean |error| of the estimate and of the same seed's plain random-sample mean, their ratio, and the paired
    difference of the two |errors| with its 95% t-interval."""
    mine = [abs(r["range"]["value"] - r["truth"]) for r in rows]
    plain = [abs(r["plain_sample"] - r["truth"]) for r in rows]
    gap = mean_interval([a - b for a, b in zip(mine, plain)])
    shown = f"{gap['mean']:+.4f}" + (f" [{gap['low']:+.4f}, {gap['high']:+.4f}]" if gap["low"] is not None else "")
    return f"{np.mean(mine):.4f} | {np.mean(plain):.4f} | {np.mean(mine) / np.mean(plain):.2f} | {shown}"


def render(rows: list[dict]) -> None:
    print("| package | seeds | coverage, pseudo-terms at the range's ends [95% CI] | mean width | coverage, "
          "pseudo-terms 0 and 1 | mean width | estimate RMS | plain mean, exact RMS | ratio | estimate mean abs. "
          "error | plain sample mean abs. error | ratio | paired difference [95% CI] | coverage-aware random, exact "
          "RMS | ratio |")
    print("|---|" + "---:|" * 14)
    names = list(dict.fromkeys(r["repo"] for r in rows))
    for name in names:
        print(summary_line(name, [r for r in rows if r["repo"] == name]), flush=True)
    if len(names) > 1:
        print(summary_line("all", rows))


def render_rounds(rows: list[dict]) -> None:
    """Per package and round, means over seeds: the round's share of the error (and its root mean square), its
    terms' spread, the chances it drew with (N_open q, min and median), predictions against kill rates among the
    drawn and among the covered left undrawn, and the undrawn's AUROC."""
    print("| package | round | draws | error share: mean / RMS | terms' sd | N_open q: min / median | drawn: "
          "predicted / killed | undrawn: predicted / killed | undrawn AUROC |")
    print("|---|---:|" + "---:|" * 7)
    for name in dict.fromkeys(r["repo"] for r in rows):
        found = [x for r in rows if r["repo"] == name for x in r.get("rounds", ())]
        for index in sorted({x["round"] for x in found}):
            at = [x for x in found if x["round"] == index]
            mean = lambda key, k=None: np.nanmean([x[key] if k is None else x[key][k] for x in at])
            share = np.array([x["error_share"] for x in at])
            print(f"| {name} | {index} | {mean('draws'):.1f} | {share.mean():+.4f} / {math.sqrt((share ** 2).mean()):.4f}"
                  f" | {mean('terms_sd'):.3f} | {mean('open_q', 0):.2f} / {mean('open_q', 1):.2f} | "
                  f"{mean('drawn_predicted'):.3f} / {mean('drawn_killed'):.3f} | {mean('undrawn_predicted'):.3f} / "
                  f"{mean('undrawn_killed'):.3f} | {mean('undrawn_auroc'):.3f} |")


def render_against(rows: list[dict], others: list[dict]) -> None:
    """Per package, seeds run by both: RMS of each, and the paired difference of |error| with its 95% t-interval."""
    old = {(r["repo"], r["seed"]): r for r in others}
    print("| package | seeds | RMS: these / other | mean abs. error: these / other | paired difference [95% CI] | "
          "coverage: these / other |")
    print("|---|---:|---:|---:|---:|---:|")
    names = list(dict.fromkeys(r["repo"] for r in rows))
    for name in names + (["all"] if len(names) > 1 else []):
        pairs = [(r, old[r["repo"], r["seed"]]) for r in rows
                 if (name in ("all", r["repo"])) and (r["repo"], r["seed"]) in old]
        if not pairs:
            continue
        errors = np.array([[abs(r["range"]["value"] - r["truth"]) for r in pair] for pair in pairs])
        gap = mean_interval((errors[:, 0] - errors[:, 1]).tolist())
        rms = np.sqrt((errors ** 2).mean(axis=0))
        hits = [sum(r["range"]["covered"] for r in side) for side in zip(*pairs)]
        shown = f"{gap['mean']:+.4f}" + (f" [{gap['low']:+.4f}, {gap['high']:+.4f}]" if gap["low"] is not None else "")
        print(f"| {name} | {len(pairs)} | {rms[0]:.4f} / {rms[1]:.4f} | {errors[:, 0].mean():.4f} / "
              f"{errors[:, 1].mean():.4f} | {shown} | {hits[0]}/{len(pairs)} / {hits[1]}/{len(pairs)} |")


def main() -> None:
    args = _arguments()
    if args.render and (args.rounds or args.against):
        rows = [row for path in args.render for row in json.loads(Path(path).read_text())]
        if args.rounds:
            render_rounds(rows)
        if args.against:
            render_against(rows, [row for path in args.against for row in json.loads(Path(path).read_text())])
        return
    if args.render:
        render(with_baselines([row for path in args.render for row in json.loads(Path(path).read_text())],
                              args.repos, args.budget))
        return
    forest_size(args.heads, args.trees)
    config = with_overrides(load_config("default"), {k: yaml.safe_load(v) for k, v in
                                                      (item.split("=", 1) for item in args.set)})
    base = RememberedScorer(load_scorer(args.base)) if args.base else None
    rows: list[dict] = []
    for repo in args.repos:
        pool = recorded_pool(repo)
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            rows.append(one_seed(pool, seed, args.budget, config, base, first_round(args)))
            if args.json:
                Path(args.json).write_text(json.dumps(rows, default=float))
    render(rows)


def with_baselines(rows: list[dict], repos: list[Path], budget: float) -> list[dict]:
    """Rows saved before they held ``aware_variance`` get both exact baselines again from REPO's pool."""
    pools = {pool.name: pool for pool in map(recorded_pool, repos)}
    return [{**r, **dict(zip(("plain_variance", "aware_variance"),
                             baseline_variances(within_split(pools[r["repo"]], 0.3, r["seed"]), budget)))}
            if "aware_variance" not in r else r for r in rows]


def first_round(args) -> bool | None:
    """Whether the warm learner draws the first round; None for a cold run (the loop's uniform seed round)."""
    return args.first_round == "learner" if args.base else None


def load_scorer(base: Path):
    from bugprm.scoring.adapter import load_scorer as loaded  # torch, only for warm runs

    return loaded(base)


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="*", type=Path)
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--budget", type=float, default=0.1)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--trees", type=int, default=10)
    parser.add_argument("--set", action="append", default=["active_learning.rounds=4"])
    parser.add_argument("--base", type=Path, help="Start warm from this base model (one that never saw REPO).")
    parser.add_argument("--first-round", choices=("learner", "seed"), default="learner",
                        help="Warm runs: the first round drawn by the base's predictions, or uniformly.")
    parser.add_argument("--json")
    parser.add_argument("--render", nargs="+", metavar="JSON", help="Only print the tables of saved rows.")
    parser.add_argument("--rounds", action="store_true", help="With --render: the per-round table instead.")
    parser.add_argument("--against", nargs="+", metavar="JSON", help="With --render: paired by seed with these rows.")
    return parser.parse_args()


if __name__ == "__main__":
    main()
