"""A faithful local simulator of the UKSSDC XRT product server (DESIGN §5, ukssdc-api.md).

Start one in-process with :func:`run_simulator` (tests) or ``xrt-reconcile sim serve``.
The server is imported on first use, so the CLI can read :class:`SimConfig`'s defaults
without loading it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import SimConfig

if TYPE_CHECKING:
    from .server import Simulator, run_simulator

__all__ = ["SimConfig", "Simulator", "run_simulator"]


def __getattr__(name: str) -> Any:
    if name in ("Simulator", "run_simulator"):
        from . import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
