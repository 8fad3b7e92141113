"""The data card of the corpus verdicts (``corpora/verdicts/CARD.md``), rewritten from the verdict files after each
package, so it always describes exactly the files beside it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bugprm.corpus_build.verdicts import SCHEMA_VERSION, SUFFIX, read_verdicts

CARD_NAME = "CARD.md"
SHOWN_OUTCOMES = ("killed", "survived", "no_coverage", "timeout", "incompetent", "infra_error")


def write_card(directory: Path, failures: dict) -> Path:
    documents = [read_verdicts(p) for p in sorted(Path(directory).glob(f"*{SUFFIX}"))]
    path = Path(directory) / CARD_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(card_text(documents, failures, _size(directory)))
    return path


def card_text(documents: list[dict], failures: dict, size_bytes: int) -> str:
    rows = [_row(d) for d in documents]
    lines = [
        "# Corpus verdicts: data card", "",
        f"Written by `bugprm corpus build`; verdict schema version {SCHEMA_VERSION} "
        "(`bugprm/corpus_build/verdicts.py`).",
        f"{len(documents)} packages, {sum(r['pool'] for r in rows):,} executed candidates, "
        f"{sum(r['matrix'] for r in rows):,} with a kill matrix, {size_bytes / 1e6:.1f} MB of verdict files.",
        f"Execution CPU: {sum(r['cpu'] for r in rows) / 3600:.2f} h; build wall time: "
        f"{sum(r['wall'] for r in rows) / 3600:.2f} h.", "",
        "| package | version | pool | " + " | ".join(SHOWN_OUTCOMES) + " | kill matrix | tests | CPU s | wall s |",
        "|---|---|---:|" + "---:|" * len(SHOWN_OUTCOMES) + "---:|---:|---:|---:|",
        *[_table_line(r) for r in rows],
        _table_line(_total(rows)),
    ]
    if failures:
        lines += ["", "Packages whose build failed (not in the corpus until rebuilt):", ""]
        lines += [f"- {name}: {error.splitlines()[0][:200]}" for name, error in sorted(failures.items())]
    return "\n".join(lines) + "\n"


def _row(document: dict) -> dict:
    cost, package = document["cost"], document["package"]
    return {"name": package["name"], "version": package["version"], "pool": len(document["candidates"]),
            "outcomes": Counter(document["outcomes"]), "matrix": document["kill_matrix"]["candidates"],
            "tests": len(document["tests"]), "cpu": cost["execution_cpu_seconds"] + cost["baseline_seconds"],
            "wall": cost["build_wall_seconds"]}


def _total(rows: list[dict]) -> dict:
    return {"name": "**all**", "version": "", "pool": sum(r["pool"] for r in rows),
            "outcomes": sum((r["outcomes"] for r in rows), Counter()), "matrix": sum(r["matrix"] for r in rows),
            "tests": sum(r["tests"] for r in rows), "cpu": sum(r["cpu"] for r in rows),
            "wall": sum(r["wall"] for r in rows)}


def _table_line(row: dict) -> str:
    shares = [f"{row['outcomes'][o] / row['pool']:.1%}" if row["pool"] else "-" for o in SHOWN_OUTCOMES]
    return (f"| {row['name']} | {row['version']} | {row['pool']:,} | " + " | ".join(shares)
            + f" | {row['matrix']:,} | {row['tests']:,} | {row['cpu']:,.0f} | {row['wall']:,.0f} |")


def _size(directory: Path) -> int:
    return sum(p.stat().st_size for p in Path(directory).glob(f"*{SUFFIX}"))
