"""Unpacking a product archive (zip, tar, tar.gz) into a folder, safely.

The archive comes from a server; a hostile or broken one must not be able to write anywhere
but the folder asked for, or leave half of itself behind. So :func:`extract` works in three
steps, each complete before the next begins:

1. **judge** every member: only plain files and directories, with relative names that stay
   inside (no ``..``, no absolute or drive paths, no backslashes or control characters), no
   name twice, no file where another member needs a directory; nothing in the way on disk (a
   symbolic link on the path, a file where a directory goes, an existing file unless
   ``overwrite``); room enough on the disk for the declared sizes. One bad member refuses the
   whole archive before a byte is written;
2. **write** every file into a hidden staging directory inside the destination (same file
   system, so the last step is renames);
3. **place** them: directories created, files linked (or, with ``overwrite``, renamed) into
   place. If anything fails here, what was placed is taken back and replaced files restored.

The staging directory is removed in every case (only a ``kill -9`` can leave one behind: a
hidden ``.extracting-*`` folder, never a half-written file among the real ones). Permissions
and owners recorded in the archive are ignored: files get the user's defaults.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from ..client.archive import Archive, ArchiveError, Kind, Member, open_archive
from ..client.errors import DestinationExists
from ..client.files import place

#: characters no member name may hold: control characters, and the Windows separator
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\\]")
_DRIVE = re.compile(r"[A-Za-z]:")


class UnsafeArchive(ArchiveError):
    """An archive refused because of what it holds; nothing was written."""


def _parts(member: Member) -> tuple[str, ...]:
    """The path components ``member`` would be written to, or why it must not be."""
    name = member.name
    if not name or _FORBIDDEN.search(name):
        raise ValueError("its name is empty or holds control characters or backslashes")
    if name.startswith("/") or _DRIVE.match(name):
        raise ValueError("its path is absolute")
    parts = tuple(p for p in PurePosixPath(name).parts if p != ".")
    if ".." in parts:
        raise ValueError("its path climbs out with '..'")
    if not parts:
        raise ValueError("it names the destination itself")
    return parts


def _judge(archive: Archive) -> dict[tuple[str, ...], Member]:
    """Path components -> member, in archive order; :class:`UnsafeArchive` for the first member
    that must not be extracted."""
    chosen: dict[tuple[str, ...], Member] = {}
    for member in archive.members:
        def refuse(why: str, member: Member = member) -> UnsafeArchive:
            return UnsafeArchive(archive.path, f"the member {member.name!r:.120} is refused: "
                                               f"{why}; nothing was extracted")

        if member.kind not in (Kind.FILE, Kind.DIR):
            raise refuse(f"it is a {member.kind.value}; only files and directories are extracted")
        try:
            parts = _parts(member)
        except ValueError as why:
            raise refuse(str(why)) from None
        earlier = chosen.get(parts)
        if earlier is not None and not (earlier.kind is member.kind is Kind.DIR):
            raise refuse("the archive holds that path twice")
        chosen[parts] = member
    files = {parts for parts, m in chosen.items() if m.kind is Kind.FILE}
    for parts in chosen:
        for depth in range(1, len(parts)):
            if parts[:depth] in files:
                raise UnsafeArchive(archive.path, f"{'/'.join(parts[:depth])} is both a file and "
                                                  "a directory in the archive; nothing was extracted")
    return chosen


def _check_destination(root: Path, chosen: dict[tuple[str, ...], Member], overwrite: bool,
                       archive: Path) -> None:
    """Nothing on disk may redirect or block a member: refused before anything is written."""
    needed = 0
    for parts, member in chosen.items():
        for depth in range(1, len(parts) + 1):
            path = root.joinpath(*parts[:depth])
            last = depth == len(parts)
            if path.is_symlink():
                raise UnsafeArchive(archive, f"{path} is a symbolic link; extracting through or "
                                             f"onto it could write outside {root}; nothing was "
                                             "extracted")
            if not os.path.lexists(path):
                break
            if (not last or member.kind is Kind.DIR) and not path.is_dir():
                raise UnsafeArchive(archive, f"{path} is a file where the archive has a "
                                             "directory; nothing was extracted")
            if last and member.kind is Kind.FILE:
                if path.is_dir():
                    raise UnsafeArchive(archive, f"{path} is a directory where the archive has "
                                                 "a file; nothing was extracted")
                if not overwrite:
                    raise DestinationExists(path)
        if member.kind is Kind.FILE:
            needed += member.size
    free = shutil.disk_usage(root).free
    if needed > free:
        raise UnsafeArchive(archive, f"it unpacks to {needed} bytes but only {free} are free "
                                     f"under {root}; nothing was extracted")


def _write(archive: Archive, chosen: dict[tuple[str, ...], Member], staging: Path) -> None:
    for parts, member in chosen.items():
        path = staging.joinpath(*parts)
        if member.kind is Kind.DIR:
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as out:
            archive.copy(member, out)
            out.flush()
            os.fsync(out.fileno())


class _Placement:
    """Moves staged files into place, remembering enough to take it all back."""

    def __init__(self, root: Path, staging: Path, overwrite: bool) -> None:
        self.root, self.staging, self.overwrite = root, staging, overwrite
        self.made_dirs: list[Path] = []
        self.placed: list[Path] = []
        self.replaced: list[tuple[Path, Path]] = []  # (path, where its old content waits)
        self._backups = staging / ".replaced"

    def directory(self, path: Path) -> None:
        missing = [p for p in (path, *path.parents) if p != self.root
                   and self.root in p.parents and not os.path.lexists(p)]
        for p in reversed(missing):
            p.mkdir()
            self.made_dirs.append(p)

    def file(self, parts: tuple[str, ...]) -> Path:
        final = self.root.joinpath(*parts)
        self.directory(final.parent)
        if self.overwrite and os.path.lexists(final):
            self._backups.mkdir(exist_ok=True)
            backup = self._backups / str(len(self.replaced))
            os.replace(final, backup)
            self.replaced.append((final, backup))
        place(self.staging.joinpath(*parts), final, overwrite=self.overwrite)
        self.placed.append(final)
        return final

    def undo(self) -> None:
        for path in reversed(self.placed):
            path.unlink(missing_ok=True)
        for path, backup in reversed(self.replaced):
            os.replace(backup, path)
        for path in reversed(self.made_dirs):
            try:
                path.rmdir()
            except OSError:  # something else was put there meanwhile: leave it
                pass


def extract(archive: Path, dest: Path, *, overwrite: bool = False) -> list[Path]:
    """Unpack the zip, tar or tar.gz ``archive`` into ``dest`` (created if missing) and return
    the files written, in archive order.

    Refuses, before writing anything, an archive with a member that is not a plain file or
    directory, or whose path is absolute, climbs out with ``..`` or would pass through a
    symbolic link: :class:`UnsafeArchive`. An existing file is never replaced unless
    ``overwrite`` (:class:`DestinationExists` otherwise). A failure part way leaves ``dest`` as
    it was.
    """
    archive, dest = Path(archive), Path(dest)
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ArchiveError(archive, f"the folder {dest} could not be made ({error.strerror})") from error
    root = dest.resolve()
    with open_archive(archive) as opened:
        chosen = _judge(opened)
        _check_destination(root, chosen, overwrite, archive)
        try:
            staging = Path(tempfile.mkdtemp(dir=root, prefix=".extracting-"))
        except OSError as error:
            raise ArchiveError(archive, f"nothing can be written in {dest} "
                                        f"({error.strerror})") from error
        placement = _Placement(root, staging, overwrite)
        try:
            _write(opened, chosen, staging)
            for parts, member in chosen.items():
                if member.kind is Kind.DIR:
                    placement.directory(root.joinpath(*parts))
            return [placement.file(parts) for parts, m in chosen.items() if m.kind is Kind.FILE]
        except BaseException as error:
            placement.undo()
            if isinstance(error, OSError):
                raise ArchiveError(archive, f"extracting into {dest} failed "
                                            f"({error.strerror or error}); nothing was left "
                                            "behind") from error
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)

