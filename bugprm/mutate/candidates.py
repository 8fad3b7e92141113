"""A validated mutant as a bug trajectory: static features and the five step texts."""

from __future__ import annotations

import textwrap

from bugprm.mutate.engine import Mutant
from bugprm.parsing import Function, Language
from bugprm.records import Candidate, Edit, Kind, content_id
from bugprm.trajectory import (
    WINDOW_LINES, Covering, analyze_text, build_steps, locate_text, select_text, validate_text, with_coverage,
)

SELECT_TEXT_CHARS = 120


def candidate_from_mutant(mutant: Mutant, repo_name: str, language: Language, callers: int,
                          covering: Covering | None = None) -> Candidate:
    """The one builder of a bug trajectory, for the pool and for ``--diff`` alike; with ``covering`` (a baseline
    exists) its analyze and validate steps also say which tests cover it."""
    operator, edit = mutant.operator, mutant.edit
    facts = mutant.function.facts(callers)
    node_kind = str(mutant.site.kind)
    features = {**facts, "operator": operator.name, "family": str(operator.family), "node_kind": node_kind,
                "language": str(language)}
    steps = build_steps(
        Kind.BUG,
        locate_text(mutant.path, mutant.function.qualified_name, mutant.function.signature, window(mutant.function)),
        analyze_text(facts),
        select_text(operator.name, str(operator.family), node_kind, one_line(mutant.site.node.text), mutant.line),
        mutant.diff,
        validate_text(None),
    )
    return with_coverage(Candidate(
        id=candidate_id(mutant), kind=Kind.BUG, repo=repo_name,
        file=mutant.path, function=mutant.function.qualified_name, line=mutant.line, operator=operator.name,
        family=str(operator.family), diff=mutant.diff, steps=steps,
        edits=(Edit(mutant.path, edit.start, edit.end, mutant.original, edit.text),), features=features,
    ), covering)


def candidate_id(mutant: Mutant) -> str:
    """The same id while the enclosing function's text and the place inside it are the same: edits elsewhere in the
    file move the candidate's byte offsets and line, never its id (so its verdict can be reused)."""
    function, edit = mutant.function, mutant.edit
    start = function.span.start
    return content_id(mutant.path, function.qualified_name, content_id(function.span.text), edit.start - start,
                      edit.end - start, mutant.operator.name, edit.text)


def window(function: Function) -> str:
    """The function's first lines, dedented: the same for every candidate in the function."""
    head = "\n".join((function.span.indent + function.span.text).split("\n")[:WINDOW_LINES])
    return textwrap.dedent(head)


def one_line(text: str) -> str:
    """A node's text on one line, cut to ``SELECT_TEXT_CHARS``."""
    line = " ".join(text.split())
    return line if len(line) <= SELECT_TEXT_CHARS else line[:SELECT_TEXT_CHARS - 3] + "..."
