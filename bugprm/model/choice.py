"""Which model a command uses when it was given none: the store's own trained model, else the base model.

The base model is ``$BUGPRM_BASE_MODEL`` where set (a base trained with ``bugprm corpus train-base``, or one trained
without the package under evaluation), else the one shipped inside the package. Torch-free: commands ask before
loading anything.
"""

from __future__ import annotations

import os
from pathlib import Path

from bugprm.config import MODEL_DIRNAME
from bugprm.errors import InputError
from bugprm.model import base
from bugprm.model.base import META_FILE

BASE_MODEL_ENV = "BUGPRM_BASE_MODEL"


def is_model_directory(path: Path) -> bool:
    return (path / META_FILE).is_file()


def base_model_directory() -> Path | None:
    """``$BUGPRM_BASE_MODEL``, else the shipped base model, else None."""
    given = os.environ.get(BASE_MODEL_ENV)
    if not given:
        return base.shipped_model_directory()
    if not is_model_directory(Path(given)):
        raise InputError(f"${BASE_MODEL_ENV} is {given}, which holds no bugprm model ({META_FILE} missing)")
    return Path(given)


def local_model_directory(store_directory: Path) -> Path | None:
    """The model ``bugprm train`` (or ``fit``) saved in the store directory, if there is one."""
    local = Path(store_directory) / MODEL_DIRNAME
    return local if is_model_directory(local) else None


def chosen_model(store_directory: Path, explicit: Path | None = None) -> tuple[Path | None, bool]:
    """(model directory, whether it is the base model): ``explicit``, else the local model, else the base; None
    where there is none of them."""
    if explicit is not None:
        return Path(explicit), False
    local = local_model_directory(store_directory)
    if local is not None:
        return local, False
    return base_model_directory(), True



def no_model_error(store_directory: Path) -> InputError:
    return InputError(f"no model to score with: {Path(store_directory) / MODEL_DIRNAME} holds none and this "
                      f"bugprm ships no base model; train one (`bugprm train REPO`), pass --model DIR, or set "
                      f"${BASE_MODEL_ENV} to a base model directory")
