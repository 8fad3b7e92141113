"""The command line is consistent: every command is walked through click's own tree, so a new command or option
that breaks a rule fails here, naming itself."""

from __future__ import annotations

import click
import pytest

from bugprm.cli import GATE_FOOTER, cli

# Commands that never open a run store, and why; every other command must take --store.
NO_STORE = {
    "corpus fetch": "downloads manifests into a cache folder",
    "corpus list": "reads the manifests only",
    "corpus build": "keeps one store per package under --work",
    "corpus train-base": "regenerates each package's pool in its own store under --work",
    "corpus recount": "rewrites verdict files after collecting suites in copies of the build's repositories",
    "corpus messages": "runs sampled bugs in copies of packages fetched under --work, writes records beside the verdicts",
    "eval": "reads a model directory and a jsonl file",
    "demo": "makes its own store in the fetched corpus",
    "bench": "reads the store of each of several repositories",
}
GATED = {"score"}  # commands that can exit 1 because a gate failed


def commands(group: click.Group = cli, prefix: str = ""):
    for name, command in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            yield from commands(command, f"{path} ")
        else:
            yield path, command


def options(command: click.Command):
    return [p for p in command.params if isinstance(p, click.Option) and p.name != "help"]


ALL = list(commands())
IDS = [path for path, _ in ALL]


def test_the_walk_finds_every_command():
    assert {"generate", "label", "train", "fit", "score", "report", "show", "apply", "corpus list"} <= set(IDS)


@pytest.mark.parametrize("path,command", ALL, ids=IDS)
def test_every_option_has_help(path, command):
    assert [o.opts[-1] for o in options(command) if not (o.help or "").strip()] == []


@pytest.mark.parametrize("path,command", ALL, ids=IDS)
def test_defaults_are_shown(path, command):
    """An option with a fixed default shows it (one computed at run time says so in its help)."""
    hidden = [o.opts[-1] for o in options(command)
              if not (o.is_flag or o.multiple or o.required) and o.default is not None and not o.show_default]
    assert hidden == []


@pytest.mark.parametrize("path,command", ALL, ids=IDS)
def test_commands_that_read_the_store_take_store(path, command):
    has_store = any("--store" in o.opts for o in options(command))
    assert has_store == (path not in NO_STORE)


@pytest.mark.parametrize("path,command", ALL, ids=IDS)
def test_the_gate_footer_only_where_there_is_a_gate(path, command):
    assert (GATE_FOOTER in (command.help or "")) == (path in GATED)


def test_python_has_one_type_everywhere():
    found = {path: type(o.type).__name__ for path, command in ALL for o in options(command) if o.name == "python"}
    assert set(found) >= {"label", "repair", "train"} and len(set(found.values())) == 1, found


def test_train_store_names_one_run_directory(tmp_path):
    from click.testing import CliRunner

    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    result = CliRunner().invoke(cli, ["train", str(first), str(second), "--store", str(tmp_path / "s")])
    assert "--store names one run directory" in str(result.exception)
    assert not (tmp_path / "s").exists()


def test_score_takes_python_and_pytest_args_as_label_does():
    def option(command: str, name: str):
        return next(o for o in cli.commands[command].params if o.name == name)

    assert option("score", "pytest_args").help == option("label", "pytest_args").help
    assert type(option("score", "python").type) is type(option("label", "python").type)
