"""The plugin reports each test as a JSON line; nothing a test prints can change what bugprm reads."""

from __future__ import annotations

import json

from harness.assertions import count_assertions


def test_outcomes_come_from_json_lines_whatever_the_tests_print(make_slot):
    slot = make_slot({"test_m.py": '''
        import os, sys, pytest

        def test_pass():
            print('{"event": "test", "nodeid": "fake", "outcome": "failed"}')
            os.write(1, b'{"event": "finish", "exitstatus": 3}\\n')
            sys.stderr.write("noise\\n")

        def test_fail():
            assert 1 == 2

        @pytest.mark.skip
        def test_skip():
            pass

        @pytest.mark.xfail
        def test_xfail():
            assert False
    '''})
    report, results = slot.run(None, 60)
    outcomes = {t.split("::")[1]: r.outcome for t, r in results.tests.items()}
    assert outcomes == {"test_pass": "passed", "test_fail": "failed", "test_skip": "skipped", "test_xfail": "skipped"}
    assert results.exitstatus == 1 and report.code == 1
    assert "assert 1 == 2" in results.tests["test_m.py::test_fail"].message


def test_wanted_tests_run_in_the_given_order_and_missing_ones_are_reported(make_slot):
    slot = make_slot({"test_m.py": "def test_a(): pass\ndef test_b(): pass\ndef test_c(): pass\n"})
    _, results = slot.run(("test_m.py::test_c", "test_m.py::test_a", "test_m.py::gone"), 60, files=("test_m.py",))
    assert results.started == ["test_m.py::test_c", "test_m.py::test_a"]
    assert results.missing == ["test_m.py::gone"]


def test_a_collection_error_is_an_event(make_slot):
    slot = make_slot({"test_m.py": "import no_such_module_anywhere\n"})
    _, results = slot.run(None, 60)
    assert "no_such_module_anywhere" in results.collect_errors["test_m.py"]


def test_coverage_contexts_separate_import_time_lines_from_each_test(make_slot):
    slot = make_slot({"m.py": "X = 1\n\ndef f():\n    return X\n",
                      "test_m.py": "import m\n\ndef test_f():\n    assert m.f() == 1\n"})
    coverage = slot.workspace.tmp / "coverage.json"
    slot.run(None, 60, mode="spawn", coverage=str(coverage), assertions=True)
    lines = json.loads(coverage.read_text())["m.py"]
    assert lines["1"] == [""] and lines["3"] == [""]
    assert lines["4"] == ["test_m.py::test_f"]


def test_assertions_count_assert_statements_and_assert_calls():
    def plain():
        assert 1
        assert 2, "two"

    def unittest_style(self):
        self.assertEqual(1, 1)
        self.assertTrue(True)
        mock.assert_called_once_with(1)  # noqa: F821 - a mock's check is an assertion too
        print(1)

    def checks_raising():
        with pytest.raises(ValueError):  # noqa: F821
            int("x")

    assert count_assertions(plain) == 2
    assert count_assertions(unittest_style) == 3
    assert count_assertions(checks_raising) == 1
    assert count_assertions(len) == 0


def _module_helper(value):
    assert value


def _module_no_check(value):
    return value


class _Base:
    def check(self, value):
        self.assertEqual(value, 1)

    def check_twice(self, value):
        self.check(value)
        _module_helper(value)

    def compute(self, value):
        return value

    def check_message(self, value):
        self.assertEqual(value, 1, '''\
a message starting at column 0
''')


class _Case(_Base):
    def test_through_helpers(self):
        self.check(1)  # a method of a base class that asserts
        self.check_twice(1)  # a helper that calls helpers that assert
        _module_helper(1)  # a module function that asserts
        self.compute(1)
        _module_no_check(1)
        self.check_message(1)  # its source cannot be dedented as a whole


def test_assertions_count_calls_to_helpers_that_assert():
    assert count_assertions(_Case.test_through_helpers, _Case) == 4
    assert count_assertions(_Case.test_through_helpers) == 1  # no class: self.* cannot be looked up


def test_lines_run_while_collecting_get_their_own_context_when_asked(make_slot):
    """pytest's start-up runs before collection starts; a test module's module-level call runs during it."""
    slot = make_slot({"m.py": "def mark(f):\n    return f\n\ndef g():\n    return 1\n",
                      "test_m.py": "import m\n\n@m.mark\ndef helper():\n    pass\n\ndef test_g():\n    assert m.g()\n",
                      "conftest.py": "import m\n"})
    coverage = slot.workspace.tmp / "coverage.json"
    slot.run(None, 60, mode="spawn", coverage=str(coverage), collection=True)
    lines = json.loads(coverage.read_text())["m.py"]
    assert lines["1"] == [""]  # the root conftest imports m while pytest starts up
    assert lines["2"] == ["<collection>"]
    assert lines["5"] == ["test_m.py::test_g"]
