"""Test digests in a verdict's context: a test's own source, its file's shared code, conftest files; doctests by
the docstring they run. An edit elsewhere leaves a digest as it was."""

from __future__ import annotations

from bugprm.execute.context import digest_of_test

TESTS = "import pytest\n\n\ndef helper():\n    return 1\n\n\ndef test_a():\n    assert helper() == 1\n\n\n" \
        "def test_b():\n    assert True\n\n\nclass TestC:\n    def test_m(self):\n        assert 1\n"
MODULE = 'def f(x):\n    """\n    >>> f(1)\n    2\n    """\n    return x + 1\n\n\ndef g(x):\n    return x\n'


def _digests(repo, *ids):
    return [digest_of_test(repo, i) for i in ids]


def test_a_test_digest_follows_its_own_source_its_shared_code_and_conftest_only(tmp_path):
    (tmp_path / "tests").mkdir()
    path = tmp_path / "tests" / "test_x.py"
    path.write_text(TESTS)
    ids = ("tests/test_x.py::test_a", "tests/test_x.py::test_b[1-2]", "tests/test_x.py::TestC::test_m")
    first = _digests(tmp_path, *ids)
    path.write_text(TESTS.replace("assert True", "assert 2 > 1"))
    second = _digests(tmp_path, *ids)
    assert second[0] == first[0] and second[2] == first[2] and second[1] != first[1]
    path.write_text(TESTS.replace("return 1", "return 2"))
    assert all(a != b for a, b in zip(_digests(tmp_path, *ids), first))  # a shared helper changed
    path.write_text(TESTS)
    (tmp_path / "tests" / "conftest.py").write_text("X = 1\n")
    assert all(a != b for a, b in zip(_digests(tmp_path, *ids), first))


def test_a_doctest_digest_follows_its_docstring_not_the_code_around_it(tmp_path):
    (tmp_path / "pkg").mkdir()
    path = tmp_path / "pkg" / "mod.py"
    path.write_text(MODULE)
    doctest = "pkg/mod.py::pkg.mod.f"
    first = digest_of_test(tmp_path, doctest)
    path.write_text(MODULE.replace("return x\n", "return -x\n"))
    assert digest_of_test(tmp_path, doctest) == first
    path.write_text(MODULE.replace("2\n", "3\n"))
    assert digest_of_test(tmp_path, doctest) != first
