"""One exception tree for the whole library; the CLI maps each branch to a documented exit code.

Exit codes: 0 ok, 1 a gate failed (``--fail-under``), 2 usage or input error, 3 runtime error.
Test failures, timeouts and skips are outcomes, never exceptions.
"""


class BugprmError(Exception):
    """Base of every error bugprm raises on purpose."""

    exit_code = 3


class InputError(BugprmError):
    """The user gave us something we cannot use: a missing path, a bad option, a patch that does not apply."""

    exit_code = 2


class RepoError(InputError):
    """The repository is missing, has no source files, or is not a git repository where one is needed."""


class ConfigError(InputError):
    """A YAML config is unreadable or names an unknown key."""


class StoreError(BugprmError):
    """The store is missing, corrupt, or from another schema version."""

    exit_code = 2


class ModelError(BugprmError):
    """A model directory is missing, corrupt, or was written by another format version."""

    exit_code = 2


class HarnessError(BugprmError):
    """The test harness cannot produce trustworthy verdicts (red suite, no tests, failed sanity checks)."""


class GateFailed(BugprmError):
    """A CI gate such as ``--fail-under`` was not met."""

    exit_code = 1
