"""Incremental across commits (issue 17, part 2), on a real git repository made from h_calc.

Commit 1 labels the candidates of three functions. Commit 2 adds a helper above them (every byte offset below it
moves) and changes one line of ``is_even``: the other verdicts are reused as they were, ``is_even``'s are made
afresh, and the store holds no stale candidate. Commit 3 edits the test covering ``scale``: only ``scale``'s
verdicts are made again.
"""

from __future__ import annotations

import subprocess

import pytest

from bugprm.execute import label_pool
from bugprm.mutate.run import generate_pool
from bugprm.store import Store

OPS = "src/calc/ops.py"
TESTS = "tests/check_ops.py"
LABELLED = ("add", "is_even", "scale")


def _git(repo, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True,
                   capture_output=True)


def _commit(repo, file, old, new, message):
    path = repo / file
    path.write_text(path.read_text().replace(old, new, 1))
    _git(repo, "commit", "-qam", message)


def _state(repo):
    with Store.open(repo / ".bugprm") as store:
        candidates = {c.id: c for c in store.candidates()}
        verdicts = store.executions(store.get_meta("fingerprint"))
        rows = store._db.execute("SELECT candidate_id, executed_at FROM executions").fetchall()
    return candidates, verdicts, dict(rows)


def _label(repo, h):
    generate_pool(repo, None)
    candidates, _, _ = _state(repo)
    ids = [i for i, c in candidates.items() if c.function in LABELLED]
    return label_pool(repo, None, ids=ids, workers=2, **h.FAST), ids


@pytest.fixture(scope="module")
def history(h, tmp_path_factory):
    repo = h.copy_fixture("h_calc", tmp_path_factory.mktemp("incremental"))
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "calc")
    states = []
    first, _ = _label(repo, h)
    states.append((first, *_state(repo)))
    _commit(repo, OPS, "def add(", "def negate(x):\n    return -x\n\n\ndef add(", "a helper above everything")
    _commit(repo, OPS, "return n % 2 == 0", "return (n % 2) == 0", "one line of is_even")
    second, _ = _label(repo, h)
    states.append((second, *_state(repo)))
    again, _ = _label(repo, h)
    states.append((again, *_state(repo)))
    _commit(repo, TESTS, "assert scale(2) == 6", "assert scale(2) == 6\n    assert scale(0) == 0", "scale's test")
    third, _ = _label(repo, h)
    states.append((third, *_state(repo)))
    return repo, states


def _ids(candidates, *functions):
    return {i for i, c in candidates.items() if c.function in functions}


def test_an_edit_elsewhere_keeps_ids_and_verdicts_and_the_changed_function_is_labelled_again(history):
    _, states = history
    (_, old, old_verdicts, old_times), (second, new, new_verdicts, new_times) = states[0], states[1]
    kept = _ids(old, "add", "scale")
    assert kept and kept <= set(new) and kept <= set(new_verdicts)
    assert {i: old_times[i] for i in kept} == {i: new_times[i] for i in kept}  # reused, not run again
    assert {i: old_verdicts[i].outcome for i in kept} == {i: new_verdicts[i].outcome for i in kept}
    assert all(new[i].line == old[i].line + 4 for i in kept)  # relocated below the helper
    assert not _ids(old, "is_even") & set(new)
    assert second.executed == len(_ids(new, "is_even")) > 0


def test_stale_candidates_are_pruned_and_the_same_commit_twice_leaves_the_store_as_it_was(history):
    _, states = history
    (_, old, old_verdicts, _), (_, new, new_verdicts, times), (again, same, _, same_times) = states[:3]
    assert set(new_verdicts) <= set(new) and len(times) == len(new_verdicts)
    assert len(new) == len(old) - len(_ids(old, "is_even")) + len(_ids(new, "is_even", "negate"))
    assert same.keys() == new.keys() and same_times == times
    assert again.executed == 0


def test_a_changed_test_reruns_only_the_verdicts_it_covers(history):
    _, states = history
    (_, before, _, before_times), (third, after, _, after_times) = states[2], states[3]
    scale, others = _ids(after, "scale"), _ids(after, "add", "is_even")
    assert third.executed == len(scale) > 0
    assert all(after_times[i] > before_times[i] for i in scale)
    assert {i: after_times[i] for i in others} == {i: before_times[i] for i in others}
