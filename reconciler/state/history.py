"""The server's history turned into the facts a plan needs, asking the server as little as it can.

One ``listOldJobs`` gives every job; after that a job's parameters (``getOldProduct``) and its
products' statuses are fetched only when the plan asks for them, and only if the job cache does
not know them already (parameters never change; terminal statuses stay terminal). Per-job
requests run a few at a time, each on its own connection, under the transport's backoff.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable

from ..client import Client
from ..plan.model import ABSENT_WORD, Facts, HistoryRow, JobParams, Needs
from ..protocol.catalogue import ALL_PRODUCTS
from .cache import JobCache
from .lock import status_word

#: per-job requests in flight at once: polite to a shared server, fast enough for thousands
READ_CONCURRENCY = 4


def history(client: Client) -> tuple[HistoryRow, ...]:
    """Every job of the user, newest first: the one request every plan makes."""
    return tuple(client.list_old_jobs())


@dataclass
class FactFinder:
    """Answers a plan's :class:`~reconciler.plan.model.Needs`: the cache first, then the server.

    ``connect`` makes a client; one is made per worker thread, since an HTTP session is not
    shared across threads. ``requests`` counts what was asked of the server, by endpoint.
    """

    connect: Callable[[], Client]
    cache: JobCache | None
    rows: dict[int, HistoryRow]
    concurrency: int = READ_CONCURRENCY
    requests: dict[str, int] = field(default_factory=dict)
    _looked_up: set[tuple[str, int]] = field(default_factory=set)

    def fill(self, needs: Needs, facts: Facts) -> Facts:
        params = dict(facts.params)
        statuses = {k: dict(v) for k, v in facts.statuses.items()}
        fetch_params, fetch_status = [], []
        for job in sorted(needs.params):
            cached = self._cached_params(job)
            if cached is not None:
                params[job] = cached
            else:
                fetch_params.append(job)
        for job in sorted(needs.statuses):
            cached_words = self._cached_statuses(job)
            if cached_words:
                statuses.setdefault(job, {}).update(cached_words)
            else:
                fetch_status.append(job)
        if fetch_params or fetch_status:
            fetched_params, fetched_status = self._fetch(fetch_params, fetch_status)
            params.update(fetched_params)
            for job, words in fetched_status.items():
                statuses.setdefault(job, {}).update(words)
        return replace(facts, params=params, statuses=statuses)

    def _cached_params(self, job: int) -> JobParams | None:
        """From the cache, the first time a job is asked for; a second ask means fetch."""
        if self.cache is None or ("params", job) in self._looked_up:
            return None
        self._looked_up.add(("params", job))
        found = self.cache.params(job)
        return None if found is None else JobParams(found[0], found[1])

    def _cached_statuses(self, job: int) -> dict[str, str]:
        if self.cache is None or ("status", job) in self._looked_up:
            return {}
        self._looked_up.add(("status", job))
        return self.cache.statuses(job)

    def _fetch(self, params_of: Iterable[int], status_of: Iterable[int]
               ) -> tuple[dict[int, JobParams], dict[int, dict[str, str]]]:
        work = [("params", j) for j in params_of] + [("status", j) for j in status_of]
        params: dict[int, JobParams] = {}
        statuses: dict[int, dict[str, str]] = {}
        clients: list[Client] = []

        def one(item: tuple[str, int]) -> None:
            kind, job = item
            client = _thread_client.get(self.connect, clients)
            if kind == "params":
                old = client.get_old_product(job)
                params[job] = JobParams(old.job_pars, old.url)
                if self.cache is not None:
                    self.cache.put_params(job, old.job_pars, old.url)
            else:
                products = self.rows[job].products if job in self.rows else ()
                words: dict[str, str] = {}
                if products:
                    found = client.check_status(job, products, progress=False)
                    words = {p: w for p, s in found.items() if (w := status_word(s.code))}
                    if self.cache is not None:
                        self.cache.put_statuses(job, words)
                # a product the server does not report is settled as absent, not asked again
                statuses[job] = {p: words.get(p, ABSENT_WORD) for p in ALL_PRODUCTS}
            endpoint = "getOldProduct" if kind == "params" else "checkProductStatus"
            self.requests[endpoint] = self.requests.get(endpoint, 0) + 1

        try:
            with ThreadPoolExecutor(max_workers=max(1, self.concurrency),
                                    thread_name_prefix="xrt-facts") as pool:
                for future in [pool.submit(one, item) for item in work]:
                    future.result()  # the first failure stops the plan with its message
        finally:
            for client in clients:
                client.close()
        return params, statuses


class _ThreadClients:
    """One client per worker thread."""

    def __init__(self) -> None:
        import threading
        self._local = threading.local()

    def get(self, connect: Callable[[], Client], made: list[Client]) -> Client:
        client = getattr(self._local, "client", None)
        if client is None or client not in made:
            client = connect()
            made.append(client)
            self._local.client = client
        return client


_thread_client = _ThreadClients()
