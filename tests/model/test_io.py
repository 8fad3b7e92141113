"""Model directories: a save/load round trip scores identically; missing, corrupt or mismatched ones: ModelError."""

import json
import shutil

import pytest

from bugprm.errors import ModelError
from bugprm.model.io import FORMAT_VERSION, HEADS_FILE, META_FILE, load_model, save_model


@pytest.fixture(scope="module")
def saved(trained, tmp_path_factory):
    directory = tmp_path_factory.mktemp("model")
    save_model(trained[0], directory)
    return directory


def test_round_trip_gives_identical_scores(trained, saved, test_examples):
    before = trained[0].score(test_examples)
    after = load_model(saved).score(test_examples)
    assert after == before  # every mean, std, per-head probability and embedding, bit for bit


def test_model_directory_layout_and_metadata(saved, trained):
    assert (saved / "backbone" / "model.safetensors").is_file()
    assert (saved / "backbone" / "config.json").is_file()
    assert (saved / "tokenizer" / "tokenizer.json").is_file()
    assert (saved / HEADS_FILE).is_file()
    meta = json.loads((saved / META_FILE).read_text())
    assert meta["format_version"] == FORMAT_VERSION and meta["step_token"] == "<step>"
    assert meta["heads"] == 4 and meta["lambda"] == 0.001
    assert meta["config"]["model"]["hidden_size"] == 64
    assert meta["feature_schema"] == {"names": [], "means": [], "scales": []}


def test_missing_directory(tmp_path):
    with pytest.raises(ModelError, match="no model directory"):
        load_model(tmp_path / "nothing")


def test_directory_without_metadata(tmp_path):
    with pytest.raises(ModelError, match="not a bugprm model directory"):
        load_model(tmp_path)


@pytest.mark.parametrize("break_it, message", [
    (lambda d: (d / META_FILE).write_text("{not json"), "corrupt"),
    (lambda d: (d / HEADS_FILE).write_bytes((d / HEADS_FILE).read_bytes()[:100]), "corrupt or mismatched"),
    (lambda d: (d / "backbone" / "model.safetensors").unlink(), "corrupt or mismatched"),
    (lambda d: shutil.rmtree(d / "tokenizer"), "corrupt or mismatched"),
    (lambda d: _edit_meta(d, format_version=99), "format 99"),
    (lambda d: _edit_meta(d, heads=8), "heads=8"),
    (lambda d: _edit_meta(d, config={"model": {"colour": "red"}}), "unknown key 'colour'"),
])
def test_broken_directories_are_model_errors(saved, tmp_path, break_it, message):
    copy = tmp_path / "copy"
    shutil.copytree(saved, copy)
    break_it(copy)
    with pytest.raises(ModelError, match=message):
        load_model(copy)


def _edit_meta(directory, **changes):
    meta = json.loads((directory / META_FILE).read_text())
    meta.update(changes)
    (directory / META_FILE).write_text(json.dumps(meta))
