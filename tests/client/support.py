"""Helpers the client tests share."""

from __future__ import annotations

import io
import tarfile
import zipfile


def archive(fmt: str = "tar.gz", files: dict[str, bytes] | None = None) -> bytes:
    """A real product archive in ``fmt`` (zip, tar or tar.gz) holding ``files``."""
    files = files if files is not None else {"USERPROD_14/lc/curve.qdp": b"! QDP\n1 2 3\n"}
    buffer = io.BytesIO()
    if fmt == "zip":
        with zipfile.ZipFile(buffer, "w") as zf:
            for name, data in files.items():
                zf.writestr(name, data)
    else:
        with tarfile.open(fileobj=buffer, mode="w:gz" if fmt == "tar.gz" else "w") as tf:
            for name, data in files.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
