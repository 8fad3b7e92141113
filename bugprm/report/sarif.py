"""``bugprm score --format sarif``: SARIF 2.1.0, one result per candidate the PRM says to refine.

Candidate bugs to refine are likely test gaps (the tests would let them through); patches to refine are
changes the PRM doubts. GitHub code scanning reads this file (``github/codeql-action/upload-sarif``).
"""

from __future__ import annotations

import json

from bugprm import __version__
from bugprm.records import Kind
from bugprm.scoring import ScoredCandidate, ScoreReport

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
            "results": [result_entry(c, report) for c in report.refine],
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


def result_entry(scored: ScoredCandidate, report: ScoreReport) -> dict:
    c, region = scored.candidate, scored.region
    return {
        "ruleId": RULES[c.kind][0],
        "ruleIndex": list(RULES).index(c.kind),
        "level": "warning",
        "message": {"text": result_message(scored, report.settings.threshold)},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": c.file, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": region.start_line, "startColumn": region.start_column,
                       "endLine": region.end_line, "endColumn": region.end_column},
        }}],
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
