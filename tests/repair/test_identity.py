"""Patches labelled by the program they make: the original code is correct, an executed bug's program inherits its
verdict, and anything else (or a program judged both ways) stays unknown."""

from bugprm.execute.failing import FailingState
from bugprm.records import Candidate, Edit, Kind, Outcome
from bugprm.repair.identity import FileTrees, KnownPrograms, tree_digest

SOURCE = b"def add(a, b):\n    return a + b\n"
PLUS = SOURCE.index(b"+")


def _changed(kind: Kind, operator: str, replacement: str, source: bytes = SOURCE) -> Candidate:
    original = source[PLUS:PLUS + 1].decode()
    edit = Edit("m.py", PLUS, PLUS + 1, original, replacement)
    return Candidate(f"{kind}-{replacement}", kind, "repo", "m.py", "add", 2, operator, "arith", "", (), (edit,))


def _known() -> KnownPrograms:
    executed = [(_changed(Kind.BUG, "minus", "-"), Outcome.KILLED),
                (_changed(Kind.BUG, "times", "*"), Outcome.SURVIVED),
                (_changed(Kind.BUG, "div", "/"), Outcome.KILLED),
                (_changed(Kind.BUG, "div2", "/ "), Outcome.SURVIVED),
                (_changed(Kind.BUG, "mod", "%"), Outcome.INFRA_ERROR)]
    return KnownPrograms({"m.py": SOURCE}.__getitem__, executed)


def _patch(replacement: str) -> Candidate:
    return _changed(Kind.REPAIR, "fix", replacement, SOURCE.replace(b"+", b"-"))


STATE = FailingState("BUG--", _changed(Kind.BUG, "minus", "-").edits, ("test_add",))


def test_undoing_the_bug_is_correct_even_up_to_layout():
    known = _known()
    assert known.verdict(STATE, _patch("+")) is Outcome.CORRECT
    assert known.verdict(STATE, _patch(" +  ")) is Outcome.CORRECT


def test_a_patch_that_makes_an_executed_bug_inherits_its_verdict():
    assert _known().verdict(STATE, _patch("*")) is Outcome.CORRECT  # that bug survived every test


def test_unknown_programs_and_programs_judged_both_ways_have_no_verdict():
    known = _known()
    assert known.verdict(STATE, _patch("//")) is None
    assert known.verdict(STATE, _patch("/")) is None  # "/" killed, "/ " (the same tree) survived
    assert known.verdict(STATE, _patch("%")) is None  # its only run was an infra_error
    assert known.verdict(STATE, _patch("-")) is Outcome.INCORRECT  # a no-op patch leaves the killed bug


def test_a_file_is_digested_statement_by_statement_as_its_whole_tree_would_be():
    """Re-parsing only the changed top-level statements gives the same equalities as the whole tree: layout inside
    a statement is no change, another operator is one, and changes outside any statement fall back to the whole."""
    source = b"import os\n\n\n@deco\ndef add(a, b):\n    return a + b\n\n# note\nX = 1\n"
    trees = FileTrees(source)
    assert trees.original == tree_digest(source)
    for changed in (source.replace(b"a + b", b"(a) +  b"), source.replace(b"a + b", b"a - b"),
                    source.replace(b"@deco", b"@other"), source.replace(b"# note", b"Y = 2"),
                    source.replace(b"a + b", b"a + (b"), source + b"Z = 3\n"):
        assert trees.digest(changed) == tree_digest(changed), changed
    assert trees.digest(source.replace(b"a + b", b"(a) +  b")) == trees.original
    assert trees.digest(source.replace(b"a + b", b"a - b")) != trees.original
    assert trees.digest(source.replace(b"a + b", b"a + (b")).startswith("bytes:")  # it does not parse
