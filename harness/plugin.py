"""A pytest plugin that reports each test as one JSON line; bugprm never parses terminal output.

Events: ``phase`` (wall-clock time pytest was configured, then had collected), ``start`` (a test began: tells
which test was running when a child crashed or hung), ``test`` (node id, outcome passed/failed/skipped, duration
summed over setup, call and teardown), ``assertions`` (per collected test function, baseline run only),
``collect_error``, ``missing`` (wanted tests that were not collected) and ``finish`` (pytest's exit status).
With a tracer and ``trace_collection``, lines run while pytest collects (imports test modules and the conftests
below the initial ones, evaluates decorators and parametrize arguments) land in the ``COLLECTION`` context instead
of the empty one, so they are told apart from pytest's own start-up.
With a wanted list the plugin keeps only those tests, in that order (fastest first) or in pytest's own order, so the
command line only names their files: parametrised ids never go through pytest's argument parser.
"""

from __future__ import annotations

import json
import os
import time

import pytest

from .assertions import count_assertions
from .tracing import COLLECTION


class ResultsRecorder:
    def __init__(self, path: str, wanted: list[str] | None = None, assertions: bool = False, tracer=None,
                 exit_at_finish: bool = False, keep_order: bool = False, trace_collection: bool = False):
        self._out = open(path, "a", encoding="utf-8", buffering=1)
        self._exit_at_finish = exit_at_finish
        self._keep_order = keep_order
        self._wanted = wanted
        self._assertions = assertions
        self._tracer = tracer
        self._trace_collection = trace_collection and tracer is not None
        self._reports: dict[str, list] = {}

    def write(self, event: str, **fields) -> None:
        self._out.write(json.dumps({"event": event, **fields}) + "\n")
        self._out.flush()

    def pytest_configure(self, config):
        self.write("phase", name="configured", t=time.time())

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session):
        if self._trace_collection:
            self._tracer.switch_context(COLLECTION)

    def pytest_collection_finish(self, session):
        if self._trace_collection:
            self._tracer.switch_context("")
        self.write("phase", name="collected", t=time.time())

    def pytest_collection_modifyitems(self, session, config, items):
        if self._wanted is None:
            return
        by_id = {item.nodeid: item for item in items}
        kept = [by_id[i] for i in dict.fromkeys(self._wanted) if i in by_id]
        if self._keep_order:
            kept = [item for item in items if item.nodeid in set(self._wanted)]
        missing = [i for i in self._wanted if i not in by_id]
        if missing:
            self.write("missing", nodeids=missing)
        dropped = [item for item in items if item.nodeid not in set(self._wanted)]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        items[:] = kept

    def pytest_collectreport(self, report):
        if report.failed:
            self.write("collect_error", nodeid=report.nodeid, message=_short(report.longreprtext))

    def pytest_runtest_logstart(self, nodeid, location):
        self.write("start", nodeid=nodeid)
        if self._tracer is not None:
            self._tracer.switch_context(nodeid)

    def pytest_runtest_logreport(self, report):
        self._reports.setdefault(report.nodeid, []).append(report)

    def pytest_runtest_logfinish(self, nodeid, location):
        if self._tracer is not None:
            self._tracer.switch_context("")
        reports = self._reports.pop(nodeid, [])
        fields = {"nodeid": nodeid, "outcome": _outcome(reports), "duration": sum(r.duration for r in reports)}
        failed = [r for r in reports if r.failed]
        if failed:
            fields["message"] = _short(failed[0].longreprtext)
        self.write("test", **fields)

    def pytest_itemcollected(self, item):
        if self._assertions and getattr(item, "function", None) is not None:
            self.write("assertions", nodeid=item.nodeid,
                       count=count_assertions(item.function, getattr(item, "cls", None)))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session, exitstatus):
        self.write("finish", exitstatus=int(exitstatus), pid=os.getpid(), t=time.time())
        if self._exit_at_finish:
            # a disposable child: every test and fixture teardown is done, and the results are on disk; skipping
            # pytest's unconfigure (terminal summary, repeated gc.collect) saves a third of a short run
            os._exit(int(exitstatus))


def _outcome(reports) -> str:
    if any(r.failed for r in reports):
        return "failed"
    if any(r.skipped for r in reports):
        return "skipped"
    return "passed" if reports else "skipped"


def _short(text: str, limit: int = 600) -> str:
    text = text.strip()
    return text if len(text) <= limit else "..." + text[-limit:]
