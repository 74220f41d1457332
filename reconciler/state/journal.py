"""The lock's journal: what apply records between two writes of the whole lock.

Rewriting a 10,000-source lock after each of 10,000 submissions would make apply quadratic.
Instead each change (the entries it touches) is appended to a journal as one JSON line and
fsynced before apply goes on, and the whole lock is rewritten (atomically) only when the journal
has grown as large as the lock, and at the end; so a submission costs about the same whatever
the lock's size. The lock plus its journal is always true: every reader replays the journal, and
the next apply folds it in. A crash in the middle of an append leaves at most a torn last line,
which records nothing that was relied on (apply goes on only once a line is on disk), so it is
ignored; damage anywhere else is an error, and the files are left alone.

A journal begins with the digest of the lock it applies to. A crash after a new lock is in
place but before its journal is removed leaves a journal whose changes are all in that lock;
replayed on it, they would bring back what the new lock left out (a source forgotten since, a
job dropped). A journal whose lock is not the one on disk is therefore ignored.

The journal lives in ``.xrt-reconcile/`` beside the spec: it is the tool's working state, not
something to commit.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .paths import WORKDIR

_SUFFIX = ".journal"
#: the key of a journal's first line: the digest of the lock it applies to
BASE = "base"


def journal_path(lock_path: Path) -> Path:
    return Path(lock_path).parent / WORKDIR / f"{Path(lock_path).name}{_SUFFIX}"


def _lock_of(path: Path) -> Path:
    """The lock whose journal is at ``path`` (the inverse of :func:`journal_path`)."""
    return path.parent.parent / path.name[: -len(_SUFFIX)]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _line(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            + "\n").encode()


def append(path: Path, event: dict[str, Any], base: str | None = None) -> int:
    """Append one change and wait until it is on disk; the bytes written. ``base``, the
    digest of the lock on disk, heads a journal that does not exist yet."""
    line = _line(event)
    path.parent.mkdir(parents=True, exist_ok=True)
    if base is not None and not path.exists():
        line = _line({BASE: base}) + line
    with open(path, "ab") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
    return len(line)


def clear(path: Path) -> None:
    path.unlink(missing_ok=True)


class JournalError(ValueError):
    """A journal line that is not the last one cannot be read."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line


def events(path: Path) -> list[dict[str, Any]]:
    """The recorded changes, oldest first ([] without a journal, or when the journal is of a
    lock that has been rewritten since)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    lines = raw.split(b"\n")
    out: list[dict[str, Any]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
            if not isinstance(event, dict):
                raise ValueError("not an object")
        except ValueError as error:
            if number == len(lines) or (number == len(lines) - 1 and not lines[-1]):
                break  # torn by a crash while appending: nothing was relied on
            raise JournalError(number, str(error)) from None
        out.append(event)
    if out and BASE in out[0]:
        if not _applies(path, out[0][BASE]):
            return []
        out = out[1:]
    return out


def _applies(path: Path, base: object) -> bool:
    """Whether the lock on disk is the one the journal at ``path`` was begun on."""
    try:
        return digest(_lock_of(path).read_bytes()) == base
    except OSError:  # the reader just read it; replaying is safer than dropping changes
        return True


def replay(data: dict[str, Any], changes: list[dict[str, Any]]) -> dict[str, Any]:
    """The lock's data (``model_dump`` form) with the changes applied in order."""
    for event in changes:
        for section in ("sources", "jobs", "observed_defaults"):
            table = data.setdefault(section, {})
            for key, value in event.get(section, {}).items():
                key = int(key) if section == "jobs" else key
                if value is None:
                    table.pop(key, None)
                else:
                    table[key] = value
        if "pending" in event:
            data["pending"] = event["pending"]
    return data
