"""The unmodified swifttools 4.0.5 client against the simulator (issue 3, "Conformance").

Only the base URL changes: ``req._baseURL`` for the request object, and for the module-level
``listOldJobs``/``countActiveJobs`` (which hard-code the real server) a ``requests.post`` seen
from the swifttools module that rewrites the ``https://www.swift.ac.uk/user_objects`` prefix.
Statuses move on the simulator's manual clock, so nothing waits for real time.
"""

from __future__ import annotations

import contextlib
import io
import tarfile
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator, Mapping

import pytest
import requests
from swifttools.ukssdc.xrt_prods import (
    XRTProductRequest,
    countActiveJobs,
    listOldJobs,
    prod_request,
)

from reconciler.protocol.catalogue import (
    DEFAULT_SERVER,
    DIRECTIVES,
    GLOBAL_BY_WIRE,
    GLOBALS,
    PRODUCTS,
    product_param_by_wire,
)
from reconciler.protocol.values import canonical_equal, from_server
from reconciler.protocol.wire import from_job_pars
from reconciler.sim import Simulator

pytestmark = [
    pytest.mark.conformance,
    # swifttools 4.0.5 compares API versions with distutils' deprecated StrictVersion
    pytest.mark.filterwarnings("ignore:distutils Version classes:DeprecationWarning"),
]

USER = "swifttools@example.org"
STAGE = 10.0
#: getCoords, getTargs, getT0 as swifttools sends them
DIRECTIVE_KEYS = tuple(GLOBALS[d].wire for d in DIRECTIVES)


@pytest.fixture
def sim(sim_factory: Any, monkeypatch: pytest.MonkeyPatch) -> Simulator:
    """A manual-clock simulator that the swifttools module-level helpers also talk to."""
    simulator = sim_factory(manual_clock=True, job_seconds=STAGE, expire_seconds=10_000.0)

    def post(url: str, *args: Any, **kwargs: Any) -> requests.Response:
        if url.startswith(DEFAULT_SERVER):
            url = simulator.base_url + url[len(DEFAULT_SERVER):]
        return requests.post(url, *args, **kwargs)

    monkeypatch.setattr(prod_request, "requests", SimpleNamespace(post=post, get=requests.get))
    return simulator


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """swifttools prints errors even with silent=True; keep the output clean."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def new_request(sim: Simulator) -> XRTProductRequest:
    req = XRTProductRequest(USER, silent=True)
    req._baseURL = sim.base_url
    return req


def make(sim: Simulator, globals_: Mapping[str, Any],
         products: Mapping[str, Mapping[str, Any]]) -> XRTProductRequest:
    req = new_request(sim)
    req.setGlobalPars(**globals_)
    for product, params in products.items():
        req.addProduct(product, **params)
    return req


def submitted(sim: Simulator, globals_: Mapping[str, Any],
              products: Mapping[str, Mapping[str, Any]]) -> XRTProductRequest:
    req = make(sim, globals_, products)
    with quiet():
        ok = req.submit()
    assert ok, req.submitError
    return req


GRB = ({"name": "GRB 200416A", "getCoords": True, "getTargs": True, "getT0": True,
        "centroid": True, "posErr": 1, "useSXPS": False},
       {"LightCurve": {"binMeth": "counts", "pcCounts": 20, "wtCounts": 30, "dynamic": True},
        "Spectrum": {"hasRedshift": False}, "StandardPos": {}, "EnhancedPos": {},
        "AstromPos": {"useAllObs": True}, "Image": {}})

#: Requests that together set most parameters of every product.
CASES: dict[str, tuple[dict[str, Any], dict[str, dict[str, Any]]]] = {
    "grb-directives": GRB,
    "nova-time-binning": (
        {"name": "GK Per", "RA": 52.799, "Dec": 43.9047, "targ": "00030842", "centroid": True,
         "centMeth": "iterative", "maxCentTries": 5, "posErr": 2.5, "useSXPS": True, "sss": True,
         "T0": 124048802.4, "SinceT0": True, "wtPupRate": 100, "pcPupRate": 0.5},
        {"LightCurve": {"binMeth": "time", "pcBinTime": 500, "wtBinTime": 20, "matchHR": False,
                        "pcHRBinTime": 1000, "wtHRBinTime": 40, "minEnergy": 0.5,
                        "maxEnergy": 8.0, "softLo": 0.5, "softHi": 2.0, "hardLo": 2.0,
                        "hardHi": 8.0, "grades": "0", "allowUL": "pc", "allowBayes": "no",
                        "timeFormat": "m", "minFracExp": 0.2, "useObs": "00030842001"},
         "Spectrum": {"redshift": 0.5, "galactic": False, "timeslice": "user",
                      "rname1": "early", "gti1": "0-5000", "rname2": "late",
                      "gti2": "5000-90000", "grades": "all", "whichData": "all",
                      "models": ["apec", "blackbody"], "deltaFitStat": 4.0, "srcrad": 20},
         "Image": {"energies": "0.3-2,2-10", "useObs": "00030842001,00030842002"}}),
    "positions-user-data": (
        {"name": "RS Oph", "RA": 267.555, "Dec": -6.7078, "getTargs": True, "centroid": False,
         "useSXPS": False},
        {"StandardPos": {"useObs": "00030378001", "posRadius": 10, "detOrCent": "detect",
                         "centMeth": "simple"},
         "EnhancedPos": {}, "AstromPos": {"useAllObs": False},
         "Spectrum": {"hasRedshift": False, "doNotFit": True, "incHours": 24}}),
    "source-detection": (
        {"name": "Sgr A*", "getTargs": True, "RA": 266.4168, "Dec": -29.0078},
        {"SourceDet": {"whichData": "all", "whichBands": "all", "fitStrayLight": False}}),
}


def param_for(wire: str, products: Mapping[str, Any]) -> Any:
    if wire in GLOBAL_BY_WIRE:
        return GLOBAL_BY_WIRE[wire]
    for prod in products:
        found = product_param_by_wire(prod).get(wire)
        if found is not None:
            return found
    return None


def same(wire: str, a: Any, b: Any, products: Mapping[str, Any]) -> bool:
    param = param_for(wire, products)
    if param is None:
        return a == b
    return canonical_equal(param, from_server(param, a), from_server(param, b))


@pytest.mark.parametrize("case", list(CASES))
def test_copy_old_job_reproduces_the_request(sim: Simulator, case: str) -> None:
    globals_, products = CASES[case]
    req = make(sim, globals_, products)
    original = req.getJSONDict()
    with quiet():
        assert req.submit(), req.submitError
    copy = new_request(sim)
    with quiet():
        copy.copyOldJob(req.JobID)
    assert not copy.submitted
    again = copy.getJSONDict()
    long_names = set(products) | ({"StandardPos"} if "AstromPos" in products else set())
    assert set(copy.productList) == {PRODUCTS[p].key for p in long_names}
    for key, value in original.items():
        if key in ("api_version", *DIRECTIVE_KEYS):
            continue
        assert key in again, key
        assert same(key, again[key], value, long_names), (key, again[key], value)
    assert not any(again.get(d) for d in DIRECTIVE_KEYS)  # a copy reuses the resolved values
    # A copy can be submitted as it is: the rerun asks for the same thing.
    with quiet():
        assert copy.submit(), copy.submitError
    assert copy.JobID != req.JobID


def test_submission_fills_resolved_values_and_defaults(sim: Simulator) -> None:
    req = submitted(sim, *GRB)
    assert isinstance(req.JobID, str) and req.JobID.isdigit()
    assert req.URL == f"{sim.base_url}/tprods/USERPROD_{req.JobID}"
    assert req.status == (1, "Request submitted") and req.statusCode == 1
    g = req.getGlobalPars()
    assert (g["RA"], g["Dec"], g["targ"], g["T0"]) == (335.6985, -7.5179, "00966554",
                                                       608713541.952)
    assert not any(g.get(d) for d in DIRECTIVES)
    assert req.jobPars["RA"] == "335.6985" and req.jobPars["getCoords"] == 1
    lc = req.getLightCurvePars()
    assert (lc["pcCounts"], lc["minSig"], lc["whichData"]) == (20, 3.0, "all")
    assert req.getAstromPosPars()["useAllObs"] is True


def test_target_ids_in_braces_as_the_real_server_writes_them(sim: Simulator) -> None:
    """D28: getTargs finds 25 target IDs for GK Per and the reply wraps them in braces, as the
    documented one does (§4.3). swifttools keeps the braces (its quirk, only in `targ`); the
    project reads them off; a copy resubmitted with them still runs on the same targets."""
    req = submitted(sim, {"name": "GK Per", "RA": 52.799, "Dec": 43.9047, "getTargs": True,
                          "centroid": False, "useSXPS": False},
                    {"Spectrum": {"hasRedshift": False}})
    targ = req.getGlobalPars()["targ"]
    assert targ.startswith("{00010873,00010907,") and targ.endswith(",00074701}")
    assert from_job_pars(req.jobPars).request.globals["targ"] == targ[1:-1]
    copy = new_request(sim)
    with quiet():
        copy.copyOldJob(req.JobID)
        assert copy.getGlobalPars()["targ"] == targ
        assert copy.submit(), copy.submitError
    assert from_job_pars(copy.jobPars).request.globals["targ"] == targ[1:-1]


def test_submission_errors_use_python_names(sim: Simulator) -> None:
    req = make(sim, {"name": "GK Per", "RA": 52.799, "Dec": 43.9047, "targ": "00030842",
                     "centroid": True, "posErr": 0.01, "useSXPS": False},
               {"LightCurve": {"binMeth": "snapshot"}})
    with quiet():
        assert not req.submit()
    assert "There were problems with the parameters you supplied." in req.submitError
    assert "* posErr is 0.01, but must be between 1 and 6" in req.submitError
    assert not req.submitted and req.statusCode == 3


def test_unknown_name_with_get_coords_fails(sim: Simulator) -> None:
    req = make(sim, {"name": "Definitely Not Catalogued", "getCoords": True, "targ": "1",
                     "centroid": False, "useSXPS": False}, {"Image": {}})
    with quiet():
        assert not req.submit()
    assert "Definitely Not Catalogued" in req.submitError


def test_count_and_list_old_jobs(sim: Simulator) -> None:
    first = submitted(sim, *GRB)
    second = submitted(sim, *CASES["source-detection"])
    with quiet():
        assert countActiveJobs(USER) == 2
        assert first.countActiveJobs() == 2
        jobs = listOldJobs(USER)
        assert first.listOldJobs() == jobs
    assert [j["JobID"] for j in jobs] == [int(second.JobID), int(first.JobID)]
    assert jobs[1]["Name"] == "GRB 200416A"
    grb_flags = ("LightCurve", "Spectrum", "StandardPos", "EnhancedPos", "AstromPos", "Image",
                 "hasProd")  # the documented keys (§2.3), not derived: an oracle
    assert {k: jobs[1][k] for k in grb_flags} == dict.fromkeys(grb_flags, True)
    assert jobs[0]["SourceDet"] is True and jobs[0]["LightCurve"] is False
    sim.advance(4 * STAGE)
    with quiet():
        assert countActiveJobs(USER) == 0
        assert countActiveJobs("not-an-address") == -1
        assert listOldJobs("not-an-address") is None


def test_check_product_status_through_completion(sim: Simulator) -> None:
    req = submitted(sim, *GRB)
    with quiet():
        first = req.checkProductStatus()
    assert set(first) == {"LightCurve", "Spectrum", "StandardPos", "EnhancedPos", "AstromPos",
                          "Image"}
    assert all(s["statusCode"] == 1 for s in first.values())
    assert first["Image"]["progressText"] == "No progress information available"
    sim.advance(2.5 * STAGE)
    with quiet():
        running = req.checkProductStatus(["LightCurve", "AstromPos"])
    assert running["LightCurve"]["statusCode"] == 3
    assert "Binning light curve. - ACTIVE" in running["LightCurve"]["progressText"]
    assert "The job has been running for 00:00:05" in running["LightCurve"]["progressText"]
    assert running["AstromPos"]["statusCode"] == 5 and not req.complete
    sim.advance(STAGE)
    with quiet():
        req.checkProductStatus()
    assert not req.complete  # the astrometric position is still running
    sim.advance(STAGE)
    with quiet():
        done = req.checkProductStatus()
    assert all(s["statusCode"] == 4 and s["statusText"] == "Complete" for s in done.values())
    assert req.complete and req.statusCode == 2


def test_cancel_products(sim: Simulator) -> None:
    req = submitted(sim, *GRB)
    with quiet():
        code, result = req.cancelProducts(["LightCurve", "Spectrum"])
    assert code == 1
    assert result == {"LightCurve": {"code": 0, "text": "Job cancelled OK"},
                      "Spectrum": {"code": 0, "text": "Job cancelled OK"}}
    with quiet():
        code, result = req.cancelProducts(["LightCurve", "Image"])
    assert code == 1  # Q7: swifttools reports 1 even though the server said OK:2
    assert result["LightCurve"]["code"] == 1 and result["Image"]["code"] == 0
    with quiet():
        after = req.checkProductStatus()
    assert after["LightCurve"]["statusCode"] == -4
    assert after["LightCurve"]["statusText"] == "Cancelled at your request"
    assert after["StandardPos"]["statusCode"] == 1


EXPECTED_FILES = {
    "LightCurve": "lc/curve.qdp", "Spectrum": "spec/interval0.tar.gz",
    "StandardPos": "psf/results.dat", "EnhancedPos": "enh/success.txt",
    "AstromPos": "xastrom/corrpos.dat", "Image": "image/images.log",
    "SourceDet": "sourceDet/Total_sources.txt",
}


def archive_names(path: str) -> set[str]:
    if path.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None
            return set(archive.namelist())
    with tarfile.open(path) as archive:
        return set(archive.getnames())


@pytest.mark.parametrize("fmt", ["tar.gz", "tar", "zip"])
def test_download_products(sim: Simulator, tmp_path: Path, fmt: str) -> None:
    req = submitted(sim, *GRB)
    det = submitted(sim, *CASES["source-detection"])
    with quiet():
        with pytest.raises(ValueError, match="not complete"):
            req.downloadProducts(str(tmp_path / "early"), what=["LightCurve"], format=fmt)
        assert set(req.downloadProducts(str(tmp_path / "none"), format=fmt).values()) == {None}
    sim.advance(4 * STAGE)
    with quiet():
        req.checkProductStatus()
        det.checkProductStatus()
        paths = {**req.downloadProducts(str(tmp_path / "grb"), format=fmt),
                 **det.downloadProducts(str(tmp_path / "det"), format=fmt, stem="det_")}
    assert set(paths) == set(EXPECTED_FILES)
    for long_name, path in paths.items():
        assert path.endswith(f".{fmt}") and Path(path).is_file()
        job = det.JobID if long_name == "SourceDet" else req.JobID
        assert f"USERPROD_{job}/{EXPECTED_FILES[long_name]}" in archive_names(path), long_name
    assert Path(paths["SourceDet"]).name == f"det_sourceDet.{fmt}"


def test_copy_old_job_become_this(sim: Simulator, tmp_path: Path) -> None:
    original = submitted(sim, *GRB)
    sim.advance(4 * STAGE)
    became = new_request(sim)
    with quiet():
        became.copyOldJob(original.JobID, becomeThis=True)
    assert became.submitted and became.JobID == original.JobID
    assert became.URL == original.URL
    assert became.complete and became.statusCode == 2  # it polled the status at once
    with quiet():
        paths = became.downloadProducts(str(tmp_path / "became"), what=["StandardPos"])
    assert "psf/results.dat" in "".join(archive_names(paths["StandardPos"]))


def test_copy_of_someone_elses_job_fails(sim: Simulator) -> None:
    req = submitted(sim, *GRB)
    thief = XRTProductRequest("thief@example.org", silent=True)
    thief._baseURL = sim.base_url
    with quiet(), pytest.raises(RuntimeError, match="is not owned by user thief@example.org"):
        thief.copyOldJob(req.JobID)


def test_queued_job_limit_refuses_the_eleventh(sim: Simulator) -> None:
    for i in range(10):
        submitted(sim, {"name": f"source {i}", "RA": 10.0 + i, "Dec": 5.0, "targ": "00030842",
                        "centroid": False, "useSXPS": False}, {"Image": {}})
    with quiet():
        assert countActiveJobs(USER) == 10
    eleventh = make(sim, {"name": "source 10", "RA": 20.0, "Dec": 5.0, "targ": "00030842",
                          "centroid": False, "useSXPS": False}, {"Image": {}})
    with quiet():
        assert not eleventh.submit()
        assert countActiveJobs(USER) == 10
        assert len(listOldJobs(USER)) == 10
    assert "maximum allowed (10)" in eleventh.submitError and not eleventh.submitted
    sim.advance(3 * STAGE)
    with quiet():
        assert eleventh.submit(), eleventh.submitError
