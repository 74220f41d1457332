"""The job cache under ``.xrt-reconcile/`` beside a spec: facts about jobs that never change.

A job's parameters (``jobPars`` and URL) are fixed once it is submitted, and a product status
that is terminal (complete, failed, cancelled) stays so; both are kept for good, one small JSON
file per job, keyed by server and user so that the simulator and the real server never mix.
Files are written whole under a temporary name and renamed into place, so concurrent readers
(two plans, CI jobs sharing a workspace) see a whole file or none; a file that cannot be read is
treated as absent and fetched again: the cache is never the only truth.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Mapping

from .lock import TERMINAL_WORDS
from .lockfile import atomic_write


class JobCache:
    """Job parameters and terminal statuses for one (server, user)."""

    def __init__(self, root: Path, server: str, user: str) -> None:
        key = hashlib.sha256(f"{server}\n{user}".encode()).hexdigest()[:16]
        self.root = root / "cache" / key
        self._owner = {"server": server, "user": user}

    def _file(self, kind: str, job_id: int) -> Path:
        return self.root / kind / f"{int(job_id)}.json"

    def _read(self, kind: str, job_id: int) -> dict[str, Any] | None:
        try:
            data = json.loads(self._file(kind, job_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _write(self, kind: str, job_id: int, data: Mapping[str, Any]) -> None:
        try:
            if not (self.root / "owner.json").exists():
                atomic_write(self.root / "owner.json", json.dumps(self._owner, indent=2) + "\n")
            atomic_write(self._file(kind, job_id),
                         json.dumps(data, sort_keys=True, separators=(",", ":")))
        except OSError:
            pass  # a cache that cannot be written only costs a request next time

    # -- parameters --

    def params(self, job_id: int) -> tuple[dict[str, Any], str | None] | None:
        """(jobPars, URL) of a job, if cached."""
        data = self._read("params", job_id)
        if data is None or not isinstance(data.get("jobPars"), dict):
            return None
        url = data.get("url")
        return data["jobPars"], url if isinstance(url, str) else None

    def put_params(self, job_id: int, job_pars: Mapping[str, Any], url: str | None) -> None:
        self._write("params", job_id, {"job": int(job_id), "jobPars": dict(job_pars), "url": url})

    # -- statuses --

    def statuses(self, job_id: int) -> dict[str, str]:
        """Terminal product statuses of a job seen so far (product name -> lock word)."""
        data = self._read("status", job_id) or {}
        return {p: w for p, w in data.items() if isinstance(w, str) and w in TERMINAL_WORDS}

    def put_statuses(self, job_id: int, statuses: Mapping[str, str | None]) -> None:
        """Remember the terminal ones; others may still move."""
        known = self.statuses(job_id)
        final = {p: w for p, w in statuses.items() if w in TERMINAL_WORDS}
        if final and not final.items() <= known.items():
            self._write("status", job_id, {**known, **final})
