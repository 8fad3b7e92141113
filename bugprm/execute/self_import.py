"""One collection of the suite (``pytest --collect-only``, no test runs) that also traces the package's own import
and the collection itself: assertions per test with this harness's counter, the lines a plain import of the
package's modules runs (``harness.self_import``), and the lines only pytest's collection runs (the test modules'
imports: decorators applied and arguments built at module level), each kept apart from the import-time lines
pytest's own start-up runs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from harness.tracing import COLLECTION

from bugprm.errors import HarnessError
from bugprm.execute.selection import MODULE_LEVEL
from bugprm.execute.slot import Slot

COLLECT_ARGS = ("--collect-only", "--continue-on-collection-errors")
NOT_THE_PACKAGE = ("test", "tests", "testing", "conftest", "setup", "docs", "doc", "examples", "benchmarks", "scripts")


@dataclass(frozen=True)
class Collected:
    assertions: dict[str, int]
    self_import: dict[str, list[int]]
    import_errors: dict[str, str]
    collection: dict[str, list[int]]  # {file: lines} of the sources that only the collection ran


def collect_with_self_import(slot: Slot, sources: list[str], timeout: float) -> Collected:
    traced, coverage = slot.workspace.tmp / "self_import.json", slot.workspace.tmp / "collection.json"
    report, results = slot.run(None, timeout, extra_args=COLLECT_ARGS, mode="spawn", assertions=True,
                               self_import={"sources": sources, "out": str(traced)}, coverage=str(coverage),
                               collection=True)
    if results.exitstatus is None or not traced.exists() or not coverage.exists():
        raise HarnessError(f"the suite's collection did not finish (exit {report.code}):\n{results.log_tail()}")
    imported = json.loads(traced.read_text(encoding="utf-8"))
    raw = json.loads(coverage.read_text(encoding="utf-8"))
    collected = collection_lines({f: n for f, n in raw.items() if _within(f, sources)})
    return Collected(dict(results.assertions), imported["lines"], imported["errors"], collected)


def collection_lines(raw: dict[str, dict[str, list[str]]]) -> dict[str, list[int]]:
    """``{file: lines}`` run in the collection context and in no other outside a test (``harness.tracing``'s JSON):
    a line pytest's start-up also runs breaks pytest itself when mutated, whatever the tests check."""
    found = {}
    for file, lines in sorted(raw.items()):
        kept = sorted(int(n) for n, seen in lines.items() if COLLECTION in seen and MODULE_LEVEL not in seen)
        if kept:
            found[file] = kept
    return found


def without_collection_context(contexts: list[str]) -> list[str]:
    """The contexts with collection's folded into the empty one, as a run that never asked for it reports them."""
    return sorted({MODULE_LEVEL if c == COLLECTION else c for c in contexts})


def _within(file: str, sources: list[str]) -> bool:
    return any(file == s.strip("/") or file.startswith(s.strip("/") + "/") for s in sources)


def package_sources(root: Path) -> list[str]:
    """The repository's own packages (folders with ``__init__.py`` at the root or under ``src/``), never its tests,
    docs or scripts: a plain module at the root may be a script that acts when imported."""
    found = []
    for folder in (root, root / "src"):
        if folder.is_dir():
            found += [str(p.relative_to(root)) for p in sorted(folder.iterdir())
                      if (p / "__init__.py").is_file() and p.name.isidentifier() and not _tests_or_tools(p.name)]
    return found


def _tests_or_tools(name: str) -> bool:
    return name.lower() in NOT_THE_PACKAGE or name.startswith("test")
