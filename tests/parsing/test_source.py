import random

import pytest

from bugprm.parsing import EditChecker, Language, SiteKind, UnparsableSource, parse_file, parses_cleanly

PYTHON = '''\
"""Module docstring."""
import logging

log = logging.getLogger(__name__)


def f(name: str, count: int = 2) -> str:
    """Docstring."""
    log.info("count %s", count)
    return "é" * count + name


if __name__ == "__main__":
    print(f("x"))
'''.encode()


def test_syntax_error_names_its_line():
    with pytest.raises(UnparsableSource, match="line 2"):
        parse_file("bad.py", b"def f():\n    return (1\n", Language.PYTHON)


def test_skip_regions_cover_docstrings_annotations_logging_and_main_guard():
    parsed = parse_file("m.py", PYTHON, Language.PYTHON)
    skipped = {region.text.split("\n")[0] for region in parsed.skip_regions}
    assert {'"""Module docstring."""', '"""Docstring."""', "str", "int", 'log.info("count %s", count)',
            'if __name__ == "__main__":'} <= skipped


def test_sites_carry_byte_offsets_into_utf8_source():
    parsed = parse_file("m.py", PYTHON, Language.PYTHON)
    strings = [s for s in parsed.sites if s.kind is SiteKind.STRING and "é" in s.node.text]
    assert strings and all(PYTHON[s.node.start:s.node.end].decode() == s.node.text for s in strings)
    operator = next(s for s in parsed.sites if s.kind is SiteKind.ARITHMETIC and s.part("operator").text == "*")
    assert PYTHON[operator.part("operator").start:operator.part("operator").end] == b"*"


def test_sites_are_owned_by_their_function():
    parsed = parse_file("m.py", PYTHON, Language.PYTHON)
    owners = {parsed.owner(site).qualified_name if parsed.owner(site) else None for site in parsed.sites}
    assert owners == {"f", None}


def test_incremental_reparse_agrees_with_a_full_parse():
    source = PYTHON
    checker = EditChecker(source, Language.PYTHON)
    rng = random.Random(7)
    for _ in range(200):
        start = rng.randrange(len(source))
        end = min(len(source), start + rng.randrange(4))
        text = rng.choice([b"", b"(", b"x", b"not (a)", b":", b"\n    raise"])
        mutated = source[:start] + text + source[end:]
        assert checker.parses_after(start, end, text) == parses_cleanly(mutated, Language.PYTHON)


def test_a_mutant_is_checked_on_the_top_level_statement_around_it_only():
    source = b"".join(b"def f%d(a):\n    return a + %d\n\n\n" % (n, n) for n in range(300))
    checker = EditChecker(source, Language.PYTHON)
    at = source.index(b"a + 150")
    low, high = checker.unit(at + 2, at + 3)
    assert source[low:high] == b"def f150(a):\n    return a + 150"  # what a mutant there re-parses, not the file
    assert checker.parses_after(at + 2, at + 3, b"-") and not checker.parses_after(at + 2, at + 3, b"(")
