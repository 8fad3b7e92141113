"""A model directory: ``backbone/`` and ``tokenizer/`` (save_pretrained, safetensors), ``heads.safetensors``, and
``bugprm_model.json`` (format version, tokens, ensemble shape, feature schema, config, training summary, metrics,
and the calibration of its probabilities, identity unless one was fitted).

A missing, corrupt or mismatched directory raises ``ModelError`` saying which part is wrong.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from transformers import AutoModel, AutoTokenizer
from transformers.utils import logging as hf_logging

from bugprm.config import config_from_dict
from bugprm.errors import BugprmError, ModelError
from bugprm.metrics import json_ready
from bugprm.model.device import default_device
from bugprm.model.encoding import KIND_TOKENS, STEP_TOKEN
from bugprm.model.features import FeatureSchema
from bugprm.model.prior import KINDS, Prior
from bugprm.model.prm import PRM
from bugprm.stratified_calibration import calibration_from_json, calibration_json

FORMAT_VERSION = 4  # 2: the priors the heads read; 3: the text prior hashes its n-grams with crc32; 4: prior offsets
META_FILE = "bugprm_model.json"
HEADS_FILE = "heads.safetensors"
PRIOR_FILE = "prior_{}.safetensors"


def save_model(model: PRM, directory: str | Path) -> Path:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with _no_progress_bars():
        model.backbone.save_pretrained(directory / "backbone", safe_serialization=True)
    model.tokenizer.save_pretrained(directory / "tokenizer")
    save_file({k: v.detach().cpu().contiguous() for k, v in model.heads.state_dict().items()}, directory / HEADS_FILE)
    for name, prior in model.priors.items():
        save_file({k: torch.from_numpy(v) for k, v in prior.to_saved()[1].items()}, directory / PRIOR_FILE.format(name))
    (directory / META_FILE).write_text(json.dumps(_meta(model), indent=2, sort_keys=True, default=str) + "\n")
    return directory


def load_model(directory: str | Path, device=None) -> PRM:
    directory = Path(directory)
    meta = read_meta(directory)
    try:
        config = config_from_dict(meta["config"], origin=str(directory / META_FILE))
        tokenizer = AutoTokenizer.from_pretrained(directory / "tokenizer")
        with _no_progress_bars():
            backbone = AutoModel.from_pretrained(directory / "backbone", dtype=torch.float32)
        model = PRM(backbone, tokenizer, config, FeatureSchema.from_json(meta["feature_schema"]))
        model.heads.load_state_dict(load_file(directory / HEADS_FILE))
        model.priors = {name: _load_prior(directory, name, settings) for name, settings in meta["priors"].items()}
        model.calibration = calibration_from_json(meta.get("calibration"))
        _check_shape(meta, model)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError, SafetensorError, BugprmError) as exc:
        raise ModelError(f"the model at {directory} is corrupt or mismatched: {_first_line(exc)}") from exc
    model.summary = meta.get("summary", {})
    return model.to(device or default_device()).eval()


def read_meta(directory: Path) -> dict:
    if not directory.is_dir():
        raise ModelError(f"no model directory at {directory} (train one with `bugprm fit --out DIR`)")
    path = directory / META_FILE
    try:
        meta = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ModelError(f"{directory} is not a bugprm model directory (no {META_FILE})") from exc
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path} is corrupt: {exc}") from exc
    if not isinstance(meta, dict) or meta.get("format_version") != FORMAT_VERSION:
        found = meta.get("format_version") if isinstance(meta, dict) else None
        raise ModelError(f"{directory} holds model format {found}; this bugprm reads format {FORMAT_VERSION} "
                         "(fit the model again)")
    return meta


def load_corpus_prior(directory: Path) -> Prior:
    """The text prior of the model saved in ``directory``, to be read frozen as another model's ``corpus`` prior."""
    meta = read_meta(directory)
    if "text" not in meta.get("priors", {}):
        raise ModelError(f"the model at {directory} has no text prior to serve as a corpus prior "
                         "(fit it with model.prior forest+text or text)")
    try:
        return _load_prior(directory, "text", meta["priors"]["text"])
    except (OSError, ValueError, KeyError, SafetensorError) as exc:
        raise ModelError(f"the model at {directory} is corrupt: {_first_line(exc)}") from exc


def load_fitted_prior(directory: Path, name: str) -> Prior:
    """One prior of the model saved in ``directory`` (``forest``, ``text``), without the rest of the model."""
    meta = read_meta(directory)
    if name not in meta.get("priors", {}):
        raise ModelError(f"the model at {directory} has no {name} prior")
    try:
        return _load_prior(directory, name, meta["priors"][name])
    except (OSError, ValueError, KeyError, SafetensorError) as exc:
        raise ModelError(f"the model at {directory} is corrupt: {_first_line(exc)}") from exc


def _load_prior(directory: Path, name: str, settings: dict) -> Prior:
    arrays = {k: v.numpy() for k, v in load_file(directory / PRIOR_FILE.format(name)).items()}
    return KINDS[name].from_saved(settings, arrays)


def _check_shape(meta: dict, model: PRM) -> None:
    found = {"heads": model.heads.count, "hidden_size": model.backbone.config.hidden_size}
    for key, value in found.items():
        if meta.get(key) != value:
            raise ModelError(f"{META_FILE} says {key}={meta.get(key)} but the saved weights have {value}")


def _meta(model: PRM) -> dict:
    m = model.config.model
    return {
        "format_version": FORMAT_VERSION, "step_token": STEP_TOKEN, "kind_tokens": KIND_TOKENS,
        "heads": m.heads, "head_hidden": m.head_hidden, "lambda": m.anchor_lambda, "use_features": m.use_features,
        "hidden_size": model.backbone.config.hidden_size, "feature_schema": model.schema.to_json(),
        "config": model.config.to_dict(), "config_fingerprint": model.config.fingerprint(),
        "summary": json_ready(model.summary),
        "priors": {name: prior.to_saved()[0] for name, prior in model.priors.items()},
        "calibration": calibration_json(model.calibration),
    }


@contextlib.contextmanager
def _no_progress_bars():
    """transformers draws a progress bar per weight file; a CLI writing JSON has no use for them."""
    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def _first_line(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
