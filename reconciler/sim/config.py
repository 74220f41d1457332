"""How a simulator instance behaves: one frozen value shared by every module that needs it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from http import HTTPStatus
from types import MappingProxyType
from typing import Any, Mapping

from ..loopback import is_loopback
from ..protocol.catalogue import API_VERSION
from .defaults import problems as defaults_problems

#: Products stay downloadable this long after the job finished, unless configured otherwise.
DEFAULT_EXPIRE_SECONDS = 30 * 24 * 3600.0
#: The answers a failing gateway gives (``fail_rate``), one drawn per failed request.
GATEWAY_ERRORS = (500, 502, 503, 504)
#: The statuses whose answer may say when to come back (RFC 9110 §10.2.3: 429 and 503).
RETRY_AFTER_STATUSES = (HTTPStatus.TOO_MANY_REQUESTS, HTTPStatus.SERVICE_UNAVAILABLE)
_ERROR_STATUSES = frozenset(s.value for s in HTTPStatus if s >= 400)


@dataclass(frozen=True)
class SimConfig:
    """Everything configurable about the simulated server.

    ``job_seconds``: time each product spends in each status stage (1, 2, 3).
    ``max_queued``: per-user hard limit of queued+running jobs.
    ``fail_rate``/``drop_rate``/``latency``: transport faults (HTTP 5xx, dropped connection,
    added delay); ``drop_after`` is the share of dropped requests that were carried out before
    the connection was closed (a submission recorded, its answer lost). ``error_codes``: the
    statuses a failed request is answered with (``(429,)`` for a server too busy);
    ``retry_after``: whole seconds sent as ``Retry-After`` with those that are 429 or 503.
    ``fail_products``: patterns ``[NAME_GLOB:]PRODUCT_GLOB`` (``lc``, ``GRB*:spec``, ``*:*``)
    whose products end with status -3; ``product_fail_rate`` fails products at random, seeded.
    ``expire_seconds``: after the job finished, products are removed (``hasProd`` false).
    ``max_requests``/``max_seconds``: ``sim serve`` stops by itself after this much use.
    ``api_version``: the ``APIVersion`` in every reply (a newer one makes clients warn);
    ``deprecation``: ``(type, message)`` for a ``deprecationWarning`` on every JSON reply.
    ``defaults``: moved server defaults, wire name -> value as a client would send it
    (``{"minsnr": 1.5}``); see :mod:`reconciler.sim.defaults`.
    """

    host: str = "127.0.0.1"
    port: int = 0
    job_seconds: float = 1.0
    max_queued: int = 10
    fail_rate: float = 0.0
    drop_rate: float = 0.0
    drop_after: float = 0.5
    latency: float = 0.0
    seed: int = 0
    expire_seconds: float = DEFAULT_EXPIRE_SECONDS
    fail_products: tuple[str, ...] = ()
    product_fail_rate: float = 0.0
    manual_clock: bool = False
    max_requests: int | None = None
    max_seconds: float | None = None
    max_body_bytes: int = 1_000_000
    api_version: str = API_VERSION
    deprecation: tuple[str, str] | None = None
    error_codes: tuple[int, ...] = GATEWAY_ERRORS
    retry_after: int | None = None
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "defaults", MappingProxyType(dict(self.defaults)))

    def problems(self) -> list[str]:
        """What is wrong with this configuration, in words a command-line user can act on."""
        out = []
        if not is_loopback(self.host):
            out.append(f"--host {self.host} is not a loopback address; the simulator only "
                       f"listens on 127.0.0.1 (or ::1, localhost)")
        if not 0 <= self.port <= 65535:
            out.append(f"--port {self.port} is not a valid port (0-65535)")
        if self.max_queued < 1:
            out.append(f"--max-queued must be at least 1, not {self.max_queued}")
        for label, rate in (("--fail-rate", self.fail_rate), ("--drop-rate", self.drop_rate),
                            ("drop_after", self.drop_after),
                            ("--product-fail-rate", self.product_fail_rate)):
            if not 0.0 <= rate <= 1.0:
                out.append(f"{label} must be between 0 and 1, not {rate}")
        if 0 <= self.fail_rate <= 1 and 0 <= self.drop_rate <= 1 \
                and self.fail_rate + self.drop_rate > 1.0:
            out.append("--fail-rate and --drop-rate together must not exceed 1")
        # NaN passes any comparison check and infinity breaks sleeps and timers: both refused.
        for label, seconds in (("--job-seconds", self.job_seconds), ("--latency", self.latency),
                               ("--expire-seconds", self.expire_seconds)):
            if not (math.isfinite(seconds) and seconds >= 0):
                out.append(f"{label} must be a number of seconds, 0 or more, not {seconds}")
        if self.max_seconds is not None and not (math.isfinite(self.max_seconds)
                                                 and self.max_seconds > 0):
            out.append(f"--max-seconds must be a number of seconds above 0, not {self.max_seconds}")
        if not re.fullmatch(r"\d+\.\d+(\.\d+)?", self.api_version):
            out.append(f"api_version {self.api_version!r} is not N.N or N.N.N")
        for pattern in self.fail_products:
            if not pattern or pattern.count(":") > 1:
                out.append(f"--fail-product {pattern!r} is not PRODUCT or NAME:PRODUCT")
        if not self.error_codes or not set(self.error_codes) <= _ERROR_STATUSES:
            out.append(f"--error-code must be HTTP error statuses (4xx, 5xx), not "
                       f"{', '.join(map(str, self.error_codes)) or 'none'}")
        if self.retry_after is not None and self.retry_after < 0:
            out.append(f"--retry-after must be a whole number of seconds, 0 or more, not "
                       f"{self.retry_after}")
        return out + defaults_problems(self.defaults)
