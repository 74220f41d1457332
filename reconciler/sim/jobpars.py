"""The ``jobPars`` object the server returns for a job (ukssdc-api.md §4.1, §5.4).

Like the real server: the envelope the client sent, every global and the parameters of each
requested product with defaults filled in and computed values in place, numbers the server
keeps as text as strings, flags and yes/no values as integers, enumerations as their names,
then the server-internal keys. Unlike the oldest documented replies it never uses numeric enum
codes, which swifttools 4.0.5 cannot read (D2).

Key order matters to swifttools, which replays its triggers while reading: parameters follow
the catalogue order (``specz``/``zval`` before ``galactic``; ``grades`` before ``specgrades``).
``SinceT0`` is echoed under both spellings (D5): the server's ``sinceT0`` and the ``SinceT0``
that swifttools reads back.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..protocol.catalogue import (
    ALL_PRODUCTS,
    ENVELOPE_KEYS,
    GLOBALS,
    PRODUCTS,
    SERVER_INTERNAL,
    Param,
)
from ..protocol.request import Request
from ..protocol.values import server_echo


def job_dir(job_id: int) -> str:
    """The job's directory on the server (``outdir``, and the tail of its URL)."""
    return f"USERPROD_{job_id}"


def _compact(value: Any) -> Any:
    """Whole floats as integers, as PHP prints them (1e8 -> 100000000)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _put(out: dict[str, Any], param: Param, value: Any) -> None:
    echoed = _compact(server_echo(param, value))
    for key in param.wire_keys:
        out.setdefault(key, echoed)


def build_job_pars(body: Mapping[str, Any], request: Request, job_id: int) -> dict[str, Any]:
    """``jobPars`` for a resolved request; ``body`` supplies the envelope and directives sent."""
    out: dict[str, Any] = {key: body[key] for key in ENVELOPE_KEYS if key in body}
    for name, param in GLOBALS.items():
        if param.fills:
            if param.wire in body:
                _put(out, param, request.globals.get(name, False))
        elif name in request.globals:
            _put(out, param, request.globals[name])
        elif param.has_default:
            _put(out, param, param.default)
    for prod in ALL_PRODUCTS:
        product = PRODUCTS[prod]
        requested = prod in request.products
        out[product.flag] = 1 if requested else 0
        if not requested:
            continue
        given = request.products[prod]
        for name, param in product.params.items():
            if name in given:
                _put(out, param, given[name])
            elif param.has_default:
                _put(out, param, param.default)
    out.update(SERVER_INTERNAL)
    out["outdir"] = job_dir(job_id)
    return out
