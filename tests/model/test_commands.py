"""`bugprm fit` and `bugprm eval` end to end through the CLI (tiny config, synthetic labelled store)."""

import json
import sys
import types

import pytest
import yaml
from click.testing import CliRunner

from bugprm.cli import cli
from bugprm.config import PRESET_DIR
from bugprm.errors import InputError
from bugprm.model.synthetic import synthetic_candidates
from bugprm.records import Step
from bugprm.store import Store


@pytest.fixture
def labelled_store(tmp_path, monkeypatch):
    """A store whose candidates carry their step labels already; step_labels stands in for bugprm.labels."""
    fake = types.ModuleType("bugprm.labels")
    fake.step_labels = lambda candidates, executions: candidates
    monkeypatch.setitem(sys.modules, "bugprm.labels", fake)
    store = Store.open(tmp_path / "run", create=True)
    store.add_candidates(synthetic_candidates(60, seed=3))
    store.close()
    return tmp_path / "run"


@pytest.fixture
def short_config(tmp_path):
    """The tiny preset cut to two epochs: these tests are about the commands, not about learning."""
    config = yaml.safe_load((PRESET_DIR / "tiny.yaml").read_text())
    config["training"]["epochs"] = 2
    path = tmp_path / "short.yaml"
    path.write_text(yaml.safe_dump(config))
    return str(path)


@pytest.fixture
def exported(tmp_path):
    path = tmp_path / "test.jsonl"
    with path.open("w") as out:
        for c in synthetic_candidates(30, seed=4):
            steps = [{"name": str(s.name), "text": s.text, "label": s.label} for s in c.steps]
            outcome = "killed" if c.steps[3].label == 1 else "survived"
            out.write(json.dumps({"id": c.id, "kind": "bug", "steps": steps, "outcome": outcome}) + "\n")
    return path


def test_fit_then_eval(labelled_store, exported, short_config, tmp_path):
    """One fit serves both: without --out the model lands in the store directory, and eval reads it from there
    (--out itself is used by the tests below)."""
    runner = CliRunner()
    fitted = runner.invoke(cli, ["fit", "--store", str(labelled_store), "--config", short_config])
    assert fitted.exit_code == 0, fitted.output
    assert "trained on" in fitted.output and "model written to" in fitted.output
    model = labelled_store / "model"
    assert (model / "bugprm_model.json").is_file()
    predictions = tmp_path / "predictions.jsonl"
    evaluated = runner.invoke(cli, ["eval", "--model", str(model), "--data", str(exported),
                                    "--format", "json", "--predictions", str(predictions), "--threshold", "0.5"])
    assert evaluated.exit_code == 0, evaluated.output
    metrics = json.loads(evaluated.output)
    assert metrics["threshold"] == 0.5 and metrics["trajectory"]["n"] == 30
    lines = [json.loads(line) for line in predictions.read_text().splitlines()]
    assert len(lines) == 30 and len(lines[0]["steps"]) == 5
    text = runner.invoke(cli, ["eval", "--model", str(model), "--data", str(exported)])
    assert "trajectory.auroc:" in text.output and "processbench.f1:" in text.output


def test_fit_on_a_store_without_labels_says_so(tmp_path, monkeypatch):
    fake = types.ModuleType("bugprm.labels")
    fake.step_labels = lambda candidates, executions: [
        c.__class__(**{**c.__dict__, "steps": tuple(Step(s.name, s.text) for s in c.steps)}) for c in candidates]
    monkeypatch.setitem(sys.modules, "bugprm.labels", fake)
    store = Store.open(tmp_path / "run", create=True)
    store.add_candidates(synthetic_candidates(5))
    from bugprm.config import load_config
    from bugprm.model.fitting import fit_store

    with pytest.raises(InputError, match="no labelled trajectories"):
        fit_store(store, load_config("tiny"))


@pytest.mark.parametrize("args, message", [
    (["eval", "--model", "{tmp}/none", "--data", "{data}"], "no model directory"),
    (["eval", "--model", "{tmp}", "--data", "{data}"], "not a bugprm model directory"),
    (["eval", "--model", "{tmp}", "--data", "{tmp}/missing.jsonl"], "does not exist"),
    (["fit", "--config", "no-such-preset", "--store", "{tmp}"], "no config file or preset"),
    (["fit", "--store", "{tmp}/nothing"], "no bugprm store"),
])
def test_errors_exit_with_code_2_and_say_why(tmp_path, exported, monkeypatch, capsys, args, message):
    from bugprm.cli import main

    argv = [a.format(tmp=tmp_path, data=exported) for a in args]
    monkeypatch.setattr(sys, "argv", ["bugprm", *argv])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_fit_on_several_stores_then_read_that_model_as_a_corpus_prior(labelled_store, short_config, tmp_path):
    other = Store.open(tmp_path / "other", create=True)
    other.add_candidates(synthetic_candidates(40, seed=5))
    other.close()
    runner = CliRunner()
    corpus = tmp_path / "corpus"
    fitted = runner.invoke(cli, ["fit", "--store", str(labelled_store), "--with-store", str(tmp_path / "other"),
                                 "--config", short_config, "--out", str(corpus)])
    assert fitted.exit_code == 0, fitted.output
    assert "trained on" in fitted.output and json.loads((corpus / "bugprm_model.json").read_text())
    again = runner.invoke(cli, ["fit", "--store", str(labelled_store), "--config", short_config,
                                "--corpus-prior", str(corpus), "--out", str(tmp_path / "m")])
    assert again.exit_code == 0, again.output
    meta = json.loads((tmp_path / "m" / "bugprm_model.json").read_text())
    assert set(meta["priors"]) == {"forest", "text", "corpus"}
    assert meta["config"]["model"]["corpus_prior"] == str(corpus.resolve())
