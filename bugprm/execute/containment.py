"""What a candidate's tests can reach: the containment every harness worker starts under, and its settings.

A candidate is arbitrary code (a mutant of the user's code, or a patch someone sent), run by the repository's own
tests. By default each worker gets:

- a scrubbed environment: only the variables named in an allow-list (``BUGPRM_ENV_ALLOW`` adds names or
  ``PREFIX*`` patterns), so tokens and secrets in the user's environment are not readable by the tests;
- ``HOME``, ``TMPDIR`` and the XDG folders inside the workspace, so ``~/.something`` and temp files land in the
  copy and vanish with it;
- no network where the kernel lets an unprivileged process create a user and network namespace (Linux
  ``unshare``): the tests see only their own loopback, so they reach no other host and no local service of the
  user's. Where it is refused, bugprm says so once and runs without it (``BUGPRM_NETWORK=allow`` turns it off);
- resource limits in every test process: address space (``BUGPRM_MEMORY_MB``), CPU seconds (from the timeout), file
  size (``BUGPRM_FILE_SIZE_MB``), no core files;
- timeouts: each run's wall timeout (``BUGPRM_TIMEOUT_MULTIPLIER`` x expected + ``BUGPRM_TIMEOUT_CONSTANT``) and the
  baseline's (``BUGPRM_BASELINE_TIMEOUT``, 600 s by default).

What it does NOT protect against: the tests run as the user, so a test that opens an ABSOLUTE path outside the
workspace (not through ``HOME`` or ``TMPDIR``) can read or write anything the user can; it is not a sandbox against
code written to escape (ptrace, /proc of the user's other processes, kernel bugs); without namespaces the network is
open; an allowed variable is visible in full; limits are per process, so a test that forks many processes can use
a multiple of them.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from pathlib import Path

from bugprm.errors import ConfigError

DEFAULT_ENV_ALLOW = ("PATH", "LANG", "LANGUAGE", "LC_*", "TZ", "TERM", "PYTHONPATH", "VIRTUAL_ENV",
                     "PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD", "SYSTEMROOT")
NUMBERS = {"BUGPRM_TIMEOUT_MULTIPLIER": "timeout_multiplier", "BUGPRM_TIMEOUT_CONSTANT": "timeout_constant",
           "BUGPRM_BASELINE_TIMEOUT": "baseline_timeout", "BUGPRM_MEMORY_MB": "memory_mb",
           "BUGPRM_FILE_SIZE_MB": "file_size_mb"}
NETWORK_CHOICES = ("isolate", "allow")


def settings_from_environ(environ: dict[str, str] | None = None) -> dict:
    """HarnessConfig fields set by ``BUGPRM_*`` variables, each checked here, naming the variable when bad."""
    environ = os.environ if environ is None else environ
    found: dict = {name: _positive(key, environ[key]) for key, name in NUMBERS.items() if key in environ}
    for name in ("memory_mb", "file_size_mb"):
        if name in found:
            found[name] = int(found[name])
    if "BUGPRM_ENV_ALLOW" in environ:
        extra = tuple(n.strip() for n in environ["BUGPRM_ENV_ALLOW"].split(",") if n.strip())
        found["env_allow"] = tuple(dict.fromkeys((*DEFAULT_ENV_ALLOW, *extra)))
    if "BUGPRM_NETWORK" in environ:
        choice = environ["BUGPRM_NETWORK"].strip().lower()
        if choice not in NETWORK_CHOICES:
            raise ConfigError(f"BUGPRM_NETWORK must be one of {', '.join(NETWORK_CHOICES)}, got {choice!r}")
        found["network"] = choice
    return found


def _positive(key: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{key} must be a number, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise ConfigError(f"{key} must be a positive finite number, got {text!r}")
    return value


def allowed(name: str, allow: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in allow)


def contained_env(environ: dict[str, str], allow: tuple[str, ...], tmp: Path) -> dict[str, str]:
    """The allowed variables of ``environ``, with HOME, temp and XDG folders inside the workspace's ``tmp``."""
    env = {k: v for k, v in environ.items() if allowed(k, allow)}
    home = tmp / "home"
    for folder in (home, home / ".cache", home / ".config", home / ".local" / "share"):
        folder.mkdir(parents=True, exist_ok=True)
    env.update(HOME=str(home), USERPROFILE=str(home), TMPDIR=str(tmp), TEMP=str(tmp), TMP=str(tmp),
               XDG_CACHE_HOME=str(home / ".cache"), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local" / "share"))
    return env


_said: set[str] = set()


def say_network_state(state: str, requested: str) -> None:
    """Warn once per process when the network could not be cut off, naming why."""
    if requested != "isolate" or state == "isolated" or state in _said:
        return
    _said.add(state)
    print(f"bugprm: warning: tests run WITH network access ({state}); see README 'Threat model'",
          file=sys.stderr)
