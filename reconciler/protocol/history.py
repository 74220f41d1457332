"""One entry of a user's job history (``listOldJobs``, ukssdc-api.md §2.3) in this tool's terms.

Plain data shared by the client, which reads it off the wire, and the plan, which reasons
about it; the plan must not import the client, so it lives with the protocol model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class OldJob:
    """``products`` are catalogue product names in catalogue order; ``has_prod`` is false once
    the server has removed the job's files; ``submitted`` is UTC."""

    job_id: int
    name: str
    submitted: datetime
    products: tuple[str, ...]
    has_prod: bool
