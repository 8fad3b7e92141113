"""``bugprm score --format stryker``: the mutation-testing-elements report (schema version 2).

Each candidate bug is a mutant; its status is the executed outcome where the harness ran it, else ``Pending``.
Patches and hunks are not mutants and are left out. The HTML report and the Stryker dashboard read this file.
"""

from __future__ import annotations

import json

from bugprm import __version__
from bugprm.records import Kind, Outcome
from bugprm.scoring import ScoredCandidate, ScoreReport, SourceFile

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
    bugs = [c for c in report.candidates if c.candidate.kind is Kind.BUG]
    sources = {f.path: f for f in report.files}
    files = sorted({c.candidate.file for c in bugs})
    return {
        "schemaVersion": "2",
        "thresholds": {"high": high, "low": low},
        "framework": {"name": "bugprm", "version": __version__},
        "config": {"model": report.model, "source": report.source, "aggregate": report.settings.aggregate,
                   "threshold": report.settings.threshold},
        "files": {path: file_entry(path, sources.get(path), [c for c in bugs if c.candidate.file == path])
                  for path in files},
    }


def file_entry(path: str, source: SourceFile | None, mutants: list[ScoredCandidate]) -> dict:
    return {
        "language": source.language if source else "text",
        "source": source.text if source else "",
        "mutants": [mutant_entry(m) for m in sorted(mutants, key=lambda m: (m.region.start_line, m.id))],
    }


def mutant_entry(scored: ScoredCandidate) -> dict:
    c, region = scored.candidate, scored.region
    entry = {
        "id": c.id,
        "mutatorName": c.operator,
        "location": {"start": {"line": region.start_line, "column": region.start_column},
                     "end": {"line": region.end_line, "column": region.end_column}},
        "status": STATUS.get(scored.outcome, PENDING) if scored.outcome else PENDING,
        "description": f"{c.family}: PRM score {scored.score:.2f} ({scored.recommendation})",
    }
    replacement = next((e.replacement for e in c.edits if e.file == c.file), None)
    if replacement is not None:
        entry["replacement"] = replacement
    return entry


def render_stryker(report: ScoreReport) -> str:
    return json.dumps(stryker_document(report), indent=2, ensure_ascii=False) + "\n"
