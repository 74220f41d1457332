"""Seeded, deterministic fault injection.

Each decision is a pure function of the seed and a counter (the n-th request, or a job id and
product), so a run with the same seed and the same sequence of requests meets the same faults.
"""

from __future__ import annotations

import fnmatch
import hashlib
import itertools
import threading
from dataclasses import dataclass
from enum import Enum

from .config import SimConfig


def uniform(seed: int, *parts: object) -> float:
    """A reproducible number in [0, 1) for ``parts`` under ``seed`` (no global RNG state)."""
    text = ":".join(str(p) for p in (seed, *parts)).encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:8], "big") / 2**64


class Fault(Enum):
    NONE = "none"
    HTTP_ERROR = "http_error"
    DROP_BEFORE = "drop_before"
    DROP_AFTER = "drop_after"


@dataclass(frozen=True)
class Decision:
    fault: Fault
    status: int = 200


class FaultInjector:
    """Decides, request by request, whether and how to misbehave."""

    def __init__(self, config: SimConfig) -> None:
        self._config = config
        self._counter = itertools.count()
        self._lock = threading.Lock()

    def next(self) -> Decision:
        """The decision for the next protocol request, in arrival order."""
        with self._lock:
            n = next(self._counter)
        c = self._config
        draw = uniform(c.seed, "request", n)
        if draw < c.fail_rate:
            code = c.error_codes[int(uniform(c.seed, "code", n) * len(c.error_codes))]
            return Decision(Fault.HTTP_ERROR, code)
        if draw < c.fail_rate + c.drop_rate:
            after = uniform(c.seed, "drop", n) < c.drop_after
            return Decision(Fault.DROP_AFTER if after else Fault.DROP_BEFORE)
        return Decision(Fault.NONE)


def _matches(pattern: str, name: str, key: str) -> bool:
    name_glob, _, key_glob = pattern.rpartition(":")
    if not fnmatch.fnmatchcase(key, key_glob):
        return False
    return not name_glob or fnmatch.fnmatchcase(name, name_glob)


def product_fails(config: SimConfig, job_id: int, name: str, key: str) -> bool:
    """Whether this product of this job ends with status -3 instead of 4."""
    if any(_matches(p, name, key) for p in config.fail_products):
        return True
    return uniform(config.seed, "product", job_id, key) < config.product_fail_rate
