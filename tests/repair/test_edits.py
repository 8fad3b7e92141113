"""The net edit that composes a failing state's edits and a patch's into one edit over the repository's bytes."""

from bugprm.execute.workspace import apply_edits, net_edit
from bugprm.records import Edit


def test_a_patch_that_restores_the_file_exactly_needs_no_edit():
    assert net_edit("m.py", b"return a + b\n", b"return a + b\n") is None


def test_the_net_edit_spans_only_what_differs_and_applies_to_the_original():
    before, after = "x = 'é' + a + b\n".encode(), "x = 'é' + b * a\n".encode()
    edit = net_edit("m.py", before, after)
    assert (edit.original, edit.replacement) == ("a + b", "b * a")
    assert apply_edits(before, [edit], "m.py") == after


def test_a_bug_then_its_patch_compose_over_the_original_bytes():
    original = b"def f(a, b):\n    return a + b\n"
    bug = Edit("m.py", 26, 27, "+", "-")
    broken = apply_edits(original, [bug], "m.py")
    patch = Edit("m.py", 24, 29, "a - b", "b - a")
    edit = net_edit("m.py", original, apply_edits(broken, [patch], "m.py"))
    assert apply_edits(original, [edit], "m.py") == b"def f(a, b):\n    return b - a\n"
