"""One candidate up close: ``bugprm show ID`` (what it is, what happened or what the model predicts) and
``bugprm apply ID`` (write it into the working tree, so a survivor can be looked at and a test written for it).

Ids may be abbreviated to any unique prefix, as the reports print the first ten characters.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from bugprm.errors import InputError

from bugprm.records import Candidate, Execution
from bugprm.store import Store

SHOWN_TESTS = 20


@dataclass(frozen=True)
class CandidateView:
    """A candidate with what the store knows of it: its verdict, the last prediction, the tests covering it."""

    candidate: Candidate
    execution: Execution | None
    prediction: dict | None  # {"score", "recommendation"} from the last ``bugprm score --bugs``
    covering_tests: tuple[str, ...]


def resolve_candidate(store: Store, id_prefix: str) -> Candidate:
    """The one candidate whose id starts with ``id_prefix``; an InputError names the ambiguity or the absence."""
    matches = [c for c in store.candidates() if c.id.startswith(id_prefix)]
    if not matches:
        raise InputError(f"no candidate id starts with {id_prefix!r} in the store at {store.directory} "
                         "(`bugprm report` lists survivors, `bugprm export` every id)")
    if len(matches) > 1:
        shown = ", ".join(c.id for c in matches[:5])
        raise InputError(f"{id_prefix!r} matches {len(matches)} candidates ({shown}); give more characters")
    return matches[0]


def candidate_view(store: Store, id_prefix: str) -> CandidateView:
    candidate = resolve_candidate(store, id_prefix)
    predictions = (store.last_score() or {}).get("predictions", {})
    return CandidateView(candidate, store.verdicts().get(candidate.id), predictions.get(candidate.id),
                         covering_tests(store, candidate))


def covering_tests(store: Store, candidate: Candidate) -> tuple[str, ...]:
    """Tests the baseline run saw executing the candidate's line (none when no baseline run exists yet)."""
    fingerprint = store.fingerprint()
    if not fingerprint:
        return ()
    return tuple(store.coverage(fingerprint).get((candidate.file, candidate.line), ()))


def render_view(view: CandidateView) -> str:
    c = view.candidate
    lines = [f"{c.id}  {c.kind} {c.operator} ({c.family})", f"where    {c.file}:{c.line} in {c.function}",
             _verdict_line(view), _tests_line(view.covering_tests), "", c.diff.rstrip(), "", "steps:"]
    for step in c.steps:
        label = "" if step.label is None else f" [label {step.label}]"
        lines.append(f"  {step.name}{label}")
        lines += [f"    {text}" for text in step.text.splitlines()]
    return "\n".join(lines) + "\n"


def _verdict_line(view: CandidateView) -> str:
    if view.execution is not None:
        failing = view.execution.failing_tests
        caught = f"; failing: {', '.join(failing[:5])}" if failing else ""
        return f"verdict  {view.execution.outcome}{caught}"
    if view.prediction is not None:
        return (f"predict  {view.prediction['recommendation']} (score {view.prediction['score']:.2f}, "
                "not executed)")
    return "verdict  not executed, not scored (`bugprm label --ids FILE` runs it)"


def _tests_line(tests: tuple[str, ...]) -> str:
    if not tests:
        return "covered  by no test the baseline run saw"
    more = f" and {len(tests) - SHOWN_TESTS} more" if len(tests) > SHOWN_TESTS else ""
    return f"covered  by {len(tests)} tests: {', '.join(tests[:SHOWN_TESTS])}{more}"


def apply_candidate(candidate: Candidate, repo: Path) -> list[Path]:
    """Write the candidate's edits into ``repo``'s files; refuses when a target file has uncommitted changes or
    no longer holds the text the candidate replaces. Returns the files written."""
    from bugprm.execute.workspace import EditMismatch, apply_edits

    files = sorted({e.file for e in candidate.edits})
    if not files:
        raise InputError(f"{candidate.id} has no edits to apply (a hunk of --diff is already in the tree)")
    for file in files:
        _check_clean(repo, file)
    edited = {}
    for file in files:
        try:
            edited[file] = apply_edits((repo / file).read_bytes(), [e for e in candidate.edits if e.file == file],
                                       file)
        except (OSError, EditMismatch) as exc:
            raise InputError(f"cannot apply {candidate.id}: {exc} (regenerate the pool at this commit)") from exc
    for file, data in edited.items():
        (repo / file).write_bytes(data)
    return [repo / f for f in files]


def _check_clean(repo: Path, file: str) -> None:
    """Refuse to overwrite a file whose uncommitted changes the user would lose (``git checkout FILE`` undoes
    an applied candidate only when the file was clean)."""
    try:
        result = subprocess.run(["git", "status", "--porcelain", "--", file], cwd=repo, capture_output=True,
                                text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(f"cannot run git in {repo}: {exc}") from exc
    if result.returncode != 0:
        raise InputError(f"{repo} is not a git repository; `bugprm apply` only writes to files git can restore")
    if result.stdout.strip():
        raise InputError(f"{file} has uncommitted changes; commit or stash them before `bugprm apply`")
