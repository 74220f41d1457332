"""HTTP transport of the simulator: paths, bodies, faults, and the ``/_sim`` introspection.

The standard library's ``ThreadingHTTPServer`` is enough here and keeps full control of the
socket, which the fault injection needs (a dropped request closes the connection without a
byte of answer). Replies mimic PHP: JSON on one line with escaped slashes, served as
``text/html`` with HTTP 200 even for application errors; unknown paths get a 404 HTML page.
"""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
import time
import traceback
from collections import Counter
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

from ..protocol.catalogue import DOWNLOAD_FORMATS
from .clock import Clock, ManualClock, WallClock
from .config import RETRY_AFTER_STATUSES, SimConfig
from .faults import Fault, FaultInjector
from .protocol import Protocol, Reply, error
from .store import Store

PREFIX = "/user_objects"
_DOWNLOAD = re.compile(
    r"^/user_objects/tprods/USERPROD_(\d+)/([A-Za-z]+)\.(" +
    "|".join(re.escape(f) for f in DOWNLOAD_FORMATS) + r")$"
)
_CLOCK_KEY = "manual_clock_now"
_HTML = ("<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head><title>{code} {title}"
         "</title></head><body><h1>{title}</h1><p>{text}</p></body></html>\n")


def encode(reply: Reply, config: SimConfig = SimConfig()) -> bytes:
    """A reply as PHP's ``json_encode`` writes it: one line, ``/`` escaped, ``APIVersion`` in."""
    body = {**reply, "APIVersion": config.api_version}
    if config.deprecation is not None:
        body["deprecationWarning"] = dict(zip(("type", "message"), config.deprecation))
    return json.dumps(body, separators=(",", ":")).replace("/", "\\/").encode()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    #: socketserver's default backlog of 5 makes the 6th simultaneous client wait for a SYN
    #: retry (1 s, then 3 s, ...): parallel submissions would stall and time out under load.
    request_queue_size = 128
    simulator: "Simulator"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up early is normal (timeouts, dropped retries): stay quiet."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _IPv6HTTPServer(_HTTPServer):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "Apache"
    sys_version = ""
    #: A client that stops sending mid-request is dropped after this long, not waited for.
    timeout = 30.0

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.server.simulator.verbose:
            sys.stderr.write(f"sim: {self.address_string()} {format % args}\n")

    def do_GET(self) -> None:
        self.server.simulator.dispatch(self, "GET")

    def do_POST(self) -> None:
        self.server.simulator.dispatch(self, "POST")

    def send(self, code: int, body: bytes, content_type: str, extra: dict[str, str] | None = None
             ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def send_html(self, code: int, title: str, text: str,
                  extra: dict[str, str] | None = None) -> None:
        page = _HTML.format(code=code, title=title, text=text).encode()
        self.send(code, page, "text/html; charset=iso-8859-1", extra)

    def drop(self) -> None:
        """Close the connection without answering (what a dying gateway does)."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class Simulator:
    """A running simulated UKSSDC server (start with :func:`run_simulator` or ``sim serve``)."""

    def __init__(self, db_path: str | Path, config: SimConfig, verbose: bool = False) -> None:
        problems = config.problems()
        if problems:
            raise ValueError("; ".join(problems))
        self.config = config
        self.verbose = verbose
        self.store = Store(db_path)
        self.clock: Clock
        if config.manual_clock:
            saved = self.store.get_meta(_CLOCK_KEY)
            self.clock = ManualClock(float(saved) if saved is not None else None)
        else:
            self.clock = WallClock()
        server_class = _IPv6HTTPServer if ":" in config.host else _HTTPServer
        self._httpd = server_class((config.host, config.port), _Handler, bind_and_activate=True)
        self._httpd.simulator = self
        self.port: int = self._httpd.server_address[1]
        host = f"[{config.host}]" if ":" in config.host else config.host
        self.root_url = f"http://{host}:{self.port}"
        self.base_url = f"{self.root_url}{PREFIX}"
        self.protocol = Protocol(self.store, self.clock, config, self.base_url)
        self._faults = FaultInjector(config)
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._fault_counts: Counter[str] = Counter()
        self._handled = 0
        self.stopped = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> "Simulator":
        """Serve in a background thread until :meth:`stop` or a configured bound is reached."""
        self._thread = threading.Thread(target=self._serve, name="xrt-sim", daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        watchdog = threading.Thread(target=self._watch, name="xrt-sim-watchdog", daemon=True)
        watchdog.start()
        try:
            self._httpd.serve_forever(poll_interval=0.05)
        finally:
            self._httpd.server_close()  # refuse new connections at once, not leave them queued
            self.stopped.set()

    def _watch(self) -> None:
        """Stop by itself after ``max_seconds`` or ``max_requests`` (checked as they come)."""
        if not self.stopped.wait(self.config.max_seconds):
            self._shutdown_async()

    def _shutdown_async(self) -> None:
        threading.Thread(target=self._httpd.shutdown, daemon=True).start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the server stops; True if it has."""
        return self.stopped.wait(timeout)

    def stop(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join(timeout=10)
        self._httpd.server_close()
        self.stopped.set()

    # -- introspection ---------------------------------------------------------------------

    def advance(self, seconds: float) -> float:
        """Move the manual clock forward (and remember it across restarts)."""
        if not isinstance(self.clock, ManualClock):
            raise RuntimeError("advance() needs a simulator started with manual_clock=True")
        now = self.clock.advance(seconds)
        self.store.set_meta(_CLOCK_KEY, repr(now))
        return now

    def stats(self) -> dict[str, Any]:
        """What tests want to know: per-user submissions, activity, jobs per name; requests."""
        now = self.clock.now()
        users = self.store.user_counters(now)
        with self._lock:
            requests, faults = dict(self._requests), dict(self._fault_counts)
        return {
            "now": now,
            "submissions": {u: e["submissions"] for u, e in users.items()},
            "active": {u: e["active"] for u, e in users.items()},
            "peak_active": {u: e["peak_active"] for u, e in users.items()},
            "refused": {u: e["refused"] for u, e in users.items()},
            "jobs_per_name": {u: e["jobs_per_name"] for u, e in users.items()},
            "requests": requests,
            "faults": faults,
            "config": {"job_seconds": self.config.job_seconds,
                       "max_queued": self.config.max_queued,
                       "expire_seconds": self.config.expire_seconds,
                       "manual_clock": self.config.manual_clock},
        }

    # -- requests --------------------------------------------------------------------------

    def _count(self, endpoint: str) -> None:
        with self._lock:
            self._requests[endpoint] += 1
            self._handled += 1
            over = (self.config.max_requests is not None
                    and self._handled >= self.config.max_requests)
        if over:
            self._shutdown_async()

    def dispatch(self, handler: _Handler, method: str) -> None:
        path = handler.path.split("?", 1)[0]
        body = self._read_body(handler)
        if body is None:
            return
        if path.startswith("/_sim/"):
            self._introspect(handler, method, path, body)
            return
        endpoint = self._endpoint(path)
        self._count(endpoint or "unknown")
        if endpoint is None:
            handler.send_html(404, "Not Found",
                              f"The requested URL {path} was not found on this server.")
            return
        decision = self._faults.next()
        if self.config.latency:
            time.sleep(self.config.latency)
        if decision.fault is not Fault.NONE:
            with self._lock:
                self._fault_counts[decision.fault.value] += 1
        if decision.fault is Fault.HTTP_ERROR:
            self._send_fault(handler, decision.status)
            return
        if decision.fault is Fault.DROP_BEFORE:
            handler.drop()
            return
        try:
            answer = self._answer(endpoint, path, body)
        except Exception:  # a simulator bug: say so loudly, answer like a broken server would
            traceback.print_exc()
            handler.send_html(500, "Internal Server Error", "The simulator failed; see its log.")
            return
        if decision.fault is Fault.DROP_AFTER:
            handler.drop()
            return
        code, data, content_type, extra = answer
        handler.send(code, data, content_type, extra)

    def _send_fault(self, handler: _Handler, status: int) -> None:
        """An injected error page; 429 and 503 say when to come back if so configured."""
        extra = {}
        if self.config.retry_after is not None and status in RETRY_AFTER_STATUSES:
            extra["Retry-After"] = str(self.config.retry_after)
        text = ("The server is temporarily unable to service your request. Please try again "
                "later." if status in RETRY_AFTER_STATUSES else
                "The server encountered an internal error and was unable to complete your "
                "request.")
        handler.send_html(status, HTTPStatus(status).phrase, text, extra)

    @staticmethod
    def _endpoint(path: str) -> str | None:
        if _DOWNLOAD.match(path):
            return "download"
        if path.startswith(PREFIX + "/"):
            name = path[len(PREFIX) + 1:]
            if name in Protocol.ENDPOINTS:
                return name
        return None

    def _read_body(self, handler: _Handler) -> bytes | None:
        try:
            length = int(handler.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > self.config.max_body_bytes:
            handler.send_html(413, "Request Entity Too Large",
                              "The request body is missing a valid length or is too large.")
            return None
        return handler.rfile.read(length) if length else b""

    def _answer(self, endpoint: str, path: str, raw: bytes
                ) -> tuple[int, bytes, str, dict[str, str]]:
        if endpoint == "download":
            match = _DOWNLOAD.match(path)
            assert match is not None
            found = self.protocol.download(match.group(1), match.group(2), match.group(3))
            if found is None:
                page = _HTML.format(code=404, title="Not Found",
                                    text=f"The requested URL {path} was not found on this "
                                         f"server.").encode()
                return 404, page, "text/html; charset=iso-8859-1", {}
            return 200, found.data, "application/octet-stream", {
                "Content-Disposition": f'attachment; filename="{found.filename}"'}
        try:
            body = json.loads(raw.decode("utf-8") or "null")
        except (ValueError, RecursionError) as exc:  # also too deep, or a number too long
            reply = error(f"The JSON you uploaded could not be decoded: {exc}")
        else:
            if isinstance(body, dict):
                reply = self.protocol.handle(endpoint, body)
            else:
                reply = error("The data you uploaded was not a JSON object.")
        return 200, encode(reply, self.config), "text/html; charset=UTF-8", {}

    def _introspect(self, handler: _Handler, method: str, path: str, raw: bytes) -> None:
        def send_json(code: int, data: dict[str, Any]) -> None:
            handler.send(code, json.dumps(data).encode(), "application/json")

        if path == "/_sim/stats" and method == "GET":
            send_json(200, self.stats())
        elif path == "/_sim/advance" and method == "POST":
            try:
                seconds = float(json.loads(raw or b"{}").get("seconds", 0))
                send_json(200, {"now": self.advance(seconds)})
            except (ValueError, ArithmeticError, AttributeError, RuntimeError) as exc:
                send_json(409, {"error": str(exc)})
        else:
            handler.send_html(404, "Not Found", f"No simulator control at {path}.")


@contextmanager
def run_simulator(db_path: str | Path, *, verbose: bool = False, **options: Any
                  ) -> Iterator[Simulator]:
    """A simulator for the duration of the block; ``options`` are :class:`SimConfig` fields.

    By default it serves on a free loopback port and, unlike a bare ``SimConfig``, stops by
    itself after 15 minutes (``max_seconds``).
    """
    options.setdefault("max_seconds", 900.0)
    options["fail_products"] = tuple(options.get("fail_products", ()))
    config = SimConfig(**options)
    sim = Simulator(db_path, config, verbose=verbose).start()
    try:
        yield sim
    finally:
        sim.stop()
