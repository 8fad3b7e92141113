"""Thin click commands over the library. Exit codes: 0 ok, 1 gate failed, 2 usage or input error, 3 runtime error.

Heavy modules (torch, transformers, the harness) are imported inside the commands that need them, so
``bugprm --help`` and the parsing stages start fast and never load torch.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bugprm import __version__
from bugprm.errors import BugprmError

EXIT_CODES_HELP = "Exit codes: 0 ok, 1 gate failed (--fail-under), 2 usage or input error, 3 runtime error."

store_option = click.option(
    "--store", "store_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Run directory holding the store (default: .bugprm/ in the repository).",
)


@click.group(help=f"Learn which code changes are real bugs and which patches are right.\n\n{EXIT_CODES_HELP}")
@click.version_option(__version__, prog_name="bugprm")
def cli() -> None:
    """The bugprm command group."""


@cli.command(help="Parse REPO with tree-sitter and write a pool of candidate bugs into the store.")
@click.argument("repo", type=click.Path(path_type=Path))
@store_option
@click.option("--max", "max_candidates", type=click.IntRange(min=1), default=None,
              help="Sample a stratified subset of at most N candidates.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for --max sampling.")
def generate(repo: Path, store_dir: Path | None, max_candidates: int | None, seed: int) -> None:
    from bugprm.generate import generate_pool
    from bugprm.report.console import print_generate_summary

    summary = generate_pool(repo, store_dir, max_candidates=max_candidates, seed=seed)
    print_generate_summary(summary)


@cli.command(help="Write the store's trajectories, one JSON object per line.")
@click.argument("repo", type=click.Path(path_type=Path), required=False)
@store_option
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option("--output", "-o", type=click.File("w"), default="-", help="Output file (default: stdout).")
def export(repo: Path | None, store_dir: Path | None, fmt: str, output) -> None:
    from bugprm.exporting import export_jsonl

    export_jsonl(_open_store(store_dir, repo), output)


@cli.command(help="The store at a glance: candidates by file, operator family and outcome.")
@click.argument("repo", type=click.Path(path_type=Path), required=False)
@store_option
@click.option("--format", "fmt", type=click.Choice(["json", "rich"]), default=None,
              help="Output format (default: rich on a terminal, json otherwise).")
def report(repo: Path | None, store_dir: Path | None, fmt: str | None) -> None:
    from bugprm.report.console import print_store_report
    from bugprm.summary import summarise_store

    print_store_report(summarise_store(_open_store(store_dir, repo)), fmt or _default_format())


@cli.group(help="Real repositories pinned in corpora/*.toml manifests.")
def corpus() -> None:
    """The corpus command group."""


@corpus.command("fetch", help="Download, verify and prepare corpus NAME (or --all): sdist, venv, green suite.")
@click.argument("names", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Fetch every manifest in corpora/.")
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to keep them (default: $BUGPRM_CORPORA or ~/.cache/bugprm/corpora).")
def corpus_fetch(names: tuple[str, ...], all_: bool, dest: Path | None) -> None:
    from bugprm.corpus import fetch, load_manifests

    for name in (list(load_manifests()) if all_ else names):
        repo = fetch(name, dest)
        click.echo(f"{repo.name}: {repo.path} (python {repo.python})")


@corpus.command("list", help="The corpus manifests and where each was fetched.")
def corpus_list() -> None:
    from bugprm.corpus import load_manifests

    for spec in load_manifests().values():
        click.echo(f"{spec.name} {spec.version}  source {spec.source}  tests {spec.tests}")


def _open_store(store_dir: Path | None, repo: Path | None):
    from bugprm.store import Store, find_store_directory

    return Store.open(find_store_directory(store_dir, repo))


def _default_format() -> str:
    return "rich" if sys.stdout.isatty() else "json"


def main() -> None:
    """Console entry point: run the group and map BugprmError to its documented exit code."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except BugprmError as exc:
        click.echo(f"bugprm: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
