"""Helpers for simulator tests: requests built through the project's own catalogue rules."""

from __future__ import annotations

import json
from typing import Any, Mapping

import requests

from reconciler.protocol.request import Request, build
from reconciler.protocol.wire import to_payload
from reconciler.sim import Simulator

USER = "tester@example.org"
OTHER = "someone.else@example.org"

#: A small valid request: GK Per by position and target, snapshot light curve.
GK_PER_GLOBALS: dict[str, Any] = {"RA": 52.799, "Dec": 43.9047, "targ": "00030842",
                                  "centroid": False, "useSXPS": False}


def request(name: str = "GK Per", globals_: Mapping[str, Any] | None = None,
            products: Mapping[str, Mapping[str, Any]] | None = None,
            server_rules: bool = False) -> Request:
    built, problems = build(name, dict(GK_PER_GLOBALS if globals_ is None else globals_),
                            {"LightCurve": {"binMeth": "snapshot"}} if products is None
                            else products, server_rules=server_rules)
    assert not problems, problems
    return built


def payload(name: str = "GK Per", globals_: Mapping[str, Any] | None = None,
            products: Mapping[str, Mapping[str, Any]] | None = None,
            user: str = USER, server_rules: bool = False) -> dict[str, Any]:
    """A submission body; ``server_rules`` allows what only swifttools would refuse."""
    return to_payload(request(name, globals_, products, server_rules), user)


def post(sim: Simulator, endpoint: str, body: Any, timeout: float = 10.0) -> dict[str, Any]:
    """POST a JSON body and decode the JSON reply (asserting the transport succeeded)."""
    response = requests.post(f"{sim.base_url}/{endpoint}", json=body, timeout=timeout)
    assert response.status_code == 200, response.text
    return json.loads(response.text)


def submit(sim: Simulator, body: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return post(sim, "run_userobject.php", dict(body or payload()))


def status(sim: Simulator, job_id: Any, what: str, user: str = USER,
           what_prog: str | None = None) -> dict[str, Any]:
    body = {"UserID": user, "JobID": job_id, "what": what}
    if what_prog is not None:
        body["whatProg"] = what_prog
    return post(sim, "checkProductStatus.php", body)
