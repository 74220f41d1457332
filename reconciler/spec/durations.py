"""Durations as people write them in a spec: ``90s``, ``10m``, ``12h``, ``30d``.

One unit per value keeps specs unambiguous and diff-friendly; ISO 8601 (``PT1M``) and bare
numbers are refused because a bare ``60`` could mean seconds or minutes.
"""

from __future__ import annotations

import re
from datetime import timedelta

UNITS: dict[str, int] = {"s": 1, "m": 60, "h": 3600, "d": 86400}
PATTERN = r"^[0-9]+[smhd]$"
_RE = re.compile(PATTERN)
EXAMPLE = "90s, 10m, 12h or 30d"


def parse(text: str) -> timedelta:
    """``'10m'`` -> ``timedelta(minutes=10)``; ValueError with a usable message otherwise."""
    cleaned = text.strip()
    if not _RE.match(cleaned):
        raise ValueError(f"{text!r} is not a duration")
    try:
        return timedelta(seconds=int(cleaned[:-1]) * UNITS[cleaned[-1]])
    except OverflowError:  # beyond timedelta's 999999999 days
        raise ValueError(f"{text!r} is too long a duration") from None


def spell(duration: timedelta) -> str:
    """The shortest exact spelling: ``timedelta(hours=24)`` -> ``'1d'``."""
    seconds = int(duration.total_seconds())
    for unit in ("d", "h", "m"):
        if seconds and seconds % UNITS[unit] == 0:
            return f"{seconds // UNITS[unit]}{unit}"
    return f"{seconds}s"
