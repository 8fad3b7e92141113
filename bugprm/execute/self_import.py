"""One collection of the suite (``pytest --collect-only``, no test runs) that also traces the package's own import:
assertions per test with this harness's counter, and the lines a plain import of the package's modules runs
(``harness.self_import``), kept apart from the import-time lines pytest's own start-up runs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bugprm.errors import HarnessError
from bugprm.execute.slot import Slot

COLLECT_ARGS = ("--collect-only", "--continue-on-collection-errors")
NOT_THE_PACKAGE = ("test", "tests", "testing", "conftest", "setup", "docs", "doc", "examples", "benchmarks", "scripts")


@dataclass(frozen=True)
class Collected:
    assertions: dict[str, int]
    self_import: dict[str, list[int]]
    import_errors: dict[str, str]


def collect_with_self_import(slot: Slot, sources: list[str], timeout: float) -> Collected:
    traced = slot.workspace.tmp / "self_import.json"
    report, results = slot.run(None, timeout, extra_args=COLLECT_ARGS, mode="spawn", assertions=True,
                               self_import={"sources": sources, "out": str(traced)})
    if results.exitstatus is None or not traced.exists():
        raise HarnessError(f"the suite's collection did not finish (exit {report.code}):\n{results.log_tail()}")
    imported = json.loads(traced.read_text(encoding="utf-8"))
    return Collected(dict(results.assertions), imported["lines"], imported["errors"])


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
