"""The lockfile ``<spec>.lock.yaml``: what exists on the server for a spec (DESIGN §2).

It is written as sorted, indented JSON, which is YAML 1.2 too: every warm ``plan`` reads it, and
a JSON parser reads it some fifty times faster than a block-YAML one, while a layout with each
record (a payload, a product's serving job) on a line of its own keeps a one-job change a small
git diff. A lock edited into block YAML by hand is still
read. Writing is atomic (temporary file, fsync, rename), and rewriting an unchanged lock changes
no byte. A lock that cannot be read is never overwritten: the error says where it is broken and
how to get out (move it aside: a plan without a lock adopts the matching jobs from the server).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Mapping

from pydantic import ValidationError

from ..errors import UserError
from ..spec.diagnostics import Diagnostic
from . import journal
from .lock import LOCK_VERSION, Lock

LOCK_SUFFIX = ".lock.yaml"

# --- paths ---------------------------------------------------------------------------------------

def lock_path(spec_path: str | Path) -> Path:
    """``sources.yaml`` -> ``sources.lock.yaml`` beside it."""
    spec = Path(spec_path)
    stem = spec.name[: -len(spec.suffix)] if spec.suffix in (".yaml", ".yml") else spec.name
    return spec.with_name(stem + LOCK_SUFFIX)


# --- text ----------------------------------------------------------------------------------------

#: entries written on one line each: a job's payload, statuses and filled values, a product's
#: serving job and attempt, pins, an observed default. The lock stays close in size to what it
#: records, and a change to one job is still a change to a few lines.
_ONE_LINE = frozenset({"payload", "status", "filled", "serving", "attempt", "values",
                       "fingerprints", "products", "earlier"})
_ONE_LINE_ENTRIES = frozenset({"observed_defaults"})


def dumps(lock: Lock) -> str:
    """The lock as written: sorted keys, two-space indent, the entries above one a line, final
    newline; deterministic."""
    data = lock.model_dump(mode="python")  # int job ids sort as numbers
    return _encode(_prune(data), 0, "", "") + "\n"


def _encode(value: Any, depth: int, key: str, parent: str) -> str:
    if not isinstance(value, (dict, list)) or not value or \
            (key in _ONE_LINE and not _holds_records(value)) or parent in _ONE_LINE_ENTRIES:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False,
                          separators=(", ", ": "))
    inner = "  " * (depth + 1)
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(str(k), ensure_ascii=False)}: "
                 f"{_encode(v, depth + 1, str(k), key)}" for k, v in sorted(value.items())]
        return "{\n" + ",\n".join(items) + "\n" + "  " * depth + "}"
    items = [f"{inner}{_encode(v, depth + 1, '', key)}" for v in value]
    return "[\n" + ",\n".join(items) + "\n" + "  " * depth + "]"


def _holds_records(value: Any) -> bool:
    """A source's ``products`` map holds a record per product: those get a line each."""
    return isinstance(value, dict) and any(
        isinstance(v, dict) and ("serving" in v or "attempt" in v) for v in value.values())


def _prune(data: Any) -> Any:
    """Drop nulls and empty optional collections so the file shows only what is there."""
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            value = _prune(value)
            if value is None or (value in ({}, []) and key in _OPTIONAL_EMPTY):
                continue
            out[key] = value
        return out
    if isinstance(data, list):
        return [_prune(v) for v in data]
    return data


#: Collections the file omits when empty (a job's payload {} is kept: it would mean "sent nothing").
_OPTIONAL_EMPTY = frozenset({"earlier", "filled", "fingerprints", "status"})


class LockError(UserError):
    """A lock that cannot be used. The file is left as it is."""

    def __init__(self, path: Path, line: int, col: int, message: str) -> None:
        where = Diagnostic(str(path), line, col, message).render()
        super().__init__(
            f"{where}. The lock was left as it is. To start afresh, move it aside "
            f"(mv {path} {path}.broken): without a lock, plan adopts the jobs on the server "
            "that match the spec, and apply writes a new lock"
        )
        self.path = path


def _parse(text: str, path: Path) -> Lock:
    """Parse the text of the lock file at ``path``; LockError with a location when it is not a
    valid lock. Only a broken lock is read again with the slow, located YAML reader."""
    try:
        data = json.loads(text)
    except ValueError:
        data = _yaml_fallback(path)
    if not isinstance(data, dict):
        raise LockError(path, 1, 1, "not a lock (the file is not a mapping)")
    version = data.get("version")
    if version != LOCK_VERSION:
        raise LockError(path, *_locate(path, ("version",)),
                        f"lock version {version!r} is not one this xrt-reconcile reads "
                        f"(version {LOCK_VERSION})")
    try:
        lock = Lock.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        loc = tuple(first["loc"])
        raise LockError(path, *_locate(path, loc),
                        f"{'.'.join(str(p) for p in loc) or 'the lock'}: {_words(first)}") \
            from None
    for loc, problem in lock.consistency_problems():
        raise LockError(path, *_locate(path, loc), problem)
    return lock


def _words(item: Mapping[str, Any]) -> str:
    msg = str(item.get("msg", "invalid")).removeprefix("Value error, ")
    if item.get("type") == "missing":
        return "missing"
    if item.get("type") == "extra_forbidden":
        return "unknown key"
    return msg[0].lower() + msg[1:] if msg else "invalid"


def _yaml_fallback(path: Path) -> Any:
    """Not JSON: a lock edited into block YAML is still a lock; anything else is located."""
    from ..spec import yamlsrc
    from ..spec.diagnostics import SpecError
    try:
        doc = yamlsrc.read(path)
    except SpecError as error:
        first = error.diagnostics[0]
        raise LockError(path, first.line, first.col,
                        f"not readable ({first.message}); it may be truncated or mangled") \
            from None
    if doc.problems:
        first = doc.problems[0]
        raise LockError(path, first.line, first.col, first.message) from None
    return doc.data


def _locate(path: Path, loc: tuple[Any, ...]) -> tuple[int, int]:
    """Line and column of ``loc`` in the text (JSON is YAML: the YAML reader knows places)."""
    from ..spec import yamlsrc
    from ..spec.diagnostics import SpecError
    try:
        doc = yamlsrc.read(path)
    except SpecError:
        return 1, 1
    steps = [str(p) if isinstance(p, int) and _keyed(doc.data, loc, i) else p
             for i, p in enumerate(loc)]
    return doc.position(tuple(steps), key=False)


def _keyed(data: Any, loc: tuple[Any, ...], index: int) -> bool:
    """Whether ``loc[index]`` is a mapping key (job ids are keys written as text)."""
    node = data
    for step in loc[:index]:
        if isinstance(node, dict):
            node = node.get(step, node.get(str(step)))
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            return False
    return isinstance(node, dict)


# --- files ---------------------------------------------------------------------------------------

def read(path: str | Path) -> Lock | None:
    """The lock at ``path``; None when there is none yet."""
    target = Path(path)
    try:
        raw = target.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise LockError(target, 0, 0, "is a directory, not a lock file") from None
    except OSError as error:
        raise LockError(target, 0, 0, f"cannot be read: {error.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise LockError(target, line, 1, "is not UTF-8 text; it may be damaged") from None
    if not text or text.isspace():
        raise LockError(target, 1, 1, "is empty; it may have been truncated")
    return _with_journal(_parse(text, target), target)


def _with_journal(lock: Lock, target: Path) -> Lock:
    """The lock with what apply journalled since it was last written in whole."""
    where = journal.journal_path(target)
    try:
        changes = journal.events(where)
    except journal.JournalError as error:
        raise LockError(where, error.line, 1, f"the journal of {target} is damaged "
                        f"({error}); it holds submissions not yet in the lock") from None
    if not changes:
        return lock
    try:
        return Lock.model_validate(journal.replay(lock.model_dump(mode="python"), changes))
    except ValidationError as error:
        raise LockError(where, 1, 1, f"the journal of {target} does not fit the lock "
                        f"({error.errors()[0]['msg']})") from None


def write(path: str | Path, lock: Lock) -> bool:
    """Write ``lock`` atomically; False (and nothing touched) when the file already says it."""
    return write_text(Path(path), dumps(lock))


def write_text(target: Path, text: str) -> bool:
    """Write a lock's text atomically, unless the file already holds exactly it."""
    try:
        if target.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    atomic_write(target, text)
    return True


def atomic_write(target: Path, text: str) -> None:
    """Temporary file beside ``target``, fsync, rename, fsync the folder: a crash leaves the
    old file or the new one, never a torn one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.", suffix=".tmp",
        delete=False,
    )
    tmp = Path(handle.name)
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        folder = os.open(target.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(folder)
    except OSError:
        pass
    finally:
        os.close(folder)


def check_owner(lock: Lock, path: Path, server: str, user: str) -> None:
    """A lock used against another server or user is an error, never a reason to create."""
    if lock.server != server or lock.user != user:
        raise UserError(
            f"{path} belongs to server {lock.server} and user {lock.user}, but this run is for "
            f"server {server} and user {user}. A lock never moves between servers or users "
            "(the demo on --server sim and the real server must not mix): run with "
            f"--server {lock.server} --user {lock.user}, or keep a separate spec (and lock) for "
            "the other one"
        )
