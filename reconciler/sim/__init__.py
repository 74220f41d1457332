"""A faithful local simulator of the UKSSDC XRT product server (DESIGN §5, ukssdc-api.md).

Start one in-process with :func:`run_simulator` (tests) or ``xrt-reconcile sim serve``.
"""

from .config import SimConfig
from .server import Simulator, run_simulator

__all__ = ["SimConfig", "Simulator", "run_simulator"]
