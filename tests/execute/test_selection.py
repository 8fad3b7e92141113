"""Which lines an edit touches, which tests cover them, and the plan (order, whole suite, timeout)."""

from __future__ import annotations

from bugprm.execute.selection import MODULE_LEVEL, changed_lines, covering_tests, function_lines, plan_tests
from bugprm.records import Edit

SOURCE = b'''import functools

LIMIT = 3


@functools.lru_cache
def total(values,
          start=0):
    if start > LIMIT:
        return (start +
                sum(values))
    return sum(values)
'''


def _edit(old: str, new: str = "x") -> Edit:
    start = SOURCE.index(old.encode())
    return Edit("m.py", start, start + len(old.encode()), old, new)


def test_an_edit_on_a_continuation_line_stands_for_the_whole_statement():
    assert changed_lines(SOURCE, (_edit("sum(values))"),)) == {10, 11}


def test_an_edit_in_a_compound_header_stands_for_the_header_only():
    assert changed_lines(SOURCE, (_edit("start > LIMIT"),)) == {9}


def test_a_default_argument_or_decorator_edit_stands_for_the_def_header():
    assert changed_lines(SOURCE, (_edit("start=0"),)) == {6, 7, 8}
    assert changed_lines(SOURCE, (_edit("lru_cache"),)) == {6, 7, 8}


def test_unparsable_source_falls_back_to_the_raw_lines():
    assert changed_lines(b"def f(:\n    return 1\n", (Edit("m.py", 17, 18, "1", "2"),)) == {2}


def test_covering_tests_separates_import_time_lines():
    coverage = {("m.py", 9): ["t_a", "t_b"], ("m.py", 3): [MODULE_LEVEL]}
    assert covering_tests(coverage, "m.py", {9}) == ({"t_a", "t_b"}, False)
    assert covering_tests(coverage, "m.py", {3, 9}) == ({"t_a", "t_b"}, True)
    assert covering_tests(coverage, "m.py", {12}) == (set(), False)


def test_plan_orders_fastest_first_and_scales_the_timeout():
    durations = {"slow": 2.0, "fast": 0.5, "other": 1.0}
    plan = plan_tests({"slow", "fast", "broken"}, False, durations, overhead=0.5, multiplier=10, constant=1)
    assert plan.tests == ("fast", "slow") and not plan.whole_suite
    assert plan.timeout == 10 * (2.5 + 0.5) + 1


def test_import_time_lines_run_every_passing_test_and_uncovered_lines_run_nothing():
    durations = {"b": 0.2, "a": 0.1}
    assert plan_tests(set(), True, durations, 0.0, 10, 1).tests == ("a", "b")
    assert plan_tests(set(), False, durations, 0.0, 10, 1) is None
    assert plan_tests({"broken"}, False, durations, 0.0, 10, 1) is None


def test_function_lines_are_the_body_of_the_innermost_function():
    assert function_lines(SOURCE, (_edit("sum(values))"),)) == set(range(9, 13))
    assert function_lines(SOURCE, (_edit("LIMIT = 3"),)) == set()


def test_the_rest_of_the_function_runs_after_the_line_covering_tests():
    durations = {"line": 0.5, "cache_user": 0.1, "elsewhere": 0.1}
    plan = plan_tests({"line"}, False, durations, 0.0, 10, 1, then={"line", "cache_user", "broken"})
    assert plan.tests == ("line", "cache_user")
    assert plan_tests(set(), False, durations, 0.0, 10, 1, then={"cache_user"}) is None


def test_self_import_line_is_a_feature_only_where_the_own_import_was_traced():
    from dataclasses import replace

    from bugprm.execute.baseline import Baseline
    from bugprm.execute.features import BaselineCoverage
    from bugprm.records import Candidate, Kind

    def candidate(old: str) -> Candidate:
        return Candidate("c", Kind.BUG, "r", "m.py", "total", 1, "op", "fam", "", (), (_edit(old),))

    untraced = Baseline("f", {"t": 0.1}, {("m.py", 10): [MODULE_LEVEL], ("m.py", 12): ["t"]})
    traced = BaselineCoverage(replace(untraced, self_import={"m.py": [10, 11]}), lambda _: SOURCE)
    assert "self_import_line" not in BaselineCoverage(untraced, lambda _: SOURCE).dynamic_features(
        candidate("sum(values))"))[0]
    assert traced.dynamic_features(candidate("sum(values))"))[0]["self_import_line"] == 1
    assert traced.dynamic_features(candidate("return sum(values)"))[0]["self_import_line"] == 0


def test_an_import_time_line_is_run_by_the_own_import_the_collection_or_pytests_start_up():
    from dataclasses import replace

    from bugprm.execute.baseline import Baseline
    from bugprm.execute.features import BaselineCoverage
    from bugprm.records import Candidate, Kind

    def context(baseline: Baseline, old: str) -> tuple:
        candidate = Candidate("c", Kind.BUG, "r", "m.py", "total", 1, "op", "fam", "", (), (_edit(old),))
        found = BaselineCoverage(baseline, lambda _: SOURCE, import_contexts=True).dynamic_features(candidate)[0]
        return tuple(found.get(k) for k in ("self_import_line", "collection_line", "startup_line"))

    coverage = {("m.py", n): [MODULE_LEVEL] for n in (3, 9, 10)} | {("m.py", 12): ["t"]}
    untraced = Baseline("f", {"t": 0.1}, coverage, self_import={"m.py": [3]})
    traced = replace(untraced, collection={"m.py": [3, 10]})  # collection imports the package again: line 3 too
    assert context(untraced, "sum(values))") == (0, None, None)
    assert context(traced, "LIMIT = 3") == (1, 0, 0)
    assert context(traced, "sum(values))") == (0, 1, 0)
    assert context(traced, "start > LIMIT") == (0, 0, 1)  # import-time, run by neither: pytest's start-up
    assert context(traced, "return sum(values)") == (0, 0, 0)
    candidate = Candidate("c", Kind.BUG, "r", "m.py", "total", 1, "op", "fam", "", (), (_edit("sum(values))"),))
    assert "collection_line" not in BaselineCoverage(traced, lambda _: SOURCE).dynamic_features(candidate)[0]  # off
