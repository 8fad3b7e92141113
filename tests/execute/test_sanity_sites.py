"""The forced failure goes on a statement that runs: never on a docstring (inflection documents every function)."""

import ast

from bugprm.execute.sanity import _first_statement, _functions, _line_offsets, _raising_candidate

SOURCE = b'''def documented(x):
    """Docstrings never run, so coverage never marks them."""
    return x + 1


def one_liner(x): return x


def only_a_docstring():
    """Nothing to break here."""
'''


def test_the_forced_failure_skips_the_docstring():
    tree = ast.parse(SOURCE)
    documented = next(f for f in _functions(tree) if f.name == "documented")
    candidate = _raising_candidate("m.py", SOURCE, _line_offsets(SOURCE), documented)
    assert candidate.line == 3
    edited = SOURCE[: candidate.edits[0].start_byte] + candidate.edits[0].replacement.encode() + \
        SOURCE[candidate.edits[0].end_byte:]
    compile(edited, "m.py", "exec")
    assert b'raise RuntimeError("bugprm forced failure")\n    return x + 1' in edited


def test_functions_without_a_separate_running_statement_are_not_sites():
    names = {f.name for f in _functions(ast.parse(SOURCE))}
    assert names == {"documented"}
    assert _first_statement(ast.parse(SOURCE).body[2]) is None
