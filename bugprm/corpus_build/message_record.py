"""The committed record of a corpus package's failure messages: pytest's short tracebacks of the killed bugs that
repair trajectories sample, kept beside the verdict files (``corpora/messages/NAME-VERSION.json.gz``), so that a base
model rebuilt from committed files gives its repair states the same kind of text ``bugprm repair`` reads.

A sidecar rather than a field of the verdict file: the verdict files' bytes key every repair cache and are the
corpus's published format; a record names the verdict file it belongs to by digest and is read only where that
digest still matches. Per bug it keeps the message of every recorded failing test that failed again when executed
(``message_backfill``), the bugs whose execution disagreed with the verdict file, and what the execution cost.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

from bugprm.corpus_build.fetch import MANIFEST_DIR
from bugprm.errors import InputError

MESSAGE_DIR = MANIFEST_DIR / "messages"
SCHEMA = "bugprm.corpus-failure-messages"
SCHEMA_VERSION = 1
SUFFIX = ".json.gz"

Messages = dict[str, dict[str, str]]  # bug id -> {failing test: its message}


def record_path(directory: Path, name: str, version: str) -> Path:
    return Path(directory) / f"{name}-{version}{SUFFIX}"


def verdict_digest(verdict_file: Path) -> str:
    return hashlib.sha256(Path(verdict_file).read_bytes()).hexdigest()


def messages_digest(messages: Messages) -> str:
    """What a repair cache key holds of the messages its states were given (the empty dict when none)."""
    return hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()[:24]


def write_record(path: Path, record: dict) -> int:
    """Written under a temporary name and renamed (an interrupted write leaves no record); the bytes written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    body = json.dumps({"schema": SCHEMA, "schema_version": SCHEMA_VERSION, **record}, sort_keys=True, indent=0)
    partial.write_bytes(gzip.compress(body.encode(), mtime=0))
    partial.replace(path)
    return path.stat().st_size


def read_record(path: Path) -> dict:
    try:
        record = json.loads(gzip.decompress(Path(path).read_bytes()))
    except (OSError, EOFError, ValueError) as exc:
        raise InputError(f"{path}: not a readable failure message record ({exc})") from exc
    if (record.get("schema"), record.get("schema_version")) != (SCHEMA, SCHEMA_VERSION):
        raise InputError(f"{path}: not a {SCHEMA} record of version {SCHEMA_VERSION}")
    return record


def current_record(directory: Path, verdict_file: Path, document: dict) -> dict | None:
    """The package's record where it belongs to this verdict file's bytes; None where there is none yet."""
    package = document["package"]
    path = record_path(directory, package["name"], package["version"])
    if not path.is_file():
        return None
    record = read_record(path)
    if record["verdicts_sha256"] != verdict_digest(verdict_file):
        raise InputError(f"{path} belongs to another {verdict_file.name} than this one: run "
                         f"`bugprm corpus messages {package['name']}` again to record its messages")
    return record


def is_current(directory: Path, verdict_file: Path, document: dict) -> bool:
    """Whether the package's record exists and belongs to this verdict file's bytes (a stale one is made again)."""
    package = document["package"]
    path = record_path(directory, package["name"], package["version"])
    return path.is_file() and read_record(path)["verdicts_sha256"] == verdict_digest(verdict_file)


def committed_messages(directory: Path, verdict_file: Path, document: dict) -> Messages:
    """Bug id -> {failing test: message} from the package's current record; none without a record."""
    record = current_record(directory, verdict_file, document)
    return {} if record is None else record["bugs"]
