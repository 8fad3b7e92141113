"""bugprm's mutation score on its own torch-free packages, per package, from the store of a self-run (BENCHMARKS.md,
"bugprm on its own packages"): killed / (killed + survived + no_coverage), with Wilson 95% intervals.

    python benchmarks/self_mutation_score.py /tmp/selfmut/.bugprm [MORE_STORES...] [--ids SAMPLED] [--survivors OUT]

Several stores (copies of the same pool that executed parts of one sample): a later store's verdict wins.
``--ids``: count only these candidates (the first run's sample, so that the table after new assertions covers
the same candidates); ``--survivors``: write the ones not killed (file:line, operator, diff) to OUT, to read them
and to re-execute them with ``bugprm label . --ids``.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

from bugprm.records import Outcome
from bugprm.report.summary import mutation_score
from bugprm.store import Store

PACKAGES = {"bugprm/active/": "active", "bugprm/mutate/": "mutate", "bugprm/store": "store",
            "bugprm/config.py": "config", "bugprm/metrics.py": "metrics", "bugprm/records.py": "records"}


def package_of(file: str) -> str:
    return next(name for prefix, name in PACKAGES.items() if file.startswith(prefix))


def table(rows: dict[str, list]) -> list[str]:
    lines = ["| package | sampled | killed | survived | no_coverage | score (95% CI) |",
             "|---|---:|---:|---:|---:|---|"]
    for name, executions in sorted(rows.items(), key=lambda kv: kv[0] == "all"):
        counts = {o: sum(e.outcome is o for e in executions) for o in Outcome}
        found = mutation_score(executions)
        score = f"{found.value:.1%} ({found.low:.1%} to {found.high:.1%})" if found else "-"
        lines.append(f"| {name} | {len(executions)} | {counts[Outcome.KILLED]} | {counts[Outcome.SURVIVED]} | "
                     f"{counts[Outcome.NO_COVERAGE]} | {score} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stores", type=Path, nargs="+")
    parser.add_argument("--ids", type=Path)
    parser.add_argument("--survivors", type=Path)
    args = parser.parse_args()
    executions, candidates = {}, {}
    for directory in args.stores:
        with Store.open(directory) as store:
            found = store.verdicts()
            executions.update(found)
            candidates.update({c.id: c for c in store.candidates(ids=found)})
    chosen = args.ids.read_text().split() if args.ids else list(executions)
    rows = defaultdict(list)
    for i in (i for i in chosen if i in executions and i in candidates):
        rows[package_of(candidates[i].file)].append(executions[i])
        rows["all"].append(executions[i])
    print("\n".join(table(rows)))
    if args.survivors:
        missed = [candidates[i] for i in chosen if i in candidates and executions[i].outcome is not Outcome.KILLED]
        args.survivors.write_text("".join(f"{c.id}\t{c.file}:{c.line}\t{c.operator}\t{executions[c.id].outcome}\n"
                                          f"{c.diff}\n" for c in missed))


if __name__ == "__main__":
    main()
