"""Benchmark: the results page under load, beside a trivial endpoint of the same app.

Builds a fresh SQLite database (catalogue, reference rates, corridor RUS-TJK with 40 fresh
services, one quote each, made with the test helpers of tests/site_data.py), then starts
the real production server, gunicorn with 2 sync workers on 127.0.0.1, and loads it with
20 concurrent clients for a fixed time per endpoint:

- trivial:  /healthz, a small JSON answer after a `SELECT 1`;
- results:  /en/send/ru-tj?amount=10000, the page a user sees, normally served from the
            page cache (per worker, until the data change): production's usual case;
- uncached: the same page with a new amount on every request (10000, 10001, ...), so
            every request queries, ranks and renders the 40 services.

The endpoints alternate (trivial, results, uncached, trivial, ...) for several rounds so
that machine noise hits them alike, after a warm-up run of each; between runs the script
waits until the server has drained the requests the last run left in its listen queue
(otherwise the run after the slow uncached one starts behind them). Each column of the
table is the median over rounds, errors are summed. Beside req/s and latency, the server's
CPU time per request (gunicorn master and workers, from /proc) is shown: other processes
on a shared machine disturb it much less than they disturb throughput.

The load generator is wrk when installed (one Lua callback per request for the varying URL
and the non-2xx count, the same script for every endpoint), otherwise Python threads with
httpx, which on a small machine may itself be the bottleneck: the output says which.
Clients send a browser's Accept-Encoding, so pages are compressed as a browser gets them.
Server, load generator and this script share the machine's cores (2 here, as the issue
asks), and sync gunicorn workers close the connection after each response, so every
request is a new TCP connection.

Targets: results at least half the trivial endpoint's throughput, results p99 under 50 ms.
Also prints the compressed weight (gzip, as on the wire; brotli beside it) of each page
type, against the 14 KB of a first TCP round trip.

    python benchmarks/bench_site.py [--seconds 10] [--clients 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import os
import platform
import re
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from machine import cpu_model, load_average
from site_load import PythonThreads, Wrk, median_of
from site_server import (decoded, free_port, get, server_cpu_seconds, settle, start_gunicorn,
                         stop_gunicorn, wait_until_up)


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/site_data.py: the helpers that build the test market

from sqlmodel import Session

from remit.db import make_engine
from remit.migrate import upgrade
from tests.site_data import add_service, russia_tajikistan

SERVICES = 40  # fresh services the results page lists
RESULTS = "/en/send/ru-tj?amount=10000"
UNCACHED_PREFIX = "/en/send/ru-tj?amount="  # + a new amount per request
PROVIDER = "cheap-cash"
PAGES = [("home", "/en/"), ("results", RESULTS), ("corridor", "/en/corridor/ru-tj"),
         ("provider", f"/en/provider/{PROVIDER}"), ("results, Arabic", "/ar/send/ru-tj?amount=10000")]
FIRST_ROUND_TRIP = 14 * 1024
TARGET_RATIO, TARGET_P99_MS = 0.5, 50.0
BROWSER_ENCODING = "gzip, deflate, br"



# --- the data ---------------------------------------------------------------------------


def build_database(folder: Path) -> str:
    """A fresh SQLite file: catalogue, rates, RUS-TJK with SERVICES fresh services."""
    url = f"sqlite:///{folder / 'remit.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        corridor = russia_tajikistan(session)  # 4 fresh services, 1 stale, and the rates
        speeds = ["less_than_1_hour", "same_day", "next_day", "2_days", "3_5_days"]
        pickups = ["cash", "bank_account", "card", "mobile_wallet", "home_delivery"]
        firms = ["money_transfer_operator", "bank", "digital_only", "mobile_operator", "post_office"]
        for number in range(SERVICES - 4):
            add_service(session, corridor, f"bench-provider-{number + 1:02d}",
                        fee=str(number * 7 % 250), rate=None if number % 9 == 8 else f"{0.1150 + number * 0.0001:.4f}",
                        speed=speeds[number % len(speeds)], pickup=pickups[number // 2 % len(pickups)],
                        firm_type=firms[number % len(firms)], promotional=number % 11 == 0,
                        hours_ago=1 + number % 20)
        session.commit()
    engine.dispose()
    return url


def check_pages(port: int) -> None:
    """Every page answers 200 (no redirect), and the results page lists SERVICES services."""
    for _name, path in PAGES + [("healthz", "/healthz"), ("uncached", UNCACHED_PREFIX + "12345")]:
        status, _headers, _body = get(port, path, BROWSER_ENCODING)
        if status != 200:
            sys.exit(f"{path} answered {status}, not 200")
    status, headers, body = get(port, RESULTS, "gzip")
    listed = len(re.findall(rb'<li class="offer', decoded(headers, body)))
    if listed != SERVICES:
        sys.exit(f"the results page lists {listed} services, not {SERVICES}")


def page_weights(port: int) -> list[dict]:
    rows = []
    for name, path in PAGES:
        _, gz_headers, gz_body = get(port, path, "gzip")
        _, br_headers, br_body = get(port, path, "br")
        rows.append({"name": name, "path": path, "raw": len(decoded(gz_headers, gz_body)),
                     "gzip": len(gz_body), "gzip_coding": gz_headers.get("content-encoding", "none"),
                     "br": len(br_body), "br_coding": br_headers.get("content-encoding", "none")})
    return rows


# --- the report -------------------------------------------------------------------------


def print_report(arguments, generator, gunicorn_version: str, medians: dict, rounds: dict,
                 weights: list[dict], loads: tuple[str, str]) -> None:
    print(f"Site benchmark: gunicorn {gunicorn_version}, {arguments.workers} sync workers on 127.0.0.1, "
          f"SQLite file; corridor RUS-TJK with {SERVICES} services\n"
          f"machine: {os.cpu_count()} cores ({cpu_model()}), shared by the server's workers and the "
          f"load generator; Python {platform.python_version()}; load average (1/5/15 min) "
          f"before: {loads[0]}, after: {loads[1]} (other processes count too)\n"
          f"load: {generator.describe()}; {arguments.clients} concurrent clients, "
          f"{arguments.seconds:g} s per endpoint, Accept-Encoding: {arguments.accept_encoding}; "
          f"endpoints alternated for {arguments.rounds} rounds, medians (errors summed)\n")
    print(f"| {'endpoint':<46} | {'req/s':>7} | {'p50 ms':>6} | {'p99 ms':>6} | {'errors':>6} | {'CPU ms':>6} | "
          f"{'req/s per round':<17} | {'p99 ms per round':<20} |")
    print(f"|{'-' * 48}|{'-' * 9}|{'-' * 8}|{'-' * 8}|{'-' * 8}|{'-' * 8}|{'-' * 19}|{'-' * 22}|")
    for key, name in (("trivial", "trivial: /healthz"), ("results", f"results (cached): {RESULTS}"),
                      ("uncached", "results, new amount each request (uncached)")):
        result = medians[key]
        per_round = ", ".join(f"{run['rps']:.0f}" for run in rounds[key])
        p99s = ", ".join(f"{run['p99']:.0f}" for run in rounds[key])
        print(f"| {name:<46} | {result['rps']:>7.0f} | {result['p50']:>6.1f} | {result['p99']:>6.1f} | "
              f"{result['errors']:>6} | {result['cpu_ms']:>6.2f} | {per_round:<17} | {p99s:<20} |")
    ratio = medians["results"]["rps"] / medians["trivial"]["rps"]
    uncached_ratio = medians["uncached"]["rps"] / medians["trivial"]["rps"]
    p99 = medians["results"]["p99"]
    ratio_ok, p99_ok = ratio >= TARGET_RATIO, p99 < TARGET_P99_MS
    errors = sum(result["errors"] for result in medians.values())
    print(f"\nresults / trivial throughput: {ratio:.2f} (target >= {TARGET_RATIO:.2f}): "
          f"{'PASS' if ratio_ok else 'FAIL'}")
    print(f"results p99: {p99:.1f} ms (target < {TARGET_P99_MS:.0f} ms): {'PASS' if p99_ok else 'FAIL'}")
    print(f"(uncached, for information: {uncached_ratio:.2f} of trivial, p99 {medians['uncached']['p99']:.1f} ms; "
          f"errors in all runs: {errors})")
    spread = max(max(run["rps"] for run in runs) / max(min(run["rps"] for run in runs), 1e-9)
                 for runs in rounds.values())
    if spread > 1.3:
        print(f"warning: req/s of one endpoint varied {spread:.1f}x between rounds: the machine was busy "
              f"(see the load average); the verdicts above are noisy, the CPU ratio below is steadier")
    cpu_ratio = medians["trivial"]["cpu_ms"] / medians["results"]["cpu_ms"]
    print(f"CPU ms: the server's CPU time (master and workers, from /proc) per request served, which other "
          f"processes on the machine disturb less than req/s;\ntrivial / results CPU per request: "
          f"{cpu_ratio:.2f} (roughly the throughput ratio when the server's CPU is the limit)")
    print(f"\nPage weight (body on the wire; 14 KB = {FIRST_ROUND_TRIP} bytes, a first TCP round trip)\n")
    print(f"| {'page':<16} | {'path':<30} | {'raw bytes':>9} | {'gzip bytes':>10} | {'br bytes':>8} | "
          f"{'gzip < 14 KB':<12} |")
    print(f"|{'-' * 18}|{'-' * 32}|{'-' * 11}|{'-' * 12}|{'-' * 10}|{'-' * 14}|")
    for row in weights:
        gz = f"{row['gzip']:,}" + ("" if row["gzip_coding"] == "gzip" else f" ({row['gzip_coding']})")
        br = f"{row['br']:,}" + ("" if row["br_coding"] == "br" else f" ({row['br_coding']})")
        print(f"| {row['name']:<16} | {row['path']:<30} | {row['raw']:>9,} | {gz:>10} | {br:>8} | "
              f"{'yes' if row['gzip'] < FIRST_ROUND_TRIP else 'NO':<12} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="load time per endpoint per round")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (connections)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs of each endpoint; medians")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto",
                        help="load generator: wrk when installed (auto), or Python threads")
    parser.add_argument("--wrk-threads", type=int, default=1,
                        help="wrk threads; one keeps the most CPU for the server")
    parser.add_argument("--accept-encoding", default=BROWSER_ENCODING,
                        help="the clients' Accept-Encoding header ('identity': no compression)")
    arguments = parser.parse_args()
    if importlib.util.find_spec("gunicorn") is None:
        sys.exit(f"needs gunicorn (the 'production' extra): {sys.executable} -m pip install gunicorn")
    if arguments.generator == "wrk" and shutil.which("wrk") is None:
        sys.exit("needs wrk (apt-get install wrk), or --generator python")

    # Ctrl-C (even when started from a shell that ignores it), SIGTERM and SIGHUP all end the
    # run through the `finally` that stops the server and the `with` that removes the folder
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda number, _frame: sys.exit(128 + number))

    import gunicorn
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="remit-bench-site-") as name:
        folder = Path(name)
        url = build_database(folder)
        use_wrk = arguments.generator == "wrk" or (arguments.generator == "auto" and shutil.which("wrk"))
        generator = (Wrk(folder, arguments.wrk_threads) if use_wrk else PythonThreads(
            "wrk not installed" if arguments.generator == "auto" else "--generator python"))
        port = free_port()
        server = start_gunicorn(folder, url, port, arguments.workers)
        try:
            wait_until_up(server, f"http://127.0.0.1:{port}", folder)
            check_pages(port)
            weights = page_weights(port)
            endpoints = {"trivial": ("/healthz", False), "results": (RESULTS, False),
                         "uncached": (UNCACHED_PREFIX, True)}
            base = itertools.count(0, 100_000)  # each uncached run starts at new amounts
            load = {"clients": arguments.clients, "encoding": arguments.accept_encoding}
            for path, vary in endpoints.values():  # warm up: both workers, every code path
                generator.run(port, path, vary, next(base), seconds=min(2, arguments.seconds), **load)
                settle(port)
            rounds: dict[str, list[dict]] = {key: [] for key in endpoints}
            for _ in range(arguments.rounds):  # alternate, so that machine noise hits all alike
                for key, (path, vary) in endpoints.items():
                    cpu = server_cpu_seconds(server.pid)
                    result = generator.run(port, path, vary, next(base), seconds=arguments.seconds, **load)
                    cpu = server_cpu_seconds(server.pid) - cpu
                    rounds[key].append(result | {"cpu_ms": 1000 * cpu / max(result["requests"], 1)})
                    settle(port)
        finally:
            stop_gunicorn(server)
    medians = {key: median_of(runs) for key, runs in rounds.items()}
    print_report(arguments, generator, gunicorn.__version__, medians, rounds, weights,
                 (load_before, load_average()))


if __name__ == "__main__":
    main()
