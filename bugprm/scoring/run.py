"""``bugprm score``: resolve the SOURCE, score it, optionally verify the most uncertain, render, gate.

The CLI only collects options into a ``ScoreRequest``; the model and the harness load only when used.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from bugprm.errors import InputError
from bugprm.scoring.gate import CoverageScorer, check_default_gate
from bugprm.scoring.gaps import check_gap_gate
from bugprm.scoring.head_coverage import ensure_head_coverage, head_checked_out
from bugprm.model.choice import chosen_model, no_model_error
from bugprm.records import Kind, Oracle
from bugprm.report.score_formats import write_score_report
from bugprm.scoring.records import (
    ScoreReport, ScoreSettings, ScoringInput, check_gate, predictions_record, score_input, verify,
)
from bugprm.scoring.adapter import load_scorer
from bugprm.store import DB_NAME, Store, find_store_directory


@dataclass(frozen=True)
class ScoreRequest:
    bugs: bool = False
    patch_files: tuple[Path, ...] = ()
    rev_range: str | None = None
    repo: Path | None = None
    store_dir: Path | None = None
    include_executed: bool = False
    model_dir: Path | None = None
    settings: ScoreSettings = ScoreSettings()
    fmt: str = "json"
    fail_under: float | None = None
    verify: int = 0
    output: Path | None = None
    max_gaps: int | None = None
    sarif_output: Path | None = None
    progress: bool = False  # candidates scored so far, with the time left, on stderr
    gate: str = "gaps"  # --diff's default gate (bugprm.scoring.gate) where --max-gaps is not given; "none": no gate
    python: str | None = None  # the subject's interpreter, for the baselines coverage features need
    pytest_args: str | None = None

    @property
    def repo_or_cwd(self) -> Path:
        return self.repo or Path(".")

    @property
    def default_gate(self) -> bool:
        return self.rev_range is not None and self.max_gaps is None and self.gate == "gaps"


def run_score(request: ScoreRequest) -> ScoreReport:
    check_request(request)
    not_at_head = head_checked_out(request.repo_or_cwd, request.rev_range) if request.default_gate else None
    store = open_store(request)
    try:
        if request.default_gate:
            _warn(not_at_head or ensure_head_coverage(store, request.repo_or_cwd, request.python, request.pytest_args))
        source = scoring_input(request, store)  # a bad SOURCE is reported before a missing model
        store_directory = find_store_directory(request.store_dir, request.repo)
        model_dir, is_base = chosen_model(store_directory, request.model_dir)
        if is_base and model_dir is not None and request.bugs and measure_features(store, request):
            source = scoring_input(request, store)
        scorer, model = _scorer(request, model_dir, source, store_directory)
        report = score_input(source, serving_pool(scorer, store, source), request.settings, model, request.progress)
        if request.verify:
            report = verify(report, harness_executor(store, verify_repository(request)), request.verify)
        if request.bugs:
            store.set_last_score(predictions_record(report))
    finally:
        if store is not None:
            store.close()
    write_score_report(report, request.fmt, request.output)
    if request.sarif_output is not None:
        write_score_report(report, "sarif", request.sarif_output)
    check_gate(report, request.fail_under)
    check_gap_gate(report, request.max_gaps)
    if request.default_gate:
        check_default_gate(report)
    return report


def check_request(request: ScoreRequest) -> None:
    chosen = [flag for flag, given in (("--bugs", request.bugs), ("--patch", bool(request.patch_files)),
                                       ("--diff", request.rev_range is not None)) if given]
    if len(chosen) != 1:
        given = f" (given: {' '.join(chosen)})" if chosen else ""
        raise InputError(f"choose one SOURCE: --bugs, --patch FILE..., or --diff REV_RANGE{given}")
    if request.include_executed and not request.bugs:
        raise InputError("--all only applies to --bugs")


def open_store(request: ScoreRequest) -> Store | None:
    """The store: required for ``--bugs``; for patches and diffs used (for coverage) where one exists, and made
    where ``--verify`` needs one to run the harness from."""
    directory = find_store_directory(request.store_dir, request.repo)
    if request.bugs or (directory / DB_NAME).exists():
        return Store.open(directory)
    if request.verify or request.default_gate:
        return Store.open(directory, create=True)
    return None


def _scorer(request: ScoreRequest, model_dir: Path | None, source: ScoringInput, store_directory: Path):
    """The model's scorer and name; under the default gate with no model anywhere, coverage alone decides where the
    head's coverage is known."""
    if model_dir is not None:
        return load_scorer(model_dir), str(model_dir)
    covered = any("line_covered" in item.candidate.features for item in source.items)
    if not (request.default_gate and covered):
        raise no_model_error(store_directory)
    _warn("no model (none trained, none shipped): the gate decides by coverage alone (pass --model DIR for predictions)")
    return CoverageScorer(), CoverageScorer.name


def serving_pool(scorer, store: Store | None, source: ScoringInput):
    """The scorer bound to the repository's pool (``ModelScorer.for_pool``): the store's candidate bugs, or the
    candidates scored where the store holds none."""
    if not hasattr(scorer, "for_pool"):
        return scorer
    pool = store.candidates(Kind.BUG) if store is not None else []
    return scorer.for_pool(pool or [item.candidate for item in source.items])


def _warn(message: str | None) -> None:
    if message:
        print(f"bugprm: {message}", file=sys.stderr)


def scoring_input(request: ScoreRequest, store: Store | None) -> ScoringInput:
    from bugprm.scoring.sources import patch_files, revision_range, store_bugs

    if request.bugs:
        return store_bugs(store, include_executed=request.include_executed)
    coverage = _coverage(store, request.repo_or_cwd)
    if request.patch_files:
        return patch_files(request.repo_or_cwd, list(request.patch_files), coverage)
    return revision_range(request.repo_or_cwd, request.rev_range, coverage=coverage,
                          baseline=_baseline(store, request.repo_or_cwd))


def measure_features(store: Store, request: ScoreRequest) -> bool:
    """The coverage features the base model reads, for a pool nothing was executed on yet: one baseline run of the
    suite, kept in the store, so a second score (or a later ``label``) reuses it. False: every candidate had them."""
    from bugprm.execute.features import fill_features
    from bugprm.execute.session import HarnessSession

    if all("line_covered" in c.features for c in store.candidates(kind=Kind.BUG) if c.edits):
        return False
    repo = request.repo or _recorded_repository(store)
    with HarnessSession.open(store, repo, python=request.python, pytest_args=request.pytest_args) as session:
        return fill_features(store, session.runner, store.candidates()) > 0


def _recorded_repository(store: Store) -> Path:
    recorded = store.repository()
    if not recorded or not Path(recorded).is_dir():
        raise InputError("the base model needs the suite's coverage: pass --repo REPO (the store records no "
                         "repository that exists here)")
    return Path(recorded)


def harness_executor(store: Store, repo: Path | None = None) -> Oracle:
    """Runs candidates through the store's harness, first adding to the store those it lacks (the candidate bugs
    of a diff are made at the new revision, and need not be in the pool ``generate`` made earlier)."""
    from bugprm.execute import harness_oracle

    oracle = harness_oracle(store, repo)

    def execute(candidates):
        store.add_candidates(candidates)
        return oracle(candidates)

    return execute


def verify_repository(request: ScoreRequest) -> Path | None:
    """Where ``--verify`` runs: for ``--diff`` the git work tree the candidates were made in, else ``--repo`` (None:
    the repository the store recorded)."""
    if request.rev_range is None:
        return request.repo
    from bugprm.scoring.sources.revisions import open_git_repo

    return Path(open_git_repo(request.repo_or_cwd).working_tree_dir)


def _coverage(store: Store | None, repo):
    """Coverage of the current sources only, never of an older commit by line number."""
    from bugprm.execute.saved import current_coverage

    return current_coverage(store, Path(repo)) if store is not None else None


def _baseline(store: Store | None, repo):
    """The store's baseline (its tests and coverage) when measured on the sources as they are now, so ``--diff``
    bugs read as the pool's do."""
    from bugprm.execute.saved import current_baseline

    return current_baseline(store, Path(repo)) if store is not None else None
