"""A gateway that gives up on a submission (HTTP 502) while the server goes on to make the job a
moment later: apply looks in the history again a poll interval later before sending anything
again, so the job is adopted, not duplicated."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from commands.support import jobs_per_name, run, spec_text

from reconciler.state import lockfile

pytestmark = pytest.mark.usefixtures("isolated")


def late_gateway(target: str, delay: float) -> tuple[ThreadingHTTPServer, str]:
    """Passes requests on, but answers the first submission 502 at once and forwards it to the
    server only ``delay`` seconds later."""
    first = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            endpoint = self.path.rsplit("/", 1)[-1]

            def forward() -> bytes:
                return requests.post(f"{target}/{endpoint}", data=body, timeout=30).content

            if endpoint == "run_userobject.php" and not first.is_set():
                first.set()
                threading.Timer(delay, forward).start()
                answer, code = b"<html>502 Bad Gateway</html>", 502
            else:
                answer, code = forward(), 200
            self.send_response(code)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/user_objects"


def test_a_job_that_appears_late_is_adopted_not_submitted_again(
        sim_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=0.02)
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text(2, poll="0.5s"))
    server, url = late_gateway(sim.base_url, delay=0.2)
    try:
        started = time.monotonic()
        code, out, err = run(capsys, "apply", str(spec), "--server", url, "--auto-approve")
    finally:
        server.shutdown()
    assert code == 0, err
    assert "answer to the submission was lost" in err
    assert time.monotonic() - started >= 0.5  # it did wait before looking again
    assert jobs_per_name(sim) == {"SRC 000": 1, "SRC 001": 1}
    lock = lockfile.read(lockfile.lock_path(spec))
    assert lock.pending == [] and sorted(lock.jobs) == [1, 2]
