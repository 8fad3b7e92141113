"""Library chatter kept off a command's stdout and stderr: what bugprm prints there is its own output.

transformers and torch warn about their own deprecations (a ``FutureWarning`` on every command that loaded a model),
and transformers logs advice at warning level; none of it is about the user's code or something they can act on.
Set before those libraries are imported, so it holds for the whole command; bugprm's own warnings are untouched.
``PYTHONWARNINGS`` (or ``-W``) given by the user still wins, as Python gives command-line filters precedence.
"""

from __future__ import annotations

import os
import sys
import warnings

LIBRARIES = r"(transformers|torch|tokenizers|huggingface_hub|sklearn)(\..*)?$"
QUIET_CATEGORIES = (FutureWarning, DeprecationWarning, UserWarning)


def quiet_libraries() -> None:
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if sys.warnoptions:
        return
    for category in QUIET_CATEGORIES:
        warnings.filterwarnings("ignore", category=category, module=LIBRARIES)
