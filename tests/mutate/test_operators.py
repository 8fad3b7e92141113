import random
from collections import Counter

from bugprm.mutate.variables import VariableReplace
from bugprm.mutate.engine import mutate_file
from bugprm.mutate.operator import Family
from bugprm.mutate.registry import OPERATORS, REPAIR_OPERATORS, operator_named
from bugprm.parsing import Language, SiteKind, parse_file


def test_enough_operators_in_enough_families():
    assert len(OPERATORS) >= 20
    assert len({operator.family for operator in OPERATORS}) >= 8


def test_every_operator_fills_the_contract():
    names = Counter(operator.name for operator in REPAIR_OPERATORS)
    assert max(names.values()) == 1
    for operator in REPAIR_OPERATORS:
        assert operator.description and operator.needs and operator.languages
        assert isinstance(operator.family, Family)
        assert operator.examples(), operator.name


def test_every_site_kind_feeds_some_operator():
    needed = set().union(*(operator.needs for operator in OPERATORS))
    assert needed == set(SiteKind)


def test_every_language_has_examples_beyond_python():
    languages = {example.language for operator in OPERATORS for example in operator.examples()}
    assert {Language.JAVASCRIPT, Language.TYPESCRIPT, Language.JAVA, Language.GO} <= languages


def test_operator_lookup_by_name():
    assert operator_named("comparison_negate").family is Family.COMPARISON


SOURCE = b"def f(a, b, c, d):\n    return g(a)\n"


def test_variable_replace_draws_from_a_private_seeded_rng():
    parsed = parse_file("m.py", SOURCE, Language.PYTHON)
    runs = [[m.edit.text for m in mutate_file(parsed, (VariableReplace(),))] for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    assert runs[0][0] in {"b", "c", "d"}
    random.seed(12345)  # the global RNG has no say
    assert [m.edit.text for m in mutate_file(parsed, (VariableReplace(),))] == runs[0]


def test_receivers_are_never_swapped_in():
    parsed = parse_file("m.py", b"class A:\n    def f(self, a):\n        return g(a)\n", Language.PYTHON)
    assert not list(mutate_file(parsed, (VariableReplace(),)))


def test_a_handler_that_already_raises_is_not_given_a_second_raise():
    from bugprm.mutate.handlers import HandlerReraise

    raising = b"def f():\n    try:\n        g()\n    except E:\n        h()\n        raise\n"
    quiet = raising.replace(b"        raise\n", b"")
    mutants = {source: list(mutate_file(parse_file("m.py", source, Language.PYTHON), (HandlerReraise(),)))
               for source in (raising, quiet)}
    assert not mutants[raising] and len(mutants[quiet]) == 1


def _mutants(source: bytes, operator) -> list[str]:
    parsed = parse_file("m.py", source, Language.PYTHON)
    return [m.edit.text for m in mutate_file(parsed, (operator,))]


def test_operators_leave_alone_what_is_already_their_result():
    from bugprm.mutate.arguments import ArgumentSwap
    from bugprm.mutate.constants import NumberZero
    from bugprm.mutate.handlers import HandlerSwallow
    from bugprm.mutate.loops import ForZeroIteration
    from bugprm.mutate.returns import ReturnNone

    handler = b"def f():\n    try:\n        g()\n    except E:\n        %s\n"
    assert not _mutants(handler % b"pass", HandlerSwallow()) and _mutants(handler % b"h()", HandlerSwallow())
    assert not _mutants(b"def f():\n    return None\n", ReturnNone())
    assert _mutants(b"def f():\n    return 1\n", ReturnNone()) == ["None"]
    assert not _mutants(b"def f():\n    return g(0)\n", NumberZero())
    assert not _mutants(b"def f(a):\n    return g(a, a)\n", ArgumentSwap())
    assert not _mutants(b"def f():\n    for x in []:\n        g(x)\n", ForZeroIteration())


def test_number_shift_adds_one():
    from bugprm.mutate.constants import NumberShift

    assert "6" in _mutants(b"def f():\n    return 5\n", NumberShift())


def test_every_operator_is_found_by_its_own_name():
    assert all(operator_named(operator.name) is operator for operator in OPERATORS)


def test_a_long_node_is_cut_to_the_select_text_width():
    from bugprm.mutate.candidates import SELECT_TEXT_CHARS, one_line

    cut = one_line("x" * (SELECT_TEXT_CHARS + 10))
    assert len(cut) == SELECT_TEXT_CHARS and cut.endswith("...") and one_line("a\n  b") == "a b"


def test_a_candidates_features_name_its_operator_family_site_kind_and_language():
    from bugprm.mutate.candidates import candidate_from_mutant

    parsed = parse_file("m.py", b"def f(a, b):\n    return a + b\n", Language.PYTHON)
    mutant = next(m for m in mutate_file(parsed) if m.operator.name == "arithmetic_swap")
    features = candidate_from_mutant(mutant, "repo", Language.PYTHON, callers=2).features
    assert {k: features[k] for k in ("operator", "family", "node_kind", "language", "callers")} == {
        "operator": "arithmetic_swap", "family": str(mutant.operator.family), "node_kind": str(mutant.site.kind),
        "language": "python", "callers": 2}


def _texts(operator, source: bytes) -> list[str]:
    parsed = parse_file("m.py", source, Language.PYTHON)
    return [source[:m.edit.start].decode() + m.edit.text + source[m.edit.end:].decode()
            for m in mutate_file(parsed, (operator,))]


def test_number_zero_leaves_a_zero_alone_and_string_empty_an_empty_string():
    zero, empty = operator_named("number_zero"), operator_named("string_empty")
    assert _texts(zero, b"def f(a):\n    return a[0] + 0.0 + 10\n") == ["def f(a):\n    return a[0] + 0.0 + 0\n"]
    assert _texts(empty, b"def f():\n    return '' + r'' + 'x'\n") == ["def f():\n    return '' + r'' + ''\n"]


def test_off_by_one_never_shifts_a_name_read_for_an_attribute_an_item_or_a_call():
    from bugprm.mutate.templates import VariableOffByOne

    shifted = _texts(VariableOffByOne(), b"def f(xs, i, g):\n    return xs[i] + g(i).x\n")
    assert sorted(shifted) == sorted(f"def f(xs, i, g):\n    return {t}\n" for t in (
        "xs[i + 1] + g(i).x", "xs[i - 1] + g(i).x", "xs[i] + g(i + 1).x", "xs[i] + g(i - 1).x"))


def test_a_bare_return_is_left_alone():
    from bugprm.mutate.returns import ReturnNone

    assert _texts(ReturnNone(), b"def f(a):\n    if a:\n        return\n    return a\n") == [
        "def f(a):\n    if a:\n        return\n    return None\n"]


def test_number_zero_reads_hexadecimal_and_octal_literals():
    zero = operator_named("number_zero")
    assert _texts(zero, b"def f(a):\n    return a & 0xff | 0o0\n") == ["def f(a):\n    return a & 0 | 0o0\n"]
