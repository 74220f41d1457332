"""The simulator's state in SQLite: jobs, per-user counters, and the manual clock.

WAL mode lets status polls read while a submission writes. Every request opens its own short
connection (the HTTP server runs one thread per request), and anything that reads then writes
runs in ``BEGIN IMMEDIATE`` so that two concurrent submissions cannot both slip under the
queued-job limit.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from .lifecycle import Schedule, finished_at, with_cancellations

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    name TEXT NOT NULL,
    submitted_at REAL NOT NULL,
    stage_seconds REAL NOT NULL,
    products TEXT NOT NULL,
    fails TEXT NOT NULL,
    cancelled TEXT NOT NULL DEFAULT '{}',
    job_pars TEXT NOT NULL,
    active_until REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_user ON jobs (user, active_until);
CREATE INDEX IF NOT EXISTS jobs_by_user_id ON jobs (user, id);
CREATE TABLE IF NOT EXISTS user_stats (
    user TEXT PRIMARY KEY,
    peak_active INTEGER NOT NULL DEFAULT 0,
    refused INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Job:
    """One stored job."""

    id: int
    user: str
    name: str
    submitted_at: float
    schedule: Schedule
    job_pars: dict[str, Any]
    active_until: float

    @property
    def products(self) -> tuple[str, ...]:
        return self.schedule.products


@dataclass(frozen=True)
class NewJob:
    """What a submission stores, built once its job id is known."""

    products: tuple[str, ...]
    fails: frozenset[str]
    job_pars: dict[str, Any]


@dataclass(frozen=True)
class Entry:
    """A job to record: ``build`` receives the new job id (``jobPars`` carry it)."""

    user: str
    name: str
    submitted_at: float
    stage_seconds: float
    build: Callable[[int], NewJob]


class Listed(NamedTuple):
    """What ``listOldJobs`` shows of a job: read without decoding its ``jobPars``."""

    id: int
    name: str
    submitted_at: float
    products: tuple[str, ...]
    active_until: float


@dataclass(frozen=True)
class Submitted:
    """The outcome of :meth:`Store.submit`: ``job`` is None when the limit refused it."""

    job: Job | None
    active: int


def _job(row: sqlite3.Row) -> Job:
    schedule = Schedule(
        submitted_at=row["submitted_at"],
        stage_seconds=row["stage_seconds"],
        products=tuple(json.loads(row["products"])),
        fails=frozenset(json.loads(row["fails"])),
        cancelled=json.loads(row["cancelled"]),
    )
    return Job(row["id"], row["user"], row["name"], row["submitted_at"], schedule,
               json.loads(row["job_pars"]), row["active_until"])


def _record(conn: sqlite3.Connection, entries: Iterable[Entry]) -> list[Job]:
    """Insert jobs with the next ids, in order, inside the caller's write transaction."""
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'jobs'").fetchone()
    first = (row[0] if row else 0) + 1
    jobs, rows = [], []
    for job_id, e in enumerate(entries, first):
        new = e.build(job_id)
        schedule = Schedule(e.submitted_at, e.stage_seconds, new.products, new.fails)
        until = finished_at(schedule)
        jobs.append(Job(job_id, e.user, e.name, e.submitted_at, schedule, new.job_pars, until))
        rows.append((job_id, e.user, e.name, e.submitted_at, e.stage_seconds,
                     json.dumps(list(new.products)), json.dumps(sorted(new.fails)),
                     json.dumps(new.job_pars), until))
    conn.executemany(
        "INSERT INTO jobs (id, user, name, submitted_at, stage_seconds, products, fails, "
        "job_pars, active_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return jobs


class Store:
    """All persistent state of one simulator, in the SQLite file at ``path``."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with self._read() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One atomic read-modify-write: the write lock is taken before anything is read."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    @staticmethod
    def _count_active(conn: sqlite3.Connection, user: str, now: float) -> int:
        row = conn.execute("SELECT COUNT(*) FROM jobs WHERE user = ? AND active_until > ?",
                           (user, now)).fetchone()
        return int(row[0])

    def submit(self, entry: Entry, max_active: int) -> Submitted:
        """Record a job unless its user already has ``max_active`` active ones.

        The limit check and the insert happen under one write lock, so concurrent submissions
        can never exceed the limit.
        """
        user, now = entry.user, entry.submitted_at
        with self._write() as conn:
            conn.execute("INSERT OR IGNORE INTO user_stats (user) VALUES (?)", (user,))
            active = self._count_active(conn, user, now)
            if active >= max_active:
                conn.execute("UPDATE user_stats SET refused = refused + 1 WHERE user = ?", (user,))
                return Submitted(None, active)
            [job] = _record(conn, [entry])
            active += job.active_until > now  # a job with nothing to wait for is over at once
            conn.execute("UPDATE user_stats SET peak_active = MAX(peak_active, ?) WHERE user = ?",
                         (active, user))
            return Submitted(job, active)

    def add(self, entries: Iterable[Entry]) -> list[int]:
        """Record many jobs in one transaction, past the queued-job limit (seeding a history);
        their ids, ascending in the order given."""
        with self._write() as conn:
            return [job.id for job in _record(conn, entries)]

    def job(self, job_id: int) -> Job | None:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else _job(row)

    def listing(self, user: str) -> list[Listed]:
        """The user's jobs for ``listOldJobs``, newest first."""
        with self._read() as conn:
            rows = conn.execute("SELECT id, name, submitted_at, products, active_until FROM jobs "
                                "WHERE user = ? ORDER BY id DESC", (user,)).fetchall()
        return [Listed(r[0], r[1], r[2], tuple(json.loads(r[3])), r[4]) for r in rows]

    def count_active(self, user: str, now: float) -> int:
        with self._read() as conn:
            return self._count_active(conn, user, now)

    def cancel(self, job_id: int, keys: list[str], now: float) -> dict[str, int] | None:
        """Cancel products of a job at ``now``; each key's cancel code, or None if no such job."""
        with self._write() as conn:
            row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                return None
            schedule, codes = with_cancellations(_job(row).schedule, keys, now)
            conn.execute("UPDATE jobs SET cancelled = ?, active_until = ? WHERE id = ?",
                         (json.dumps(dict(schedule.cancelled)), finished_at(schedule), job_id))
            return codes

    def get_meta(self, key: str) -> str | None:
        with self._read() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._write() as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def user_counters(self, now: float) -> dict[str, dict[str, Any]]:
        """Per user: submissions, active now, peak active, refusals, jobs per name."""
        with self._read() as conn:
            users: dict[str, dict[str, Any]] = {}

            def entry(user: str) -> dict[str, Any]:
                return users.setdefault(user, {"submissions": 0, "active": 0, "peak_active": 0,
                                               "refused": 0, "jobs_per_name": {}})

            for row in conn.execute("SELECT user, peak_active, refused FROM user_stats"):
                entry(row["user"]).update(peak_active=row["peak_active"], refused=row["refused"])
            for row in conn.execute(
                "SELECT user, name, COUNT(*) AS n, SUM(active_until > ?) AS active "
                "FROM jobs GROUP BY user, name ORDER BY user, name", (now,)
            ):
                e = entry(row["user"])
                e["submissions"] += row["n"]
                e["active"] += row["active"]
                e["jobs_per_name"][row["name"]] = row["n"]
        return users
