"""``bugprm score --format sarif``: SARIF 2.1.0, one alert per line that holds likely test gaps, listing them.

Candidate bugs to refine are likely test gaps (the tests would let them through); the gaps on one line make one
alert, since a reviewer acts on a line, not on each mutant of it. Patch files to refine are changes the PRM doubts,
one alert each; the hunks of ``--diff`` are context for the gaps and raise none. GitHub code scanning reads this
file (``github/codeql-action/upload-sarif``).
"""

from __future__ import annotations

import json

from bugprm import __version__
from bugprm.scoring.gaps import LineGaps, describe_gap, gaps_by_line, survival
from bugprm.records import Kind, content_id
from bugprm.scoring.records import Region, ScoredCandidate, ScoreReport
from bugprm.scoring.sources.revisions import HUNK_OPERATOR

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
RULES = {
    Kind.BUG: ("bugprm/test-gap", "A bug here would likely survive the tests",
               "The process reward model predicts that the tests would not catch this candidate bug."),
    Kind.REPAIR: ("bugprm/doubtful-change", "The PRM doubts this change",
                  "The process reward model scores this change below the threshold; review or refine it."),
}


def sarif_document(report: ScoreReport) -> dict:
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "bugprm", "version": __version__, "rules": rule_entries()}},
            "columnKind": "unicodeCodePoints",
            "results": [line_result(g) for g in gaps_by_line(report)] + [
                result_entry(c, report) for c in report.refine
                if c.candidate.kind is Kind.REPAIR and c.candidate.operator != HUNK_OPERATOR],
            "properties": {"model": report.model, "source": report.source,
                           "aggregate": report.settings.aggregate, "threshold": report.settings.threshold},
        }],
    }


def rule_entries() -> list[dict]:
    return [
        {"id": rule_id, "shortDescription": {"text": short}, "fullDescription": {"text": full},
         "defaultConfiguration": {"level": "warning"}}
        for rule_id, short, full in RULES.values()
    ]


def line_result(line: LineGaps) -> dict:
    regions = [g.region for g in line.gaps if g.region.start_line == g.region.end_line == line.line]
    region = Region(line.line, min((r.start_column for r in regions), default=1), line.line,
                    max((r.end_column for r in regions), default=1)) if regions else None
    plural = "s" if len(line.gaps) > 1 else ""
    return {
        "ruleId": RULES[Kind.BUG][0],
        "ruleIndex": list(RULES).index(Kind.BUG),
        "level": "warning",
        "message": {"text": f"{len(line.gaps)} likely test gap{plural} in {line.function}: "
                            f"{'; '.join(describe_gap(g) for g in line.gaps)}. {RULES[Kind.BUG][2]}"},
        "locations": [_location(line.file, region or Region(line.line, 1, line.line, 1), bool(region))],
        "partialFingerprints": {"bugprmLine/v1": content_id(line.file, line.function,
                                                             *sorted(g.candidate.operator for g in line.gaps))},
        "properties": {"gaps": [{"id": g.id, "operator": g.candidate.operator, "score": g.score,
                                 "survival": survival(g), "outcome": str(g.outcome) if g.outcome else None}
                                for g in line.gaps]},
    }


def _location(uri: str, region: Region, with_columns: bool = True) -> dict:
    where = {"startLine": region.start_line, "endLine": region.end_line}
    if with_columns:
        where.update(startColumn=region.start_column, endColumn=region.end_column)
    return {"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}, "region": where}}


def result_entry(scored: ScoredCandidate, report: ScoreReport) -> dict:
    c = scored.candidate
    return {
        "ruleId": RULES[c.kind][0],
        "ruleIndex": list(RULES).index(c.kind),
        "level": "warning",
        "message": {"text": result_message(scored, report.settings.threshold)},
        "locations": [_location(c.file, scored.region)],
        "partialFingerprints": {"bugprmCandidate/v1": c.id},
        "properties": {"score": scored.score, "uncertainty": scored.uncertainty, "operator": c.operator,
                       "steps": [{"name": s.name, "reward": s.reward, "std": s.std} for s in scored.steps]},
    }


def result_message(scored: ScoredCandidate, threshold: float) -> str:
    c, weakest = scored.candidate, scored.weakest
    what = f"{c.operator} in {c.function}" if c.kind is Kind.BUG else f"change in {c.function}"
    return (f"{RULES[c.kind][1]}: {what} scores {scored.score:.2f} (threshold {threshold:.2f}); "
            f"weakest step {weakest.name} ({weakest.reward:.2f}): {weakest.says}")


def render_sarif(report: ScoreReport) -> str:
    return json.dumps(sarif_document(report), indent=2, ensure_ascii=False) + "\n"
