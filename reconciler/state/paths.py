"""Where the tool keeps its own files beside a spec."""

from __future__ import annotations

from pathlib import Path

#: caches, the lock's journal, the apply lock, the embedded simulator's state; not for git
WORKDIR = ".xrt-reconcile"


def workdir(spec_path: str | Path) -> Path:
    """The tool's own folder beside a spec."""
    return Path(spec_path).resolve().parent / WORKDIR
