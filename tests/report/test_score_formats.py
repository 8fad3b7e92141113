import json
import os
import re
from pathlib import Path

import jsonschema
import pytest
from rich.console import Console

from bugprm.report.markdown import render_markdown
from bugprm.report.sarif import sarif_document
from bugprm.report.score_formats import render_text, write_score_report
from bugprm.report.score_json import SCORE_JSON_VERSION, score_document
from bugprm.report.score_view import print_score_report, reward_bar
from bugprm.report.stryker import stryker_document

GOLDEN = Path(__file__).parent / "golden"
SCHEMAS = Path(__file__).parents[1] / "data" / "schemas"


def sarif_validator():
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    return jsonschema.Draft4Validator(schema)


def stryker_validator():
    schema = json.loads((SCHEMAS / "mutation-testing-report-schema.json").read_text())
    return jsonschema.Draft7Validator(schema)


def assert_golden(name: str, text: str) -> None:
    """Compare with tests/report/golden/NAME; BUGPRM_UPDATE_GOLDEN=1 rewrites the file instead."""
    path = GOLDEN / name
    if os.environ.get("BUGPRM_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_rich_report_matches_its_golden_file(sample_report):
    console = Console(width=100, record=True, color_system=None)
    print_score_report(sample_report, console)
    assert_golden("score_rich.txt", console.export_text())


def test_markdown_comment_matches_its_golden_file(sample_report):
    assert_golden("score_comment.md", render_markdown(sample_report))


def test_json_document_has_the_documented_fields(sample_report):
    document = score_document(sample_report)
    assert document["version"] == SCORE_JSON_VERSION and document["model"] == "models/prm-v1"
    first = document["candidates"][0]
    assert {"id", "kind", "file", "line", "score", "recommendation", "steps"} <= set(first)
    assert first["steps"][0] == {"name": "locate", "reward": 0.95, "std": 0.01}
    assert [c["rank"] for c in document["candidates"]] == [1, 2, 3]
    assert document["test_gaps"] == ["b2cccccccccccccc"]
    assert document["verified"] == [{"id": "b1aaaaaaaaaaaaaa", "score": 0.88, "predicted": "use",
                                     "outcome": "killed", "agrees": True}]
    json.dumps(document)


def test_sarif_is_valid_with_one_result_per_line_with_gaps(sample_report):
    document = sarif_document(sample_report)
    sarif_validator().validate(document)
    [result] = document["runs"][0]["results"]
    assert result["ruleId"] == "bugprm/test-gap"
    assert result["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3, "startColumn": 10, "endLine": 3, "endColumn": 11}
    assert result["message"]["text"].startswith("1 likely test gap in clamp: return_drop (survives: 69%).")


def test_sarif_raises_one_alert_per_line_listing_its_gaps(sample_report):
    from dataclasses import replace

    gap = sample_report.candidates[2]
    second = replace(gap, candidate=replace(gap.candidate, id="b3dddddddddddddd", operator="return_none"),
                     score=0.12, region=replace(gap.region, start_column=5, end_column=8))
    elsewhere = replace(gap, candidate=replace(gap.candidate, id="b4eeeeeeeeeeeeee", line=5))
    report = replace(sample_report, candidates=(*sample_report.candidates, second, elsewhere))
    document = sarif_document(report)
    sarif_validator().validate(document)
    results = document["runs"][0]["results"]
    assert len(report.test_gaps) == 3 and len(results) == 2
    first = results[0]
    assert first["message"]["text"].startswith("2 likely test gaps in clamp: return_none (survives: 88%); "
                                               "return_drop (survives: 69%).")
    assert first["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 11}
    assert [g["id"] for g in first["properties"]["gaps"]] == ["b3dddddddddddddd", "b2cccccccccccccc"]


def test_markdown_comment_fits_a_screen_with_details_folded(sample_report):
    from dataclasses import replace

    gap = sample_report.candidates[2]
    many = tuple(replace(gap, candidate=replace(gap.candidate, id=f"g{i:015d}", line=i)) for i in range(40))
    text = render_markdown(replace(sample_report, candidates=(*sample_report.candidates, *many)))
    open_part = re.sub(r"<details>.*?</details>", "", text, flags=re.S)
    assert len(open_part.strip().splitlines()) <= 12
    assert open_part.startswith("### bugprm: 41 likely test gaps on 40 lines (42 candidate bugs)")
    assert "... 35 more lines" in open_part and text.count("<details>") == 3


def test_stryker_report_is_valid_and_keeps_executed_statuses(sample_report):
    document = stryker_document(sample_report)
    stryker_validator().validate(document)
    file = document["files"]["app.py"]
    assert file["source"].startswith("def clamp") and file["language"] == "python"
    assert [(m["id"], m["status"]) for m in file["mutants"]] == [("b1aaaaaaaaaaaaaa", "Killed"),
                                                                ("b2cccccccccccccc", "Pending")]


def test_reward_bars_fill_in_eighths():
    assert reward_bar(1.0) == "████"
    assert reward_bar(0.0) == "····"
    assert reward_bar(0.5) == "██··"
    assert reward_bar(0.53) == "██▏·"


def test_rich_without_a_terminal_has_no_escape_codes(sample_report, tmp_path):
    text = render_text(sample_report, "rich")
    assert "\x1b[" not in text and "b2cccccccc" in text
    write_score_report(sample_report, "rich", tmp_path / "report.txt")
    assert (tmp_path / "report.txt").read_text() == text


@pytest.mark.parametrize("fmt", ["json", "sarif", "markdown", "stryker"])
def test_every_format_writes_to_a_file(sample_report, tmp_path, fmt):
    write_score_report(sample_report, fmt, tmp_path / "out")
    assert (tmp_path / "out").read_text() == render_text(sample_report, fmt)
