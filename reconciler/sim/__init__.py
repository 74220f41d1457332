"""A faithful local simulator of the UKSSDC XRT product server (DESIGN §5, ukssdc-api.md).

Start one in-process with :func:`run_simulator` (tests) or ``xrt-reconcile sim serve``; fill
its history in bulk with :func:`seed`. The server is imported on first use, so the CLI can
read :class:`SimConfig`'s defaults without loading it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .config import SimConfig

if TYPE_CHECKING:
    from .seeding import Seed, seed
    from .server import Simulator, run_simulator

__all__ = ["Seed", "SimConfig", "Simulator", "run_simulator", "seed"]
_LAZY = {"Simulator": "server", "run_simulator": "server", "Seed": "seeding", "seed": "seeding"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
