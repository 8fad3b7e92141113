"""``bugprm report --format html``: the store's candidate bugs in one self-contained HTML page.

The page is the ``mutation-test-report-app`` element of mutation-testing-elements (bundled under ``assets/``, see
its README for version and license) fed the Stryker schema document, both inlined (the script as a base64 data URL,
which no text inside it can break): it opens offline, from a file.
Each candidate bug is a mutant whose status is its executed outcome, or ``Pending`` where it was not executed.
"""

from __future__ import annotations

import base64
import html
import json
from importlib import resources
from pathlib import Path


from bugprm.records import Kind
from bugprm.report.stryker import mutant_fields, mutants_document
from bugprm.scoring.sources.bugs import edit_region, read_sources
from bugprm.store import Store

ELEMENTS_JS = "mutation-test-elements.js"
TITLE = "bugprm mutation report"


def store_mutants_document(store: Store) -> dict:
    """The Stryker schema document of every candidate bug in the store, with its outcome and last prediction."""
    bugs = store.candidates(Kind.BUG)
    executions = store.verdicts()
    predictions = (store.last_score() or {}).get("predictions", {})
    sources = read_sources(_repo_root(store), sorted({c.file for c in bugs}))
    texts = {f.path: f.text for f in sources}
    mutants = []
    for c in bugs:
        outcome = executions[c.id].outcome if c.id in executions else None
        region = edit_region(c, texts.get(c.file, ""))
        mutants.append((c, mutant_fields(c, region, outcome, _description(c.family, predictions.get(c.id)))))
    return mutants_document(mutants, sources, {"store": str(store.directory)})


def render_html(document: dict, title: str = TITLE) -> str:
    script = resources.files("bugprm.report").joinpath("assets", ELEMENTS_JS).read_bytes()
    return PAGE.format(title=html.escape(title), elements=base64.b64encode(script).decode("ascii"),
                       report=_script_literal(document))


def _repo_root(store: Store) -> Path | None:
    repo = store.repository()
    return Path(repo) if repo and Path(repo).is_dir() else None


def _description(family: str, prediction: dict | None) -> str:
    if prediction is None:
        return family
    return f"{family}: PRM score {prediction['score']:.2f} ({prediction['recommendation']})"


def _script_literal(document: dict) -> str:
    """The document as a JavaScript literal that no source text can end the <script> element early: every ``<``
    (found only inside JSON strings) is written as its escape."""
    return json.dumps(document, ensure_ascii=False).replace("<", "\\u003c")


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<script src="data:text/javascript;base64,{elements}"></script>
</head>
<body>
<mutation-test-report-app title-postfix="{title}"></mutation-test-report-app>
<script>
document.querySelector("mutation-test-report-app").report = {report};
</script>
</body>
</html>
"""
