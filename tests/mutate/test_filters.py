from collections import Counter

from bugprm.mutate.engine import mutate_file
from bugprm.mutate.filters import Drop, MutantFilter, PythonCompileCheck, python_compile_error
from bugprm.mutate.operator import Replacement
from bugprm.parsing import Language, parse_file


def _mutants(source: bytes, language=Language.PYTHON, path="m.py"):
    drops = Counter()
    mutants = list(mutate_file(parse_file(path, source, language), drops=drops))
    return mutants, drops


def test_pragma_lines_are_not_mutated():
    mutants, drops = _mutants(b"def f(a):\n    return a + 1  # pragma: no mutate\n")
    assert not mutants
    assert drops[Drop.PRAGMA] > 0


def test_docstrings_annotations_logging_and_main_guard_are_not_mutated():
    source = (
        b'def f(a: int = 3) -> "Thing":\n    """Doc."""\n    logger.info("x %s", a > 1)\n    return a\n\n'
        b'if __name__ == "__main__":\n    f(1)\n'
    )
    mutants, drops = _mutants(source)
    assert {(m.operator.name, m.original) for m in mutants} == {
        ("return_none", "a"), ("number_shift", "3"), ("number_zero", "3"),  # a default value is fair game
    }
    assert drops[Drop.EXCLUDED_REGION] > 0


def test_module_level_code_is_not_mutated():
    mutants, drops = _mutants(b"LIMIT = 3 + 4\n")
    assert not mutants and drops[Drop.OUTSIDE_FUNCTION] > 0


def test_identical_sources_are_kept_once():
    mutants, drops = _mutants(b"def f(a):\n    return a * 1\n")
    sources = [(m.edit.start, m.edit.end, m.edit.text) for m in mutants]
    assert ("0" in [m.edit.text for m in mutants]) and drops[Drop.DUPLICATE] >= 1  # number_shift and number_zero
    assert len(sources) == len(set(sources))


def test_a_mutant_that_breaks_the_parse_is_dropped():
    parsed = parse_file("m.py", b"def f(a):\n    return a\n", Language.PYTHON)
    checks, function = MutantFilter(parsed), parsed.functions[0]
    assert checks.source_drop(Replacement(20, 21, "("), function) is Drop.SYNTAX_ERROR


def test_a_mutant_that_parses_but_does_not_compile_is_dropped():
    source = b"def f(a):\n    pass\n"
    parsed = parse_file("m.py", source, Language.PYTHON)
    start = source.index(b"pass")
    edit = Replacement(start, start + 4, "break")
    assert MutantFilter(parsed).source_drop(edit, parsed.functions[0]) is Drop.COMPILE_ERROR


def test_a_nested_function_with_nonlocal_is_compiled_within_its_file():
    source = b"def outer():\n    n = 0\n    def inner():\n        nonlocal n\n        n += 1\n    return inner\n"
    parsed = parse_file("m.py", source, Language.PYTHON)
    inner = next(f for f in parsed.functions if f.name == "inner")
    assert PythonCompileCheck(parsed).error(Replacement(0, 0, ""), inner) is None


def test_compile_errors_are_explained():
    assert "outside loop" in python_compile_error(b"break\n", "m.py")
    assert python_compile_error(b"x = 1\n", "m.py") is None


def test_skip_regions_are_merged_where_they_overlap():
    from collections import namedtuple

    from bugprm.mutate.filters import _disjoint

    region = namedtuple("Region", "start end")
    assert _disjoint([region(6, 8), region(0, 10), region(2, 5), region(12, 14), region(13, 20)]) == [(0, 10),
                                                                                                      (12, 20)]
    assert _disjoint([]) == []
