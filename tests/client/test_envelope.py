"""The reply envelope: OK/APIVersion/ERROR/listErr/deprecationWarning rules, no network."""

from __future__ import annotations

import json
import warnings

import pytest

from reconciler.client.envelope import (
    WarningGate,
    python_names,
    read_reply,
    version_tuple,
)
from reconciler.client.errors import (
    ProtocolError,
    ServerDeprecationWarning,
    ServerError,
    ServerVersionWarning,
)
from reconciler.errors import UserError
from reconciler.protocol.catalogue import API_VERSION, GLOBALS, PRODUCTS


def body(**fields: object) -> bytes:
    return json.dumps({"OK": 1, "APIVersion": API_VERSION, **fields}).encode()


def test_wire_names_become_python_names_whole_words_only() -> None:
    cent = GLOBALS["centroid"].wire
    poserr = GLOBALS["posErr"].wire
    pccounts = PRODUCTS["LightCurve"].params["pcCounts"].wire
    text = f"{poserr} is 0.01; {cent} missing; {pccounts}, percent, {cent}Meth, {cent}@mount.doom"
    assert python_names(text) == (
        "posErr is 0.01; centroid missing; LightCurve: pcCounts, percent, centMeth, "
        f"{cent}@mount.doom"
    )


def test_version_tuple_reads_numbers_and_strings() -> None:
    assert version_tuple("1.12") == (1, 12)
    assert version_tuple(0.1) == (0, 1)
    assert version_tuple("1.12") > version_tuple(1.9)  # numeric, not lexical
    assert version_tuple("v2") is None


@pytest.mark.parametrize(
    "raw, needle",
    [
        (b"<html>502 Bad Gateway</html>", "not JSON"),
        (b"[1, 2]", "not an object"),
        (json.dumps({"APIVersion": "1.12"}).encode(), "no OK"),
        (json.dumps({"OK": 1}).encode(), "no APIVersion"),
        (json.dumps({"OK": 7, "APIVersion": "1.12"}).encode(), "OK is 7"),
        (json.dumps({"OK": 0, "APIVersion": "1.12"}).encode(), "without an ERROR"),
        (json.dumps({"OK": 1, "APIVersion": "one"}).encode(), "not a version"),
        (b'{"OK": 1, "APIVersion": "1.12", "numJobs": NaN}', "NaN is not a JSON number"),
        (b'{"OK": 1, "APIVersion": "1.12", "numJobs": -Infinity}', "Infinity is not a JSON"),
        (b'{"OK": 1, "APIVersion": "1.12", "T0": 1e400}', "1e400 is out of range"),
        (b'{"OK": 0, "OK": 1, "APIVersion": "1.12"}', "'OK' appears twice"),
        (b'{"OK": 1, "APIVersion": "1.12", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
         "nested too deeply"),
        (b'{"OK": 1, "APIVersion": "1.12", "n": ' + b"9" * 5000 + b"}", "not JSON"),
        (b"\xff\xfe{}", "not JSON"),
    ],
)
def test_malformed_replies_are_protocol_errors_naming_the_endpoint(raw: bytes, needle: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        read_reply("listOldJobs.php", raw, WarningGate())
    assert needle in str(caught.value)
    assert "listOldJobs.php" in str(caught.value)
    assert caught.value.endpoint == "listOldJobs.php"
    assert isinstance(caught.value, UserError)


def test_missing_required_keys_are_named() -> None:
    with pytest.raises(ProtocolError, match="lacks numJobs"):
        read_reply("getNumJobs.php", body(), WarningGate(), ("numJobs",))


def test_server_error_carries_error_and_list_err_with_python_names() -> None:
    raw = json.dumps({
        "OK": 0, "APIVersion": 0.1,
        "ERROR": "There were problems with the parameters you supplied.",
        "listErr": [
            {"label": "The following parameters are needed, but were not supplied:",
             "list": ["Dec", "cent"]},
            {"label": "The following parameters have invalid values:",
             "list": ["poserr is 0.01, but must be between 1 and 6"]},
        ],
    })
    with pytest.raises(ServerError) as caught:
        read_reply("run_userobject.php", raw, WarningGate())
    error = caught.value
    assert error.error == "There were problems with the parameters you supplied."
    assert error.problems == (
        ("The following parameters are needed, but were not supplied:", ("Dec", "centroid")),
        ("The following parameters have invalid values:",
         ("posErr is 0.01, but must be between 1 and 6",)),
    )
    message = str(error)
    assert "\n" not in message
    assert "Dec; centroid" in message and "posErr is 0.01" in message
    assert "poserr" not in message and "cent;" not in message


def test_success_codes_and_string_ok_are_accepted() -> None:
    gate = WarningGate()
    assert read_reply("canceljob.php", body(OK=2), gate)["OK"] == 2
    assert read_reply("getNumJobs.php", body(OK="1", numJobs=3), gate, ("numJobs",))["numJobs"] == 3


def test_newer_server_version_warns_once() -> None:
    gate = WarningGate()
    newer = json.dumps({"OK": 1, "APIVersion": "9.0"})
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        read_reply("getNumJobs.php", newer, gate)
        read_reply("getNumJobs.php", newer, gate)
        read_reply("getNumJobs.php", json.dumps({"OK": 1, "APIVersion": 0.1}), gate)
    assert [w.category for w in seen] == [ServerVersionWarning]
    assert "9.0" in str(seen[0].message)


def test_same_or_older_version_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_reply("getNumJobs.php", body(), WarningGate())
        read_reply("getNumJobs.php", json.dumps({"OK": 1, "APIVersion": 0.1}), WarningGate())


def test_deprecation_warnings_once_per_type() -> None:
    gate = WarningGate()

    def reply(kind: str) -> bytes:
        return body(deprecationWarning={"type": kind, "message": f"{kind} goes away"})

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for kind in ("old-lc", "old-lc", "old-spec", "old-lc"):
            read_reply("listOldJobs.php", reply(kind), gate)
    assert [w.category for w in seen] == [ServerDeprecationWarning] * 2
    assert "old-lc goes away" in str(seen[0].message)
    assert "old-spec goes away" in str(seen[1].message)


def test_deprecation_warning_also_comes_with_error_replies() -> None:
    raw = json.dumps({"OK": 0, "APIVersion": "1.12", "ERROR": "nope",
                      "deprecationWarning": {"type": "t", "message": "m"}})
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with pytest.raises(ServerError):
            read_reply("getNumJobs.php", raw, WarningGate())
    assert [w.category for w in seen] == [ServerDeprecationWarning]


@pytest.mark.parametrize("endpoint, error, expected", [
    # the simulator's wording, and others a server could plausibly use
    ("run_userobject.php", "You already have 5 jobs queued or running, which is the maximum "
                           "allowed (5). Please wait for some of them to finish.", True),
    ("run_userobject.php", "Too many active jobs; please wait.", True),
    ("run_userobject.php", "You have reached the maximum of 10 queued jobs.", True),
    # the same words elsewhere, or other refusals, are not it
    ("getNumJobs.php", "You already have 5 jobs queued or running", False),
    ("run_userobject.php", "There were problems with the parameters you supplied.", False),
    ("run_userobject.php", "The maximum allowed value of posErr is 6.", False),
    ("run_userobject.php", "Job 147 is not owned by user frodo@mount.doom", False),
])
def test_the_too_many_jobs_refusal_is_recognised_in_one_place(
        endpoint: str, error: str, expected: bool) -> None:
    with pytest.raises(ServerError) as caught:
        read_reply(endpoint, json.dumps({"OK": 0, "APIVersion": "1.12", "ERROR": error}).encode(),
                   WarningGate())
    assert caught.value.too_many_jobs is expected
