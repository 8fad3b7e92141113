"""The process reward model: the only package that imports torch, transformers and tokenizers.

Names resolve lazily, so ``from bugprm.model.scores import TrajectoryScore`` (or ``bugprm.model.examples``)
never loads torch; ``from bugprm.model import PRM`` does.
"""

from importlib import import_module

_EXPORTS = {
    "PRM": "prm",
    "TrajectoryScore": "scores",
    "Example": "examples",
    "from_candidate": "examples",
    "read_examples": "examples",
    "fit": "fitting",
    "fit_store": "fitting",
    "new_model": "training",
    "train": "training",
    "update": "training",
    "TrainLog": "training",
    "save_model": "io",
    "load_model": "io",
    "evaluate": "evaluation",
    "evaluate_file": "evaluation",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'bugprm.model' has no attribute {name!r}")
    return getattr(import_module(f"bugprm.model.{_EXPORTS[name]}"), name)
