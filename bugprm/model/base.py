"""Where the base PRM that ships inside the package lives: torch-free, so commands can ask before loading a model.

The base model is a ``save_model`` directory trained on the executed corpus (``corpora/verdicts/``) plus its
``CARD.md``; commands that need a model and were given none start from it.
"""

from __future__ import annotations

from pathlib import Path

SHIPPED_DIRECTORY = Path(__file__).with_name("shipped")
META_FILE = "bugprm_model.json"  # bugprm.model.io.META_FILE, repeated here so that asking never imports torch


def shipped_model_directory() -> Path | None:
    """The base model's directory inside the installed package, or None where this build ships none."""
    return SHIPPED_DIRECTORY if (SHIPPED_DIRECTORY / META_FILE).is_file() else None
