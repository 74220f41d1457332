"""What a saved plan was computed from, as digests (DESIGN §3): the server, the user, the lock,
the history rows of the names it plans, the statuses it used, and the catalogue version.

``apply PLAN`` recomputes these and refuses when any moved, naming which: a plan is only as
good as the facts under it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields
from functools import cache
from typing import Any, Iterable, Mapping

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


def moved(saved: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    """The parts of the basis that differ, in :data:`PARTS` order."""
    return [part for part in PARTS if saved.get(part) != now.get(part)]
