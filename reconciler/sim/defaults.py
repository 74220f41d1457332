"""The simulated server's defaults: the catalogue's, unless configured to have moved.

The real server can change a default without notice (D10: ``minsnr`` is documented as 2.4 and
shows as 1.5 in a real reply). ``SimConfig.defaults`` (``sim serve --default minsnr=1.5``) moves
defaults by wire name, so that tests can show the plan reporting such a move as drift. A moved
default is what the server fills in ``jobPars`` when a client omits the parameter, so it must
be a value the server's own validation accepts: that is checked here, once, at start-up.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..protocol.catalogue import ALL_PRODUCTS, ANY, GLOBALS, PRODUCTS, Param
from ..protocol.values import closest, from_server
from .validation import value_problem


def _by_wire() -> dict[str, list[tuple[Mapping[str, Param], Param]]]:
    """wire key (and server spelling) -> each (scope table, parameter) sent under it."""
    table: dict[str, list[tuple[Mapping[str, Param], Param]]] = {}
    for scope in (GLOBALS, *(PRODUCTS[p].params for p in ALL_PRODUCTS)):
        for param in scope.values():
            for key in param.wire_keys:
                table.setdefault(key, []).append((scope, param))
    return table


_BY_WIRE = _by_wire()


def server_default(param: Param, moved: Mapping[str, Any]) -> Any:
    """``param``'s default on this server, canonical (None: it has none)."""
    for key in param.wire_keys:
        if key in moved:
            return from_server(param, moved[key])
    return param.default


def parse(text: str) -> tuple[str, str]:
    """``WIRE=VALUE`` as written after ``--default``; ValueError saying what is wrong."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"--default {text!r} is not WIRE=VALUE (for example minsnr=1.5)")
    return key.strip(), value.strip()


def problems(moved: Mapping[str, Any]) -> list[str]:
    """Why these moved defaults cannot be a server's, in words a command-line user can act on."""
    out = []
    for key, raw in moved.items():
        holders = _BY_WIRE.get(key)
        if holders is None:
            guess = closest(key, _BY_WIRE)
            hint = f" (did you mean {guess}?)" if guess else ""
            out.append(f"--default {key}: no parameter has that wire name{hint}")
            continue
        for scope, param in holders:
            if param.fills:
                out.append(f"--default {key}: a directive, not a value with a default")
                break
            reason = value_problem(param, raw)
            if reason:
                out.append(f"--default {key}={raw}: {reason}")
                break
            if not param.has_default:
                out.append(f"--default {key}: the server has no default for it to move "
                           f"(a submission must give it or leave it unset)")
                break
            value = from_server(param, raw)
            # A default that makes another parameter required would fail every job that
            # omits both: the server could never have such a default.
            needed = [scope[n] for k in (value, ANY) for n in param.needs.get(k, ())]
            lacking = [p.wire for p in needed if server_default(p, moved) is None]
            if lacking:
                out.append(f"--default {key}={raw} would make {', '.join(lacking)} required "
                           f"whenever {key} is omitted")
                break
    return out

