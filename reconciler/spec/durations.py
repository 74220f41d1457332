"""Durations as people write them in a spec: ``90s``, ``10m``, ``12h``, ``30d``, ``0.2s``.

One unit per value keeps specs unambiguous and diff-friendly; ISO 8601 (``PT1M``) and bare
numbers are refused because a bare ``60`` could mean seconds or minutes. Decimals are allowed
(tests poll a local simulator every ``0.2s``) and kept exactly, to the microsecond, through
:class:`~decimal.Decimal`: ``0.1s`` through a float would not spell back as ``0.1s``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

UNITS: dict[str, int] = {"s": 1, "m": 60, "h": 3600, "d": 86400}
PATTERN = r"^[0-9]+(\.[0-9]+)?[smhd]$"
_RE = re.compile(PATTERN)
EXAMPLE = "90s, 10m, 12h or 30d"
_MICROSECONDS = 10**6


def parse(text: str) -> timedelta:
    """``'10m'`` -> ``timedelta(minutes=10)``; ValueError with a usable message otherwise.

    Zero is returned as zero (the caller decides whether it is allowed); a negative duration
    is refused here, since no spec field can use one."""
    cleaned = text.strip()
    if not _RE.match(cleaned):
        if cleaned.startswith("-") and _RE.match(cleaned[1:]):
            raise ValueError(f"{text!r} is negative")
        raise ValueError(f"{text!r} is not a duration")
    micro = Decimal(cleaned[:-1]) * UNITS[cleaned[-1]] * _MICROSECONDS
    try:
        return timedelta(microseconds=int(micro.to_integral_value()))
    except OverflowError:  # beyond timedelta's 999999999 days
        raise ValueError(f"{text!r} is too long a duration") from None


def spell(duration: timedelta) -> str:
    """The shortest exact spelling: ``timedelta(hours=24)`` -> ``'1d'``, 200 ms -> ``'0.2s'``;
    ``parse(spell(d)) == d`` for every positive duration."""
    micro = duration // timedelta(microseconds=1)
    if micro == 0:
        return "0s"
    for unit in ("d", "h", "m", "s"):
        size = UNITS[unit] * _MICROSECONDS
        if micro and micro % size == 0:
            return f"{micro // size}{unit}"
    seconds, fraction = divmod(micro, _MICROSECONDS)
    return f"{seconds}.{fraction:06d}".rstrip("0") + "s"
