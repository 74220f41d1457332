"""``xrt-reconcile sim serve`` as a user runs it: a foreground process on a loopback port."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest
import requests

from .support import USER, payload

COMMAND = [sys.executable, "-m", "reconciler", "sim", "serve"]


def start(db: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen([*COMMAND, "--port", "0", "--db", str(db), "--max-seconds", "60",
                                *extra], stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    line = process.stderr.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+/user_objects)", line)
    assert match, line
    return process, match.group(1)


def stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=15)
    return process.returncode, err


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for p in started:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=10)


def test_serve_answers_stops_on_sigterm_and_keeps_state(tmp_path: Path, processes) -> None:
    db = tmp_path / "sim.sqlite3"
    process, base = start(db, "--job-seconds", "0.1")
    processes.append(process)
    reply = requests.post(f"{base}/run_userobject.php", json=payload(), timeout=10).json()
    assert reply["OK"] == 1
    assert stop(process) == (0, "simulator stopped\n")

    again, base2 = start(db)
    processes.append(again)
    jobs = requests.post(f"{base2}/listOldJobs.php", json={"UserID": USER}, timeout=10).json()
    assert [j["JobID"] for j in jobs["jobs"]] == [int(reply["JobID"])]
    assert stop(again)[0] == 0


def test_serve_with_a_moved_default_and_busy_answers(tmp_path: Path, processes) -> None:
    process, base = start(tmp_path / "sim.sqlite3", "--default", "minsnr=1.5", "--default",
                          "posobs=all")
    processes.append(process)
    counts = {"binMeth": "counts", "pcCounts": 20, "wtCounts": 30, "dynamic": True}
    body = payload(products={"LightCurve": counts, "StandardPos": {}})
    jp = requests.post(f"{base}/run_userobject.php", json=body, timeout=10).json()["jobPars"]
    assert (jp["minsnr"], jp["posobs"]) == (1.5, "all")
    assert stop(process)[0] == 0

    busy, base2 = start(tmp_path / "sim.sqlite3", "--fail-rate", "1", "--error-code", "429",
                        "--retry-after", "30")
    processes.append(busy)
    response = requests.post(f"{base2}/getNumJobs.php", json={"UserID": USER}, timeout=10)
    assert (response.status_code, response.headers["Retry-After"]) == (429, "30")
    assert stop(busy)[0] == 0


@pytest.mark.parametrize("option, message", [
    ("minsnr", "--default 'minsnr' is not WIRE=VALUE (for example minsnr=1.5)."),
    ("minsnr=high", "--default minsnr=high: minsnr is high, but must be a number."),
    ("minSNR=1", "--default minSNR: no parameter has that wire name (did you mean minsnr?)."),
])
def test_a_bad_default_is_a_user_error(tmp_path: Path, option: str, message: str) -> None:
    done = subprocess.run([*COMMAND, "--default", option, "--db", str(tmp_path / "x.db")],
                          capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stderr) == (1, f"error: sim serve: {message}\n")


def test_non_loopback_host_is_a_user_error(tmp_path: Path) -> None:
    done = subprocess.run([*COMMAND, "--host", "0.0.0.0", "--db", str(tmp_path / "x.db")],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert done.stderr.startswith("error: sim serve: --host 0.0.0.0 is not a loopback address")
    assert "Traceback" not in done.stderr


def test_port_in_use_is_a_user_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([*COMMAND, "--port", str(port), "--db", str(tmp_path / "x.db")],
                              capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("kind, reason", [("directory", "unable to open database file"),
                                          ("text file", "file is not a database"),
                                          ("under a file", "File exists")])
def test_unusable_state_file_is_a_user_error(tmp_path: Path, kind: str, reason: str) -> None:
    (tmp_path / "dir").mkdir()
    (tmp_path / "notes.txt").write_text("not a database\n")
    db = {"directory": tmp_path / "dir", "text file": tmp_path / "notes.txt",
          "under a file": tmp_path / "notes.txt" / "sim.sqlite3"}[kind]
    done = subprocess.run([*COMMAND, "--port", "0", "--db", str(db)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr == (f"error: sim serve: cannot keep the simulator's state in {db} "
                           f"({reason}); choose another --db.\n")
