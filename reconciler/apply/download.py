"""Fetching the serving products of a spec into a folder, safely.

``DIR/<source>/<product key>.<format>`` per (source, product), from the job that serves it (so a
replace whose new job failed still downloads the old, good products). Each archive is streamed
to a temporary file, verified, and moved into place by the client; existing files are kept
unless ``clobber``; ``extract`` unpacks beside it with nothing allowed to land outside DIR.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

from ..client import Client, DestinationExists
from ..plan.model import HistoryRow
from ..protocol.catalogue import PRODUCTS
from ..state.cache import JobCache
from ..state.lock import Lock
from .scheduler import Reporter


@dataclass(frozen=True)
class Fetched:
    source: str
    product: str
    job: int | None
    path: Path | None
    #: "saved", "kept" (already there), "extracted", or why not ("no finished job", ...)
    outcome: str


_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")


def folder_names(names: Iterable[str]) -> dict[str, str]:
    """A safe, distinct folder name per source (``GRB 200416A`` -> ``GRB_200416A``)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        base = _UNSAFE.sub("_", name).strip("._") or "source"
        folder = base
        if folder.lower() in taken:
            folder = f"{base}-{hashlib.sha256(name.encode()).hexdigest()[:6]}"
        taken.add(folder.lower())
        out[name] = folder
    return out


def download(client: Client, lock: Lock, names: Iterable[str], rows: Mapping[int, HistoryRow],
             dest: Path, fmt: str, report: Reporter, *, extract: bool = False,
             clobber: bool = False, cache: JobCache | None = None,
             rebase: Callable[[str], str] = lambda url: url) -> list[Fetched]:
    """Download every serving product of ``names``; ``rebase`` maps a recorded job URL to
    where the server is now (the embedded simulator moves port between runs)."""
    fetched: list[Fetched] = []
    chosen = [n for n in names if n in lock.sources]
    folders = folder_names(chosen)
    for name in chosen:
        for product, entry in lock.sources[name].products.items():
            fetched.append(_one(client, lock, name, product, entry.serving.job
                                if entry.serving else None, rows, dest / folders[name], fmt,
                                report, extract, clobber, cache, rebase))
    return fetched


def _one(client: Client, lock: Lock, name: str, product: str, job: int | None,
         rows: Mapping[int, HistoryRow], folder: Path, fmt: str, report: Reporter,
         extract: bool, clobber: bool, cache: JobCache | None,
         rebase: Callable[[str], str]) -> Fetched:
    if job is None:
        return Fetched(name, product, None, None, "no finished job yet")
    row = rows.get(job)
    if row is not None and not row.has_prod:
        return Fetched(name, product, job, None,
                       "the server removed its files (rebuild: {expired: true} rebuilds them)")
    url = _url(client, lock, job, cache)
    target = folder / f"{PRODUCTS[product].key}.{fmt}"
    outcome = "saved"
    try:
        client.download(rebase(url), product, target, fmt, overwrite=clobber)
        report.note(f"{name}: {product} of job {job} -> {target}")
    except DestinationExists:
        outcome = "kept"
    if extract:
        from .extract import extract as unpack
        try:
            unpack(target, folder, overwrite=clobber)
            outcome = "extracted"
        except DestinationExists:
            outcome = "kept (already extracted)"
    return Fetched(name, product, job, target, outcome)


def _url(client: Client, lock: Lock, job: int, cache: JobCache | None) -> str:
    record = lock.jobs.get(job)
    if record is not None and record.url:
        return record.url
    cached = cache.params(job) if cache else None
    if cached is not None and cached[1]:
        return cached[1]
    old = client.get_old_product(job)
    if cache is not None:
        cache.put_params(job, old.job_pars, old.url)
    if not old.url:
        from ..errors import UserError
        raise UserError(f"the server gave no URL for job {job}, so its products cannot be "
                        "downloaded")
    return old.url
