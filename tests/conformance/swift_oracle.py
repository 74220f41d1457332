"""The real swifttools 4.0.5 client driven as a test oracle.

Only tests import swifttools (never ``reconciler``). The translation from a canonical request to
swifttools calls uses swifttools' own tables (types, triggers), so the oracle stays independent
of the catalogue it checks.
"""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any, Iterator, Mapping

from swifttools.ukssdc.xrt_prods import XRTProductRequest, productVars
from swifttools.ukssdc.xrt_prods.prod_common import longToShort

USER = "conformance@example.org"
#: the key both sides may legitimately differ on (client version)
IGNORED_PAYLOAD_KEYS = ("api_version",)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """swifttools prints on some paths even with silent=True; keep test output clean."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def _swift_types(scope: str, name: str) -> tuple[type, ...]:
    if scope == "globals":
        return XRTProductRequest._globalTypes[name]
    short = longToShort[scope]
    if name in productVars.prodUseGlobals[short]:
        wire = productVars.prodPythonParsToJSONPars[short].get(name, name)
        return XRTProductRequest._globalTypes[wire]
    return productVars.prodParTypes[short][name]


def _as_swift(scope: str, name: str, value: Any) -> Any:
    """A canonical value in the Python type swifttools insists on for ``name``."""
    types = _swift_types(scope, name)
    if isinstance(value, bool) and bool not in types:
        return int(value)  # D18: matchHR is a 0/1 number in swifttools
    if isinstance(value, tuple):
        return list(value)
    return value


def _sources_first(params: Mapping[str, Any], triggers: Mapping[str, Any]) -> dict[str, Any]:
    """Trigger sources before the rest, so that explicit values win (as in ``request.build``)."""
    first = {k: v for k, v in params.items() if k in triggers}
    return {**first, **{k: v for k, v in params.items() if k not in triggers}}


def build_request(name: str, globals_: Mapping[str, Any],
                  products: Mapping[str, Mapping[str, Any]], user: str = USER
                  ) -> XRTProductRequest:
    """The swifttools request a user would build for these canonical values."""
    with quiet():
        req = XRTProductRequest(user, silent=True)
        gpars = {k: _as_swift("globals", k, v) for k, v in {**globals_, "name": name}.items()}
        req.setGlobalPars(**_sources_first(gpars, productVars.globalParTriggers))
        for prod, params in products.items():
            req.addProduct(prod)
            if params:
                ppars = {k: _as_swift(prod, k, v) for k, v in params.items()}
                triggers = productVars.prodParTriggers[longToShort[prod]]
                req.setProductPars(prod, **_sources_first(ppars, triggers))
    return req


def payload(name: str, globals_: Mapping[str, Any],
            products: Mapping[str, Mapping[str, Any]], user: str = USER) -> dict[str, Any]:
    """``getJSONDict()`` for the request."""
    return build_request(name, globals_, products, user).getJSONDict()


def read_job_pars(job_pars: Mapping[str, Any], user: str = USER) -> dict[str, Any]:
    """What swifttools makes of server ``jobPars``: ``getAllPars()`` after ``fromServer=True``."""
    with quiet():
        req = XRTProductRequest(user, JSONVals=dict(job_pars), fromServer=True, silent=True)
        return req.getAllPars()


def canonical_json(value: Any) -> str:
    """Type-aware comparison form: 1, 1.0 and true stay different; key order does not count."""
    return json.dumps(value, sort_keys=True)


def strip_ignored(payload_: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload_.items() if k not in IGNORED_PAYLOAD_KEYS}

