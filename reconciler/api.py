"""The Python API: the same operations as the command line, for notebooks and scripts.

    import reconciler.api as xrt
    spec = xrt.load("sources.yaml")
    plan = xrt.plan(spec, server="sim")
    for source in plan.sources: ...

The plan is a data object (:class:`reconciler.plan.model.Plan`); the command line is a thin
layer over these functions.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from .errors import UserError
from .plan.compute import History, assemble, in_scope, plan_sources
from .plan.model import Facts, Inputs, Options, Plan
from .protocol.values import closest
from .session import Session, open_session
from .spec import LoadedSpec
from .spec import load as _load_spec
from .state import lockfile
from .state.history import FactFinder, history
from .state.lock import Lock, empty

if TYPE_CHECKING:
    from .apply.download import Fetched
    from .apply.runner import Result
    from .state.status import Row as StatusRow

__all__ = ["Options", "Plan", "Session", "apply", "download", "load", "open_session", "options",
           "plan", "plan_in", "read_lock", "status"]

#: A plan's rounds of fetching facts; each round only adds facts, so this is a safety net.
_MAX_ROUNDS = 100


def load(path: str | Path) -> LoadedSpec:
    """The valid spec at ``path``; :class:`reconciler.spec.diagnostics.SpecError` with every
    located problem otherwise."""
    return _load_spec(path)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a lock is read or a plan computed: both make
    hundreds of thousands of small objects that refcounting frees (no cycles), and for a
    10,000-source lock the collector's repeated passes over them cost more than reading it."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def read_lock(spec: LoadedSpec, session: Session) -> Lock:
    """The spec's lock (an empty one when there is none yet), checked to belong to the
    session's server and user."""
    path = lockfile.lock_path(spec.path)
    with _collector_paused():
        lock = lockfile.read(path)
    if lock is None:
        return empty(session.server, session.user)
    lockfile.check_owner(lock, path, session.server, session.user)
    return lock


def options(spec: LoadedSpec, targets: Iterable[str] | None, retry_failed: bool,
             refresh_resolved: bool) -> Options:
    chosen = None
    if targets:
        chosen = frozenset(targets)
        for name in sorted(chosen - set(spec.sources)):
            guess = closest(name, spec.sources)
            hint = f"; did you mean {guess!r}?" if guess else ""
            raise UserError(f"--target {name!r} is not a source of {spec.path}{hint}")
    return Options(targets=chosen, retry_failed=retry_failed, refresh_resolved=refresh_resolved)


def plan(spec: LoadedSpec | str | Path, *, server: str | None = None, user: str | None = None,
         targets: Iterable[str] | None = None, retry_failed: bool = False,
         refresh_resolved: bool = False, session: Session | None = None) -> Plan:
    """What apply would do for ``spec``: one ``listOldJobs``, then only the per-job requests
    the plan needs that the cache cannot answer. ``server``/``user`` override the spec's
    (``server="sim"`` runs the embedded simulator); pass an open ``session`` to reuse one."""
    loaded = spec if isinstance(spec, LoadedSpec) else load(spec)
    chosen = options(loaded, targets, retry_failed, refresh_resolved)
    if session is not None:
        return plan_in(loaded, session, chosen)
    with open_session(loaded, server, user) as opened:
        return plan_in(loaded, opened, chosen)


def plan_in(spec: LoadedSpec, session: Session, options: Options,
            lock: Lock | None = None) -> Plan:
    """The plan within an open session (``lock``: the lock to plan from, if not the file's)."""
    with _collector_paused():
        return _plan_in(spec, session, options, lock)


def _plan_in(spec: LoadedSpec, session: Session, options: Options, lock: Lock | None) -> Plan:
    lock = lock if lock is not None else read_lock(spec, session)
    with session.client() as client:
        rows = history(client)
    finder = FactFinder(session.client, session.cache(), {r.job_id: r for r in rows})
    inputs = Inputs(session.server, session.user, spec.sources, lock, Facts(rows),
                    datetime.now(timezone.utc), options)
    index = History(rows)
    waiting = in_scope(inputs)
    outcomes = {}
    for _ in range(_MAX_ROUNDS):
        done, needs = plan_sources(inputs, waiting, index)
        outcomes.update(done)
        waiting = [n for n in waiting if n not in done]
        if not needs:
            break
        inputs = replace(inputs, facts=finder.fill(needs, inputs.facts))
    else:  # pragma: no cover - every round adds facts
        raise UserError("the plan did not settle; please report this as a bug")
    return assemble(inputs, outcomes, index)


class _Quiet:
    """A reporter that says nothing (the API returns what happened instead)."""

    def note(self, text: str) -> None:
        pass

    def counts(self, done: int, active: int, queued: int) -> None:
        pass


def apply(spec: LoadedSpec | str | Path, *, server: str | None = None, user: str | None = None,
          targets: Iterable[str] | None = None, retry_failed: bool = False,
          refresh_resolved: bool = False, wait: bool = False, download_to: str | Path | None = None,
          fmt: str = "tar.gz", extract: bool = False, clobber: bool = False,
          cancel_superseded: bool = True, allow_large: bool = False,
          report: Any = None) -> "Result":
    """Plan and carry the plan out at once (the API does not ask for confirmation: look at
    :func:`plan` first). Holds the spec's apply lock throughout; ``report`` gets progress
    notes (``note(text)``, ``counts(done, active, queued)``)."""
    from .apply.pace import Pace
    from .apply.runner import carry_out, check_size
    from .state import applock
    loaded = spec if isinstance(spec, LoadedSpec) else load(spec)
    chosen = options(loaded, targets, retry_failed, refresh_resolved)
    with applock.holding(loaded.path), open_session(loaded, server, user) as session:
        planned = plan_in(loaded, session, chosen)
        pace = Pace.of(loaded.limits, loopback=session.loopback, time_scale=session.time_scale)
        check_size(planned, pace, allow_large)
        return carry_out(loaded, session, planned, pace, report or _Quiet(),
                         wait_for=wait or download_to is not None,
                         download_to=Path(download_to) if download_to is not None else None,
                         fmt=fmt, extract=extract, clobber=clobber,
                         cancel_superseded=cancel_superseded)


def status(spec: LoadedSpec | str | Path, *, server: str | None = None,
           user: str | None = None) -> list["StatusRow"]:
    """Per (source, product): serving job, attempt, status and age."""
    from .state.status import rows
    loaded = spec if isinstance(spec, LoadedSpec) else load(spec)
    with open_session(loaded, server, user) as session, session.client() as client:
        return rows(client, read_lock(loaded, session), dict(loaded.sources), session.cache())


def download(spec: LoadedSpec | str | Path, dest: str | Path, *, fmt: str = "tar.gz",
             extract: bool = False, clobber: bool = False, server: str | None = None,
             user: str | None = None, report: Any = None) -> list["Fetched"]:
    """Fetch every serving product into ``dest/<source>/<product>.<fmt>``."""
    from .apply.download import download as fetch
    from .apply.runner import rebaser
    loaded = spec if isinstance(spec, LoadedSpec) else load(spec)
    with open_session(loaded, server, user) as session, session.client() as client:
        lock = read_lock(loaded, session)
        rows = {r.job_id: r for r in history(client)}
        return fetch(client, lock, list(loaded.sources), rows, Path(dest), fmt,
                     report or _Quiet(), extract=extract, clobber=clobber,
                     cache=session.cache(), rebase=rebaser(session))
