"""The wire form of a request, both ways.

``to_payload`` gives the exact JSON object a submission carries (what swifttools'
``getJSONDict()`` would send for the same request). ``from_job_pars`` reads a server ``jobPars``
object (wire names, numbers as strings, 0/1 booleans, server-internal keys) back into a
canonical :class:`~reconciler.protocol.request.Request`, so that server history and specs compare on
equal terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from .catalogue import (
    ALL_PRODUCTS,
    API_NAME,
    API_VERSION,
    GLOBALS,
    PRODUCTS,
    Kind,
    Param,
)
from .request import Request
from .values import from_server, server_bool, to_wire


def to_payload(request: Request, user: str) -> dict[str, Any]:
    """The submission body for ``request`` on behalf of ``user``."""
    payload: dict[str, Any] = {"api_name": API_NAME, "api_version": API_VERSION, "UserID": user}
    for name, value in request.globals.items():
        param = GLOBALS[name]
        payload[param.wire] = to_wire(param, value)
    for prod, params in request.products.items():
        product = PRODUCTS[prod]
        payload[product.flag] = 1
        for name, param in product.params.items():
            if name in params:
                payload[param.wire] = to_wire(param, params[name])
            elif param.send_default:
                payload[param.wire] = to_wire(param, param.default)
    return payload


@dataclass
class ServerJob:
    """A server ``jobPars`` read back: the request it amounts to and what could not be read."""

    request: Request
    unreadable: list[str] = field(default_factory=list)


def _read_table(job_pars: Mapping[str, Any], table: Mapping[str, Param],
                unreadable: list[str]) -> dict[str, Any]:
    """The parameters of ``table`` present in ``job_pars`` (null counts as absent)."""
    out: dict[str, Any] = {}
    for name, param in table.items():
        raw = next((job_pars[key] for key in param.wire_keys if key in job_pars), None)
        if raw is None:
            continue
        try:
            value = from_server(param, raw)
        except (TypeError, ValueError):
            unreadable.append(f"{param.wire}={raw!r} is not a valid {param.kind.value}")
            continue
        if param.kind is Kind.STR and param.choices and value not in param.choices:
            unreadable.append(f"{param.wire}={raw!r} is not one of {', '.join(param.choices)}")
        out[name] = value
    return out


def from_job_pars(job_pars: Mapping[str, Any]) -> ServerJob:
    """Server ``jobPars`` -> canonical request.

    Directives (getCoords/getTargs/getT0) are dropped: the values they produced are in the
    job and those are what count. Values that cannot be read are listed, not fatal: an odd old
    job must not stop a plan. Enumerations outside the catalogue are kept as text, so they
    still compare unequal to any valid value.
    """
    unreadable: list[str] = []
    values = {n: p for n, p in GLOBALS.items() if not p.fills}
    globals_ = _read_table(job_pars, values, unreadable)
    products = {
        prod: _read_table(job_pars, PRODUCTS[prod].params, unreadable)
        for prod in ALL_PRODUCTS if server_bool(job_pars.get(PRODUCTS[prod].flag, 0))
    }
    request = Request(name=globals_.get("name", ""), globals=globals_, products=products)
    return ServerJob(request=request, unreadable=sorted(set(unreadable)))
