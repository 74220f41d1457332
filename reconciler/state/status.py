"""``status``: per (source, product), the job that serves it, the attempt in flight, and how
they stand now. One ``listOldJobs`` (for what still exists and whose files are held), then a
status request only for attempts not known to be finished.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable

from ..client import Client
from ..spec import SourceSpec
from .cache import JobCache
from .history import history
from .lock import TERMINAL_WORDS, Lock, status_word


@dataclass(frozen=True)
class Row:
    source: str
    product: str
    serving: int | None
    attempt: int | None
    #: "complete", "running", "failed", "expired", "not submitted", ...
    status: str
    #: seconds since the serving job (else the attempt) was submitted
    age: float | None

    def as_json(self) -> dict[str, Any]:
        return {"source": self.source, "product": self.product, "serving": self.serving,
                "attempt": self.attempt, "status": self.status, "age_seconds": self.age}


def rows(client: Client, lock: Lock, sources: dict[str, SourceSpec],
         cache: JobCache | None = None, now: datetime | None = None) -> list[Row]:
    now = now or datetime.now(timezone.utc)
    listed = {r.job_id: r for r in history(client)}
    out: list[Row] = []
    for name, source in sources.items():
        record = lock.sources.get(name)
        for product in source.request.products:
            entry = record.products.get(product) if record else None
            serving = entry.serving.job if entry and entry.serving else None
            attempt = entry.attempt.job if entry and entry.attempt else None
            word = _state(client, lock, cache, listed, product, serving, attempt)
            anchor = serving if serving in listed else attempt
            age = (now - listed[anchor].submitted).total_seconds() if anchor in listed else None
            out.append(Row(name, product, serving, attempt, word, age))
    return out


def _state(client: Client, lock: Lock, cache: JobCache | None, listed: dict[int, Any],
           product: str, serving: int | None, attempt: int | None) -> str:
    if attempt is not None and attempt in listed:
        word = _word(client, lock, cache, attempt, product, listed[attempt].products)
        if word != "complete" or serving is None:
            return word if serving is None else f"{word} (serving job {serving} complete)"
        serving = attempt
    if serving is None:
        return "not submitted"
    if serving not in listed:
        return "gone from the server"
    return "complete" if listed[serving].has_prod else "expired (files removed)"


def _word(client: Client, lock: Lock, cache: JobCache | None, job: int, product: str,
          products: Iterable[str]) -> str:
    record = lock.jobs.get(job)
    known = record.status.get(product) if record else None
    if known not in TERMINAL_WORDS and cache is not None:
        known = cache.statuses(job).get(product, known)
    if known in TERMINAL_WORDS:
        return str(known)
    found = client.check_status(job, list(products), progress=False)
    words = {p: w for p, s in found.items() if (w := status_word(s.code))}
    if cache is not None:
        cache.put_statuses(job, words)
    return words.get(product, "unknown")


def age_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds:.0f}s"
