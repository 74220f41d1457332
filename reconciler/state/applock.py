"""One apply at a time per spec: a second one on the same spec fails at once, naming the holder.

An OS file lock (``filelock``) is released by the kernel when its holder dies, even by
``kill -9``, so a crash never leaves the spec locked. Beside it a small file says who holds it
(host, process, since when) for the message the second apply prints.
"""

from __future__ import annotations

import json
import os
import socket
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from filelock import FileLock, Timeout

from ..errors import UserError
from .lockfile import atomic_write
from .paths import workdir


def _paths(spec_path: Path) -> tuple[Path, Path]:
    base = workdir(spec_path) / f"{Path(spec_path).name}.apply"
    return base.with_suffix(".lock"), base.with_suffix(".holder")


@contextmanager
def holding(spec_path: Path, what: str = "apply") -> Iterator[None]:
    lock_file, holder_file = _paths(spec_path)
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_file), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise UserError(
            f"another {what} is running on {spec_path} ({_holder(holder_file)}); wait for it to "
            "finish, or stop it first. Two applies on one spec would race to submit the same "
            "jobs"
        ) from None
    try:
        atomic_write(holder_file, json.dumps({
            "host": socket.gethostname(), "pid": os.getpid(),
            "since": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
            "command": what,
        }) + "\n")
        yield
    finally:
        holder_file.unlink(missing_ok=True)
        lock.release()


def _holder(path: Path) -> str:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return f"process {data['pid']} on {data['host']}, since {data['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "holder unknown"
