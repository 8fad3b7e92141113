"""Every operator's examples (the repair templates' too), run through the real parse and mutate path."""

import pytest

from bugprm.mutate.engine import mutate_file
from bugprm.mutate.registry import REPAIR_OPERATORS
from bugprm.parsing import Language, parse_file

_EXTENSIONS = {
    Language.PYTHON: "py", Language.JAVASCRIPT: "js", Language.TYPESCRIPT: "ts", Language.TSX: "tsx",
    Language.JAVA: "java", Language.GO: "go",
}
_CASES = [
    pytest.param(operator, example, id=f"{operator.name}-{index}")
    for operator in REPAIR_OPERATORS
    for index, example in enumerate(operator.examples())
]


def _mutated_sources(operator, example) -> set[str]:
    source = example.before.encode()
    parsed = parse_file(f"example.{_EXTENSIONS[example.language]}", source, example.language)
    return {
        (source[:m.edit.start] + m.edit.text.encode() + source[m.edit.end:]).decode()
        for m in mutate_file(parsed, (operator,))
    }


@pytest.mark.parametrize(("operator", "example"), _CASES)
def test_example_is_among_the_produced_mutants(operator, example):
    assert example.language in operator.languages
    assert example.after in _mutated_sources(operator, example)
