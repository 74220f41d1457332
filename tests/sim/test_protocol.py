"""Every endpoint over HTTP, with the replies the real server gives (ukssdc-api.md §2)."""

from __future__ import annotations

import io
import tarfile
from typing import Any

import pytest
import requests

from reconciler.protocol.catalogue import GLOBALS, PRODUCTS
from reconciler.protocol.wire import from_job_pars

from .support import OTHER, USER, payload, post, status, submit

STAGE = 10.0
ENDPOINTS = ["run_userobject.php", "getNumJobs.php", "listOldJobs.php", "getOldProduct.php",
             "checkProductStatus.php", "canceljob.php"]


@pytest.fixture
def msim(sim_factory):
    return sim_factory(manual_clock=True, job_seconds=STAGE, expire_seconds=1000.0)


def test_submit_reply(msim) -> None:
    reply = submit(msim, payload())
    assert reply["OK"] == 1 and reply["APIVersion"] == "1.12"
    assert isinstance(reply["JobID"], str) and reply["JobID"].isdigit()
    assert reply["URL"] == f"{msim.base_url}/tprods/USERPROD_{reply['JobID']}"
    assert reply["jobPars"]["outdir"] == f"USERPROD_{reply['JobID']}"


def test_submit_errors_come_with_list_err(msim) -> None:
    body = payload()
    body[GLOBALS["RA"].wire] = 999
    reply = submit(msim, body)
    assert reply["OK"] == 0 and reply["ERROR"] and reply["APIVersion"] == "1.12"
    assert reply["listErr"][0]["list"] == ["RA is 999, but must be between 0 and 360"]
    assert post(msim, "listOldJobs.php", {"UserID": USER})["jobs"] == []


def test_unknown_name_with_get_coords_fails_the_submission(msim) -> None:
    reply = submit(msim, payload("Nobody Knows", {"getCoords": True, "targ": "1",
                                                  "centroid": False, "useSXPS": False}))
    assert reply["OK"] == 0 and "Nobody Knows" in reply["ERROR"]
    assert post(msim, "getNumJobs.php", {"UserID": USER})["numJobs"] == 0


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("user", ["NO-ONE", "", None, "a@b", "two words@example.org"])
def test_unknown_users_are_refused_everywhere(msim, endpoint: str, user: Any) -> None:
    body = {"UserID": user, "JobID": 1, "what": "lc", "oldJob": 1} if user is not None else {}
    reply = post(msim, endpoint, body)
    assert reply["OK"] == 0 and "is not recognised / validated" in reply["ERROR"]
    assert reply["APIVersion"] == "1.12"


def test_the_documented_user_error_text_escapes_the_slash(msim) -> None:
    raw = requests.post(f"{msim.base_url}/getNumJobs.php", json={"UserID": "NO-ONE"}).text
    assert raw == ('{"OK":0,"ERROR":"The user `NO-ONE` is not recognised \\/ validated",'
                   '"APIVersion":"1.12"}')


def test_body_is_read_as_json_whatever_the_content_type(msim) -> None:
    import json
    text = json.dumps({"UserID": USER})
    response = requests.post(f"{msim.base_url}/getNumJobs.php", data=text,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.json() == {"OK": 1, "numJobs": 0, "APIVersion": "1.12"}


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"", b"\xff",
                                 b"[" * 100_000, b'{"UserID": ' + b"9" * 5000 + b"}"],
                         ids=["text", "list", "empty", "not-utf8", "too-deep", "long-number"])
def test_bad_bodies_get_a_json_error(msim, raw: bytes) -> None:
    response = requests.post(f"{msim.base_url}/listOldJobs.php", data=raw)
    assert response.status_code == 200
    reply = response.json()
    assert reply["OK"] == 0 and reply["ERROR"] and reply["APIVersion"] == "1.12"


def test_num_jobs_and_list_old_jobs(msim) -> None:
    first = submit(msim, payload("GK Per"))
    second = submit(msim, payload("RS Oph", products={"Spectrum": {"hasRedshift": False},
                                                      "Image": {}}))
    submit(msim, payload("Elsewhere", user=OTHER))
    assert post(msim, "getNumJobs.php", {"UserID": USER}) == {"OK": 1, "numJobs": 2,
                                                              "APIVersion": "1.12"}
    jobs = post(msim, "listOldJobs.php", {"UserID": USER})["jobs"]
    assert [j["JobID"] for j in jobs] == [int(second["JobID"]), int(first["JobID"])]
    assert list(jobs[0]) == ["JobID", "Name", "DateSubmitted", "LightCurve", "Spectrum",
                             "StandardPos", "EnhancedPos", "AstromPos", "Image", "SourceDet",
                             "hasProd"]
    assert jobs[0]["Name"] == "RS Oph"
    assert (jobs[0]["LightCurve"], jobs[0]["Spectrum"], jobs[0]["Image"]) == (False, True, True)
    assert jobs[0]["hasProd"] is True
    assert len(jobs[0]["DateSubmitted"]) == 19 and jobs[0]["DateSubmitted"][10] == " "
    msim.advance(3 * STAGE)
    assert post(msim, "getNumJobs.php", {"UserID": USER})["numJobs"] == 0


def test_old_product_only_for_the_owner(msim) -> None:
    job = submit(msim, payload())
    reply = post(msim, "getOldProduct.php", {"UserID": USER, "oldJob": int(job["JobID"])})
    assert reply["OK"] == 1 and reply["jobPars"] == job["jobPars"]
    assert reply["URL"] == job["URL"] and reply["oldJob"] == int(job["JobID"])
    theirs = post(msim, "getOldProduct.php", {"UserID": OTHER, "oldJob": job["JobID"]})
    assert theirs == {"OK": 0, "ERROR": f"Job {job['JobID']} is not owned by user {OTHER}",
                      "APIVersion": "1.12"}
    assert post(msim, "getOldProduct.php", {"UserID": USER, "oldJob": 999})["OK"] == 0
    assert post(msim, "getOldProduct.php", {"UserID": USER})["listErr"][0]["list"] == ["oldJob"]


def test_a_moved_server_default_is_filled_and_read_back(sim_factory) -> None:
    """D10: the documented minsnr default is 2.4, a real reply shows 1.5. A simulator whose
    default moved fills its own where the client omits the parameter: the plan's drift."""
    moved = sim_factory(manual_clock=True, defaults={"minsnr": "1.5"})
    counts = {"binMeth": "counts", "pcCounts": 20, "wtCounts": 30, "dynamic": True}
    omitted = submit(moved, payload(products={"LightCurve": counts}))
    minsnr = PRODUCTS["LightCurve"].params["minSNR"]
    assert omitted["OK"] == 1 and omitted["jobPars"][minsnr.wire] == 1.5 != minsnr.default
    old = post(moved, "getOldProduct.php", {"UserID": USER, "oldJob": omitted["JobID"]})
    assert from_job_pars(old["jobPars"]).request.products["LightCurve"]["minSNR"] == 1.5
    given = submit(moved, payload(products={"LightCurve": {**counts, "minSNR": 2.4}}))
    assert given["jobPars"][minsnr.wire] == 2.4


@pytest.mark.parametrize("job_id", [10**30, -3, 0, "abc", "²", 1.5, True, None, [1]])
def test_impossible_job_ids_are_an_error_reply(msim, job_id: Any) -> None:
    # found by fuzzing: a job id beyond SQLite's INTEGER crashed the endpoint
    for endpoint, body in (("getOldProduct.php", {"oldJob": job_id}),
                           ("checkProductStatus.php", {"JobID": job_id, "what": "lc"}),
                           ("canceljob.php", {"JobID": job_id, "what": "lc"})):
        reply = post(msim, endpoint, {"UserID": USER, **body})
        assert reply["OK"] == 0 and "not a valid job ID" in reply["ERROR"], (endpoint, reply)


@pytest.mark.parametrize("job_dir", ["USERPROD_" + "9" * 30, "USERPROD_0"])
def test_impossible_job_ids_in_a_download_url_are_404(msim, job_dir: str) -> None:
    response = requests.get(f"{msim.base_url}/tprods/{job_dir}/lc.zip")
    assert response.status_code == 404 and "Not Found" in response.text


def test_status_moves_on_the_clock_with_progress(msim) -> None:
    job = submit(msim, payload(products={"LightCurve": {"binMeth": "snapshot"},
                                         "StandardPos": {}, "AstromPos": {}}))
    job_id = job["JobID"]
    what = "lc,psf,xastrom,spec"
    first = status(msim, job_id, what, what_prog=what)
    assert first["OK"] == 1 and first["JobID"] == int(job_id)
    assert [first[k]["statusCode"] for k in ("lc", "psf", "xastrom")] == [1, 1, 1]
    assert first["spec"] == {"statusCode": None, "statusText": "Unknown status",
                             "progress": {"GotProgress": 0}}
    msim.advance(STAGE)
    assert [status(msim, job_id, what)[k]["statusCode"] for k in ("lc", "psf", "xastrom")] == \
        [2, 2, 5]
    msim.advance(STAGE + 5)
    running = status(msim, job_id, what, what_prog="lc")
    assert running["lc"]["statusCode"] == 3 and running["lc"]["statusText"] == "Running"
    assert running["lc"]["progress"]["GotProgress"] == 1
    assert running["lc"]["progress"]["TimeRunning"] == "00:00:05"
    assert running["psf"]["statusCode"] == 3 and running["psf"]["progress"] == {"GotProgress": 0}
    msim.advance(STAGE)
    done = status(msim, job_id, what, what_prog=what)
    assert [done[k]["statusCode"] for k in ("lc", "psf", "xastrom")] == [4, 4, 3]
    assert done["lc"] == {"statusCode": 4, "statusText": "Complete",
                          "progress": {"GotProgress": 0}}
    msim.advance(STAGE)
    assert status(msim, job_id, "xastrom")["xastrom"]["statusCode"] == 4


def test_status_needs_job_and_what_and_ownership(msim) -> None:
    job = submit(msim, payload())
    assert post(msim, "checkProductStatus.php", {"UserID": USER})["listErr"][0]["list"] == \
        ["JobID", "what"]
    assert status(msim, job["JobID"], "lc", user=OTHER)["ERROR"].startswith("Job ")
    assert status(msim, "abc", "lc")["OK"] == 0


def test_failing_products_by_configuration(sim_factory) -> None:
    fsim = sim_factory(manual_clock=True, job_seconds=1.0, fail_products=["GRB*:spec"])
    grb = submit(fsim, payload("GRB 200416A", products={"Spectrum": {"hasRedshift": False},
                                                        "LightCurve": {"binMeth": "snapshot"}}))
    other = submit(fsim, payload("GK Per", products={"Spectrum": {"hasRedshift": False}}))
    fsim.advance(3)
    grb_status = status(fsim, grb["JobID"], "lc,spec")
    assert (grb_status["lc"]["statusCode"], grb_status["spec"]["statusCode"]) == (4, -3)
    assert status(fsim, other["JobID"], "spec")["spec"]["statusCode"] == 4


def test_cancel_codes(msim) -> None:
    job = submit(msim, payload(products={"LightCurve": {"binMeth": "snapshot"},
                                         "Spectrum": {"hasRedshift": False}}))
    job_id = job["JobID"]
    partial = post(msim, "canceljob.php", {"UserID": USER, "JobID": job_id, "what": "lc,image"})
    assert partial == {"JobID": int(job_id), "OK": 2,
                       "status": {"lc": "Job cancelled OK",
                                  "image": "No record of this product for this job"},
                       "statusCodes": {"lc": 0, "image": 2}, "APIVersion": "1.12"}
    assert status(msim, job_id, "lc")["lc"] == {
        "statusCode": -4, "statusText": "Cancelled at your request",
        "progress": {"GotProgress": 0}}
    again = post(msim, "canceljob.php", {"UserID": USER, "JobID": job_id, "what": "lc"})
    assert again["OK"] == 2 and again["statusCodes"] == {"lc": 1}
    assert again["status"]["lc"] == "Job could not be cancelled - has it already finished?"
    ok = post(msim, "canceljob.php", {"UserID": USER, "JobID": int(job_id), "what": "spec"})
    assert ok["OK"] == 1 and ok["statusCodes"] == {"spec": 0}
    assert post(msim, "getNumJobs.php", {"UserID": USER})["numJobs"] == 0
    theirs = post(msim, "canceljob.php", {"UserID": OTHER, "JobID": job_id, "what": "spec"})
    assert theirs["OK"] == 0 and theirs["ERROR"] == f"Job {job_id} is not owned by user {OTHER}"
    assert post(msim, "canceljob.php", {"UserID": USER, "JobID": job_id})["OK"] == 0


def test_downloads_appear_when_complete_and_go_when_expired(msim) -> None:
    job = submit(msim, payload(products={"LightCurve": {"binMeth": "snapshot"},
                                         "StandardPos": {}}))
    url = job["URL"]
    assert requests.get(f"{url}/lc.tar.gz").status_code == 404
    msim.advance(3 * STAGE)
    response = requests.get(f"{url}/lc.tar.gz")
    assert response.status_code == 200
    with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:gz") as archive:
        assert f"USERPROD_{job['JobID']}/lc/curve.qdp" in archive.getnames()
    assert requests.get(f"{url}/all.zip").status_code == 200
    assert requests.get(f"{url}/spec.zip").status_code == 404  # not in this job
    assert requests.get(f"{url}/lc.rar").status_code == 404
    assert requests.get(f"{msim.base_url}/tprods/USERPROD_999/lc.zip").status_code == 404
    msim.advance(999)
    assert post(msim, "listOldJobs.php", {"UserID": USER})["jobs"][0]["hasProd"] is True
    msim.advance(2)
    assert post(msim, "listOldJobs.php", {"UserID": USER})["jobs"][0]["hasProd"] is False
    page = requests.get(f"{url}/lc.tar.gz")
    assert page.status_code == 404 and "<html>" in page.text


def test_all_archive_waits_for_every_product(msim) -> None:
    job = submit(msim, payload(products={"StandardPos": {}, "AstromPos": {}}))
    msim.advance(3 * STAGE)
    assert requests.get(f"{job['URL']}/psf.zip").status_code == 200
    assert requests.get(f"{job['URL']}/all.zip").status_code == 404
    msim.advance(STAGE)
    assert requests.get(f"{job['URL']}/all.zip").status_code == 200


def test_queued_job_limit(sim_factory) -> None:
    lsim = sim_factory(manual_clock=True, job_seconds=STAGE, max_queued=10)
    ids = [submit(lsim, payload(f"source {i}"))["JobID"] for i in range(10)]
    assert len(set(ids)) == 10
    refused = submit(lsim, payload("source 10"))
    assert refused["OK"] == 0 and "10" in refused["ERROR"] and "JobID" not in refused
    assert post(lsim, "getNumJobs.php", {"UserID": USER})["numJobs"] == 10
    assert len(post(lsim, "listOldJobs.php", {"UserID": USER})["jobs"]) == 10
    assert submit(lsim, payload("theirs", user=OTHER))["OK"] == 1  # per user
    post(lsim, "canceljob.php", {"UserID": USER, "JobID": ids[0], "what": "lc"})
    assert submit(lsim, payload("source 10"))["OK"] == 1
    stats = lsim.stats()
    assert stats["refused"][USER] == 1 and stats["peak_active"][USER] == 10
