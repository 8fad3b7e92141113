"""Repair trajectories of a corpus package, labelled without running a test: what a base model learns to rank
patches from (a bug trajectory's reward is P(killed); a patch's must be P(correct)).

For a seeded sample of the package's killed bugs whose kill matrix ran, the failing state is the bug applied with
every covering test the matrix saw fail, localised on the verdict file's coverage, and ``bugprm repair``'s candidate
patches are generated for it. Only those bugs: ``bugprm repair`` measures the full failing spectrum of a state the
same way (``execute.spectrum``), and a patch's Ochiai score, its line's rank and the failing-test count are what
it learns from; with a bug's first failing test alone they would be other numbers (one failing test ties every
line it runs). A patch is labelled:

- by identity (``bugprm.repair.identity``): the original code is correct, an executed candidate bug of the pool
  inherits its verdict;
- else, where the patch leaves the bug's edit untouched (it changes other bytes), incorrect. This one is an
  assumption, not a proof: the killed bug is still in the code, and a second change elsewhere that hides it is rare
  (issue 7's fully executed semver and isodate patches: every correct one undid the bug). Without these labels every
  labelled patch would sit on the bug's own line, and the model would never see a patch at an innocent line;
- else (an unknown program at the bug's edit) not at all.

A state's failing tests carry the messages recorded for the bug (``failure_messages``: the committed record of
``message_backfill``, or the corpus build's store), so its patches' traceback features come from the same kind of
text as in ``bugprm repair``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from bugprm.corpus_build.build import generated_pool
from bugprm.corpus_build.message_record import Messages
from bugprm.corpus_build.fetch import MANIFEST_DIR, manifest, unpacked
from bugprm.corpus_build.trajectories import POOLS, PackageTrajectories, verdict_baseline
from bugprm.corpus_build.verdicts import from_ranges, read_verdicts
from bugprm.execute.failing import FailingState
from bugprm.labels import step_labels
from bugprm.records import Candidate, Execution, Outcome
from bugprm.repair.candidates import DEFAULT_TOP_SITES, generate_repairs
from bugprm.repair.identity import KnownPrograms
from bugprm.repair.localize import Coverage
from bugprm.repair.sites import StateFiles, localise
from bugprm.store import Store


@dataclass(frozen=True)
class RepairSample:
    bugs: int  # killed bugs repaired per package (a seeded sample)
    seed: int = 0
    top_sites: int = DEFAULT_TOP_SITES


@dataclass(frozen=True)
class LabelledRepairs:
    candidates: tuple[Candidate, ...]  # step-labelled patches
    by_identity: int
    assumed_incorrect: int
    unlabelled: int


def package_repairs(document: dict, repo: Path, pool: list[Candidate], outcomes: dict[str, Outcome],
                    coverage: Coverage, sample: RepairSample, messages: Messages | None = None) -> LabelledRepairs:
    """Patches of ``sample.bugs`` killed bugs of the pool, labelled as the module says; ``messages``: the bugs'
    failing tests' messages, where known."""
    known = KnownPrograms(lambda file: (repo / file).read_bytes(),
                          ((c, outcomes[c.id]) for c in pool if c.id in outcomes))
    failing = failing_tests(document)
    passing = {t for t, d in zip(document["tests"], document["test_durations"]) if d is not None}
    patches, verdicts = [], {}
    for bug in killed_sample(pool, outcomes, failing, sample):
        state = FailingState(bug.id, bug.edits, failing[bug.id], (messages or {}).get(bug.id, {}))
        files = StateFiles(repo, state)
        localisation = localise(state, files, coverage, passing - set(state.failing_tests))
        found = generate_repairs(localisation, files, repo.name, sample.top_sites)
        patches += found
        verdicts.update({p.id: patch_verdict(known, state, p) for p in found})
    return _labelled(patches, verdicts)


def failing_tests(document: dict) -> dict[str, tuple[str, ...]]:
    """Candidate id -> every covering test its kill matrix saw fail, for the candidates whose matrix ran."""
    tests = document["tests"]
    matrices = ((c["id"], (c.get("matrix") or {}).get("failing")) for c in document["candidates"])
    return {i: tuple(tests[t] for t in from_ranges(failing)) for i, failing in matrices if failing}


def killed_sample(pool: list[Candidate], outcomes: dict[str, Outcome], failing: dict, sample: RepairSample):
    killed = [c for c in pool if outcomes.get(c.id) is Outcome.KILLED and failing.get(c.id)]
    chosen = {c.id for c in random.Random(sample.seed).sample(killed, min(sample.bugs, len(killed)))}
    return [c for c in killed if c.id in chosen]


def patch_verdict(known: KnownPrograms, state: FailingState, patch: Candidate) -> tuple[Outcome | None, str]:
    """(verdict, how it was found: identity, assumed or unknown)."""
    verdict = known.verdict(state, patch)
    if verdict is not None:
        return verdict, "identity"
    if not any(_touches(edit, state) for edit in patch.edits):
        return Outcome.INCORRECT, "assumed"
    return None, "unknown"


def _touches(edit, state: FailingState) -> bool:
    """Whether a patch edit (in the state's bytes) overlaps or abuts a span the bug's edits wrote."""
    spans, shift = [], 0
    for bug_edit in sorted(state.edits_in(edit.file), key=lambda e: e.start_byte):
        start = bug_edit.start_byte + shift
        end = start + len(bug_edit.replacement.encode())
        spans.append((start, end))
        shift += len(bug_edit.replacement.encode()) - (bug_edit.end_byte - bug_edit.start_byte)
    return any(edit.start_byte <= end and start <= edit.end_byte for start, end in spans)


def _labelled(patches: list[Candidate], verdicts: dict[str, tuple[Outcome | None, str]]) -> LabelledRepairs:
    executions = {i: Execution(i, v) for i, (v, _) in verdicts.items() if v is not None}
    labelled = tuple(c for c in step_labels(patches, executions) if c.id in executions)
    how = [h for _, h in verdicts.values()]
    return LabelledRepairs(labelled, how.count("identity"), how.count("assumed"), how.count("unknown"))


def built_repairs(found: PackageTrajectories, path: Path, work: Path, sample: RepairSample,
                  manifests: Path = MANIFEST_DIR, messages: Messages | None = None) -> LabelledRepairs:
    """``messages``: the package's failing-test messages (``failure_messages.document_messages``)."""
    document = read_verdicts(path)
    spec = manifest(found.name, manifests)
    repo = unpacked(spec, work / "corpora")
    with Store.open(work / POOLS / spec.name, create=True) as store:
        pool = generated_pool(spec, repo, store)
    return package_repairs(document, repo, pool, found.outcomes, verdict_baseline(document).coverage, sample,
                           messages)
