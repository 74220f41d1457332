"""Putting a file in place so that nobody ever sees half of it, and nothing is replaced by
accident.

A file is written under a hidden temporary name beside its destination, flushed to disk, and
only then moved into place: a crash or a failed transfer leaves either the old file or the new
one, never a torn one. Without ``overwrite`` the move is a hard link, which fails if the name
exists, so "create only if absent" holds even against a concurrent writer.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import DestinationExists


def write_temp(chunks: Iterable[bytes], dest: Path) -> tuple[Path, int, str]:
    """Write ``chunks`` beside ``dest`` under a hidden temporary name; return it with the size
    and SHA-256 of what was written. The temporary file is removed on any failure."""
    handle = tempfile.NamedTemporaryFile(
        dir=dest.parent, prefix=f".{dest.name}.", suffix=".part", delete=False
    )
    tmp = Path(handle.name)
    digest, size = hashlib.sha256(), 0
    try:
        with handle:
            for chunk in chunks:
                handle.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, size, digest.hexdigest()


def place(tmp: Path, dest: Path, *, overwrite: bool) -> None:
    """Move the finished ``tmp`` to ``dest`` atomically (same file system). Without
    ``overwrite`` an existing ``dest`` raises :class:`DestinationExists` and is left alone.
    ``tmp`` is gone afterwards either way."""
    try:
        if overwrite:
            os.replace(tmp, dest)
            return
        try:
            os.link(tmp, dest)
        except FileExistsError:
            raise DestinationExists(dest) from None
        except OSError:  # a file system without hard links
            if os.path.lexists(dest):
                raise DestinationExists(dest) from None
            os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
