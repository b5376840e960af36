"""Benchmark: collection wall time against its lower bound and against a sequential run.

A local HTTP server on 127.0.0.1 answers like a price API, 200 ms late on every request.
Six price sources (each its own host) are asked about 20 corridors at 2 amounts: 240
requests through the real pipeline (remit.collect: HTTP client with its limits, archive,
parse, ingest into SQLite). Reported beside:

- the lower bound those limits imply: requests can't overlap more than the per-host and
  global concurrency limits allow, each taking the latency at least;
- the same collection made one request at a time (concurrency 1), in the same run.

Targets: within 1.3x of the bound, at least 10x faster than sequential, memory flat
(peak traced Python allocation of a collection 4x as large, for comparison).

    python benchmarks/bench_collect.py
"""

from __future__ import annotations

import json
import math
import multiprocessing
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

import httpx

from remit import collect as collect_module
from remit import create_app
from remit.catalog import sync_catalog
from remit.db import get_engine
from remit.migrate import upgrade
from remit.models import Corridor, ReferenceRate
from scrapers.base import QuoteObservation, Request
from sqlmodel import Session, select

LATENCY = 0.2
SOURCES = [f"bench{number}" for number in range(1, 7)]
LIMITS = {"HTTP_CONCURRENCY": 16, "HTTP_PER_HOST_CONCURRENCY": 4, "HTTP_PER_HOST_INTERVAL_S": 0.0,
          "HTTP_RETRIES": 0, "CONTACT_URL": "mailto:bench@remit.example"}


class SlowPriceApi(BaseHTTPRequestHandler):
    """Answers every GET with a price, after the latency."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms delayed-ACK stalls

    def do_GET(self):  # noqa: N802 - the http.server interface
        time.sleep(LATENCY)
        query = dict(parse_qsl(urlsplit(self.path).query))
        amount = Decimal(query["amount"])
        body = json.dumps({"amount": str(amount), "fee": "1.50", "rate": query["rate"],
                           "received": str((amount * Decimal(query["rate"])).quantize(Decimal("0.01")))}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):
        pass


class ToLocalServer(httpx.AsyncBaseTransport):
    """Sends every request, whatever its host, to the local server over real HTTP."""

    def __init__(self, port: int) -> None:
        self.inner = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=64))
        self.port = port

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def bench_source(name: str, benchmarks: dict) -> SimpleNamespace:
    """A price source module like scrapers/quotes/*, on its own host."""

    def requests(query, _settings):
        rate = benchmarks[(query.send_currency, query.receive_currency)] * Decimal("0.98")
        return [Request("GET", f"https://{name}.example/price?amount={query.send_amount}&rate={rate:.6f}")]

    def parse(body, _request, query):
        data = json.loads(body, parse_float=Decimal)
        return [QuoteObservation(
            source=name, provider=name, provider_name=name.title(), source_country=query.source_country,
            destination_country=query.destination_country, send_amount=Decimal(data["amount"]),
            send_currency=query.send_currency, fee=Decimal(data["fee"]), fee_mode="on_top",
            exchange_rate=Decimal(data["rate"]), received_amount=Decimal(data["received"]),
            receive_currency=query.receive_currency, collected_at=query.collected_at)]

    return SimpleNamespace(NAME=name, serves=lambda _query: True, requests=requests, parse=parse)


def prepare(folder: Path, corridors: int):
    """An app on a fresh SQLite file with the catalogue, `corridors` corridors and rates."""
    app = create_app({"INSTANCE_PATH": str(folder), "SECRET_KEY": "bench"} | LIMITS)
    with app.app_context():
        engine = get_engine()
        upgrade(engine)
        with Session(engine) as session:
            sync_catalog(session)
            chosen = session.exec(select(Corridor).where(Corridor.in_catalog)).all()[:corridors]
            for corridor in session.exec(select(Corridor)):
                corridor.enabled = corridor in chosen
            currencies = {c.send_currency for c in chosen} | {c.receive_currency for c in chosen}
            for code in currencies - {"USD"}:
                session.add(ReferenceRate(source="ecb", base="USD", quote=code, rate=Decimal("3.5"),
                                          as_of=collect_module.utcnow().date()))
            session.commit()
    return app


def benchmark_rates(app) -> dict:
    with app.app_context(), Session(get_engine()) as session:
        codes = [rate.quote for rate in session.exec(select(ReferenceRate))] + ["USD"]
    return {(a, b): Decimal(1) for a in codes for b in codes}


def run(port: int, corridors: int, *, sequential: bool, tiers=(200, 500)) -> dict:
    collect_module.TIERS_USD = tiers
    with tempfile.TemporaryDirectory() as folder:
        app = prepare(Path(folder), corridors)
        if sequential:
            app.config.update(HTTP_CONCURRENCY=1, HTTP_PER_HOST_CONCURRENCY=1)
        rates = benchmark_rates(app)
        modules = {name: bench_source(name, rates) for name in SOURCES}
        collect_module.quote_source = modules.__getitem__  # the six benchmark sources
        plan = collect_module.Plan(rate_sources=[], quote_sources=SOURCES)
        with app.app_context():
            tracemalloc.start()
            started = time.perf_counter()
            outcomes = collect_module.collect(get_engine(), app.config, plan, transport=ToLocalServer(port))
            seconds = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    stored = sum(outcome.counts.stored for outcome in outcomes)
    failed = [outcome.error for outcome in outcomes if outcome.status != "ok"]
    if failed:
        sys.exit(f"collection failed: {failed[:2]}")
    return {"requests": stored, "seconds": seconds, "peak_mb": peak / 2**20}


def lower_bound(requests_per_host: int, hosts: int) -> float:
    """The least wall time the limits allow, each request taking LATENCY."""
    per_host = math.ceil(requests_per_host / LIMITS["HTTP_PER_HOST_CONCURRENCY"]) * LATENCY
    overall = math.ceil(requests_per_host * hosts / LIMITS["HTTP_CONCURRENCY"]) * LATENCY
    return max(per_host, overall)


def serve(port_queue) -> None:
    """The slow price API, in a process of its own so that it does not share the GIL."""
    ThreadingHTTPServer.request_queue_size = 128  # the default backlog of 5 drops bursts of connects
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowPriceApi)
    server.daemon_threads = True
    port_queue.put(server.server_address[1])
    server.serve_forever()


def main() -> None:
    ports = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(ports,), daemon=True)
    server.start()
    port = ports.get(timeout=30)
    try:
        # this machine's timings vary by +-20%: the median of three concurrent runs
        concurrent = sorted((run(port, 20, sequential=False) for _ in range(3)),
                            key=lambda result: result["seconds"])[1]
        sequential = run(port, 20, sequential=True)
        larger = run(port, 20, sequential=False, tiers=(200, 500, 1000, 1500, 2000, 3000, 4000, 5000))
    finally:
        server.terminate()
        server.join()
    bound = lower_bound(concurrent["requests"] // len(SOURCES), len(SOURCES))
    print(f"Collection benchmark: {len(SOURCES)} sources x 20 corridors x 2 amounts = "
          f"{concurrent['requests']} requests, {LATENCY * 1000:.0f} ms latency each, local HTTP server;\n"
          f"limits: {LIMITS['HTTP_CONCURRENCY']} in flight, {LIMITS['HTTP_PER_HOST_CONCURRENCY']} per host\n")
    print(f"| {'run':<34} | {'requests':>8} | {'seconds':>7} | {'peak MB':>7} |")
    print(f"|{'-' * 36}|{'-' * 10}|{'-' * 9}|{'-' * 9}|")
    larger_bound = lower_bound(larger["requests"] // len(SOURCES), len(SOURCES))
    print(f"| {'lower bound from the limits':<34} | {concurrent['requests']:>8} | {bound:>7.2f} | {'':>7} |")
    print(f"| {'lower bound, 4x the amounts':<34} | {larger['requests']:>8} | {larger_bound:>7.2f} | {'':>7} |")
    for name, result in (("remit collect (concurrent, median)", concurrent), ("sequential (one at a time)", sequential),
                         ("concurrent, 4x the amounts", larger)):
        print(f"| {name:<34} | {result['requests']:>8} | {result['seconds']:>7.2f} | "
              f"{result['peak_mb']:>7.1f} |")
    print(f"\nconcurrent / bound: {concurrent['seconds'] / bound:.2f} (target <= 1.3); "
          f"4x / its bound: {larger['seconds'] / larger_bound:.2f}; "
          f"sequential / concurrent: {sequential['seconds'] / concurrent['seconds']:.1f}x (target >= 10)")


if __name__ == "__main__":
    main()
