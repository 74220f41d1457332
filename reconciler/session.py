"""Which server and user a run is for, and the connections to it.

``--server`` beats the spec's ``server:`` beats the real UKSSDC; the word ``sim`` starts the
embedded simulator in this process, with its state under ``.xrt-reconcile/`` beside the spec,
so a fresh machine can run the whole workflow with no server to start by hand. The lock
records ``sim`` (not the simulator's passing port), so a lock made on the demo never meets the
real server.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .client import Client
from .errors import UserError
from .loopback import is_loopback
from .protocol.catalogue import DEFAULT_SERVER
from .spec import USER_ENV, LoadedSpec, effective_user
from .state.cache import JobCache
from .state.paths import workdir

SIM = "sim"
#: The embedded simulator runs a product stage in this many seconds...
SIM_STAGE_SECONDS = 1.0
#: ...so its minute lasts a second: limits written for the real server (poll every minute,
#: six submissions a minute) are scaled by this much against it.
SIM_TIME_SCALE = 60.0


@dataclass
class Session:
    """One run's server (as the lock names it), user, and where to reach the server."""

    server: str
    user: str
    base_url: str
    spec_path: Path
    #: how much faster than real time the server runs (the embedded simulator: 60x)
    time_scale: float = 1.0
    _stack: ExitStack = field(default_factory=ExitStack, repr=False)
    simulator: Any = None

    @property
    def loopback(self) -> bool:
        from urllib.parse import urlsplit
        return is_loopback(urlsplit(self.base_url).hostname or "")

    def client(self) -> Client:
        return Client(self.base_url, self.user)

    def cache(self) -> JobCache:
        return JobCache(workdir(self.spec_path), self.server, self.user)

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def target(spec: LoadedSpec, server: str | None = None, user: str | None = None) -> tuple[str, str]:
    """The effective (server, user) of a run, or a UserError saying how to give the user."""
    chosen_user = effective_user(spec.user, user)
    if not chosen_user:
        raise UserError(
            f"{spec.path}: no UKSSDC user known; add 'user: you@example.org' to the spec, set "
            f"{USER_ENV}, or pass --user (your registered e-mail address)"
        )
    return (server or spec.server or DEFAULT_SERVER).rstrip("/"), chosen_user


def open_session(spec: LoadedSpec, server: str | None = None, user: str | None = None) -> Session:
    """A session for ``spec``; for ``sim`` the embedded simulator runs until it is closed."""
    chosen, who = target(spec, server, user)
    return open_at(Path(spec.path), chosen, who)


def open_at(spec_path: Path, chosen: str, who: str) -> Session:
    """A session for the spec at ``spec_path`` (it need not exist yet) with this server (URL
    or ``sim``) and user."""
    if chosen != SIM:
        return Session(chosen, who, chosen, Path(spec_path))
    from .sim import run_simulator
    stack = ExitStack()
    db = workdir(spec_path) / "sim.sqlite3"
    try:
        sim = stack.enter_context(run_simulator(db, job_seconds=SIM_STAGE_SECONDS,
                                                max_seconds=24 * 3600.0))
    except OSError as error:
        raise UserError(f"could not start the embedded simulator (state in {db}): "
                        f"{error.strerror or error}") from None
    return Session(SIM, who, sim.base_url, Path(spec_path), SIM_TIME_SCALE, stack, sim)
