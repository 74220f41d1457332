"""What the client's calls return: small frozen values in this tool's terms (Python product
names, ``int`` job ids, UTC datetimes), never the server's raw shapes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..protocol.catalogue import ACTIVE_STATUSES, TERMINAL_STATUSES, Status
from ..protocol.history import (
    OldJob as OldJob,  # a client result too, defined with the protocol
)


@dataclass(frozen=True)
class SubmitResult:
    """A job the server accepted. ``job_pars`` is what it will run (wire names, server forms)."""

    job_id: int
    url: str
    job_pars: Mapping[str, Any] = field(hash=False)


@dataclass(frozen=True)
class OldProduct:
    """The parameters an old job ran with. ``url`` is None when the server does not send it
    (the RAW docs show no URL; swifttools requires one, D9)."""

    job_id: int
    url: str | None
    job_pars: Mapping[str, Any] = field(hash=False)


@dataclass(frozen=True)
class ProgressStep:
    label: str
    #: 0 not reached, 1 active, 2 done
    status: int
    extra: str | None = None
    substeps: tuple[ProgressStep, ...] = ()


@dataclass(frozen=True)
class Progress:
    """``got_progress``: 0 not asked for (or finished), 1 given, 2 unavailable."""

    got_progress: int = 0
    time_running: str | None = None
    pre_progress: str | None = None
    steps: tuple[ProgressStep, ...] = ()


@dataclass(frozen=True)
class ProductStatus:
    """A product's state. ``code`` is None when the product is not part of the job, or when
    the server left it out of its answer (then ``reported`` is false)."""

    product: str
    code: int | None
    text: str
    progress: Progress = Progress()
    reported: bool = True

    @property
    def terminal(self) -> bool:
        return self.code in TERMINAL_STATUSES

    @property
    def active(self) -> bool:
        return self.code in ACTIVE_STATUSES

    @property
    def complete(self) -> bool:
        """Finished with products available (status 4)."""
        return self.code == Status.COMPLETE


@dataclass(frozen=True)
class CancelOutcome:
    """Per-product cancel code (0 cancelled, 1 already finished, 2 no such product, 3 reason
    unknown, 4 outcome unknown) and the server's text."""

    code: int
    text: str

    @property
    def cancelled(self) -> bool:
        return self.code == 0


@dataclass(frozen=True)
class CancelResult:
    """``ok`` is the server's 1 (all cancelled) or 2 (processed, some not cancelled)."""

    job_id: int
    ok: int
    products: Mapping[str, CancelOutcome] = field(hash=False)

    @property
    def all_cancelled(self) -> bool:
        return all(o.cancelled for o in self.products.values())


@dataclass(frozen=True)
class Download:
    """An archive saved whole after it opened and listed; ``sha256`` lets a caller record or
    compare exactly what it got."""

    path: Path
    size: int
    sha256: str
