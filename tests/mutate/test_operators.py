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
