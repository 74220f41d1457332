"""The lock's journal: what apply records between two writes of the whole lock.

Rewriting a 10,000-source lock after each of 10,000 submissions would make apply quadratic.
Instead each change (the entries it touches) is appended to a journal as one JSON line and
fsynced before apply goes on, and the whole lock is rewritten (atomically) only when the journal
has grown as large as the lock, and at the end; so a submission costs about the same whatever
the lock's size. The lock plus its journal is always true: every reader replays the journal, and
the next apply folds it in. A crash in the middle of an append leaves at most a torn last line,
which records nothing that was relied on (apply goes on only once a line is on disk), so it is
ignored; damage anywhere else is an error, and the files are left alone.

The journal lives in ``.xrt-reconcile/`` beside the spec: it is the tool's working state, not
something to commit.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .paths import WORKDIR


def journal_path(lock_path: Path) -> Path:
    return Path(lock_path).parent / WORKDIR / f"{Path(lock_path).name}.journal"


def append(path: Path, event: dict[str, Any]) -> int:
    """Append one change and wait until it is on disk; the bytes written."""
    line = (json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            + "\n").encode()
    path.parent.mkdir(parents=True, exist_ok=True)
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
    """The recorded changes, oldest first ([] without a journal)."""
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
    return out


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
