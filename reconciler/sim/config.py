"""How a simulator instance behaves: one frozen value shared by every module that needs it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..loopback import is_loopback
from ..protocol.catalogue import API_VERSION

#: Products stay downloadable this long after the job finished, unless configured otherwise.
DEFAULT_EXPIRE_SECONDS = 30 * 24 * 3600.0


@dataclass(frozen=True)
class SimConfig:
    """Everything configurable about the simulated server.

    ``job_seconds``: time each product spends in each status stage (1, 2, 3).
    ``max_queued``: per-user hard limit of queued+running jobs.
    ``fail_rate``/``drop_rate``/``latency``: transport faults (HTTP 5xx, dropped connection,
    added delay); ``drop_after`` is the share of dropped requests that were carried out before
    the connection was closed (a submission recorded, its answer lost).
    ``fail_products``: patterns ``[NAME_GLOB:]PRODUCT_GLOB`` (``lc``, ``GRB*:spec``, ``*:*``)
    whose products end with status -3; ``product_fail_rate`` fails products at random, seeded.
    ``expire_seconds``: after the job finished, products are removed (``hasProd`` false).
    ``max_requests``/``max_seconds``: ``sim serve`` stops by itself after this much use.
    ``api_version``: the ``APIVersion`` in every reply (a newer one makes clients warn);
    ``deprecation``: ``(type, message)`` for a ``deprecationWarning`` on every JSON reply.
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
        return out
