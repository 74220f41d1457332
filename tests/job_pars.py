"""Generated server ``jobPars`` in the real server's form, with the request each one amounts to.

The real server (ukssdc-api.md §4.1, §5.4) echoes the submission, fills defaults for some
parameters (of the requested products and often of others), computes what the directives ask
for, adds server-internal keys, writes some numbers as strings, flags and yes/no values as 0/1
(``sss`` even as ``"0"``), enumerations as their names, may wrap ``targ`` in braces and spells
``SinceT0`` as ``sinceT0``. This strategy draws every one of those variations, and alongside the
``jobPars`` keeps the canonical values it encoded (``truth``), so that a reader can be judged
against what the job really ran with, not only against another reader. Keys no client knows
are added too, as a newer server may add them.

The simulator (``reconciler/sim/jobpars.py``) builds one fixed form of the same object; this
generator deliberately covers the variations the real server is known to produce, except the
old numeric enumeration codes, which swifttools cannot read (tests/protocol/test_wire.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import strategies
from hypothesis import strategies as st

from reconciler.protocol import catalogue as cat
from reconciler.protocol.catalogue import Param
from reconciler.protocol.request import Request
from reconciler.protocol.values import from_user, server_echo, to_wire
from reconciler.protocol.wire import to_payload

USER = "jobpars@example.org"


@dataclass
class GeneratedJob:
    """``job_pars`` as the server returns them; ``truth`` what they mean (no directives)."""

    job_pars: dict[str, Any]
    truth: Request
    #: the request that was submitted
    submitted: Request


def _by_wire() -> dict[str, list[tuple[str, Param]]]:
    """wire key -> every (scope, parameter) sent under it (srcrad and the position keys are
    shared by several products)."""
    table: dict[str, list[tuple[str, Param]]] = {}
    for param in cat.GLOBALS.values():
        table.setdefault(param.wire, []).append((cat.GLOBAL_SCOPE, param))
    for prod in cat.ALL_PRODUCTS:
        for param in cat.PRODUCTS[prod].params.values():
            table.setdefault(param.wire, []).append((prod, param))
    return table


_BY_WIRE = _by_wire()


def _sent_value(request: Request, wire: str) -> tuple[Param, Any]:
    """The parameter and canonical value the request sent under ``wire``."""
    for scope, param in _BY_WIRE[wire]:
        values = request.globals if scope == cat.GLOBAL_SCOPE else request.products.get(scope, {})
        if param.name in values:
            return param, values[param.name]
    param = next(p for _, p in _BY_WIRE[wire] if p.send_default)  # dchi: sent unasked
    return param, _canonical_default(param)


def _server_form(draw: Any, param: Param, value: Any) -> Any:
    """How the server writes a canonical value: its usual echo, or now and then a plain number."""
    if param.server_string and draw(st.integers(0, 3)) == 0:
        return to_wire(param, value)
    return server_echo(param, value)


def _canonical_default(param: Param) -> Any:
    return from_user(param, list(param.default) if isinstance(param.default, tuple)
                     else param.default)


@st.composite
def job_pars_for(draw: Any, request: Request, user: str = USER) -> GeneratedJob:
    """Server ``jobPars`` for a submitted (built, valid) ``request``."""
    payload = to_payload(request, user)
    canon: dict[str, Any] = {}          # wire key -> canonical value in the job
    out: dict[str, Any] = {}
    for key, sent in payload.items():
        if key in cat.ENVELOPE_KEYS:
            out[key] = sent
            continue
        if key in cat.PRODUCT_BY_FLAG:
            out[key] = 1
            continue
        param, value = _sent_value(request, key)
        if param.fills:  # directives: echoed as sent, or not at all (§4.1)
            if draw(st.booleans()):
                out[key] = sent
            continue
        out[key] = _server_form(draw, param, value)
        canon[key] = value

    # the directives' results
    for directive in cat.DIRECTIVES:
        if request.globals.get(directive) is not True:
            continue
        for filled in cat.GLOBALS[directive].fills:
            param = cat.GLOBALS[filled]
            value = draw(strategies.param_values(param))
            canon[param.wire] = value
            out[param.wire] = _server_form(draw, param, value)

    # astrometry needs the standard position: the server asks for it too
    flags = {p.flag for p in cat.PRODUCTS.values() if p.name in request.products}
    if cat.PRODUCTS[cat.XASTROM].flag in flags:
        flags.add(cat.PRODUCTS[cat.PSF].flag)
        out[cat.PRODUCTS[cat.PSF].flag] = 1

    # defaults, server-internal keys and 0 flags, in no particular order
    extra: dict[str, Any] = {}
    for wire, holders in _BY_WIRE.items():
        param = holders[0][1]
        if param.fills or not param.has_default or wire in out:
            continue
        used = any(scope == cat.GLOBAL_SCOPE or cat.PRODUCTS[scope].flag in flags
                   for scope, _ in holders)
        if draw(st.integers(0, 3 if used else 1)) == 0:
            continue
        key = draw(st.sampled_from(param.wire_keys))
        value = _canonical_default(param)
        extra[key] = _server_form(draw, param, value)
        canon[param.wire] = value
    for key, value in cat.SERVER_INTERNAL.items():
        if draw(st.booleans()):
            extra[key] = value
    extra["outdir"] = f"USERPROD_{draw(st.integers(1, 10**6))}"
    # keys no client knows, as a newer server may add (§4.1)
    for key in draw(st.lists(st.from_regex(r"zz[a-z]{1,5}", fullmatch=True), max_size=2,
                             unique=True)):
        extra[key] = draw(st.integers() | st.text(max_size=5))
    for product in cat.PRODUCTS.values():
        if product.flag not in out and draw(st.booleans()):
            extra[product.flag] = 0
    keys = draw(st.permutations(sorted(extra)))
    out.update({k: extra[k] for k in keys})

    if "targ" in out and isinstance(out["targ"], str) and draw(st.booleans()):
        out["targ"] = "{" + out["targ"] + "}"  # D28
    _specgrades_last(out)
    return GeneratedJob(out, _truth(out, canon, flags), request)


def _specgrades_last(out: dict[str, Any]) -> None:
    """The server writes the spectrum's grades after the light curve's (§5.4)."""
    spec_wire = cat.PRODUCTS[cat.SPEC].params["grades"].wire
    lc_wire = cat.PRODUCTS[cat.LC].params["grades"].wire
    keys = list(out)
    if spec_wire in out and lc_wire in out and keys.index(spec_wire) < keys.index(lc_wire):
        out[spec_wire] = out.pop(spec_wire)


def _truth(out: Mapping[str, Any], canon: Mapping[str, Any], flags: set[str]) -> Request:
    """The canonical request the job ran with: every parameter under a wire key present."""
    def present(param: Param) -> bool:
        return param.wire in canon and any(k in out for k in param.wire_keys)

    globals_ = {n: canon[p.wire] for n, p in cat.GLOBALS.items() if not p.fills and present(p)}
    products = {
        prod: {n: canon[p.wire] for n, p in cat.PRODUCTS[prod].params.items() if present(p)}
        for prod in cat.ALL_PRODUCTS if cat.PRODUCTS[prod].flag in flags
    }
    return Request(name=globals_["name"], globals=globals_, products=products)


@st.composite
def generated_jobs(draw: Any, user: str = USER, **request_kwargs: Any) -> GeneratedJob:
    """A valid request (see ``strategies.request_inputs``) and the ``jobPars`` of its job."""
    request = draw(strategies.requests(**request_kwargs))
    return draw(job_pars_for(request, user))
