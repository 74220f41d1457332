"""Building plan inputs by hand: specs from YAML text, jobs as the simulator would record them,
and a stand-in for the driver that answers a plan's needs from a dictionary."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Mapping

from reconciler import spec as spec_mod
from reconciler.plan.compute import compute
from reconciler.plan.model import Facts, HistoryRow, Inputs, JobParams, Needs, Options, Plan
from reconciler.protocol.request import Request
from reconciler.protocol.wire import to_payload
from reconciler.sim.directives import resolve
from reconciler.sim.jobpars import build_job_pars
from reconciler.spec import SourceSpec
from reconciler.state.lock import Lock

USER = "planner@example.org"
SERVER = "https://example.org/user_objects"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)

HEAD = """\
version: 1
user: planner@example.org
defaults: {centroid: true, posErr: 1, useSXPS: false}
sources:
"""


def load(tmp_path: Path, body: str, head: str = HEAD) -> dict[str, SourceSpec]:
    path = tmp_path / f"spec{len(list(tmp_path.glob('spec*.yaml')))}.yaml"
    path.write_text(head + textwrap.indent(textwrap.dedent(body), "  "), encoding="utf-8")
    return spec_mod.load(path).sources


def job_pars(request: Request, job_id: int, *, user: str = USER,
             overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The jobPars the simulator keeps for ``request`` (directives resolved)."""
    payload = to_payload(request, user)
    resolved, failure = resolve(request)
    assert failure is None, failure
    pars = build_job_pars(payload, resolved, job_id)
    pars.update(overrides or {})
    return pars


@dataclass
class Server:
    """Jobs as a server knows them: parameters and product statuses; counts what is asked."""

    rows: list[HistoryRow] = field(default_factory=list)
    params: dict[int, JobParams] = field(default_factory=dict)
    statuses: dict[int, dict[str, str]] = field(default_factory=dict)
    asked: dict[str, int] = field(default_factory=lambda: {"params": 0, "status": 0})

    def add(self, job_id: int, name: str, request: Request, *, status: str = "complete",
            age: timedelta = timedelta(days=1), has_prod: bool = True,
            overrides: Mapping[str, Any] | None = None) -> int:
        products = tuple(request.products)
        self.rows.append(HistoryRow(job_id, name, NOW - age, products, has_prod))
        self.params[job_id] = JobParams(job_pars(request, job_id, overrides=overrides),
                                        f"{SERVER}/tprods/USERPROD_{job_id}")
        self.statuses[job_id] = {p: status for p in products}
        return job_id

    def answer(self, needs: Needs, facts: Facts) -> Facts:
        params, statuses = dict(facts.params), {k: dict(v) for k, v in facts.statuses.items()}
        for job in needs.params:
            self.asked["params"] += 1
            params[job] = self.params[job]
        for job in needs.statuses:
            self.asked["status"] += 1
            statuses[job] = dict(self.statuses[job])
        return replace(facts, params=params, statuses=statuses)


def plan(sources: Mapping[str, SourceSpec], server: Server, lock: Lock | None = None,
         options: Options = Options(), now: datetime = NOW) -> Plan:
    inputs = Inputs(SERVER, USER, dict(sources), lock or Lock(server=SERVER, user=USER),
                    Facts(tuple(server.rows)), now, options)
    for _ in range(50):
        result = compute(inputs)
        if isinstance(result, Plan):
            return result
        inputs = replace(inputs, facts=server.answer(result, inputs.facts))
    raise AssertionError("the plan did not settle")


def actions(result: Plan) -> dict[tuple[str, str], str]:
    return {(s.source, p.product): p.action.value for s in result.sources for p in s.products}


def request_of(payload: Mapping[str, Any]) -> Request:
    """The request a payload carries, directives included (jobPars readers drop them)."""
    from reconciler.protocol.catalogue import DIRECTIVES, GLOBALS
    from reconciler.protocol.values import server_bool
    from reconciler.protocol.wire import from_job_pars
    read = from_job_pars(payload).request
    for directive in DIRECTIVES:
        if server_bool(payload.get(GLOBALS[directive].wire, 0)):
            read.globals[directive] = True
    return read


def applied(result: Plan, server: Server, path: Path, *, status: str = "complete",
            age: timedelta = timedelta(hours=1)) -> Lock:
    """The lock after an apply of ``result`` whose jobs then reached ``status``, as the real
    apply records it (ledger): the simulator's jobPars, observed defaults, moved serving."""
    from reconciler.state.ledger import Accepted, Ledger
    ledger = Ledger(path, result.lock)
    ledger.save(result.lock)
    for submission in result.submissions:
        job = max((r.job_id for r in server.rows), default=0) + 1
        server.add(job, submission.source, request_of(submission.payload), status=status,
                   age=age)
        ledger.accepted(submission, Accepted(job, server.params[job].url,
                                             server.params[job].job_pars, "2026-12-01 11:00:00"))
        ledger.statuses(job, server.statuses[job])
    return ledger.lock
