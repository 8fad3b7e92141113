"""The harness's result lines, read back: what a test id or message may hold must still reach SQLite."""
import json
import sqlite3

from bugprm.execute.results import read_results


def test_a_lone_surrogate_in_a_test_id_is_kept_escaped_and_storable(tmp_path):
    lines = [{"event": "test", "nodeid": "t.py::test_x[\ud800]", "outcome": "failed", "duration": 0.1,
              "message": "assert '\ud800' == 'a'"}]
    path = tmp_path / "results.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in lines))
    results = read_results(path)
    (nodeid, result), = results.tests.items()
    assert nodeid == "t.py::test_x[\\ud800]"
    assert result.message == "assert '\\ud800' == 'a'"
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE probe (text TEXT)")
    db.execute("INSERT INTO probe VALUES (?)", (result.message + nodeid,))
