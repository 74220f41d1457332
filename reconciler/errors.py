"""The one exception type users see.

Anything raised as a :class:`UserError` is printed by the CLI as one paragraph (where, what,
how to fix) with exit code 1, never as a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can act on; ``str(error)`` is the whole message."""
