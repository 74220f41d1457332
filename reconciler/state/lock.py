"""The lock as data (DESIGN §2): which job serves each (source, product), what the server
filled, the defaults it was seen to fill, and submissions in flight.

Pydantic models without I/O, so the pure plan can read and return locks; reading and writing
the file is :mod:`reconciler.state.lockfile`.
"""

from __future__ import annotations

from typing import Any, Iterator, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..protocol.catalogue import ALL_PRODUCTS, GLOBALS, Status

LOCK_VERSION = 1

#: Product status words as the lock spells them (several failure codes read alike to a user).
StatusWord = Literal["requested", "queued", "running", "waiting", "complete", "failed",
                     "cancelled"]
_WORD_OF: dict[int, str] = {
    Status.REQUESTED: "requested", Status.QUEUED: "queued", Status.RUNNING: "running",
    Status.WAITING: "waiting", Status.COMPLETE: "complete", Status.FAILED: "failed",
    Status.QUEUE_FAILED: "failed", Status.REQUEST_FAILED: "failed",
    Status.CANCELLED: "cancelled",
}
TERMINAL_WORDS = frozenset({"complete", "failed", "cancelled"})
STATUS_WORDS = frozenset(_WORD_OF.values())


def status_word(code: int | None) -> str | None:
    """The lock's word for a server status code; None for no status (not part of the job)."""
    return None if code is None else _WORD_OF.get(code)


_FROZEN = ConfigDict(extra="forbid", frozen=True)


class JobRef(BaseModel):
    """A job holding one product, with the fingerprint of the parameters it was wanted with."""

    model_config = _FROZEN
    job: int = Field(gt=0)
    fingerprint: str = Field(min_length=1, description="Of the desired parameters (plan.desired).")


class ProductRecord(BaseModel):
    """``serving`` is the job whose product last completed with the wanted parameters;
    ``attempt`` the newest job for the product when it is not (yet) the serving one."""

    model_config = _FROZEN
    serving: JobRef | None = None
    attempt: JobRef | None = None


class Resolved(BaseModel):
    """What the server filled for the source's directives (RA/Dec, targ, T0), and from which job:
    pinned into later submissions so rebuilds are reproducible."""

    model_config = _FROZEN
    job: int = Field(gt=0)
    values: dict[str, Any]

    @field_validator("values")
    @classmethod
    def _filled_names(cls, values: dict[str, Any]) -> dict[str, Any]:
        filled = {f for p in GLOBALS.values() for f in p.fills}
        unknown = sorted(set(values) - filled)
        if unknown:
            raise ValueError(f"{', '.join(unknown)} is not filled by the server "
                             f"(only {', '.join(sorted(filled))})")
        return values


class SourceRecord(BaseModel):
    model_config = _FROZEN
    products: dict[str, ProductRecord] = Field(default_factory=dict)
    resolved: Resolved | None = None

    @field_validator("products")
    @classmethod
    def _known_products(cls, products: dict[str, ProductRecord]) -> dict[str, ProductRecord]:
        unknown = [p for p in products if p not in ALL_PRODUCTS]
        if unknown:
            raise ValueError(f"unknown product {unknown[0]!r} (products: {', '.join(ALL_PRODUCTS)})")
        return products


class JobRecord(BaseModel):
    """A job the lock refers to, written once however many products it serves. ``payload`` is
    the exact submission body without the envelope (UserID, api_name, api_version); None for a
    job this tool adopted rather than submitted."""

    model_config = _FROZEN
    name: str
    submitted: str = Field(description="DateSubmitted as the server lists it (UTC).")
    url: str | None = None
    status: dict[str, StatusWord] = Field(default_factory=dict)
    payload: dict[str, Any] | None = None
    #: what the server filled for the directives this job ran (RA, Dec, targ, T0)
    filled: dict[str, Any] = Field(default_factory=dict)


class Observation(BaseModel):
    model_config = _FROZEN
    value: Any
    job: int = Field(gt=0)


class ObservedDefault(BaseModel):
    """The value the server filled for a parameter a submission did not send. ``earlier`` keeps
    the previous distinct values (newest last), so a moved default can be shown with both."""

    model_config = _FROZEN
    value: Any
    job: int = Field(gt=0)
    earlier: list[Observation] = Field(default_factory=list)


class Pending(BaseModel):
    """A submission that may be in flight: written before the submit, replaced by the attempt
    right after. ``mark`` is the highest JobID in the user's history just before it; recovery
    looks above it for a job of this name whose parameters equal ``payload``."""

    model_config = _FROZEN
    name: str
    products: list[str]
    payload: dict[str, Any]
    mark: int = Field(ge=0)
    fingerprints: dict[str, str] = Field(default_factory=dict)


class Lock(BaseModel):
    """The whole lockfile."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="xrt-reconcile lock")
    version: Literal[1] = LOCK_VERSION
    server: str
    user: str
    sources: dict[str, SourceRecord] = Field(default_factory=dict)
    jobs: dict[int, JobRecord] = Field(default_factory=dict)
    observed_defaults: dict[str, ObservedDefault] = Field(default_factory=dict)
    pending: list[Pending] = Field(default_factory=list)

    def consistency_problems(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        """Hand edits that leave references dangling, as (path, what is wrong)."""
        jobs = self.jobs
        for name, source in self.sources.items():
            for product, record in source.products.items():
                for role, ref in (("serving", record.serving), ("attempt", record.attempt)):
                    if ref is None:
                        continue
                    job = jobs.get(ref.job)
                    if job is not None and job.name == name:
                        continue  # every reference of a sound lock: checked and left quickly
                    path = ("sources", name, "products", product, role, "job")
                    if job is None:
                        yield path, f"job {ref.job} is not among the lock's jobs"
                    else:
                        yield path, f"job {ref.job} is named {job.name!r}, not {name!r}"
            if source.resolved is not None and source.resolved.job not in jobs:
                yield ("sources", name, "resolved", "job"), \
                    f"job {source.resolved.job} is not among the lock's jobs"


def empty(server: str, user: str) -> Lock:
    return Lock(server=server, user=user)


def schema_text() -> str:
    """The lockfile's JSON Schema as committed in ``schemas/lock.schema.json``."""
    import json
    body = Lock.model_json_schema()
    return json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema", **body},
                      indent=2, ensure_ascii=False) + "\n"


def resolved_for(products: Mapping[str, ProductRecord], jobs: Mapping[int, JobRecord],
                 previous: Resolved | None) -> Resolved | None:
    """What a source's pins come from: the newest serving job that shows what the server
    filled (a job submitted with pins shows nothing new, so the previous pins stay)."""
    for job in sorted({r.serving.job for r in products.values() if r.serving}, reverse=True):
        record = jobs.get(job)
        if record is not None and record.filled:
            if previous is not None and previous.job == job:
                return previous
            return Resolved(job=job, values=dict(record.filled))
    return previous
