"""Safe extraction: hand-built hostile zip, tar and tar.gz archives are refused before anything
is written, nothing ever lands outside the destination, and a failure part way leaves the
destination as it was."""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.apply import extract as extract_module
from reconciler.apply.extract import UnsafeArchive, extract
from reconciler.client import ArchiveError, DestinationExists
from reconciler.errors import UserError

FORMATS = ("zip", "tar", "tar.gz")
#: the hostile archives here repeat names on purpose
pytestmark = pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")


@dataclass(frozen=True)
class Entry:
    """One member to put in a test archive: ``kind`` is file, dir, symlink, hardlink, chr,
    blk or fifo; ``data`` is a file's content or a link's target."""

    name: str
    kind: str = "file"
    data: bytes = b"content"


_ZIP_MODES = {"file": stat.S_IFREG | 0o644, "dir": stat.S_IFDIR | 0o755,
              "symlink": stat.S_IFLNK | 0o777, "chr": stat.S_IFCHR | 0o600,
              "blk": stat.S_IFBLK | 0o600, "fifo": stat.S_IFIFO | 0o600}
_TAR_TYPES = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
              "hardlink": tarfile.LNKTYPE, "chr": tarfile.CHRTYPE, "blk": tarfile.BLKTYPE,
              "fifo": tarfile.FIFOTYPE}


def build(path: Path, fmt: str, entries: list[Entry]) -> Path:
    """Write ``entries`` as a ``fmt`` archive at ``path``, exactly as given (no clean-up of
    names: that is the point)."""
    if fmt == "zip":
        with zipfile.ZipFile(path, "w") as zf:
            for e in entries:
                info = zipfile.ZipInfo(e.name + ("/" if e.kind == "dir" else ""))
                info.external_attr = _ZIP_MODES[e.kind] << 16
                zf.writestr(info, b"" if e.kind == "dir" else e.data)
        return path
    with tarfile.open(path, "w:gz" if fmt == "tar.gz" else "w") as tf:
        for e in entries:
            info = tarfile.TarInfo(e.name)
            info.type = _TAR_TYPES[e.kind]
            if e.kind == "file":
                info.size = len(e.data)
                tf.addfile(info, io.BytesIO(e.data))
                continue
            if e.kind in ("symlink", "hardlink"):
                info.linkname = e.data.decode()
            tf.addfile(info)
    return path


def tree(root: Path) -> dict[str, Any]:
    """Everything under ``root``: relative path -> bytes (files), 'dir', or 'link->target'."""
    out: dict[str, Any] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            key = str(path.relative_to(root))
            if path.is_symlink():
                out[key] = f"link->{os.readlink(path)}"
            elif path.is_dir():
                out[key] = "dir"
            else:
                out[key] = path.read_bytes()
    return out


@pytest.fixture
def place(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(archive folder, destination with one file of the user's, a sibling 'outside' folder a
    hostile archive would like to write to)."""
    archives, dest, outside = tmp_path / "archives", tmp_path / "dest", tmp_path / "outside"
    for folder in (archives, dest, outside):
        folder.mkdir()
    (dest / "notes.txt").write_bytes(b"the user's own file")
    return archives, dest, outside


# --- what a good archive does ----------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_a_product_archive_unpacks_into_the_destination(
        place: tuple[Path, Path, Path], fmt: str) -> None:
    archives, dest, _ = place
    archive = build(archives / f"all.{fmt}", fmt, [
        Entry("USERPROD_7", "dir"), Entry("USERPROD_7/lc", "dir"),
        Entry("USERPROD_7/lc/curve.qdp", data=b"! QDP\n1 2 3\n"),
        Entry("./USERPROD_7/spec/interval0.tar.gz", data=bytes(range(256)) * 300),
        Entry("USERPROD_7/image", "dir"),  # an empty product directory
    ])
    files = extract(archive, dest)
    assert files == [dest / "USERPROD_7/lc/curve.qdp", dest / "USERPROD_7/spec/interval0.tar.gz"]
    assert tree(dest) == {
        "notes.txt": b"the user's own file", "USERPROD_7": "dir", "USERPROD_7/lc": "dir",
        "USERPROD_7/lc/curve.qdp": b"! QDP\n1 2 3\n", "USERPROD_7/spec": "dir",
        "USERPROD_7/spec/interval0.tar.gz": bytes(range(256)) * 300, "USERPROD_7/image": "dir",
    }  # and no staging folder left behind


def test_the_destination_is_made_when_missing(tmp_path: Path) -> None:
    archive = build(tmp_path / "lc.zip", "zip", [Entry("USERPROD_1/lc/curve.qdp")])
    assert extract(archive, tmp_path / "new" / "folder") == [
        tmp_path / "new/folder/USERPROD_1/lc/curve.qdp"]


# --- hostile members -------------------------------------------------------------------------

HOSTILE: list[tuple[str, Entry, str]] = [
    ("parent", Entry("../outside/evil"), "climbs out"),
    ("nested parent", Entry("USERPROD_1/../../outside/evil"), "climbs out"),
    ("absolute", Entry("/tmp/evil-absolute"), "absolute"),
    ("drive", Entry("C:/evil"), "absolute"),
    ("backslash", Entry("..\\outside\\evil"), "backslashes"),
    ("control", Entry("USERPROD_1/evil\nname"), "control characters"),
    ("itself", Entry("./"), "destination itself"),
    ("symlink", Entry("USERPROD_1/link", "symlink", b"../../outside"), "symbolic link"),
    ("absolute symlink", Entry("USERPROD_1/passwd", "symlink", b"/etc/passwd"), "symbolic link"),
    ("hardlink", Entry("USERPROD_1/hard", "hardlink", b"/etc/passwd"), "hard link"),
    ("char device", Entry("USERPROD_1/tty", "chr"), "device file"),
    ("block device", Entry("USERPROD_1/sda", "blk"), "device file"),
    ("fifo", Entry("USERPROD_1/pipe", "fifo"), "named pipe"),
]


@pytest.mark.parametrize("fmt, bad, why", [
    pytest.param(fmt, bad, why, id=f"{fmt}-{case}")
    for fmt in FORMATS for case, bad, why in HOSTILE
    if not (fmt == "zip" and bad.kind == "hardlink")  # zip has no hard links
])
def test_a_hostile_member_refuses_the_whole_archive_before_anything_is_written(
        place: tuple[Path, Path, Path], fmt: str, bad: Entry, why: str) -> None:
    archives, dest, outside = place
    before = tree(dest)
    archive = build(archives / f"x.{fmt}", fmt, [
        Entry("USERPROD_1/good.txt", data=b"listed before the bad one"), bad,
        Entry("USERPROD_1/after.txt")])
    with pytest.raises(UnsafeArchive, match=why) as caught:
        extract(archive, dest)
    assert "nothing was extracted" in str(caught.value) and str(archive) in str(caught.value)
    assert tree(dest) == before  # not even the good member listed first
    assert tree(outside) == {}
    assert not Path("/tmp/evil-absolute").exists()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("entries, why", [
    ([Entry("a/x"), Entry("a/x", data=b"second")], "holds that path twice"),
    ([Entry("a/x"), Entry("./a//x")], "holds that path twice"),
    ([Entry("a/x"), Entry("a/x", "dir")], "holds that path twice"),
    ([Entry("a"), Entry("a/x")], "both a file and a directory"),
    ([Entry("a/x"), Entry("a")], "both a file and a directory"),
], ids=["same file twice", "same file spelt twice", "file then directory",
        "file then below it", "below it then file"])
def test_ambiguous_archives_are_refused(place: tuple[Path, Path, Path], fmt: str,
                                        entries: list[Entry], why: str) -> None:
    archives, dest, _ = place
    before = tree(dest)
    with pytest.raises(UnsafeArchive, match=why):
        extract(build(archives / f"x.{fmt}", fmt, entries), dest)
    assert tree(dest) == before


def test_a_symlink_already_in_the_destination_is_not_followed(
        place: tuple[Path, Path, Path]) -> None:
    archives, dest, outside = place
    (dest / "USERPROD_1").symlink_to(outside, target_is_directory=True)
    archive = build(archives / "x.tar", "tar", [Entry("USERPROD_1/lc/curve.qdp")])
    with pytest.raises(UnsafeArchive, match="is a symbolic link"):
        extract(archive, dest)
    assert tree(outside) == {}
    (dest / "link.qdp").symlink_to(outside / "target.qdp")
    with pytest.raises(UnsafeArchive, match="is a symbolic link"):
        extract(build(archives / "y.zip", "zip", [Entry("link.qdp")]), dest, overwrite=True)
    assert tree(outside) == {}


def test_a_file_in_the_way_of_a_directory_is_refused(place: tuple[Path, Path, Path]) -> None:
    archives, dest, _ = place
    archive = build(archives / "x.zip", "zip", [Entry("notes.txt/inner")])
    with pytest.raises(UnsafeArchive, match="is a file where the archive has a directory"):
        extract(archive, dest)
    (dest / "adir").mkdir()
    with pytest.raises(UnsafeArchive, match="is a directory where the archive has a file"):
        extract(build(archives / "y.zip", "zip", [Entry("adir")]), dest, overwrite=True)


# --- existing files --------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_existing_files_are_replaced_only_when_asked(
        place: tuple[Path, Path, Path], fmt: str) -> None:
    archives, dest, _ = place
    archive = build(archives / f"x.{fmt}", fmt, [Entry("new.txt", data=b"new"),
                                                 Entry("notes.txt", data=b"from the archive")])
    before = tree(dest)
    with pytest.raises(DestinationExists) as caught:
        extract(archive, dest)
    assert caught.value.path == dest / "notes.txt"
    assert tree(dest) == before  # new.txt, listed first, was not written either
    assert extract(archive, dest, overwrite=True) == [dest / "new.txt", dest / "notes.txt"]
    assert tree(dest) == {"new.txt": b"new", "notes.txt": b"from the archive"}


# --- failures part way -----------------------------------------------------------------------

def test_a_damaged_member_leaves_the_destination_as_it_was(place: tuple[Path, Path, Path]) -> None:
    archives, dest, _ = place
    archive = build(archives / "x.zip", "zip", [Entry("a/first.txt", data=b"fine" * 100),
                                                Entry("a/second.txt", data=b"damaged" * 100)])
    raw = bytearray(archive.read_bytes())
    at = raw.find(b"damaged")
    raw[at:at + 7] = b"DAMAGED"  # the CRC no longer matches
    archive.write_bytes(bytes(raw))
    before = tree(dest)
    with pytest.raises(ArchiveError, match="Bad CRC-32"):
        extract(archive, dest)
    assert tree(dest) == before


def test_a_failure_while_placing_takes_everything_back(
        place: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    archives, dest, _ = place
    archive = build(archives / "x.tar.gz", "tar.gz", [
        Entry("notes.txt", data=b"replacement"), Entry("deep/new/one.txt"),
        Entry("deep/new/two.txt")])
    before = tree(dest)
    real, calls = extract_module.place, []

    def failing(tmp: Path, final: Path, *, overwrite: bool) -> None:
        calls.append(final)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real(tmp, final, overwrite=overwrite)

    monkeypatch.setattr(extract_module, "place", failing)
    with pytest.raises(ArchiveError, match="No space left on device") as caught:
        extract(archive, dest, overwrite=True)
    assert "nothing was left behind" in str(caught.value)
    assert len(calls) == 3
    assert tree(dest) == before  # notes.txt restored, one.txt and the new folders gone


def test_too_little_disk_space_is_refused_up_front(
        place: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    archives, dest, _ = place
    archive = build(archives / "x.tar", "tar", [Entry("big", data=b"x" * 10_000)])
    monkeypatch.setattr(extract_module.shutil, "disk_usage",
                        lambda path: SimpleNamespace(total=1000, used=900, free=100))
    with pytest.raises(UnsafeArchive, match="10000 bytes but only 100 are free"):
        extract(archive, dest)


@pytest.mark.parametrize("content, why", [
    (b"<html>not found</html>", "not a zip, tar or tar.gz archive"),
    (b"\x1f\x8b\x08\x00garbage", "not a readable tar.gz archive"),
    (b"PK\x03\x04garbage", "not a readable zip archive"),
])
def test_something_that_is_not_an_archive_is_a_clear_error(
        place: tuple[Path, Path, Path], content: bytes, why: str) -> None:
    archives, dest, _ = place
    (archives / "x").write_bytes(content)
    before = tree(dest)
    with pytest.raises(ArchiveError, match=why) as caught:
        extract(archives / "x", dest)
    assert isinstance(caught.value, UserError)
    assert tree(dest) == before


# --- whatever the names, nothing lands outside --------------------------------------------------

#: mostly harmless parts, so that many cases extract and the "inside" half is exercised too
_PART = st.sampled_from(["a", "b", "c.txt", "d"] * 8 + ["..", ".", "", "/", "\\", "x:"])
_KIND = st.sampled_from(["file"] * 6 + ["dir"] * 3 + ["symlink"])


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.lists(_PART, min_size=1, max_size=4).map("/".join), min_size=1,
                      max_size=4),
       kinds=st.lists(_KIND, min_size=4, max_size=4), fmt=st.sampled_from(FORMATS))
def test_nothing_ever_lands_outside_the_destination(
        tmp_path: Path, names: list[str], kinds: list[str], fmt: str) -> None:
    case = tmp_path / f"case-{len(list(tmp_path.iterdir()))}"
    sandbox = case / "sandbox"
    dest = sandbox / "dest"
    dest.mkdir(parents=True)
    archive = build(case / f"x.{fmt}", fmt, [Entry(n, k, b"..") for n, k in zip(names, kinds)])
    try:
        written = extract(archive, dest)
    except UserError:
        assert tree(dest) == {}  # refused: nothing at all
        written = []
    root = dest.resolve()
    assert all(root in p.resolve().parents for p in written)
    assert all(k == "dest" or k.startswith("dest/") for k in tree(sandbox))
    assert not any(p.is_symlink() for p in dest.rglob("*"))
    assert sorted(tree(dest)) == sorted(  # exactly what was returned, plus their folders
        {str(p.relative_to(root)) for p in written}
        | {str(q.relative_to(root)) for p in written for q in p.parents if root in q.parents}
        | {k for k, v in tree(dest).items() if v == "dir"})
