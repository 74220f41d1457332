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
    LC,
    PRODUCTS,
    Kind,
    Param,
)
from .request import Request
from .values import from_server, server_bool, server_int, to_wire


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


#: Numeric codes old servers wrote for enumerations (D2), read only where the documented
#: replies fix their meaning; any other code of an enumeration is reported as unreadable.
#:
#: - ``lcobs: 0`` means ``all``. §4.2 is the reply to the PYDOC tutorial request, whose body
#:   (§3.11) sent neither ``lcobs`` nor ``uselcobs``. ``lcobs`` is ``all`` or ``user`` (§3.4),
#:   and ``user`` needs ``uselcobs``, which the job does not have: it ran on all data.
#:
#: Not read, for want of evidence: ``centMeth: "3"``, ``timeslice: 1`` and ``specobs: 1``
#: (§4.3) are tied to names only by a request that D17 shows is not the reply's own, and the
#: reply rules out no more than ``user`` for the last two; ``centMeth: 2``, ``detornot: 1``,
#: ``detMeth: 0`` (the RAW request example, D2) have no reply at all. ``useSXPS: "2SXPS"`` (§4.3)
#: is a catalogue name where a yes/no belongs, and nothing says whether it meant yes:
#: swifttools reads it as no only because its cast reads anything but 1 as no (§5.1).
_ENUM_CODES: Mapping[str, Mapping[int, str]] = {
    PRODUCTS[LC].params["whichData"].wire: {0: "all"},
}


def _code(raw: Any) -> int | None:
    """``raw`` as a numeric code (``0``, ``"3"``), or None if it is not written as one."""
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        return None
    try:
        return server_int(raw)
    except ValueError:
        return None


def is_yes_no(raw: Any) -> bool:
    """Whether ``raw`` is written as one of the server's yes/no spellings (§4.1, §5.1)."""
    if isinstance(raw, str):
        return raw.strip().lower() in ("0", "1", "no", "yes", "false", "true")
    return isinstance(raw, (bool, int, float)) and raw in (0, 1)


def _read_value(param: Param, raw: Any) -> tuple[Any, str | None]:
    """The canonical value of ``raw`` (None: none can be given) and why it is unreadable."""
    if param.kind is Kind.BOOL and not is_yes_no(raw):
        return None, f"{param.wire}={raw!r} is not a yes/no value"
    try:
        value = from_server(param, raw)
    except (TypeError, ValueError):
        return None, f"{param.wire}={raw!r} is not a valid {param.kind.value}"
    if param.kind is Kind.STR and param.choices and value not in param.choices:
        code = _code(raw)
        known = None if code is None else _ENUM_CODES.get(param.wire, {}).get(code)
        if known is not None:
            return known, None
        # Kept as text, so that it still compares unequal to any valid value.
        return value, f"{param.wire}={raw!r} is not one of {', '.join(param.choices)}"
    return value, None


def _read_table(job_pars: Mapping[str, Any], table: Mapping[str, Param],
                unreadable: list[str]) -> dict[str, Any]:
    """The parameters of ``table`` present in ``job_pars`` (null counts as absent)."""
    out: dict[str, Any] = {}
    for name, param in table.items():
        raw = next((job_pars[key] for key in param.wire_keys if key in job_pars), None)
        if raw is None:
            continue
        value, problem = _read_value(param, raw)
        if problem:
            unreadable.append(problem)
        if value is not None:
            out[name] = value
    return out


def from_job_pars(job_pars: Mapping[str, Any]) -> ServerJob:
    """Server ``jobPars`` -> canonical request, the same for every shape a reply takes.

    Numbers as text or numbers, ``targ`` in braces or bare (D28), keys this tool does not know,
    the parameters of products not requested (only the flags decide the products), old numeric
    enumeration codes where their meaning is known (:data:`_ENUM_CODES`). Directives
    (getCoords/getTargs/getT0) are dropped: the values they produced are in the job and those
    are what count. Values that cannot be read are listed as ``wire=value ...``, never fatal: an
    odd old job must not stop a plan. An enumeration outside the catalogue is kept as text; a
    value of any other kind that cannot be read is left out.
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
