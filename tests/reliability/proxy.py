"""A loopback proxy in front of the simulator that can spoil chosen answers, for the faults the
simulator cannot make itself: a reply that arrives whole but does not follow the protocol.

Each request is passed on to the simulator unchanged (so a submission really makes a job), and
the answer is passed back, unless ``spoil`` says the endpoint's answer is to be replaced. It
listens on 127.0.0.1 only and stops when its ``with`` block ends.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import requests

#: what a proxy answers to a submission in place of the real reply: JSON that parses, with a
#: job number and a URL that must never reach the lock, and a jobPars that is not an object
HOSTILE_SUBMIT = (b'{"OK": 1, "APIVersion": 1.12, "JobID": "999", '
                  b'"URL": "http://evil.example/USERPROD_999", "jobPars": ["not", "an", "object"]}')
#: ...and to anything else
HOSTILE_PAGE = b"<html><body>Service temporarily rearranged</body></html>"


@dataclass
class Proxy:
    base_url: str
    #: endpoints whose next answers are spoiled (passed on first when they are submissions)
    spoil: set[str] = field(default_factory=set)
    #: endpoints spoiled once a submission has been made
    spoil_after_submit: set[str] = field(default_factory=set)
    seen: list[str] = field(default_factory=list)
    spoiled: list[str] = field(default_factory=list)


@contextmanager
def spoiling_proxy(target: str) -> Iterator[Proxy]:
    """A proxy for the simulator whose ``user_objects`` root is ``target``."""
    proxy = Proxy("")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            endpoint = self.path.rsplit("/", 1)[-1]
            with lock:
                proxy.seen.append(endpoint)
                spoil = endpoint in proxy.spoil or (
                    endpoint in proxy.spoil_after_submit
                    and "run_userobject.php" in proxy.seen[:-1])
            if spoil and endpoint != "run_userobject.php":
                answer = HOSTILE_PAGE
            else:
                reply = requests.post(f"{target}/{endpoint}", data=body, timeout=30,
                                      headers={"Content-Type": "application/json"})
                answer = HOSTILE_SUBMIT if spoil else reply.content
            if spoil:
                with lock:
                    proxy.spoiled.append(endpoint)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=UTF-8")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    proxy.base_url = f"http://127.0.0.1:{server.server_address[1]}/user_objects"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
