"""xrt-reconcile: declarative Swift-XRT product requests for the UKSSDC."""

__version__ = "0.1.0"
