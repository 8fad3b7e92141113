"""Traceback features break Ochiai's ties between lines the same failing tests run: read from pytest's short
tracebacks, the same function wherever patches are generated (``bugprm repair``, the bench, repair trajectories)."""

from pathlib import Path

from bugprm.execute.failing import FailingState
from bugprm.records import Edit
from bugprm.repair.candidates import generate_repairs
from bugprm.repair.sites import StateFiles, localise
from bugprm.repair.tracebacks import Tracebacks

MESSAGE = """tests/test_webencodings.py:191: in test_replacement
    assert decode(b'', 'replacement') == ('', lookup('replacement'))
           ^^^^^^^^^^^^^^^^^^^^^^^^^^
webencodings/__init__.py:157: in decode
    fallback_encoding = _get_encoding(fallback_encoding)
                        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
webencodings/__init__.py:109: in _get_encoding
    raise LookupError(f'Unknown encoding label: {encoding_or_label!r}')
E   LookupError: Unknown encoding label: 'replacement'"""
TRUNCATED = """...^^^^^^^^^^^^
/tmp/slot-3/repo/webencodings/__init__.py:157: in decode
    fallback_encoding = _get_encoding(fallback_encoding)
E   TypeError: boom"""
FILES = ("webencodings/__init__.py", "webencodings/custom.py")


def test_the_deepest_package_frame_has_depth_one_and_its_caller_two():
    tracebacks = Tracebacks.of([MESSAGE, "E   AssertionError: no frame in the package"], FILES)
    deepest = tracebacks.features("webencodings/__init__.py", 109, range(100, 112))
    assert deepest == {"traceback_tests": 1, "traceback_share": 0.5, "traceback_depth": 1,
                       "traceback_function_depth": 1}
    assert tracebacks.features("webencodings/__init__.py", 157, range(150, 160))["traceback_depth"] == 2


def test_an_unnamed_line_reads_as_missing_and_a_line_above_the_frame_gets_its_function():
    tracebacks = Tracebacks.of([MESSAGE], FILES)
    above = tracebacks.features("webencodings/__init__.py", 105, range(100, 112))
    assert above == {"traceback_tests": 0, "traceback_share": 0.0, "traceback_depth": 0,
                     "traceback_function_depth": 1}
    assert tracebacks.features("tests/test_webencodings.py", 191, range(0))["traceback_tests"] == 0


def test_absolute_paths_and_a_cut_message_still_name_their_frames():
    tracebacks = Tracebacks.of([TRUNCATED, MESSAGE], FILES)
    assert tracebacks.features("webencodings/__init__.py", 157, range(0)) == {
        "traceback_tests": 2, "traceback_share": 1.0, "traceback_depth": 1, "traceback_function_depth": 0}


SOURCE = (Path(__file__).parents[1] / "fixtures" / "snippets" / "clamp.py").read_text()  # one small function, shared


def test_generated_patches_carry_them_where_ochiai_ties_the_lines(tmp_path):
    (tmp_path / "m.py").write_text(SOURCE)
    bug = Edit("m.py", SOURCE.index("return high"), SOURCE.index("return high") + len("return high"),
               "return high", "return low")
    message = "t.py:3: in t_high\n    assert clamp(9, 0, 5) == 5\nm.py:5: in clamp\n    return low\nE   NameError"
    state = FailingState("bug", (bug,), ("t_high",), {"t_high": message})
    files = StateFiles(tmp_path, state)
    coverage = {("m.py", line): ["t_high", "t_inside"] for line in (2, 4, 5, 6)}
    patches = generate_repairs(localise(state, files, coverage, {"t_inside"}), files, "repo")
    by_line = {p.line: p.features for p in patches}
    assert by_line[4]["ochiai"] == by_line[5]["ochiai"]
    assert (by_line[5]["traceback_depth"], by_line[4]["traceback_depth"]) == (1, 0)
    assert by_line[4]["traceback_function_depth"] == 1
