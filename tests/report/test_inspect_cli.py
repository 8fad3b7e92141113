"""``bugprm show``, ``bugprm apply`` and the survivors and kill rates of ``bugprm report``, through the console
entry point on a real git project and its generated store."""

from __future__ import annotations

import json

import git

from bugprm.records import Kind, Outcome
from bugprm.store import Store


def bugs_by_outcome(store_dir) -> dict[Outcome | None, list]:
    with Store.open(store_dir) as store:
        executions = store.executions("fp")
        grouped: dict = {}
        for c in store.candidates(Kind.BUG):
            grouped.setdefault(executions[c.id].outcome if c.id in executions else None, []).append(c)
        return grouped


def test_show_prints_diff_steps_verdict_and_covering_tests(bugprm_cli, executed_store):
    survivor = bugs_by_outcome(executed_store)[Outcome.SURVIVED][0]
    code, out, err = bugprm_cli("show", survivor.id[:10], "--store", str(executed_store))
    assert code == 0, err
    assert out.startswith(f"{survivor.id}  bug {survivor.operator}")
    assert "verdict  survived" in out
    assert "covered  by 1 tests: tests/test_app.py::test_clamp" in out
    assert survivor.diff.rstrip() in out
    assert all(f"  {step.name}" in out for step in survivor.steps)


def test_show_prefers_the_verdict_and_falls_back_to_the_last_prediction(bugprm_cli, executed_store):
    killed, pending = bugs_by_outcome(executed_store)[Outcome.KILLED][0], bugs_by_outcome(executed_store)[None][0]
    with Store.open(executed_store) as store:
        store.put_json("last_score", {"predictions": {pending.id: {"score": 0.31, "recommendation": "refine"}}})
    assert "failing: tests/test_app.py::test_clamp" in bugprm_cli("show", killed.id, "--store", str(executed_store))[1]
    out = bugprm_cli("show", pending.id, "--store", str(executed_store))[1]
    assert "predict  refine (score 0.31, not executed)" in out


def test_show_rejects_unknown_and_ambiguous_ids(bugprm_cli, executed_store):
    code, _, err = bugprm_cli("show", "zzzz", "--store", str(executed_store))
    assert code == 2 and "no candidate id starts with 'zzzz'" in err
    code, _, err = bugprm_cli("show", "", "--store", str(executed_store))
    assert code == 2 and "give more characters" in err


def test_apply_writes_the_mutant_and_refuses_a_dirty_file(bugprm_cli, executed_store):
    project = executed_store.parent
    survivor = bugs_by_outcome(executed_store)[Outcome.SURVIVED][0]
    code, out, err = bugprm_cli("apply", survivor.id[:12], "--store", str(executed_store))
    assert code == 0, err
    assert f"applied {survivor.id}" in out
    diff = git.Repo(project).git.diff()
    edit = survivor.edits[0]
    assert f"-{edit.original}" in diff.replace("    ", "") or edit.replacement in diff
    changed = (project / "app.py").read_bytes()
    assert changed[edit.start_byte:edit.start_byte + len(edit.replacement.encode())] == edit.replacement.encode()
    code, _, err = bugprm_cli("apply", survivor.id, "--store", str(executed_store))
    assert code == 2 and "uncommitted changes" in err
    assert (project / "app.py").read_bytes() == changed


def test_report_lists_survivors_and_kill_rate_per_file(bugprm_cli, executed_store):
    code, out, err = bugprm_cli("report", "--store", str(executed_store), "--format", "json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["kill_rates"] == {"app.py": {"killed": 2, "scored": 4, "rate": 0.5}}
    grouped = bugs_by_outcome(executed_store)
    missed = grouped[Outcome.SURVIVED] + grouped[Outcome.NO_COVERAGE]
    assert sorted(s["id"] for s in summary["survivors"]) == sorted(c.id for c in missed)
    code, out, _ = bugprm_cli("report", "--store", str(executed_store), "--format", "rich")
    assert "2 survivors" in out and all(c.id[:10] in out for c in missed)
    assert "app.py" in out and "50%" in out
