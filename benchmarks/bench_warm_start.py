"""Issue 16, part 2: does a repository that starts warm from the base model rank its unexecuted candidates better
than one that starts cold, for less execution?

    python benchmarks/bench_warm_start.py --package STORE=BASE [--package STORE=BASE ...] [--budgets 0.05,0.1,0.2]
        [--seeds 10] [--first-seed 0] [--config default] [--penalty P] [--base-weight fitted|fixed] [--json FILE]
    python benchmarks/bench_warm_start.py --verdicts NAME=BASE --work WORK [...the same options]
    python benchmarks/bench_warm_start.py --render FILE.json [FILE.json ...]

STORE is a package's executed store directory (the corpus build's ``stores/NAME``; it is copied first, never
written) and BASE a base model trained WITHOUT that package (``bugprm corpus train-base --exclude NAME --out BASE``,
or ``bugprm fit --store S1 --with-store S2 ... --out BASE`` over other packages' stores). Each package's executed
pool is replayed: the loop's oracle answers from the recorded verdicts (``CachedOracle``), as ``bugprm bench`` does.
Without a store, ``--verdicts NAME=BASE`` replays the package from its committed verdict file
(``corpora/verdicts/NAME-VERSION.json.gz``, or NAME given as that file's path): its pool regenerated from the sdist
under WORK (a copy of your own of ``train-base --work``'s folder: it takes locks there) and joined with the file's
executions, as ``train-base`` does (``bugprm.bench.pools.verdict_pool``); no test runs.

Per package, printed: the base model's AUROC with zero local labels (every candidate, and the covered ones); for
each budget the mean over seeds of the AUROC on the unexecuted rest of cold ActPRM (the bagged forests alone),
warm ActPRM and warm random (the forests stacked on the base, ``WarmLearner``; ``--neighbours warm --line-prior 1``
lets them use their labels on their lines); the bar (warm at 10% >= cold at
20%); and, paired by seed with 95% t-intervals, warm ActPRM - warm random and warm 10% - cold 20%. Beside them,
issue 15's same-line neighbour rule on each run's own rest (an unexecuted candidate takes the mean verdict of the
run's executed candidates on its line, else the run's final score), paired with warm ActPRM: after warm random's
executions (the baseline) and after ActPRM's own.

Repair top-1/top-5 against Ochiai needs executed patches, which the corpus does not hold: run
``benchmarks/bench_repair.py REPO --model BASE`` on a package's repository for those.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

from bugprm.active.forest_learner import BaggedForestLearner
from bugprm.active.leaf_refined import STRENGTH, BlendedLocal, LeafRefinedForest, RefinedFeatureForests
from bugprm.active.loop import ActiveLoop
from bugprm.active.neighbours import line_verdicts_else
from bugprm.active.settings import loop_settings
from bugprm.active.warm_learner import MIXES, PENALTY, WarmLearner
from bugprm.bench.evaluation import calibration_metrics, unexecuted_auroc
from bugprm.bench.oracle import CachedOracle
from bugprm.bench.paired import mean_interval
from bugprm.bench.pools import JudgedPool, verdict_pool
from bugprm.bench.remembered import RememberedScorer
from bugprm.bench.runners import spending_settings
from bugprm.config import Budget, load_config
from bugprm.labels import step_labels
from bugprm.model.io import load_fitted_prior
from bugprm.model.pmt_forest import is_valid_bug
from bugprm.records import UNLABELLED_OUTCOMES, Kind
from bugprm.scoring.adapter import load_scorer
from bugprm.store import Store

VARIANTS = (("cold", "actprm"), ("warm", "actprm"), ("warm", "random"))
WARM_KEYS = ("penalty", "base_weight_fitted", "base_feature", "mix", "local_floor", "line_prior")
SAME_LINE = "auroc_unexecuted_same_line"  # the neighbour rule on a run's own executions and final scores
ROUND_KEYS = ("trained_on", "positive_rate", "auroc_oob", "auroc_base", "auroc_corpus_forest", "auroc_refined_loo",
              "auroc_refined_oob",
              "base_weight", "local_weight", "seed_set", "uncertain", "uncertain_share", "score_p10_50_90",
              "uncertainty_p10_50_90")


def executed_pool(store_dir: Path) -> JudgedPool:
    """The package's candidate bugs with a verdict that says something, read from a scratch copy of its store."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(shutil.copytree(store_dir, Path(scratch) / "store", ignore=shutil.ignore_patterns("lock")))
        with Store.open(copy) as store:
            verdicts = store.verdicts(labelling_fingerprint(store))
            candidates = store.candidates(kind=Kind.BUG)
    kept = tuple(c for c in candidates if c.id in verdicts and verdicts[c.id].outcome not in UNLABELLED_OUTCOMES)
    return JudgedPool(store_dir.name, store_dir, kept, {c.id: verdicts[c.id] for c in kept},
                      len(candidates) - len(kept))


def labelling_fingerprint(store: Store) -> str | None:
    """The harness fingerprint most candidates were judged under: the corpus build's labelling pass, not the kill
    matrix it runs last (which the store's current fingerprint names)."""
    counts = Counter(e.fingerprint for e in store.executions().values())
    return counts.most_common(1)[0][0] if counts else None


def learner(start: str, base: RememberedScorer, seed: int, mix: dict, forest=None):
    """Cold: the bagged forests. Warm: a local learner stacked on the base, the bagged forests or, with
    ``--warm-local refined``, the base's own forest ``forest`` with its leaves refined by the labels."""
    local = BaggedForestLearner(seed, neighbours=start in mix.get("neighbours", ()))
    if start == "warm" and mix.get("warm_local") == "refined":
        local = LeafRefinedForest(forest, seed, strength=mix["strength"])
    elif start == "warm" and mix.get("warm_local") == "refined-feature":
        local = RefinedFeatureForests(forest, local, strength=mix["strength"])
    elif start == "warm" and mix.get("warm_local") == "blend":
        local = BlendedLocal(local, LeafRefinedForest(forest, seed, strength=mix["strength"]))
    return local if start == "cold" else WarmLearner(base, local, **{k: v for k, v in mix.items() if k in WARM_KEYS})


def replay(pool: JudgedPool, base: RememberedScorer, start: str, strategy: str, budget: float, seed: int,
           config, mix: dict, forest=None) -> dict:
    """One loop over the pool, then a fresh learner fitted on every label scores the unexecuted rest."""
    candidates, limit = list(pool.candidates), Budget(fraction=budget)
    settings = spending_settings(loop_settings(config.active_learning, strategy=strategy, seed=seed),
                                 limit.limit(len(candidates)), len(candidates))
    oracle = CachedOracle(pool.verdicts)
    loop = ActiveLoop(candidates, learner(start, base, seed, mix, forest), oracle, step_labels, settings, limit)
    result = loop.run()
    final = learner(start, base, seed, mix, forest)
    final_fit = final.fit(loop.labelled())
    rest = [c for c in candidates if c.id not in oracle.asked]
    scores = dict(zip([c.id for c in rest], final.probability(rest).tolist()))
    return {"package": pool.name, "start": start, "strategy": strategy, "budget": budget, "seed": seed,
            "executed": len(oracle.asked), **unexecuted_auroc(pool, scores), **calibration_metrics(pool.verdicts, scores),
            **same_line_auroc(pool, rest, scores, [c for c in candidates if c.id in oracle.asked]),
            "rounds": [round_log(r) for r in result.rounds],
            "final_fit": {k: v for k, v in final_fit.items() if k in ROUND_KEYS}}


def same_line_auroc(pool: JudgedPool, rest: list, scores: dict, executed: list) -> dict:
    """Issue 15's neighbour baseline on the same rest: each unexecuted candidate takes the mean verdict of the
    run's executed candidates on its line, else the run's final score."""
    ruled = line_verdicts_else(rest, np.array([scores[c.id] for c in rest]), executed,
                               [is_valid_bug(pool.verdicts[c.id]) for c in executed])
    return {f"{key}_same_line": value
            for key, value in unexecuted_auroc(pool, dict(zip([c.id for c in rest], ruled.tolist()))).items()}


def round_log(log) -> dict:
    """What a round saw and fitted: labels, uncertain share, spread of scores and uncertainty, the mix's weights."""
    return {"round": log.round, "selected": len(log.selected), "executed": log.executed_total,
            **{k: v for k, v in log.metrics.items() if k in ROUND_KEYS}}


def zero_label(pool: JudgedPool, base: RememberedScorer) -> dict:
    scores = dict(zip([c.id for c in pool.candidates],
                      WarmLearner(base, BaggedForestLearner()).probability(list(pool.candidates)).tolist()))
    return {"package": pool.name, "candidates": len(pool.candidates), **unexecuted_auroc(pool, scores),
            **calibration_metrics(pool.verdicts, scores)}


def package_rows(pool: JudgedPool, base_dir: Path, runs, seeds, config, mix: dict,
                 keep=lambda record: None) -> tuple[dict | None, list[dict]]:
    """Every run (start, strategy, budget) of the package per seed, each handed to ``keep`` as it ends (a long run
    leaves its finished seeds behind); the base model is loaded (and the zero-label row made) only for warm runs."""
    warm = any(start == "warm" for start, _, _ in runs)
    base = RememberedScorer(load_scorer(base_dir)) if warm else None
    forest = load_fitted_prior(base_dir, "forest") if warm and mix.get("warm_local") != "forest" else None
    zero = zero_label(pool, base) if warm else None
    keep({"zero_label": zero}) if zero else None
    rows = []
    for seed in seeds:
        for start, strategy, budget in runs:
            rows.append(replay(pool, base, start, strategy, budget, seed, config, mix, forest))
            keep({"row": rows[-1]})
    return zero, rows


def chosen_runs(budgets: list[float], variants: str, runs: str | None) -> list[tuple[str, str, float]]:
    """``--runs START-STRATEGY@BUDGET,...`` as given, else every variant at every budget."""
    if runs:
        return [(*run.split("@")[0].split("-", 1), float(run.split("@")[1])) for run in runs.split(",")]
    return [(*v.split("-", 1), b) for b in budgets for v in variants.split(",")]


def summary(zero: dict, rows: list[dict], budgets) -> dict:
    def values(start, strategy, budget, key="auroc_unexecuted") -> dict[int, float]:
        return {r["seed"]: r[key] for r in rows
                if (r["start"], r["strategy"], r["budget"]) == (start, strategy, budget) and key in r}

    means = {f"{start}-{strategy}@{b:g}": _mean(list(values(start, strategy, b).values()))
             for b in budgets for start, strategy in VARIANTS}
    means.update({f"same-line after {s}@{b:g}": _mean(list(values("warm", s, b, SAME_LINE).values()))
                  for b in budgets for s in ("random", "actprm")})
    paired = {f"warm actprm - warm random @{b:g}": mean_interval(_minus(values("warm", "actprm", b),
                                                                        values("warm", "random", b)))
              for b in budgets}
    paired.update({f"warm actprm - same line after warm {s} @{b:g}": mean_interval(
        _minus(values("warm", "actprm", b), values("warm", s, b, SAME_LINE)))
        for b in budgets for s in ("random", "actprm")})
    gains = _minus(values("warm", "actprm", 0.1), values("cold", "actprm", 0.2))
    paired["warm 10% - cold 20%"] = mean_interval(gains)
    return {"package": zero["package"], "zero_label": zero, "mean_auroc_unexecuted": means, "paired": paired,
            "seeds": len(gains), "bar_warm10_ge_cold20": bool(gains) and float(np.mean(gains)) >= 0}


def _mean(values: list[float]) -> float | None:
    known = [v for v in values if v == v]
    return round(float(np.mean(known)), 4) if known else None


def _minus(a: dict[int, float], b: dict[int, float]) -> list[float]:
    """Differences paired by seed, over the seeds both have a number for."""
    return [a[seed] - b[seed] for seed in sorted(a.keys() & b.keys()) if a[seed] == a[seed] and b[seed] == b[seed]]


def render(summaries: list[dict], budgets) -> str:
    head = ["package", "n", "base AUROC (all/covered)", "ACE"]
    head += [f"{s}-{k} {b:.0%}" for b in budgets for s, k in VARIANTS]
    head += [f"same line after random {b:.0%}" for b in budgets] + ["warm 10% >= cold 20%"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in summaries:
        z, m = s["zero_label"], s["mean_auroc_unexecuted"]
        cells = [s["package"], str(z["candidates"]),
                 f"{_shown(z['auroc_unexecuted'])} / {_shown(z['auroc_unexecuted_covered'])}",
                 _shown(z.get("calibration_error"))]
        cells += [_shown(m[f"{st}-{k}@{b:g}"]) for b in budgets for st, k in VARIANTS]
        cells += [_shown(m.get(f"same-line after random@{b:g}")) for b in budgets]
        cells.append(f"{'yes' if s['bar_warm10_ge_cold20'] else 'no'} ({s.get('seeds', '?')} seeds)" if s.get("seeds")
                     else "not run")
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Paired by seed (mean [95% interval]) of the AUROC on the unexecuted rest:"]
    for s in summaries:
        for name, interval in s["paired"].items():
            lines.append(f"- {s['package']}: {name}: {_interval(interval)}")
    held = sum(s["bar_warm10_ge_cold20"] for s in summaries)
    paired_runs = sum(bool(s.get("seeds")) for s in summaries)
    ahead = sum(all(_above_zero(s["paired"].get(f"warm actprm - warm random @{b:g}")) for b in budgets)
                for s in summaries)
    beyond = sum(all(_above_zero(s["paired"].get(f"warm actprm - same line after warm random @{b:g}"))
                     for b in budgets) for s in summaries)
    return "\n".join([*lines, "", f"bar (warm 10% >= cold 20%) holds on {held} of {paired_runs} packages",
                       f"warm ActPRM above warm random (interval above 0) at every budget shown on {ahead} of "
                       f"{len(summaries)} packages",
                       f"warm ActPRM above the same-line rule after warm random (interval above 0) at every budget "
                       f"shown on {beyond} of {len(summaries)} packages"])


def _above_zero(interval: dict | None) -> bool:
    return bool(interval) and interval["low"] is not None and interval["low"] > 0


LAST_ROUND_KEYS = ("trained_on", "auroc_oob", "auroc_base", "base_weight", "local_weight", "uncertain_share")


def render_rounds(rows: list[dict]) -> str:
    """Per package and run, the mean over seeds of what the last round fitted and saw (a run whose seed set is its
    whole budget has no fitted round and is left out)."""
    head = ["package", "run", "seeds", *LAST_ROUND_KEYS, "uncertainty p50 / p90"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    runs = sorted({(r["package"], r["start"], r["strategy"], r["budget"]) for r in rows})
    for package, start, strategy, budget in runs:
        last = [_last_fitted(r["rounds"]) for r in rows
                if (r["package"], r["start"], r["strategy"], r["budget"]) == (package, start, strategy, budget)]
        last = [log for log in last if log]
        if last:
            cells = [package, f"{start}-{strategy}@{budget:g}", str(len(last))]
            cells += [_shown(_mean([_known(log.get(key)) for log in last])) for key in LAST_ROUND_KEYS]
            spread = [log["uncertainty_p10_50_90"] for log in last]
            cells.append(f"{_shown(_mean([s[1] for s in spread]))} / {_shown(_mean([s[2] for s in spread]))}")
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _known(value) -> float:
    """A round's number, NaN where it had none (a forest's OOB AUROC on labels of one class)."""
    return float("nan") if value is None else value


def _last_fitted(rounds: list[dict]) -> dict | None:
    fitted = [log for log in rounds if "trained_on" in log]
    return fitted[-1] if fitted else None


def _shown(value) -> str:
    return "n/a" if value is None or value != value else f"{value:.3f}"


def _interval(interval: dict | None) -> str:
    if interval is None:
        return "n/a"
    low, high = interval["low"], interval["high"]
    return f"{interval['mean']:+.3f}" + (f" [{low:+.3f}, {high:+.3f}]" if low is not None else "")


def main() -> None:
    args = _arguments()
    config = load_config(args.config)
    config = replace(config, active_learning=replace(config.active_learning, learner="forest"))
    budgets = [float(b) for b in args.budgets.split(",")]
    if args.render:
        print(render(saved_summaries(args.render, budgets), budgets))
        print("\nThe last fitted round, mean over seeds:\n" + render_rounds(saved_rows(args.render)))
        return
    runs = chosen_runs(budgets, args.variants, args.runs)
    mix = {"penalty": args.penalty, "base_weight_fitted": args.base_weight == "fitted",
           "base_feature": args.base_feature == "on", "mix": args.mix, "local_floor": args.local_floor,
           "line_prior": args.line_prior, "neighbours": tuple(args.neighbours.split(",")) if args.neighbours else (),
           "warm_local": args.warm_local, "strength": args.strength}
    zeros, everything = [], []
    seeds, keep = range(args.first_seed, args.first_seed + args.seeds), _appender(args.json)
    for pool, base_dir in _pools(args):
        zero, rows = package_rows(pool, base_dir, runs, seeds, config, mix, keep)
        zeros += [zero] if zero else []
        everything += rows
    summaries = [summary(zero, [r for r in everything if r["package"] == zero["package"]], budgets) for zero in zeros]
    if summaries:
        print(render(summaries, budgets))
    if args.json:
        Path(args.json).write_text(json.dumps({"summaries": summaries, "zero_label": zeros, "rows": everything,
                                               "mix": mix}, indent=2, default=str))


def _pools(args: argparse.Namespace):
    """Each package's judged pool and base model, one at a time: from a store (``--package``) or replayed from its
    committed verdict file (``--verdicts``)."""
    for given in args.package:
        store_dir, base_dir = (Path(part) for part in given.split("=", 1))
        yield executed_pool(store_dir), base_dir
    if args.verdicts and args.work is None:
        raise SystemExit("--verdicts needs --work: your own copy of the folder with the sdists and regenerated pools")
    for given in args.verdicts:
        name, base_dir = given.split("=", 1)
        yield verdict_pool(verdict_file(name, args.verdict_dir), args.work), Path(base_dir)


def verdict_file(name: str, directory: Path) -> Path:
    """NAME's one verdict file in DIRECTORY, or NAME itself where it is a file."""
    if Path(name).is_file():
        return Path(name)
    found = [p for p in directory.glob(f"{name}-*.json.gz") if _package_of(p) == name]
    if len(found) != 1:
        raise SystemExit(f"{directory}: {len(found)} verdict files for {name!r}; give the file's path")
    return found[0]


def _package_of(path: Path) -> str:
    return path.name[:-len(".json.gz")].rsplit("-", 1)[0]


def _appender(json_path: str | None):
    """Each finished record as a line of ``JSON.partial.jsonl`` beside the final file."""
    if not json_path:
        return lambda record: None
    partial = Path(f"{json_path}.partial.jsonl")
    partial.write_text("")

    def keep(record: dict) -> None:
        with partial.open("a") as lines:
            lines.write(json.dumps(record, default=str) + "\n")
    return keep


def saved_summaries(paths: list[str], budgets) -> list[dict]:
    """One summary per package over the runs saved by several processes (say, its cold runs and its warm ones),
    from their final files or the lines of a run still going (``.partial.jsonl``)."""
    saved = [_saved(Path(path)) for path in paths]
    rows = saved_rows(paths)
    zeros = {z["package"]: z for one in saved for z in one.get("zero_label", [])}
    return [summary(zero, [r for r in rows if r["package"] == name], budgets) for name, zero in zeros.items()]


def saved_rows(paths: list[str]) -> list[dict]:
    """Every saved run, once: a seed's run found in several files (a rerun that adds seeds) counts as the first
    file listed has it."""
    rows: dict[tuple, dict] = {}
    for r in (r for path in paths for r in _saved(Path(path))["rows"]):
        rows.setdefault((r["package"], r["start"], r["strategy"], r["budget"], r["seed"]), r)
    return list(rows.values())


def _saved(path: Path) -> dict:
    if not path.name.endswith(".jsonl"):
        return json.loads(path.read_text())
    records = [json.loads(line) for line in path.read_text().splitlines() if line]
    return {"rows": [r["row"] for r in records if "row" in r],
            "zero_label": [r["zero_label"] for r in records if "zero_label" in r]}


def _prior(value: str) -> float | None:
    return None if value == "none" else float(value)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", action="append", default=[], metavar="STORE=BASE",
                        help="A package's executed store and a base model trained without it (repeatable).")
    parser.add_argument("--verdicts", action="append", default=[], metavar="NAME=BASE",
                        help="A package replayed from its committed verdict file, and a base model trained without it "
                             "(repeatable; needs --work).")
    parser.add_argument("--verdict-dir", type=Path, default=Path(__file__).parents[1] / "corpora" / "verdicts")
    parser.add_argument("--work", type=Path, default=None,
                        help="Your own copy of the work folder with the sdists and regenerated pools.")
    parser.add_argument("--budgets", default="0.05,0.1,0.2")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=0,
                        help="Seeds FIRST to FIRST+SEEDS-1: a later process adds seeds to an earlier one's "
                             "(render both files together).")
    parser.add_argument("--config", default="default", help="Config preset or YAML (its active_learning section).")
    parser.add_argument("--penalty", type=float, default=PENALTY, help="The warm mix's L2 pull toward the base.")
    parser.add_argument("--base-weight", choices=("fitted", "fixed"), default="fitted",
                        help="Whether the warm mix may scale the base's log-odds, or keeps them at weight 1.")
    parser.add_argument("--base-feature", choices=("on", "off"), default="on",
                        help="Whether the warm forests also see the base's log-odds as a feature.")
    parser.add_argument("--mix", choices=MIXES, default="likelihood",
                        help="How the warm mix is fitted: penalised likelihood, the local share by AUROC, or the "
                             "local forests alone (stacked on the base's log-odds).")
    parser.add_argument("--local-floor", type=float, default=0.0,
                        help="The least weight the likelihood mix gives the local forests' log-odds.")
    parser.add_argument("--line-prior", type=_prior, default=None, metavar="P|none",
                        help="Warm predictions moved toward the verdicts of their labelled line-mates, the prediction "
                             "counting as P of them (neighbours.with_line_verdicts); none (default): not moved.")
    parser.add_argument("--neighbours", default="", metavar="START,...",
                        help="Which starts' forests (cold, warm) also read their labelled neighbours' verdicts "
                             "(default none).")
    parser.add_argument("--warm-local", choices=("forest", "refined", "refined-feature", "blend"), default="forest",
                        help="The warm start's local learner: bagged forests on the labels alone (forest), the "
                             "base's own forest with its leaves refined by the labels (refined: leaf_refined), or "
                             "the bagged forests reading that refined forest's score (refined-feature), or the "
                             "bagged forests and the refined forest averaged in log-odds (blend).")
    parser.add_argument("--strength", type=float, default=STRENGTH,
                        help="With --warm-local refined: the corpus leaf rate's worth in labels.")
    parser.add_argument("--variants", default=",".join(f"{s}-{k}" for s, k in VARIANTS),
                        help="Which runs, as START-STRATEGY (cold-actprm, warm-actprm, warm-random).")
    parser.add_argument("--runs", default=None, metavar="START-STRATEGY@BUDGET,...",
                        help="Exactly these runs per seed (say, only the bar's: cold-actprm@0.2,warm-actprm@0.1), "
                             "instead of every variant at every budget.")
    parser.add_argument("--json", default=None, help="Also write every run here.")
    parser.add_argument("--render", nargs="+", metavar="JSON",
                        help="Only print the tables of runs saved with --json (one package per process, then one table).")
    return parser.parse_args()


if __name__ == "__main__":
    main()
