"""The lockfile: deterministic, atomic, refused (and left alone) when damaged or not ours."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.errors import UserError
from reconciler.state import lockfile
from reconciler.state.lock import (
    JobRecord,
    JobRef,
    Lock,
    ObservedDefault,
    Pending,
    ProductRecord,
    Resolved,
    SourceRecord,
    schema_text,
)

ROOT = Path(__file__).resolve().parents[2]
SERVER, USER = "https://www.swift.ac.uk/user_objects", "me@example.org"


def sample() -> Lock:
    return Lock(
        server=SERVER, user=USER,
        sources={
            "GK Per": SourceRecord(products={
                "LightCurve": ProductRecord(serving=JobRef(job=14, fingerprint="a1"),
                                            attempt=JobRef(job=17, fingerprint="b2")),
                "Spectrum": ProductRecord(serving=JobRef(job=14, fingerprint="c3")),
            }),
            "GRB 200416A": SourceRecord(
                products={"StandardPos": ProductRecord(serving=JobRef(job=9, fingerprint="d4"))},
                resolved=Resolved(job=9, values={"RA": 335.6985, "Dec": -7.5179,
                                                 "targ": "00966554", "T0": 608713541.952}),
            ),
        },
        jobs={
            14: JobRecord(name="GK Per", submitted="2026-12-01 10:00:00", url="https://x/14",
                          status={"LightCurve": "complete", "Spectrum": "complete"},
                          payload={"name": "GK Per", "lc": 1, "spec": 1, "RA": 52.799}),
            17: JobRecord(name="GK Per", submitted="2026-12-02 10:00:00",
                          status={"LightCurve": "running"}, payload={"name": "GK Per", "lc": 1}),
            9: JobRecord(name="GRB 200416A", submitted="2026-11-01 09:00:00",
                         status={"StandardPos": "complete"}, filled={"RA": 335.6985}),
        },
        observed_defaults={"LightCurve.minSNR": ObservedDefault(value=1.5, job=14)},
        pending=[Pending(name="GK Per", products=["Image"], payload={"name": "GK Per"},
                         mark=17, fingerprints={"Image": "e5"})],
    )


def test_round_trip_is_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "s.lock.yaml"
    assert lockfile.write(path, sample()) is True
    first = path.read_bytes()
    again = lockfile.read(path)
    assert again == sample()
    assert lockfile.write(path, again) is False  # unchanged: not even rewritten
    assert path.read_bytes() == first
    assert lockfile.dumps(again).encode() == first


def test_the_lock_is_sorted_and_a_one_job_change_is_a_small_diff(tmp_path: Path) -> None:
    text = lockfile.dumps(sample())
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert list(data["jobs"]) == ["9", "14", "17"]  # job ids in numeric order
    changed = sample().model_copy(update={"jobs": {
        **sample().jobs, 17: sample().jobs[17].model_copy(update={"status": {"LightCurve": "complete"}})}})
    before, after = text.splitlines(), lockfile.dumps(changed).splitlines()
    assert len(before) == len(after)
    assert [(a, b) for a, b in zip(before, after) if a != b] == [
        ('      "status": {"LightCurve": "running"},', '      "status": {"LightCurve": "complete"},')]


def test_records_are_a_line_each_inside_the_indented_layout() -> None:
    lines = lockfile.dumps(sample()).splitlines()
    assert '      "payload": {"RA": 52.799, "lc": 1, "name": "GK Per", "spec": 1},' in lines
    assert '          "serving": {"fingerprint": "a1", "job": 14}' in lines
    assert '    "LightCurve.minSNR": {"job": 14, "value": 1.5}' in lines
    assert max(len(line) for line in lines) < 120


def test_the_lock_is_yaml_too(tmp_path: Path) -> None:
    from ruamel.yaml import YAML
    text = lockfile.dumps(sample())
    assert YAML(typ="safe").load(text) == json.loads(text)


def test_a_lock_rewritten_as_block_yaml_by_hand_still_reads(tmp_path: Path) -> None:
    from ruamel.yaml import YAML
    path = tmp_path / "s.lock.yaml"
    with path.open("w") as handle:
        YAML().dump(json.loads(lockfile.dumps(sample())), handle)
    assert lockfile.read(path) == sample()


def test_write_is_atomic_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "s.lock.yaml"
    lockfile.write(path, sample())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.lock.yaml"]


def test_no_lock_is_none(tmp_path: Path) -> None:
    assert lockfile.read(tmp_path / "absent.lock.yaml") is None


def test_lock_path_sits_beside_the_spec() -> None:
    assert lockfile.lock_path("dir/sources.yaml") == Path("dir/sources.lock.yaml")
    assert lockfile.lock_path("dir/sources.yml") == Path("dir/sources.lock.yaml")
    assert lockfile.lock_path("spec") == Path("spec.lock.yaml")


DAMAGE = {
    "truncated": lambda t: t[: len(t) // 2],
    "empty": lambda t: "",
    "not yaml": lambda t: "{{{ this is [ not",
    "a list": lambda t: "- 1\n- 2\n",
    "wrong version": lambda t: t.replace('"version": 1', '"version": 7'),
    "unknown product": lambda t: t.replace('"Spectrum": {', '"Spectrun": {'),
    "bad status word": lambda t: t.replace('"running"', '"runing"'),
    "dangling job": lambda t: t.replace('"job": 17', '"job": 99'),
    "job of another name": lambda t: t.replace('"name": "GRB 200416A"', '"name": "Other"'),
    "not utf-8": lambda t: t.replace("GK Per", "GK \udcff Per"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_lock_is_a_located_error_and_left_untouched(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "s.lock.yaml"
    text = DAMAGE[damage](lockfile.dumps(sample()))
    raw = text.encode("utf-8", "surrogateescape")
    path.write_bytes(raw)
    with pytest.raises(lockfile.LockError) as caught:
        lockfile.read(path)
    message = str(caught.value)
    assert message.startswith(f"{path}")
    assert "move it aside" in message and "adopts" in message
    assert "Traceback" not in message
    assert path.read_bytes() == raw


def test_errors_point_at_the_broken_line(tmp_path: Path) -> None:
    path = tmp_path / "s.lock.yaml"
    text = lockfile.dumps(sample()).replace('"job": 17', '"job": 99')
    path.write_text(text)
    line = next(i for i, l in enumerate(text.splitlines(), 1) if '"job": 99' in l)
    with pytest.raises(lockfile.LockError) as caught:
        lockfile.read(path)
    assert str(caught.value).startswith(f"{path}:{line}:")
    assert "job 99 is not among the lock's jobs" in str(caught.value)


def test_a_lock_for_another_server_or_user_is_an_error() -> None:
    lock = sample()
    lockfile.check_owner(lock, Path("s.lock.yaml"), SERVER, USER)
    for server, user in (("sim", USER), (SERVER, "other@example.org")):
        with pytest.raises(UserError) as caught:
            lockfile.check_owner(lock, Path("s.lock.yaml"), server, user)
        assert "belongs to server" in str(caught.value)


def test_committed_lock_schema_is_current() -> None:
    assert (ROOT / "schemas" / "lock.schema.json").read_text() == schema_text(), \
        "stale: run .venv/bin/xrt-reconcile schema --lock > schemas/lock.schema.json"


def test_schema_command_prints_the_lock_schema() -> None:
    out = subprocess.run([sys.executable, "-m", "reconciler", "schema", "--lock"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    assert json.loads(out.stdout)["title"] == "xrt-reconcile lock"
