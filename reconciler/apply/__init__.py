"""Plan -> submissions under limits, waiting, downloads."""
