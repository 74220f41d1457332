"""Product archives (zip, tar, tar.gz) read as one list of members, whatever the format.

Both ends of a download need this: the client checks that an archive opens and lists before
putting it in place, and extraction judges every member before writing anything. The format is
told by the file's first bytes, not by its name, so a zip saved as ``.tar.gz`` is caught.
"""

from __future__ import annotations

import gzip
import os
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import IO, Any, BinaryIO

from ..errors import UserError

_CHUNK = 1 << 16
#: POSIX and GNU tar headers carry "ustar" at byte 257
_TAR_MAGIC_AT, _TAR_MAGIC = 257, b"ustar"

#: What the readers raise for a damaged or unsupported archive.
_DAMAGED = (tarfile.TarError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError,
            zlib.error, NotImplementedError, RuntimeError, ValueError)


class ArchiveError(UserError):
    """An archive that cannot be read, or (from extraction) must not be. ``problem`` is the
    reason without the file name, for callers that name the file their own way."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"cannot use the archive {path}: {problem}")
        self.path = path
        self.problem = problem


class Kind(str, Enum):
    FILE = "file"
    DIR = "directory"
    SYMLINK = "symbolic link"
    HARDLINK = "hard link"
    DEVICE = "device file"
    FIFO = "named pipe"
    OTHER = "special file"


@dataclass(frozen=True)
class Member:
    """One entry: ``name`` exactly as stored, ``size`` as declared (reading a zip member never
    yields more than that)."""

    name: str
    kind: Kind
    size: int
    ref: Any = field(repr=False, compare=False)


def sniff(path: Path) -> str | None:
    """``zip``, ``tar.gz`` or ``tar`` from the first bytes, or None for anything else (an
    error page, a pre-POSIX tar)."""
    with open(path, "rb") as handle:
        head = handle.read(_TAR_MAGIC_AT + len(_TAR_MAGIC))
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):  # a member, or the end of an empty zip
        return "zip"
    if head[:2] == b"\x1f\x8b":
        return "tar.gz"
    if head[_TAR_MAGIC_AT:] == _TAR_MAGIC:
        return "tar"
    return None


def _zip_kind(info: zipfile.ZipInfo) -> Kind:
    mode = info.external_attr >> 16  # Unix mode bits, when the archiver recorded them
    if stat.S_ISLNK(mode):
        return Kind.SYMLINK
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return Kind.DEVICE
    if stat.S_ISFIFO(mode):
        return Kind.FIFO
    if stat.S_ISSOCK(mode):
        return Kind.OTHER
    # not info.is_dir(): it fails on an empty name, which a hostile archive may hold
    return Kind.DIR if info.filename.endswith("/") or stat.S_ISDIR(mode) else Kind.FILE


def _tar_kind(info: tarfile.TarInfo) -> Kind:
    if info.isreg():
        return Kind.FILE
    if info.isdir():
        return Kind.DIR
    if info.issym():
        return Kind.SYMLINK
    if info.islnk():
        return Kind.HARDLINK
    if info.ischr() or info.isblk():
        return Kind.DEVICE
    if info.isfifo():
        return Kind.FIFO
    return Kind.OTHER


@dataclass(frozen=True)
class Archive:
    """An open archive: its members in stored order, and their contents on demand."""

    path: Path
    fmt: str
    members: tuple[Member, ...]
    _open: Callable[[Member], IO[bytes]] = field(repr=False)

    def copy(self, member: Member, out: BinaryIO) -> int:
        """Copy a file member's content to ``out``; bytes copied. A damaged member raises
        :class:`ArchiveError`; failures writing ``out`` are left as they are."""
        done = 0
        try:
            source = self._open(member)
        except _DAMAGED as error:
            raise _damaged(self.path, self.fmt, error) from error
        with source:
            while True:
                try:
                    chunk = source.read(_CHUNK)
                except _DAMAGED as error:
                    raise _damaged(self.path, self.fmt, error) from error
                if not chunk:
                    return done
                out.write(chunk)
                done += len(chunk)


def _damaged(path: Path, fmt: str, error: BaseException) -> ArchiveError:
    why = str(error) or type(error).__name__
    return ArchiveError(path, f"it is not a readable {fmt} archive ({why})")


@contextmanager
def open_archive(path: Path) -> Iterator[Archive]:
    """The archive at ``path`` with every member listed; :class:`ArchiveError` if it cannot be
    opened or listed. Errors raised by the caller's own block pass through unchanged."""
    with ExitStack() as stack:
        fmt = "archive"
        try:
            found = sniff(path)
            if found is None:
                with open(path, "rb") as handle:
                    start = handle.read(24)
                raise ArchiveError(path, "it is not a zip, tar or tar.gz archive "
                                         f"(it starts {start!r})")
            fmt = found
            archive = _list(stack, path, fmt)
        except _DAMAGED as error:
            if isinstance(error, OSError) and error.filename is not None:
                raise ArchiveError(path, f"it could not be read ({error.strerror})") from error
            raise _damaged(path, fmt, error) from error
        yield archive


def _list(stack: ExitStack, path: Path, fmt: str) -> Archive:
    if fmt == "zip":
        zf = stack.enter_context(zipfile.ZipFile(path))
        members = tuple(Member(i.filename, _zip_kind(i), i.file_size, i) for i in zf.infolist())
        return Archive(path, fmt, members, lambda m: zf.open(m.ref))
    tf = stack.enter_context(tarfile.open(path, "r:gz" if fmt == "tar.gz" else "r:"))
    members = tuple(Member(i.name, _tar_kind(i), i.size, i) for i in tf.getmembers())

    def extract(member: Member) -> IO[bytes]:
        handle = tf.extractfile(member.ref)
        if handle is None:
            raise ValueError(f"{member.name} has no content")
        return handle

    return Archive(path, fmt, members, extract)


def verify(path: Path, fmt: str) -> tuple[Member, ...]:
    """The members of the ``fmt`` archive at ``path``, after reading all of it: every file's
    content (zip CRCs) and a gzip stream to its end (its CRC and length), so that a truncated
    or damaged archive raises :class:`ArchiveError`."""
    with open_archive(path) as archive, open(os.devnull, "wb") as sink:
        if archive.fmt != fmt:
            raise ArchiveError(path, f"it is a {archive.fmt} archive, not a {fmt} one")
        if not archive.members:
            raise ArchiveError(path, f"it is an empty {fmt} archive")
        for member in archive.members:
            if member.kind is Kind.FILE:
                archive.copy(member, sink)
    if fmt == "tar.gz":
        try:
            with gzip.open(path) as stream:
                while stream.read(_CHUNK):
                    pass
        except _DAMAGED as error:
            raise _damaged(path, fmt, error) from error
    return archive.members
