"""Repair with the base model against the Ochiai heuristic, on killed bugs of corpus packages (issue 16, part 3).

    python benchmarks/bench_repair_base.py --package NAME [--package ...] --model LABEL=DIR [--model ...]
        [--bugs 40] [--seed 0] [--top-sites 10] [--corpus-build /work/corpus-build] [--scratch DIR]
        [--resamples 2000] [--json FILE]
    python benchmarks/bench_repair_base.py --pool RUN.json [RUN.json ...] [--json FILE]

Each ``--model`` DIR is a base model trained WITHOUT the package measured: ``{package}`` in DIR is replaced by the
package's name (``--model base=/tmp/base-without-{package}``, each made by ``bugprm corpus train-base --exclude NAME
--out DIR``). The package's fetched repository and executed store are copied from the corpus build folder into
``--scratch`` (never written where they are; a rerun with the same scratch folder reuses the copies and every verdict
made there), or, since the build's stores are gone, made there beforehand from the committed verdict file by
``benchmarks/repair_bench_store.py``; its venv's python runs the suite. For a seeded sample of killed bugs, each
failing state (the bug applied, its full failing spectrum measured) gets the candidate patches ``bugprm repair`` generates at its
``--top-sites`` most suspicious lines, ranked:

- by each base model (the mean-then-min step reward ``bugprm repair --model DIR`` ranks by of a model without a
  state ranker) and, where DIR holds a state ranker (``bugprm.model.repair_ranker``, what ``bugprm repair`` ranks
  by when there is one), by that too, as ``LABEL, state ranker``;
- by Ochiai, then naturalness, then the smallest diff: ``bugprm repair``'s own ranking without a model;
- by Ochiai alone, its ties in a seeded random order (``--seed``).

Each ranking's first 5 patches are labelled: by identity where the patched state is a program already executed
(``bugprm.repair.identity``: the original code is correct; an executed candidate bug inherits its verdict), else by
running them through the harness (``correct``: the failing tests pass and no test that runs the changed lines or
their functions fails). Every executed ``correct`` among them is checked once more on a fresh copy with the FULL suite
and plain pytest (``bugprm.bench.repair_checks.check_patch``).

top-k: the share of ALL sampled bugs whose first k patches hold a correct one; intervals: 95% percentile bootstrap
over bugs (pooled: resampled within each package), paired for the differences between rankings. ``--pool`` reads
the per-bug rows of earlier runs' ``--json`` files (one process per package, say) and summarises them together.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from bugprm.bench.reference import fresh_copy, run_suite
from bugprm.bench.repair_checks import check_patch, line_rank, snapshot
from bugprm.corpus_build.fetch import manifest
from bugprm.execute.failing import passing_tests
from bugprm.execute.session import HarnessSession
from bugprm.records import Candidate, Kind, Outcome
from bugprm.repair.candidates import generate_repairs
from bugprm.repair.identity import KnownPrograms
from bugprm.repair.ranking import by_heuristic, by_model, by_state_ranker
from bugprm.repair.run import killed_bugs
from bugprm.repair.sites import StateFiles, localise
from bugprm.store import STORE_DIRNAME, Store

TOP_K = (1, 5)
LABELLED = 5  # every ranking's first LABELLED patches get a verdict
HEURISTIC, OCHIAI = "Ochiai, then naturalness", "Ochiai, ties at random"
STATE_RANKER = ", state ranker"


@dataclass
class BugResult:
    bug: Candidate
    patches: list[Candidate]
    orders: dict[str, list[str]]  # ranking -> patch ids, best first
    verdicts: dict[str, Outcome] = field(default_factory=dict)  # patch id -> correct / incorrect
    by_identity: set[str] = field(default_factory=set)  # patches labelled without running them
    executed: set[str] = field(default_factory=set)  # patches run (or whose verdict an earlier run left)
    failing_tests: int = 0
    line_rank: int | None = None
    correct_known: bool = False  # some patch, among all candidates, is correct by identity
    known_correct: set[str] = field(default_factory=set)  # correct by identity (any rank) or by a verdict (top 5)

    def hit(self, ranking: str, k: int) -> bool:
        return any(self.verdicts.get(i) is Outcome.CORRECT for i in self.orders[ranking][:k])

    def first_correct(self, ranking: str) -> int | None:
        """The 1-based place of the ranking's first patch known correct; None where none is known."""
        return next((place for place, i in enumerate(self.orders[ranking], 1) if i in self.known_correct), None)

    def first_on_top_line(self, ranking: str) -> bool:
        """Whether the ranking's first patch is at a line Ochiai ranks first (a diagnostic of what it weighs)."""
        return _patch(self, self.orders[ranking][0]).features.get("ochiai_rank") == 1


def _patch(result: BugResult, patch_id: str) -> Candidate:
    return next(p for p in result.patches if p.id == patch_id)


def main() -> int:
    args = _arguments()
    if args.pool:
        rows = [row for path in args.pool for row in json.loads(path.read_text())["rows"]]
        checks = [c for path in args.pool for c in json.loads(path.read_text())["checks"]]
    else:
        rows, checks = measured(args)
    summary = {**summarise(rows, checks, args), "rows": rows, "checks": checks}
    print_states(rows)
    print_summary(summary)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    return 0


def measured(args) -> tuple[list[dict], list[dict]]:
    missing = [d.replace("{package}", n) for n in args.package for _, d in args.model
               if not Path(d.replace("{package}", n)).is_dir()]
    if missing:
        sys.exit(f"no model at {', '.join(missing)}")
    rows, checks = [], []
    for name in args.package:
        started = time.monotonic()
        results, checked = package_results(name, args)
        rows += [bug_row(name, r) for r in results]
        checks += [{**c, "package": name} for c in checked]
        print(f"{name}: {len(results)} bugs in {time.monotonic() - started:.0f}s", file=sys.stderr)
    return rows, checks


def package_results(name: str, args) -> tuple[list[BugResult], list[dict]]:
    spec = manifest(name)
    repo = scratch_copy(spec, args)
    python = str(args.corpus_build / "corpora" / "venvs" / spec.name / "bin" / "python")
    from bugprm.scoring.adapter import load_scorer

    from bugprm.model.repair_ranker import load_patch_ranker

    directories = {label: Path(str(directory).replace("{package}", name)) for label, directory in args.model}
    scorers = {label: load_scorer(directory) for label, directory in directories.items()}
    rankers = {f"{label}, state ranker": found for label, directory in directories.items()
               if (found := load_patch_ranker(directory)) is not None}
    scorers = {**scorers, **rankers}
    with Store.open(repo / STORE_DIRNAME) as store:
        with HarnessSession.open(store, repo, python=python, pytest_args=spec.pytest_args or None) as session:
            known = known_programs(session)
            results = [repaired(session, bug_id, scorers, known, args)
                       for bug_id in killed_bugs(session, args.bugs, args.seed)]
    return results, recheck(results, repo, python, spec.pytest_args, args)


def scratch_copy(spec, args) -> Path:
    target = args.scratch / spec.name / f"{spec.name}-{spec.version}"
    if not target.exists():
        snapshot(args.corpus_build / "corpora" / "repos" / f"{spec.name}-{spec.version}",
                 args.corpus_build / "stores" / spec.name, target)
    return target


def known_programs(session: HarnessSession) -> KnownPrograms:
    executed = session.executed()
    bugs = session.store.candidates(Kind.BUG)
    return KnownPrograms(session.runner.source, ((b, executed[b.id].outcome) for b in bugs if b.id in executed))


def repaired(session: HarnessSession, bug_id: str, scorers: dict, known: KnownPrograms, args) -> BugResult:
    state = session.failing_state(bug_id)
    files = StateFiles(session.repo, state)
    localisation = localise(state, files, session.baseline.coverage, passing_tests(state, session.baseline))
    patches = generate_repairs(localisation, files, session.repo.name, args.top_sites)
    bug = session.store.candidate(bug_id)
    result = BugResult(bug, patches, rankings(patches, scorers, args.seed), failing_tests=len(state.failing_tests),
                       line_rank=line_rank(localisation, bug))
    identity = {p.id: known.verdict(state, p) for p in patches}
    result.correct_known = any(v is Outcome.CORRECT for v in identity.values())
    label_top(session, result, identity)
    result.known_correct = {i for i, v in {**identity, **result.verdicts}.items() if v is Outcome.CORRECT}
    print(f"  bug {bug_id}: {len(patches)} patches, {len(result.by_identity)} labelled by identity, "
          f"{len(result.executed)} executed; top-1 " + " ".join(f"{n}={int(result.hit(n, 1))}" for n in result.orders),
          file=sys.stderr)
    return result


def rankings(patches: list[Candidate], scorers: dict, seed: int) -> dict[str, list[str]]:
    """``scorers``: label -> a PRM's ``Scorer``, or a state ranker (labelled ``..., state ranker``)."""
    return {**{label: [r.candidate.id for r in _ranked(patches, label, scorer)] for label, scorer in scorers.items()},
            HEURISTIC: [r.candidate.id for r in by_heuristic(patches)],
            OCHIAI: [c.id for c in ochiai_seeded(patches, seed)]}


def _ranked(patches: list[Candidate], label: str, scorer) -> list:
    return by_state_ranker(patches, scorer) if label.endswith(STATE_RANKER) else by_model(patches, scorer)


def ochiai_seeded(patches: list[Candidate], seed: int) -> list[Candidate]:
    """The most suspicious line first; patches of equal suspiciousness in a random order drawn by ``seed``."""
    shuffled = sorted(patches, key=lambda c: c.id)
    random.Random(seed).shuffle(shuffled)
    return sorted(shuffled, key=lambda c: -float(c.features.get("ochiai", 0.0)))  # a stable sort keeps ties shuffled


def label_top(session: HarnessSession, result: BugResult, identity: dict[str, Outcome | None]) -> None:
    top = list(dict.fromkeys(i for order in result.orders.values() for i in order[:LABELLED]))
    result.verdicts = {i: identity[i] for i in top if identity[i] is not None}
    result.by_identity = set(result.verdicts)
    todo = [p for p in result.patches if p.id in top and p.id not in result.verdicts]
    session.store.add_candidates(todo)
    wanted = {p.id for p in todo}
    executions = {i: e for i, e in session.executed().items() if i in wanted}
    executions.update({e.candidate_id: e for e in session.execute(todo)})
    result.executed = set(executions)
    result.verdicts.update({i: v for i, e in executions.items() if (v := _judged(e.outcome)) is not None})


def _judged(outcome: Outcome) -> Outcome | None:
    if outcome is Outcome.INFRA_ERROR:
        return None
    return Outcome.CORRECT if outcome is Outcome.CORRECT else Outcome.INCORRECT


def recheck(results: list[BugResult], repo: Path, python: str, pytest_args: str, args) -> list[dict]:
    """Every correct patch that was executed (not labelled by identity), run again with the full suite."""
    executed_correct = [(r.bug, p) for r in results for p in r.patches
                        if r.verdicts.get(p.id) is Outcome.CORRECT and p.id in r.executed]
    if not executed_correct:
        return []
    runner = SimpleNamespace(python=python, timeout=300.0, pytest_args=pytest_args.split())
    scratch = args.scratch / repo.parent.name / "recheck"
    _, baseline = run_suite(python, runner.pytest_args, runner.timeout, fresh_copy(repo, scratch / "baseline"))
    return [check_patch(bug, patch, repo, baseline, runner, scratch) for bug, patch in executed_correct]



def bug_row(package: str, r: BugResult) -> dict:
    """What the summary needs of one bug (``--pool`` pools these rows from several runs' JSON files)."""
    return {"package": package, "bug": r.bug.id, "patches": len(r.patches), "correct_known": r.correct_known,
            "bug_line_first": r.line_rank == 1, "by_identity": len(r.by_identity), "executed": len(r.executed),
            "executed_correct": sum(r.verdicts.get(i) is Outcome.CORRECT for i in r.executed),
            "unlabelled_in_top5": sum(i not in r.verdicts for o in r.orders.values() for i in o[:LABELLED]),
            "hits": {name: {f"top{k}": int(r.hit(name, k)) for k in TOP_K} for name in r.orders},
            "first_on_top_line": {name: int(r.first_on_top_line(name)) for name in r.orders if r.patches},
            "first_operator": {name: _patch(r, order[0]).operator for name, order in r.orders.items() if order},
            "first_correct": {name: r.first_correct(name) for name in r.orders},
            "first_patch": {name: first_patch(r, order[0]) for name, order in r.orders.items() if order}}


def first_patch(r: BugResult, patch_id: str) -> dict:
    """What a ranking put first: where (Ochiai's rank of its line; on the bug's own line?) and which edit."""
    patch = _patch(r, patch_id)
    keys = ("ochiai_rank", "heuristic_rank", "naturalness_rank_at_line", "naturalness", "diff_chars",
            "traceback_depth", "traceback_function_depth")
    return {"id": patch_id, "operator": patch.operator,
            "on_bug_line": (patch.file, patch.line) == (r.bug.file, r.bug.line),
            "verdict": str(r.verdicts.get(patch_id, "unlabelled")), **{k: patch.features.get(k) for k in keys}}


def summarise(rows: list[dict], checks: list[dict], args) -> dict:
    names = list(dict.fromkeys(row["package"] for row in rows))
    packages = {name: package_summary([r for r in rows if r["package"] == name],
                                      [c for c in checks if c["package"] == name], args) for name in names}
    return {"packages": packages, "pooled": package_summary(rows, checks, args), "seed": args.seed,
            "top_sites": args.top_sites, "resamples": args.resamples}


def package_summary(rows: list[dict], checked: list[dict], args) -> dict:
    groups = [[r for r in rows if r["package"] == name] for name in dict.fromkeys(r["package"] for r in rows)]
    rankings = list(rows[0]["hits"]) if rows else []
    models = [name for name in rankings if name not in (HEURISTIC, OCHIAI)]
    scores = {name: {f"top{k}": interval([[r["hits"][name][f"top{k}"] for r in g] for g in groups], args)
                     for k in TOP_K} for name in rankings}
    gains = {f"{model} - {other}": {f"top{k}": interval([[r["hits"][model][f"top{k}"] - r["hits"][other][f"top{k}"]
                                                          for r in g] for g in groups], args) for k in TOP_K}
             for i, model in enumerate(models) for other in (*models[:i], HEURISTIC, OCHIAI)}
    counted = ("patches", "correct_known", "bug_line_first", "by_identity", "executed", "executed_correct",
               "unlabelled_in_top5")
    return {"bugs": len(rows), **{key: sum(int(r[key]) for r in rows) for key in counted},
            "rechecked": len(checked), "recheck_agrees": sum(c["ok"] for c in checked),
            "disagreements": [c for c in checked if not c["ok"]], "rankings": scores, "differences": gains,
            "first_patch_on_top_line": {name: round(_mean([r["first_on_top_line"][name] for r in rows
                                                           if name in r["first_on_top_line"]]), 3)
                                        for name in rankings}}


def interval(groups: list[list[float]], args) -> list[float]:
    """[mean, low, high]: the 95% percentile bootstrap interval, each group (package) resampled on its own."""
    rng = random.Random(args.seed)
    means = sorted(_mean([x for g in groups for x in rng.choices(g, k=len(g))]) for _ in range(args.resamples))
    low, high = means[int(0.025 * len(means))], means[int(0.975 * len(means)) - 1]
    return [round(_mean([x for g in groups for x in g]), 4), round(low, 4), round(high, 4)]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def print_summary(summary: dict) -> None:
    for name, found in [*summary["packages"].items(), ("pooled", summary["pooled"])]:
        print(f"{name}: {found['bugs']} killed bugs, {found['patches']} patches, {found['correct_known']} "
              f"with a correct patch known by identity; top-5 of the rankings: {found['by_identity']} "
              f"labelled by identity, {found['executed']} executed ({found['executed_correct']} correct), "
              f"{found['unlabelled_in_top5']} left unlabelled; full-suite recheck {found['recheck_agrees']}"
              f"/{found['rechecked']}")
        print("  first patch on a line Ochiai ranks first: " + ", ".join(
            f"{name} {share:.2f}" for name, share in found["first_patch_on_top_line"].items()))
        for ranking, score in {**found["rankings"], **found["differences"]}.items():
            print(f"  {ranking:42s} " + "  ".join(f"{k} {v[0]:+.3f} [{v[1]:+.3f}, {v[2]:+.3f}]"
                                                   for k, v in score.items()))


def print_states(rows: list[dict]) -> None:
    """Per failing state: each ranking's place of its first known-correct patch ('-': none known), then what each
    model put first (operator, Ochiai rank of its line, whether it is the bug's line, its verdict)."""
    for row in rows:
        if "first_correct" not in row:
            continue  # a row of a run made before these diagnostics
        places = " ".join(f"{name.split(',')[0]}={place or '-'}" for name, place in row["first_correct"].items())
        models = {name: p for name, p in row["first_patch"].items() if name not in (HEURISTIC, OCHIAI)}
        firsts = "; ".join(f"{name}: {p['operator']} line rank {p['ochiai_rank']}{' (bug line)' * p['on_bug_line']} "
                           f"{p['verdict']}" for name, p in models.items())
        print(f"{row['package']} {row['bug'][:12]} first correct at: {places}; first: {firsts}")


def _model(text: str) -> tuple[str, str]:
    label, _, directory = text.partition("=")
    if not directory:
        raise argparse.ArgumentTypeError(f"--model {text}: expected LABEL=DIR")
    return label, directory


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--package", action="append", default=[], help="a corpus package to measure on")
    parser.add_argument("--pool", type=Path, nargs="+", default=None,
                        help="summarise the bugs of these earlier runs' --json files together; run nothing")
    parser.add_argument("--model", type=_model, action="append", default=[],
                        help="LABEL=DIR: a base model; {package} in DIR is the measured package's name")
    parser.add_argument("--bugs", type=int, default=40, help="killed bugs per package (a seeded sample)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--top-sites", type=int, default=10)
    parser.add_argument("--corpus-build", type=Path, default=Path("/work/corpus-build"),
                        help="the corpus build's folder: corpora/repos, corpora/venvs, stores (only read)")
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/bench-repair-base"),
                        help="copies of the repositories and stores; a rerun reuses them and their verdicts")
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument("--json", type=Path, default=None)
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
