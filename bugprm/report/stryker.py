"""``bugprm score --format stryker``: the mutation-testing-elements report (schema version 2).

Each candidate bug is a mutant; its status is the executed outcome where the harness ran it, else ``Pending``.
Patches and hunks are not mutants and are left out. The HTML report and the Stryker dashboard read this file.
"""

from __future__ import annotations

import json

from bugprm import __version__
from bugprm.records import Candidate, Kind, Outcome
from bugprm.scoring.records import Region, ScoredCandidate, ScoreReport, SourceFile

STATUS = {
    Outcome.KILLED: "Killed",
    Outcome.SURVIVED: "Survived",
    Outcome.NO_COVERAGE: "NoCoverage",
    Outcome.TIMEOUT: "Timeout",
    Outcome.INCOMPETENT: "CompileError",
    Outcome.INFRA_ERROR: "RuntimeError",
}
PENDING = "Pending"


def stryker_document(report: ScoreReport, high: int = 80, low: int = 60) -> dict:
    mutants = [(c.candidate, mutant_entry(c)) for c in report.candidates if c.candidate.kind is Kind.BUG]
    config = {"model": report.model, "source": report.source, "aggregate": report.settings.aggregate,
              "threshold": report.settings.threshold}
    return mutants_document(mutants, report.files, config, high, low)


def mutants_document(mutants: list[tuple[Candidate, dict]], sources: tuple[SourceFile, ...], config: dict,
                     high: int = 80, low: int = 60) -> dict:
    """The schema's document for (candidate, mutant entry) pairs, grouped by file with each file's text."""
    by_path = {f.path: f for f in sources}
    files = sorted({c.file for c, _ in mutants})
    return {
        "schemaVersion": "2",
        "thresholds": {"high": high, "low": low},
        "framework": {"name": "bugprm", "version": __version__},
        "config": config,
        "files": {path: file_entry(by_path.get(path), [m for c, m in mutants if c.file == path]) for path in files},
    }


def file_entry(source: SourceFile | None, mutants: list[dict]) -> dict:
    return {
        "language": source.language if source else "text",
        "source": source.text if source else "",
        "mutants": sorted(mutants, key=lambda m: (m["location"]["start"]["line"], m["id"])),
    }


def mutant_entry(scored: ScoredCandidate) -> dict:
    description = f"{scored.candidate.family}: PRM score {scored.score:.2f} ({scored.recommendation})"
    return mutant_fields(scored.candidate, scored.region, scored.outcome, description)


def mutant_fields(c: Candidate, region: Region, outcome: Outcome | None, description: str) -> dict:
    entry = {
        "id": c.id,
        "mutatorName": c.operator,
        "location": {"start": {"line": region.start_line, "column": region.start_column},
                     "end": {"line": region.end_line, "column": region.end_column}},
        "status": STATUS.get(outcome, PENDING) if outcome else PENDING,
        "description": description,
    }
    replacement = next((e.replacement for e in c.edits if e.file == c.file), None)
    if replacement is not None:
        entry["replacement"] = replacement
    return entry


def render_stryker(report: ScoreReport) -> str:
    return json.dumps(stryker_document(report), indent=2, ensure_ascii=False) + "\n"
