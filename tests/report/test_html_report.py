"""``bugprm report --format html`` opened in a real headless Chromium: the bundled mutation-testing-elements
renders every candidate bug of the store with its status, from a file, offline.

Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``): standard library only, no
websocket client, no port. It reads commands on fd 3 and writes replies on fd 4, each a JSON message ended by NUL.
The test skips when no chromium binary is installed (``apt-get install -y chromium``), except in CI (``CI=true``),
where the README's test command installs it: there a missing browser fails the test.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import tempfile
import time

import pytest

from bugprm.records import Kind
from bugprm.report.stryker import STATUS
from bugprm.store import Store

STATUSES = json.dumps(sorted({*STATUS.values(), "Pending"}))
# Every mutant span the file view rendered, {id: status}, read through the shadow roots.
RENDERED_MUTANTS = """(() => {
  const statuses = new Set(%s);
  const found = {};
  const walk = (node) => {
    if (node.nodeType === 1) {
      if (node.dataset && node.dataset.mutantId) {
        found[node.dataset.mutantId] = [...node.classList].find(c => statuses.has(c)) || null;
      }
      if (node.shadowRoot) walk(node.shadowRoot);
    }
    for (const child of node.childNodes) walk(child);
  };
  if (document.body) walk(document.body);
  return Object.keys(found).length ? found : null;
})()""" % STATUSES


def expected_statuses(store_dir) -> dict[str, str]:
    with Store.open(store_dir) as store:
        executions = store.executions("fp")
        return {c.id: STATUS[executions[c.id].outcome] if c.id in executions else "Pending"
                for c in store.candidates(Kind.BUG)}


def write_report(bugprm_cli, store_dir, path):
    code, _, err = bugprm_cli("report", "--store", str(store_dir), "--format", "html", "-o", str(path))
    assert code == 0, err
    return path.read_text()


def test_html_report_inlines_its_script_and_a_schema_document(bugprm_cli, executed_store, tmp_path):
    page = write_report(bugprm_cli, executed_store, tmp_path / "report.html")
    assert "src=\"http" not in page and "data:text/javascript;base64," in page
    literal = page.split(".report = ", 1)[1].split(";\n</script>", 1)[0]
    document = json.loads(literal)
    assert document["schemaVersion"] == "2"
    assert {m["id"]: m["status"] for m in document["files"]["app.py"]["mutants"]} == expected_statuses(executed_store)


def test_html_report_shows_every_candidate_with_its_status_in_chromium(bugprm_cli, executed_store, tmp_path):
    binary = chromium_or_skip()
    page_path = tmp_path / "report.html"
    write_report(bugprm_cli, executed_store, page_path)
    expected = expected_statuses(executed_store)
    assert {"Killed", "Survived", "NoCoverage", "Pending"} <= set(expected.values())
    with Chromium(binary) as browser:
        session = browser.open_page(page_path.as_uri() + "#mutant/app.py")
        rendered = browser.wait_for(session, RENDERED_MUTANTS)
    assert rendered == expected


FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--remote-debugging-pipe")


def chromium_binary() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def chromium_or_skip() -> str:
    """The browser; without one the test skips, or fails in CI, where the README's test command installs it."""
    binary = chromium_binary()
    if binary is None:
        missing = "chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{missing}, and CI=true: the README's test command installs it")
        pytest.skip(missing)
    return binary


@pytest.mark.parametrize("ci, outcome", [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_a_missing_browser_fails_in_ci_and_skips_elsewhere(monkeypatch, ci, outcome):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome):
        chromium_or_skip()


class Chromium:
    def __init__(self, binary: str, timeout: float = 30.0):
        self.timeout, self._buffer, self._next_id = timeout, b"", 0
        self._profile = tempfile.TemporaryDirectory(prefix="bugprm-chromium-", ignore_cleanup_errors=True)
        ours_read, theirs_write = os.pipe()
        theirs_read, ours_write = os.pipe()
        self._process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=False,
            preexec_fn=lambda: _as_fds_3_and_4(theirs_read, theirs_write))
        os.close(theirs_read)
        os.close(theirs_write)
        self._read_fd, self._write_fd = ours_read, ours_write

    def __enter__(self) -> "Chromium":
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.send("Browser.close")
            self._process.wait(timeout=10)
        except (OSError, RuntimeError, TimeoutError, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait(timeout=30)
        os.close(self._read_fd)
        os.close(self._write_fd)
        self._profile.cleanup()

    def open_page(self, url: str) -> str:
        """A new tab on ``url``; returns the session id its commands go to."""
        target = self.send("Target.createTarget", {"url": url})["targetId"]
        return self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]

    def evaluate(self, session: str, expression: str):
        reply = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"page script failed: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def wait_for(self, session: str, expression: str, seconds: float = 20.0):
        """Evaluate until the value is truthy (the page renders asynchronously); the last value on timeout."""
        deadline = time.monotonic() + seconds
        while True:
            value = self.evaluate(session, expression)
            if value or time.monotonic() > deadline:
                return value
            time.sleep(0.2)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write_fd, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def _receive(self) -> dict:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._read_fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError(f"chromium did not answer within {self.timeout:.0f}s")
            chunk = os.read(self._read_fd, 1 << 16)
            if not chunk:
                raise RuntimeError(f"chromium closed the pipe (exit code {self._process.poll()})")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)


def _as_fds_3_and_4(read_fd: int, write_fd: int) -> None:
    """In the child: the pipe ends as fds 3 and 4, inheritable (dup first, as either may already be 3 or 4)."""
    read_copy, write_copy = os.dup(read_fd), os.dup(write_fd)
    os.dup2(read_copy, 3)
    os.dup2(write_copy, 4)
