"""Per-test line coverage with the standard library alone, so any interpreter with pytest can give it.

``sys.monitoring`` (Python >= 3.12) reports each line once per context and is then told to stay quiet there
(``DISABLE``) until the next test restarts the events: a test pays for each line it runs once, not per execution.
Below 3.12, ``sys.settrace`` (and ``threading.settrace`` for threads started later) traces only frames whose code
lives under the workspace root; every other frame runs untraced.

Lines run at import or collection time land in the empty context, as coverage.py's dynamic contexts put them;
a job may ask for collection's lines apart, in ``COLLECTION`` (``plugin``).
"""

from __future__ import annotations

import os
import sys
import threading

TOOL_NAME = "bugprm"
COLLECTION = "<collection>"  # never a pytest node id: those never start with "<"


def make_tracer(root: str):
    """The fastest line tracer this interpreter offers."""
    if hasattr(sys, "monitoring"):
        return MonitoringTracer(root)
    return SettraceTracer(root)


class _LineTracer:
    """Lines seen per context (test node id; "" for import time), limited to files under ``root``."""

    def __init__(self, root: str):
        self._root = os.path.abspath(root) + os.sep
        self._by_context: dict[str, set[tuple[str, int]]] = {}
        self._seen = self._by_context.setdefault("", set())
        self._inside: dict[str, bool] = {}

    def switch_context(self, name: str) -> None:
        self._seen = self._by_context.setdefault(name, set())

    def is_inside(self, filename: str) -> bool:
        inside = self._inside.get(filename)
        if inside is None:
            inside = self._inside[filename] = os.path.abspath(filename).startswith(self._root)
        return inside

    def lines(self) -> dict[str, dict[str, list[str]]]:
        """``{relative file: {line: [contexts]}}``, the JSON shape the baseline reads."""
        found: dict[str, dict[str, set[str]]] = {}
        for context, seen in self._by_context.items():
            for filename, line in seen:
                relative = os.path.relpath(os.path.abspath(filename), self._root)
                found.setdefault(relative, {}).setdefault(str(line), set()).add(context)
        return {f: {n: sorted(c) for n, c in lines.items()} for f, lines in found.items()}


class SettraceTracer(_LineTracer):
    def start(self) -> None:
        threading.settrace(self._on_call)
        sys.settrace(self._on_call)

    def stop(self) -> None:
        sys.settrace(None)
        threading.settrace(None)

    def _on_call(self, frame, event, arg):
        inside = self._inside.get(frame.f_code.co_filename)  # the hot path: every call in the process comes here
        if inside is None:
            inside = self.is_inside(frame.f_code.co_filename)
        return self._on_line if inside else None

    def _on_line(self, frame, event, arg):
        if event == "line":
            self._seen.add((frame.f_code.co_filename, frame.f_lineno))
        return self._on_line


class MonitoringTracer(_LineTracer):
    def start(self) -> None:
        monitoring = sys.monitoring
        self._tool = next(i for i in range(6) if monitoring.get_tool(i) is None)
        monitoring.use_tool_id(self._tool, TOOL_NAME)
        monitoring.register_callback(self._tool, monitoring.events.LINE, self._on_line)
        monitoring.set_events(self._tool, monitoring.events.LINE)

    def stop(self) -> None:
        sys.monitoring.set_events(self._tool, 0)
        sys.monitoring.register_callback(self._tool, sys.monitoring.events.LINE, None)
        sys.monitoring.free_tool_id(self._tool)

    def switch_context(self, name: str) -> None:
        super().switch_context(name)
        sys.monitoring.restart_events()

    def _on_line(self, code, line):
        if self.is_inside(code.co_filename):
            self._seen.add((code.co_filename, line))
        return sys.monitoring.DISABLE
