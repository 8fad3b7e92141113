"""Thin click commands over the library. Exit codes: 0 ok, 1 gate failed, 2 usage or input error, 3 runtime error.

Heavy modules (torch, transformers, the harness) are imported inside the commands that need them, so
``bugprm --help`` and the parsing stages start fast and never load torch.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack, contextmanager, redirect_stdout
from pathlib import Path

import click

from bugprm import __version__
from bugprm.config import AGGREGATES, GOALS, MODES, STRATEGIES, ScoringConfig
from bugprm.errors import BugprmError, InputError

EXIT_CODES_HELP = "Exit codes: 0 ok, 2 usage or input error, 3 runtime error; `score` exits 1 when its gate fails."
GATE_FOOTER = ("Exit codes: 0 ok, 1 the gate failed (--max-gaps, --fail-under; the report is written first), "
               "2 usage or input error, 3 runtime error.")

store_option = click.option(
    "--store", "store_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Run directory holding the store (default: .bugprm/ in the repository).",
)

AGGREGATE_HELP = "How step rewards make one score: min (the weakest step), product, mean or last."
WORKERS_HELP = "Parallel test workers."


def python_option(remembered: str):
    """One ``--python`` everywhere: a path or a name on PATH, never checked to exist here (the harness says why
    it cannot run it)."""
    return click.option("--python", type=click.Path(dir_okay=False), default=None,
                        help=f"The subject's interpreter (default: remembered {remembered}, else this one).")


def pytest_args_option(remembered: str = "remembered"):
    """One ``--pytest-args`` for every command that runs the subject's suite."""
    return click.option("--pytest-args", default=None,
                        help=f"Extra pytest arguments, e.g. \"-k 'not slow'\" ({remembered}).")


corpus_prior_option = click.option(
    "--corpus-prior", "corpus_prior", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
    help="A model fitted on other projects' labels: the heads also read its text prior, frozen (model.corpus_prior).",
)

executor_option = click.option(
    "--executor", type=click.Choice(["local", "ray"]), default=None,
    help="Where candidates run: this machine's workers, or a Ray cluster (pip install bugprm[ray]) "
         "(default: [tool.bugprm] executor, else local).",
)

ray_address_option = click.option(
    "--ray-address", default=None, metavar="ADDR",
    help="A running Ray cluster (head's host:port) for --executor ray; without it a local Ray runs for the command.",
)


@click.group(help=f"Learn which code changes are real bugs and which patches are right.\n\n{EXIT_CODES_HELP}")
@click.version_option(__version__, prog_name="bugprm")
@click.option("--debug", is_flag=True, help="Show the Python traceback of an error (before the command name).")
def cli(debug: bool) -> None:
    """The bugprm command group: every command first removes the workspaces of killed runs."""
    from bugprm.sweep import sweep_leftovers

    sweep_leftovers()


@cli.command(help="Parse REPO with tree-sitter and write a pool of candidate bugs into the store.")
@click.argument("repo", type=click.Path(path_type=Path))
@store_option
@click.option("--max", "max_candidates", type=click.IntRange(min=1), default=None,
              help="Sample a stratified subset of at most N candidates.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for --max sampling.")
def generate(repo: Path, store_dir: Path | None, max_candidates: int | None, seed: int) -> None:
    from bugprm.mutate.run import scan_repository, write_pool
    from bugprm.report.console import print_generate_summary

    plan = scan_repository(repo)
    with _open_store(store_dir, plan.root, create=True) as store:
        summary = write_pool(store, plan, max_candidates=max_candidates, seed=seed, progress=True)
    print_generate_summary(summary)


@cli.command(help="Write the store's trajectories, one JSON object per line.")
@click.argument("repo", type=click.Path(path_type=Path), required=False)
@store_option
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True,
              help="Output format.")
@click.option("--output", "-o", type=click.File("w"), default="-", show_default=True, help="Output file (- is stdout).")
def export(repo: Path | None, store_dir: Path | None, fmt: str, output) -> None:
    from bugprm.report.jsonl import export_jsonl

    with _open_store(store_dir, repo) as store:
        export_jsonl(store, output)


@cli.command(help="The store at a glance: candidates by file, operator family and outcome, kill rate per file, "
                  "the survivors; --format html writes the mutation-testing-elements report (opens offline).")
@click.argument("repo", type=click.Path(path_type=Path), required=False)
@store_option
@click.option("--format", "fmt", type=click.Choice(["json", "rich", "html"]), default=None,
              help="Output format (default: rich on a terminal, json otherwise).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report here (default: stdout).")
def report(repo: Path | None, store_dir: Path | None, fmt: str | None, output: Path | None) -> None:
    from bugprm.report.console import print_store_report
    from bugprm.report.summary import summarise_store

    with _open_store(store_dir, repo) as store:
        if fmt == "html":
            _write_html_report(store, output)
            return
        summary = summarise_store(store)
    with _redirected(output):
        print_store_report(summary, fmt or ("json" if output else _default_format()))


@cli.command(help="One candidate: its diff, its steps, its verdict (or the last prediction) and the tests covering "
                  "its line. ID may be any unique prefix of the id.")
@click.argument("candidate_id", metavar="ID")
@click.argument("repo", type=click.Path(path_type=Path), required=False)
@store_option
def show(candidate_id: str, repo: Path | None, store_dir: Path | None) -> None:
    from bugprm.report.inspection import candidate_view, render_view

    with _open_store(store_dir, repo) as store:
        view = candidate_view(store, candidate_id)
    click.echo(render_view(view), nl=False)


@cli.command(help="Write candidate ID into the working tree of REPO (default: the repository the store was "
                  "generated from), to look at a survivor or write the test that kills it; `git checkout FILE` "
                  "undoes it. Refuses when the file has uncommitted changes.")
@click.argument("candidate_id", metavar="ID")
@click.argument("repo", type=click.Path(exists=True, file_okay=False, path_type=Path), required=False)
@store_option
def apply(candidate_id: str, repo: Path | None, store_dir: Path | None) -> None:
    from bugprm.report.inspection import apply_candidate, resolve_candidate

    with _open_store(store_dir, repo) as store:
        candidate = resolve_candidate(store, candidate_id)
        target = repo or _recorded_repo(store)
    for path in apply_candidate(candidate, target):
        click.echo(f"applied {candidate.id} ({candidate.operator}) to {path}")


@cli.group(help="Real repositories pinned in corpora/*.toml manifests.")
def corpus() -> None:
    """The corpus command group."""


@corpus.command("fetch", help="Download, verify and prepare corpus NAME (or --all): sdist, venv, green suite.")
@click.argument("names", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Fetch every manifest in corpora/.")
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to keep them (default: $BUGPRM_CORPORA or ~/.cache/bugprm/corpora).")
def corpus_fetch(names: tuple[str, ...], all_: bool, dest: Path | None) -> None:
    from bugprm.corpus_build.fetch import fetch, load_manifests

    for name in (list(load_manifests()) if all_ else names):
        repo = fetch(name, dest)
        click.echo(f"{repo.name}: {repo.path} (python {repo.python})")


@corpus.command("list", help="The corpus manifests and where each was fetched.")
def corpus_list() -> None:
    from bugprm.corpus_build.fetch import load_manifests

    for spec in load_manifests().values():
        click.echo(f"{spec.name} {spec.version}  source {spec.source}  tests {spec.tests}")


@corpus.command("build", help="Fetch, generate the whole pool, label every candidate and write one verdict file "
                               "per package (corpora/verdicts/); resumable: a rerun continues where it stopped.")
@click.argument("names", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Every manifest in corpora/ (read again after each package).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the verdict files and CARD.md go (default: corpora/verdicts/).")
@click.option("--work", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Working folder for sdists, venvs and stores (default: $BUGPRM_CORPORA or ~/.cache/bugprm/corpora).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Parallel workers.")
@click.option("--kill-matrix-share", type=click.FloatRange(0, 1), default=0.1, show_default=True,
              help="Share of each package's killed candidates run again on every covering test.")
@click.option("--kill-matrix-cap", type=click.IntRange(min=0), default=500, show_default=True,
              help="At most this many kill-matrix candidates per package.")
@executor_option
@ray_address_option
def corpus_build(names, all_, out, work, workers, kill_matrix_share, kill_matrix_cap, executor, ray_address) -> None:
    from bugprm.corpus_build.fetch import default_destination
    from bugprm.corpus_build import BuildRequest, build_corpus
    from bugprm.corpus_build.build import VERDICT_DIR
    from bugprm.errors import HarnessError
    from bugprm.execute.executors import executor_choice

    request = BuildRequest(tuple(names), all_, out or VERDICT_DIR, work or default_destination(), workers,
                           kill_matrix_share, kill_matrix_cap, executor=executor_choice(executor, ray_address))
    summary = build_corpus(request, lambda line: click.echo(line, err=True))
    click.echo(f"built {len(summary.built)}, already done {len(summary.already_done)}, failed {len(summary.failed)}")
    if summary.failed:
        raise HarnessError(f"the build of {', '.join(sorted(summary.failed))} failed (see above); rerun to retry")


@corpus.command("train-base", help="Train the base model from the verdict files, running no test: each package's "
                                    "pool is regenerated from its sdist and joined with its verdicts on id.")
@click.option("--verdicts", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="The verdict files (default: corpora/verdicts/).")
@click.option("--exclude", multiple=True, metavar="NAME", help="Leave this package out (repeatable).")
@click.option("--only", multiple=True, metavar="NAME", help="Train on this package only (repeatable).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="The model directory.")
@click.option("--work", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Working folder for sdists and regenerated pools (default: $BUGPRM_CORPORA or ~/.cache/bugprm/corpora).")
@click.option("--repair-bugs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Killed bugs per package whose candidate patches, labelled without running them, join the "
                   "training data as repair trajectories.")
@click.option("--stores", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="The corpus build's stores/ folder (only read): the repair states' failing-test tracebacks "
                   "(default: the committed records of --messages).")
@click.option("--messages", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="The failure message records read without --stores (default: corpora/messages/).")
@click.option("--repair-package", "repair_packages", multiple=True, metavar="NAME",
              help="Only this package gives repair trajectories (repeatable; default: every package trained on).")
@click.option("--repair-cache", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep each package's repair trajectories here and reuse them while the verdict file, "
                   "--repair-bugs, the failure messages and the code that builds them are unchanged.")
def corpus_train_base(verdicts, exclude, only, out, work, repair_bugs, stores, messages, repair_packages,
                      repair_cache) -> None:
    from bugprm.corpus_build.fetch import default_destination
    from bugprm.corpus_build.base import BaseRequest, train_base_model
    from bugprm.corpus_build.build import VERDICT_DIR
    from bugprm.corpus_build.message_record import MESSAGE_DIR

    request = BaseRequest(out, verdicts or VERDICT_DIR, work or default_destination(), _names(exclude), _names(only),
                          repair_bugs=repair_bugs, stores=stores, messages=messages or MESSAGE_DIR,
                          repair_packages=_names(repair_packages), repair_cache=repair_cache)
    train_base_model(request, lambda line: click.echo(line, err=True))
    click.echo(f"base model written to {out}")


@corpus.command("messages", help="Record the failure messages of the killed bugs repair trajectories sample, by "
                                  "executing each in a copy of the fetched package (corpora/messages/); a package "
                                  "whose record matches its verdict file is skipped.")
@click.argument("names", nargs=-1, required=True)
@click.option("--verdicts", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="The verdict files (default: corpora/verdicts/; only read).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the records go (default: corpora/messages/).")
@click.option("--work", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Working folder: the packages are fetched into its corpora/, pools regenerated in base-pools/.")
def corpus_messages(names, verdicts, out, work) -> None:
    from bugprm.corpus_build.base import BaseRequest, chosen_packages
    from bugprm.corpus_build.build import VERDICT_DIR
    from bugprm.corpus_build.fetch import default_destination
    from bugprm.corpus_build.message_backfill import backfill_package
    from bugprm.corpus_build.message_record import MESSAGE_DIR

    work = work or default_destination()
    files = chosen_packages(BaseRequest(Path("."), verdicts or VERDICT_DIR, work, only=_names(names)))
    for name, path in files.items():
        backfill_package(name, path, work, out or MESSAGE_DIR, say=lambda line: click.echo(line, err=True))


@corpus.command("recount", help="Rewrite verdict files with one collection of each suite (no test runs): "
                                 "test_assertions recounted by this harness's counter, and the lines the package's "
                                 "own import runs (self_import) and those only the collection runs (collection). "
                                 "Reads the build's repositories and venvs, never writes them; the files go to --out.")
@click.option("--verdicts", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="The verdict files to recount (only read).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Where the rewritten verdict files and their CARD.md go.")
@click.option("--work", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="The corpus build's working folder (its corpora/registry.json names the repositories and venvs).")
@click.option("--only", multiple=True, metavar="NAME", help="Recount this package only (repeatable).")
@click.option("--collection-only", is_flag=True,
              help="Add the collection's lines and change nothing else (files recounted before).")
def corpus_recount(verdicts, out, work, only, collection_only) -> None:
    from bugprm.corpus_build.recount import RecountRequest, recount_verdicts

    request = RecountRequest(verdicts, out, work, _names(only), collection_only=collection_only)
    written = recount_verdicts(request, lambda line: click.echo(line, err=True))
    click.echo(f"{len(written)} verdict files written to {out}")


def _names(values: tuple[str, ...]) -> tuple[str, ...]:
    """Repeated options, each of which may also list names separated by commas."""
    return tuple(name for value in values for name in value.split(",") if name)


@cli.command(help="Rank candidate bugs (--bugs), patch files (--patch FILE...) or the changes of a revision range "
                  f"(--diff A...B) by a trained PRM's step rewards; docs/ci.md shows it in CI.\n\n{GATE_FOOTER}")
@click.argument("patch_files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bugs", is_flag=True, help="Score the store's candidate bugs (the unexecuted ones; --all for all).")
@click.option("--patch", "patch", is_flag=True, help="Score the unified diffs given as arguments against --repo.")
@click.option("--diff", "rev_range", metavar="REV_RANGE", default=None,
              help="Score bugs on the lines REV_RANGE (A..B, A...B, or A for A..HEAD) changes, and each hunk.")
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Repository for --patch and --diff (default: the current directory).")
@store_option
@click.option("--all", "all_", is_flag=True, help="With --bugs: executed candidates too.")
@click.option("--model", "model_dir", type=click.Path(path_type=Path), default=None,
              help="Trained model directory (default: model/ in the store directory, else the base model; with "
                   "--bugs the base model's coverage features cost one baseline run of the suite, kept in the store).")
@python_option("for the repository")
@pytest_args_option()
@click.option("--format", "fmt", type=click.Choice(["rich", "json", "sarif", "markdown", "stryker"]), default=None,
              help="Output format (default: rich on a terminal, json otherwise).")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Recommend 'use' at or above this aggregate score, else 'refine' (default: scoring.threshold, 0.7).")
@click.option("--aggregate", type=click.Choice(AGGREGATES), default=None,
              help=f"{AGGREGATE_HELP} Default: scoring.aggregate (min).")
@click.option("--fail-under", type=click.FloatRange(0, 1), default=None,
              help="Exit 1 when any candidate or hunk scores below this (default: scoring.fail_under).")
@click.option("--max-gaps", type=click.IntRange(min=0), default=None, metavar="N",
              help="The test-gap gate: exit 1 when more than N candidate bugs are predicted (or, verified, found) "
                   "to survive the tests. Not given: --diff applies the default gate (docs/ci.md), unless "
                   "[tool.bugprm] gate = \"none\".")
@click.option("--verify", type=click.IntRange(min=0), default=0, show_default=True, metavar="K",
              help="Run the tests of the K most uncertain predictions and show predicted against actual.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report here (default: stdout).")
@click.option("--sarif", "sarif_output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the SARIF alerts here (one scoring run for a comment and the alerts).")
def score(patch_files, bugs, patch, rev_range, repo, store_dir, all_, model_dir, python, pytest_args, fmt, threshold,
          aggregate, fail_under, max_gaps, verify, output, sarif_output) -> None:
    from bugprm.config import load_config
    from bugprm.scoring.run import ScoreRequest, run_score
    from bugprm.scoring.records import ScoreSettings

    if patch_files and not patch:
        raise click.UsageError("patch files given without --patch")
    if patch and not patch_files:
        raise click.UsageError("--patch needs one or more patch files")
    given = {"scoring.threshold": threshold, "scoring.aggregate": aggregate, "scoring.fail_under": fail_under}
    scoring = load_config(repo=repo or Path("."), overrides=given).scoring
    run_score(ScoreRequest(
        bugs=bugs, patch_files=tuple(patch_files), rev_range=rev_range, repo=repo, store_dir=store_dir,
        include_executed=all_, model_dir=model_dir, settings=ScoreSettings(scoring.aggregate, scoring.threshold),
        fmt=fmt or _default_format(), fail_under=scoring.fail_under or None, verify=verify, output=output,
        max_gaps=max_gaps, sarif_output=sarif_output, progress=True, gate=scoring.gate, python=python,
        pytest_args=pytest_args,
    ))


@cli.command(help="Train a process reward model on the labels already in the store; executes nothing.")
@store_option
@click.option("--config", "config_source", default=None, metavar="FILE|PRESET",
              help="YAML config, or a preset: tiny, default, unixcoder, qwen-coder (default: default).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Model directory to write (default: model/ in the store directory).")
@click.option("--init-from", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Continue training the model saved in this directory.")
@click.option("--source", "source_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Source folder that also feeds the tokenizer and the LM warm-up (repeatable).")
@click.option("--with-store", "extra_stores", multiple=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Also train on the labels in this run directory (repeatable): a model of several projects.")
@corpus_prior_option
def fit(store_dir: Path | None, config_source: str | None, out_dir: Path | None, init_from: Path | None,
        source_dirs: tuple[Path, ...], extra_stores: tuple[Path, ...], corpus_prior: Path | None) -> None:
    from bugprm.config import MODEL_DIRNAME, load_config, with_corpus_prior
    from bugprm.model.fitting import describe_fit, fit_store

    config = with_corpus_prior(load_config(config_source), corpus_prior)
    with ExitStack() as stack:
        store, *extra = (stack.enter_context(_open_store(path, None)) for path in (store_dir, *extra_stores))
        out = out_dir or store.directory / MODEL_DIRNAME
        model = fit_store(store, config, out, init_from, source_dirs, extra)
    click.echo(describe_fit(model, out))


@cli.command("eval", help="Evaluate a trained model on `bugprm export` jsonl or ProcessBench-format jsonl "
                           "(problem, steps, label = first wrong step or -1).")
@click.option("--model", "model_dir", required=True, type=click.Path(path_type=Path), help="Trained model directory.")
@click.option("--data", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Labelled trajectories, one JSON object per line.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--predictions", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write one line per trajectory: id, score, steps [{reward, std}].")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Step threshold (default: chosen on a 20% validation split, metrics on the rest).")
@click.option("--aggregate", type=click.Choice(AGGREGATES), default=ScoringConfig.aggregate, show_default=True,
              help=AGGREGATE_HELP)
def eval_command(model_dir: Path, data: Path, fmt: str, predictions: Path | None, threshold: float | None,
                 aggregate: str) -> None:
    import json

    from bugprm.model.evaluation import evaluate_file, format_metrics

    metrics = evaluate_file(model_dir, data, threshold, predictions, aggregate)
    click.echo(json.dumps(metrics, indent=2) if fmt == "json" else format_metrics(metrics))


@cli.command(help="Execute candidates from the store against REPO's own pytest suite and record their outcomes. "
                  "Interrupted runs resume: verdicts already made under the same settings are kept.")
@click.argument("repo", type=click.Path(exists=True, file_okay=False, path_type=Path))
@store_option
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Label a seeded sample of N candidates.")
@click.option("--fraction", type=click.FloatRange(0, 1, min_open=True), default=None,
              help="Label a seeded sample of this fraction of the pool.")
@click.option("--ids", "ids_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Label the candidate ids listed in FILE, one per line.")
@click.option("--all", "all_", is_flag=True, help="Label every candidate (the default).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help=WORKERS_HELP)
@python_option("for REPO")
@pytest_args_option()
@click.option("--full-matrix", is_flag=True, help="Run every covering test and record each failing one.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for --limit/--fraction sampling.")
@executor_option
@ray_address_option
def label(repo: Path, store_dir: Path | None, limit: int | None, fraction: float | None, ids_file: Path | None,
          all_: bool, workers: int, python: str | None, pytest_args: str | None, full_matrix: bool, seed: int,
          executor: str, ray_address: str | None) -> None:
    from bugprm.execute import describe_summary, label_store
    from bugprm.execute.executors import project_executor

    chosen_executor = project_executor(repo, executor, ray_address)
    with _open_store(store_dir, repo) as store:
        summary = label_store(store, repo, limit=limit, fraction=fraction, ids=ids_file, all_=all_, workers=workers,
                              python=python, pytest_args=pytest_args, full_matrix=full_matrix, progress=True,
                              seed=seed, executor=chosen_executor)
    click.echo(describe_summary(summary))


@cli.command(help="Candidate patches for a failing state (the repository's failing tests, or a killed candidate "
                  "bug of the store), ranked by a PRM (--model, else the store's trained model, else the base model) "
                  "or, without any, by the Ochiai suspiciousness of their line, then the smallest diff; --execute N "
                  "runs the top N and says which make the failing tests pass without breaking a passing test.")
@click.argument("repo", type=click.Path(exists=True, file_okay=False, path_type=Path))
@store_option
@click.option("--bug", "bug_id", default=None, help="Repair this killed candidate bug of the store.")
@click.option("--from-store-killed", type=click.IntRange(min=1), default=None, metavar="N",
              help="Repair a seeded sample of N killed candidate bugs of the store.")
@click.option("--top-sites", type=click.IntRange(min=1), default=10, show_default=True, metavar="K",
              help="Patch the K most suspicious lines where some repair operator applies.")
@click.option("--execute", "execute_top", type=click.IntRange(min=0), default=0, show_default=True, metavar="N",
              help="Run the tests of the top N patches of each failing state.")
@click.option("--patch", "patch_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A unified diff for the failing state, ranked (and run) beside the generated patches (repeatable).")
@click.option("--model", "model_dir", type=click.Path(path_type=Path), default=None, help="Trained model directory.")
@click.option("--format", "fmt", type=click.Choice(["rich", "json"]), default=None,
              help="Output format (default: rich on a terminal, json otherwise).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help=WORKERS_HELP)
@python_option("for REPO")
@pytest_args_option()
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for --from-store-killed sampling.")
def repair(repo, store_dir, bug_id, from_store_killed, top_sites, execute_top, patch_files, model_dir, fmt, workers,
           python, pytest_args, seed) -> None:
    from bugprm.repair import RepairRequest, run_repair
    from bugprm.report.repair import print_repair_report

    report = run_repair(RepairRequest(
        repo, store_dir, bug_id=bug_id, from_store_killed=from_store_killed, top_sites=top_sites, execute=execute_top,
        patch_files=tuple(patch_files), model_dir=model_dir, workers=workers, python=python, pytest_args=pytest_args,
        seed=seed))
    print_repair_report(report, fmt or _default_format())


@cli.command(help="ActPRM training: execute only the candidates the ensemble is uncertain about, learn, repeat.")
@click.argument("repos", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--config", "config_source", default=None, metavar="FILE|PRESET", help="YAML config or preset name.")
@click.option("--budget", default=None, help="0.2 (fraction of the pool), 150 (count) or cpu:600 (test CPU-seconds).")
@click.option("--strategy", type=click.Choice(STRATEGIES), default=None,
              help="How each round picks what to execute (default: the config's, actprm).")
@click.option("--goal", type=click.Choice(GOALS), default=None,
              help="rank: the PRM that ranks the rest best (--strategy); gaps: execute the likeliest survivors first; "
                   "estimate: the mutation score with a 95% interval from few executions.")
@click.option("--mode", type=click.Choice(MODES), default=None, help="Default: the config's (pool).")
@click.option("--diversity", "diversity_weight", type=click.FloatRange(min=0), default=None,
              help="Penalise picks close (in embedding) to ones already chosen this round.")
@click.option("--eval-fraction", type=click.FloatRange(0, 0.9), default=0.0, show_default=True,
              help="Hold out this share of the pool, execute it at the end and report metrics on it.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Model directory (default: model/ in the first repository's store).")
@click.option("--max", "max_candidates", type=click.IntRange(min=1), default=None, help="Pool size cap for new pools.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help=WORKERS_HELP)
@python_option("per repository")
@pytest_args_option("remembered per repository")
@corpus_prior_option
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Run directory holding the store, with one repository (default: .bugprm/ in each repository).")
@click.option("--from", "start_from", type=click.Choice(["base", "none"]), default=None,
              help="base: start from the base model (the rounds' forests are stacked on its scores, the final PRM "
                   "continues its weights); none: a cold start (default: base where one ships).")
@executor_option
@ray_address_option
def train(repos, config_source, budget, strategy, goal, mode, diversity_weight, eval_fraction, out_dir,
          max_candidates, workers, python, pytest_args, corpus_prior, store_dir, start_from, executor,
          ray_address) -> None:
    from bugprm.active.run import train_active
    from bugprm.active.settings import train_request
    from bugprm.execute.executors import project_executor
    from bugprm.report.card import write_card
    from bugprm.report.console import print_round, print_training_card

    request = train_request(repos, config_source, budget, strategy, mode, diversity_weight, eval_fraction, out_dir,
                            max_candidates, workers, python, pytest_args, corpus_prior, store_dir,
                            project_executor(repos[0], executor, ray_address), goal=goal, start_from=start_from)
    card = train_active(request, on_round=print_round, progress=True)
    write_card(card, request.out)
    print_training_card(card)


@cli.command(help="Learning curves: execute each REPO's whole pool once (cached in its store), then simulate active "
                  "learning from those verdicts for every strategy, budget and seed. Baselines are strategies: full, "
                  "pmt-rf, covered-killed, same-line. Writes bench.json, bench.md and PNG plots; prints the Markdown "
                  "table.")
@click.argument("repos", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--budgets", default="0.05,0.1,0.2,0.3,0.5,1.0", show_default=True,
              help="Shares of the training pool a run may execute.")
@click.option("--strategies", default="actprm,random,full,pmt-rf,covered-killed,same-line", show_default=True,
              help="Selection strategies of `train --strategy`, and the baselines.")
@click.option("--seeds", type=click.IntRange(min=1), default=3, show_default=True,
              help="Repeats of each strategy and budget, each with its own seed.")
@click.option("--config", "config_source", default=None, metavar="FILE|PRESET", help="YAML config or preset name.")
@click.option("--splits", default="within,cross", show_default=True,
              help="within: held-out candidates of each repository; cross: each repository left out in turn.")
@click.option("--held-out", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.3,
              show_default=True, help="Within-project test share.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output directory (default: bench/ in the first repository's store).")
@click.option("--max", "max_candidates", type=click.IntRange(min=1), default=None, help="Pool size cap for new pools.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help=WORKERS_HELP)
def bench(repos, budgets, strategies, seeds, config_source, splits, held_out, out_dir, max_candidates,
          workers) -> None:
    from bugprm.bench import bench_request, run_bench
    from bugprm.bench.request import default_out
    from bugprm.report.bench import write_bench

    request = bench_request(repos, budgets, strategies, seeds, config_source, splits, held_out, max_candidates, workers)
    result = run_bench(request, on_progress=lambda line: click.echo(line, err=True))
    click.echo(write_bench(result.document(), out_dir or default_out(repos)))


@cli.command(help="The main job out of the box: fetch a small real package, generate, ActPRM-train under a 20% "
                  "budget, score and report, on the embedded defaults (a few minutes on 2 CPU cores).")
@click.option("--corpus", "corpus_name", default="schema", show_default=True, help="Which corpora/ manifest to use.")
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to fetch it (default: $BUGPRM_CORPORA or ~/.cache/bugprm/corpora).")
@click.option("--config", "config_source", default="tiny", show_default=True, help="Config file or preset name.")
@click.option("--max", "max_candidates", type=click.IntRange(min=10), default=300, show_default=True,
              help="Pool size cap.")
def demo(corpus_name: str, dest: Path | None, config_source: str, max_candidates: int) -> None:
    from bugprm.demo import DemoPlan, run_demo

    plan = DemoPlan(corpus=corpus_name, config=config_source, max_candidates=max_candidates, destination=dest)
    run_demo(plan, lambda line: click.secho(line, bold=True, err=True))


def _open_store(store_dir: Path | None, repo: Path | None, create: bool = False):
    """The command's store, opened once here at its edge and passed to the stage."""
    from bugprm.store import Store, find_store_directory

    return Store.open(find_store_directory(store_dir, repo), create=create)


def _recorded_repo(store) -> Path:
    recorded = store.repository()
    if not recorded or not Path(recorded).is_dir():
        raise InputError("which repository? pass REPO (the store records none that exists here)")
    return Path(recorded)


def _write_html_report(store, output: Path | None) -> None:
    from bugprm.report.html import render_html, store_mutants_document

    page = render_html(store_mutants_document(store))
    if output is None:
        click.echo(page, nl=False)
        return
    try:
        output.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc}") from exc
    click.echo(f"wrote {output}", err=True)


@contextmanager
def _redirected(output: Path | None):
    """stdout into ``output`` while the block runs (the console renderers print)."""
    if output is None:
        yield
        return
    with output.open("w", encoding="utf-8") as handle, redirect_stdout(handle):
        yield


def _default_format() -> str:
    return "rich" if sys.stdout.isatty() else "json"


def main() -> None:
    """Console entry point: run the group and map every error to its documented exit code (never 1, which is a
    failed gate, for a crash); a traceback only with ``--debug``."""
    from bugprm.quiet import quiet_libraries

    quiet_libraries()
    debug = _debug_requested(sys.argv[1:])
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except BugprmError as exc:
        _fail(exc, debug)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a documented code, not a traceback
        from bugprm.failures import classified

        _fail(classified(exc), debug)


def _debug_requested(args: list[str]) -> bool:
    """``--debug`` among the options before the command name."""
    for arg in args:
        if not arg.startswith("-"):
            return False
        if arg == "--debug":
            return True
    return False


def _fail(error: BugprmError, debug: bool) -> None:
    if debug:
        import traceback

        traceback.print_exc()
    click.echo(f"bugprm: error: {error}", err=True)
    sys.exit(error.exit_code)
