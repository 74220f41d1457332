"""The ``jobPars`` object the server returns for a job (ukssdc-api.md §4.1, §5.4).

Like the real server: everything the client sent (unknown keys too, as sent), every global
and the parameters of every product with defaults filled in (those of products not requested
as well, beside their flag 0, as in the GK Per reply of §4.3), computed values in place,
numbers the server keeps as text as strings, flags and yes/no values as integers, enumerations
as their names, then the server-internal keys. Unlike the oldest documented replies it never
uses numeric enum codes, which swifttools 4.0.5 cannot read (D2).

Key order matters to swifttools, which replays its triggers while reading: parameters follow
the catalogue order (``specz``/``zval`` before ``galactic``; ``grades`` before ``specgrades``).
The server writes ``sinceT0`` (D5); ``SinceT0`` appears only when the client sent it, by the
echo rule, so swifttools reads the value back only then (its quirk, not the server's).
"""

from __future__ import annotations

from typing import Any, Mapping

from ..protocol.catalogue import (
    ALL_PRODUCTS,
    DIRECTIVES,
    ENVELOPE_KEYS,
    GLOBALS,
    PRODUCTS,
    SERVER_INTERNAL,
    Param,
)
from ..protocol.request import Request
from ..protocol.values import server_echo
from .defaults import server_default

_TARG = GLOBALS["targ"]
#: the directive that fills ``targ``
_TARG_DIRECTIVE = next(d for d in DIRECTIVES if _TARG.name in GLOBALS[d].fills)


def job_dir(job_id: int) -> str:
    """The job's directory on the server (``outdir``, and the tail of its URL)."""
    return f"USERPROD_{job_id}"


def _compact(value: Any) -> Any:
    """Whole floats as integers, as PHP prints them (1e8 -> 100000000)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _server_key(param: Param) -> str:
    """The key the server itself writes: its own spelling where it differs from the one
    clients send (the catalogue lists the spellings seen in ``jobPars`` as wire aliases)."""
    return param.wire_aliases[0] if param.wire_aliases else param.wire


def _put(out: dict[str, Any], body: Mapping[str, Any], param: Param, value: Any) -> None:
    """``value`` under the server's key, and under the client's spelling if it sent one."""
    echoed = _compact(server_echo(param, value))
    out.setdefault(_server_key(param), echoed)
    if param.wire_aliases:  # else the server's key is the only one
        for key in param.wire_keys:
            if key in body:
                out.setdefault(key, echoed)


def _targ(request: Request, value: str) -> str:
    """D28, decided from the two documented replies, both filled by getTargs: several target
    IDs come back wrapped in braces (§4.3, GK Per), a single ID bare (§4.2, GRB 200416A). A
    ``targ`` the client gave is echoed as given: no reply shows braces added to one."""
    if request.globals.get(_TARG_DIRECTIVE) is True and "," in value:
        return "{" + value + "}"
    return value


def build_job_pars(body: Mapping[str, Any], request: Request, job_id: int,
                   defaults: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``jobPars`` for a resolved request; ``body`` is the submission as the server treats it.

    ``defaults`` are moved server defaults by wire name (``SimConfig.defaults``).
    """
    moved = defaults or {}
    out: dict[str, Any] = {key: body[key] for key in ENVELOPE_KEYS if key in body}
    for name, param in GLOBALS.items():
        if param.fills:
            if param.wire in body:
                _put(out, body, param, request.globals.get(name, False))
        elif name in request.globals:
            value = request.globals[name]
            _put(out, body, param, _targ(request, value) if param is _TARG else value)
        elif param.has_default:
            _put(out, body, param, server_default(param, moved))
    # A product not requested: its parameters as sent (echoed below), else their defaults;
    # but a wire key shared with a requested product (the position keys) carries its value.
    taken = set(body).union(*(param.wire_keys for prod in request.products
                              for param in PRODUCTS[prod].params.values()))
    for prod in ALL_PRODUCTS:
        product = PRODUCTS[prod]
        requested = prod in request.products
        out[product.flag] = 1 if requested else 0
        given = request.products.get(prod, {})
        for name, param in product.params.items():
            if name in given:
                _put(out, body, param, given[name])
            elif param.has_default and (requested or taken.isdisjoint(param.wire_keys)):
                _put(out, body, param, server_default(param, moved))
    for key, value in body.items():  # the rest of what was sent, as sent
        out.setdefault(key, value)
    out.update(SERVER_INTERNAL)
    out["outdir"] = job_dir(job_id)
    return out
