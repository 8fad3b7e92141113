"""The forced-failure check (mutmut's sanity phase): before any "survived" is trusted, make a covered function raise
and require its covering tests to fail. It also proves the tests import the subject from the WORKSPACE copy: with an
installed copy winning the import, the forced failure would go unseen.
"""

from __future__ import annotations

import ast

from bugprm.errors import HarnessError
from bugprm.execute.executor import CandidateRunner
from bugprm.execute.slot import Slot
from bugprm.records import Candidate, Edit, Kind, Outcome

ATTEMPTS = 3
RAISE = 'raise RuntimeError("bugprm forced failure")\n'


def forced_failure_check(runner: CandidateRunner, slot: Slot) -> str:
    """Returns a one-line account of the check; raises HarnessError when the harness cannot see a failure."""
    sites = _sites(runner)
    if not sites:
        raise HarnessError("no function in the repository is covered by a passing test: nothing can be verified "
                           "(do the tests import the package from another location than the repository?)")
    tried = []
    for candidate in sites[:ATTEMPTS]:
        execution = runner.execute(slot, candidate)
        if execution.outcome is Outcome.KILLED:
            return f"forced failure in {candidate.function} ({candidate.file}) was seen by {execution.failing_tests[0]}"
        tried.append(f"{candidate.file}:{candidate.line} {candidate.function}: {execution.outcome} {execution.detail}")
    raise HarnessError("a forced failure went unseen, so no 'survived' verdict could be trusted. The tests may import "
                       "an installed copy of the package instead of the workspace copy.\n  " + "\n  ".join(tried))


def _sites(runner: CandidateRunner) -> list[Candidate]:
    covered_files = sorted({file for file, _ in runner.baseline.coverage if file.endswith(".py")})
    sites = []
    for file in covered_files:
        try:
            tree = ast.parse(runner.source(file))
        except (SyntaxError, ValueError, OSError):
            continue
        source = runner.source(file)
        offsets = _line_offsets(source)  # once per file: per function it was quadratic on a big module
        sites.extend(_raising_candidate(file, source, offsets, f) for f in _functions(tree))
    with_tests = [(c, runner.plan(c)) for c in sites]
    usable = [(c, p) for c, p in with_tests if p is not None and not p.whole_suite]
    return [c for c, p in sorted(usable, key=lambda cp: (cp[1].timeout, cp[0].file, cp[0].line))]


def _functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _first_statement(node) is not None:
            if not any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in ast.walk(node)):
                yield node


def _first_statement(function: ast.FunctionDef) -> ast.stmt | None:
    """The first statement that runs: a docstring never does, and a one-line body shares the def's line."""
    body = function.body[1:] if ast.get_docstring(function) is not None else function.body
    return body[0] if body and body[0].lineno > function.lineno else None


def _raising_candidate(file: str, source: bytes, offsets: list[int], function: ast.FunctionDef) -> Candidate:
    first = _first_statement(function)
    line_start = offsets[first.lineno - 1]
    offset = line_start + first.col_offset
    edit = Edit(file, offset, offset, "", RAISE + source[line_start:offset].decode("utf-8", "replace"))
    return Candidate(id=f"sanity-{file}-{first.lineno}", kind=Kind.BUG, repo="", file=file, function=function.name,
                     line=first.lineno, operator="forced_failure", family="sanity", diff="", steps=(), edits=(edit,))


def _line_offsets(source: bytes) -> list[int]:
    offsets = [0]
    for line in source.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets
