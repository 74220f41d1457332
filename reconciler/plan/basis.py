"""What a saved plan was computed from, as digests (DESIGN §3): the server, the user, the lock,
the history rows of the names it plans, the statuses it used, and the catalogue version.

``apply PLAN`` recomputes these and refuses when any moved, naming which: a plan is only as
good as the facts under it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields
from functools import cache, partial
from typing import Any, Callable, Iterable, Iterator, Mapping

from ..protocol.catalogue import API_VERSION, GLOBALS, PRODUCTS
from ..state.lock import Lock
from .model import HistoryRow

#: the parts of the basis, in the order a refusal names them
PARTS = ("server", "user", "lock", "history", "statuses", "catalogue")


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@cache
def catalogue_version() -> str:
    """Changes whenever a parameter's name, wire name, type, default or rule changes."""
    def table(params: Mapping[str, Any]) -> list[Any]:
        return [[f.name, repr(getattr(p, f.name))] for p in params.values() for f in fields(p)]
    tables = {"globals": table(GLOBALS), **{n: table(p.params) for n, p in PRODUCTS.items()}}
    return f"{API_VERSION}-{_digest(tables)}"


def basis(server: str, user: str, lock: Lock, rows: Iterable[HistoryRow],
          names: Iterable[str], statuses: Mapping[int, Mapping[str, str]]) -> dict[str, str]:
    planned = set(names)
    history = sorted(
        [r.job_id, r.name, list(r.products), r.has_prod, r.submitted.isoformat()]
        for r in rows if r.name in planned
    )
    return {
        "server": server,
        "user": user,
        "lock": _digest(lock.model_dump(mode="json")),
        "history": _digest(history),
        "statuses": _digest({str(j): dict(s) for j, s in statuses.items()}),
        "catalogue": catalogue_version(),
    }


class Deferred(Mapping[str, str]):
    """A basis worked out when first read. Only ``plan --out`` and ``apply PLAN`` read it, and
    digesting a 10,000-source lock costs more than the rest of a warm plan."""

    def __init__(self, work: Callable[[], dict[str, str]]) -> None:
        self._work: Callable[[], dict[str, str]] | None = work
        self._parts: dict[str, str] = {}

    def _done(self) -> dict[str, str]:
        if self._work is not None:
            self._parts, self._work = self._work(), None
        return self._parts

    def __getitem__(self, part: str) -> str:
        return self._done()[part]

    def __iter__(self) -> Iterator[str]:
        return iter(self._done())

    def __len__(self) -> int:
        return len(self._done())

    def __repr__(self) -> str:
        return f"Deferred({self._done()!r})"


def deferred(server: str, user: str, lock: Lock, rows: Iterable[HistoryRow],
             names: Iterable[str], statuses: Mapping[int, Mapping[str, str]]) -> Deferred:
    """:func:`basis` of these inputs, worked out when first read (the inputs are frozen)."""
    return Deferred(partial(basis, server, user, lock, tuple(rows), tuple(names), statuses))


def moved(saved: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    """The parts of the basis that differ, in :data:`PARTS` order."""
    return [part for part in PARTS if saved.get(part) != now.get(part)]
