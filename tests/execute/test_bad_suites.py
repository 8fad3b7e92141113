"""Suites the harness must refuse, or run around, with a clear message; one test per kind of trouble."""

from __future__ import annotations

import pytest

from bugprm.errors import HarnessError
from bugprm.execute import label_pool
from bugprm.records import Outcome
from bugprm.store import Store


def _label(h, repo, file, old, new, **settings):
    candidate = h.replace_once(repo, file, old, new)
    h.store_with(repo, [candidate])
    summary = label_pool(repo, None, **{**h.FAST, **settings})
    with Store.open(repo / ".bugprm") as store:
        return summary, store.executions(summary.fingerprint)[candidate.id]


def test_a_red_suite_is_refused_naming_the_failing_tests(h, tmp_path):
    repo = h.copy_fixture("h_red", tmp_path)
    with pytest.raises(HarnessError, match="red at baseline: 2 of 3") as raised:
        _label(h, repo, "src/red/__init__.py", "x + 2", "x - 2")
    assert "tests/check_red.py::test_inc_one" in str(raised.value)
    assert "tests/check_red.py::test_inc_zero" in str(raised.value)


def test_a_suite_that_collects_nothing_is_refused(h, tmp_path):
    repo = h.copy_fixture("h_calc", tmp_path)
    with pytest.raises(HarnessError, match="collects no tests"):
        _label(h, repo, h.OPS, "a + b", "a - b", pytest_args="-k no_such_test_anywhere")


def test_a_flaky_test_is_excluded_and_reported(h, tmp_path):
    repo = h.copy_fixture("h_flaky", tmp_path)
    summary, execution = _label(h, repo, "src/flaky/__init__.py", "2 * x", "3 * x")
    assert "flaky" in summary.broken_tests["tests/check_flaky.py::test_passes_only_the_first_time"]
    assert execution.outcome is Outcome.KILLED
    assert not (repo / "tests" / "ran-before.txt").exists()  # the test wrote into the workspace copy only


def test_a_module_needing_a_missing_dependency_is_ignored_and_reported(h, tmp_path):
    repo = h.copy_fixture("h_deps", tmp_path)
    summary, execution = _label(h, repo, "src/deps/__init__.py", "3 * x", "4 * x")
    assert "bugprm_fixture_missing_dependency" in summary.broken_tests["tests/check_needs_missing.py"]
    assert execution.outcome is Outcome.KILLED


def test_a_hanging_test_is_deselected_and_the_run_goes_on(h, tmp_path):
    repo = h.copy_fixture("h_hang", tmp_path)
    summary, execution = _label(h, repo, "src/hang/__init__.py", "x / 2", "x / 3", baseline_timeout=4.0)
    assert "hangs" in summary.broken_tests["tests/check_hang.py::test_hangs_forever"]
    assert execution.outcome is Outcome.KILLED


def test_tests_importing_another_copy_are_refused(h, tmp_path):
    repo = h.copy_fixture("h_calc", tmp_path)
    elsewhere = tmp_path / "installed"
    (elsewhere / "calc").mkdir(parents=True)
    for name in ("__init__.py", "ops.py"):
        (elsewhere / "calc" / name).write_bytes((repo / "src" / "calc" / name).read_bytes())
    (repo / "tests" / "conftest.py").write_text(f"import sys\nsys.path.insert(0, {str(elsewhere)!r})\n")
    with pytest.raises(HarnessError, match="import the package from another location"):
        _label(h, repo, h.OPS, "a + b", "a - b")


def test_an_installed_copy_later_on_the_path_never_wins(h, tmp_path, monkeypatch):
    repo = h.copy_fixture("h_calc", tmp_path)
    elsewhere = tmp_path / "site"
    (elsewhere / "calc").mkdir(parents=True)
    for name in ("__init__.py", "ops.py"):
        (elsewhere / "calc" / name).write_bytes((repo / "src" / "calc" / name).read_bytes())
    monkeypatch.setenv("PYTHONPATH", str(elsewhere))
    _, execution = _label(h, repo, h.OPS, "a + b", "a - b")
    assert execution.outcome is Outcome.KILLED


def test_a_hidden_order_dependency_never_fakes_a_kill(h, tmp_path):
    repo = h.copy_fixture("h_order", tmp_path)
    file = "src/order/__init__.py"
    real = h.replace_once(repo, file, '"hi "', '"ho "')
    harmless = h.replace_once(repo, file, "+ name", "+ name.strip()")
    h.store_with(repo, [real, harmless])
    summary = label_pool(repo, None, **h.FAST)
    with Store.open(repo / ".bugprm") as store:
        executions = store.executions(summary.fingerprint)
    assert executions[real.id].outcome is Outcome.KILLED
    assert executions[real.id].failing_tests == ("tests/check_a_first.py::test_sets_the_stage",)
    assert executions[harmless.id].outcome is Outcome.SURVIVED


def test_a_cache_filled_by_one_test_and_read_by_another_still_kills(h, tmp_path):
    repo = h.copy_fixture("h_cache", tmp_path)
    _, execution = _label(h, repo, "src/cache/__init__.py", "[0, 1, 4, 9]", "[0, 1, 4, 10]")
    assert execution.outcome is Outcome.KILLED
    assert execution.failing_tests == ("tests/check_b_three.py::test_square_three",)
