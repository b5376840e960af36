"""Benchmark: streaming /api/v1/quotes.csv of 1,000,000 quotes, against a raw cursor.

Builds one database per backend, once: a SQLite file in a temporary folder and a fresh
schema of its own in PostgreSQL (dropped at the end, also on an error or Ctrl-C). Fill:
migrations, the catalogue, 40 providers with one service each in 4 catalogue corridors
(RUS-TJK, RUS-KGZ, RUS-UZB, ITA-MDA), then the quotes with remit.db.BulkInserter in batches
of 10,000 in one transaction: one year of collections, each asked at both RPW tiers (USD
200 and 500), Decimal amounts, fees and rates, about 12% of rates not disclosed (one
service in ten never discloses), three fee modes, unique source refs. Then ANALYZE (on
PostgreSQL VACUUM (ANALYZE) of the schema's own tables) and the stored statistics
(remit.stats.compute), so that `series` has data. The fill's times are printed.

Then, per backend, each run in a fresh process so that its peak memory is its own:

- baseline: a raw DB-API cursor (sqlite3, or a psycopg server-side cursor), the same
            SELECT as remit.export (the same 30 quote, service, provider and corridor
            columns, the same joins, ORDER BY quote id), fetchmany(2000), every row written
            by csv.writer to a sink that only counts characters: no conversion at all;
- remit:    create_app() on that database, then GET /api/v1/quotes.csv through the Flask
            test client (buffered=False, no Accept-Encoding: no compression), the body
            iterated chunk by chunk, counting bytes and lines and keeping nothing. The row
            count must equal --rows.

The two alternate for --rounds rounds; the table shows the median rate (rows/s), and of
memory the RSS after imports (and app creation), at 10% and 50% of the rows, at the end,
and the peak (the highest of the rounds). The peak is the child's VmHWM, the high-water
mark of its own memory: its ru_maxrss would be at least this process's RSS at the fork,
which Linux carries into a child across exec (the fill runs in a child too, so that this
process stays small; the child reports ru_maxrss beside VmHWM). CPU time is the client
process's; the database server's own work (PostgreSQL) is outside it but inside the wall
time.

Finally `series`: GET /api/v1/series/RUS-TJK.json?period=month through the test client in
a fresh process, after a warm-up, 200 times: p50 and p99.

Targets: remit at least half the baseline's rate, peak under 200 MB (and flat: no growth
with the rows), series p99 under 50 ms.

    python benchmarks/bench_export.py [--rows 1000000] [--rounds 3]
        [--backends sqlite,postgresql] [--pg-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from machine import cpu_model, load_average

ROOT = Path(__file__).resolve().parents[1]

TARGET_RATIO, TARGET_PEAK_MB, TARGET_SERIES_P99_MS = 0.5, 200.0, 50.0
FETCH = 2000
BATCH = 10_000
SERIES_CORRIDOR = "RUS-TJK"
SERIES_PATH = f"/api/v1/series/{SERIES_CORRIDOR}.json?period=month"
SERIES_REQUESTS, SERIES_WARMUP = 200, 20
EXPORT_PATH = "/api/v1/quotes.csv"

# The export's SELECT (remit.export._statement with no filter), written out by hand.
BASELINE_SQL = """
SELECT quote.id, quote.source, quote.source_ref, quote.collection_method, quote.collected_at,
       quote.period, quote.reported_provider, quote.amount_tier, quote.send_amount,
       quote.send_currency, quote.fee, quote.fee_currency, quote.fee_mode, quote.receiving_fee,
       quote.exchange_rate, quote.reference_rate, quote.reference_rate_source,
       quote.received_amount, quote.receive_currency, quote.transparent, quote.promotional,
       quote.indicative, service.payment_instrument, service.access_point,
       service.pickup_method, service.speed, provider.slug, provider.firm_type,
       corridor.source_country, corridor.destination_country
FROM quote
JOIN service ON quote.service_id = service.id
JOIN provider ON service.provider_id = provider.id
JOIN corridor ON service.corridor_id = corridor.id
ORDER BY quote.id
"""
BASELINE_HEADER = [line.strip() for line in
                   BASELINE_SQL.split("FROM")[0].replace("SELECT", "").split(",")]

# corridor -> (reference rate: units received per unit sent, send amounts at USD 200 / 500,
# reference source)
CORRIDORS = {
    ("RUS", "TJK"): ("0.1200", {200: "16000", 500: "40000"}, "cbr"),
    ("RUS", "KGZ"): ("1.0500", {200: "16000", 500: "40000"}, "cbr"),
    ("RUS", "UZB"): ("152.30", {200: "16000", 500: "40000"}, "cbr"),
    ("ITA", "MDA"): ("19.450", {200: "185", 500: "460"}, "ecb"),
}
SERVICES_PER_CORRIDOR = 10
PICKUPS = ["cash", "bank_account", "card", "mobile_wallet", "home_delivery"]
SPEEDS = ["less_than_1_hour", "same_day", "next_day", "2_days", "3_5_days", "6_days_or_more"]
FIRMS = ["money_transfer_operator", "bank", "digital_only", "mobile_operator", "post_office"]
EXPORT_TABLES = ("quote", "service", "provider", "corridor", "corridorstat")
QUOTE_COLUMNS = [
    "service_id", "source", "source_ref", "collection_method", "collected_at", "period",
    "send_amount", "send_currency", "amount_tier", "fee", "fee_currency", "fee_mode",
    "receiving_fee", "exchange_rate", "receive_currency", "reference_rate",
    "reference_rate_source", "reference_rate_date", "transparent", "promotional", "indicative",
]


# --- memory and time --------------------------------------------------------------------


def rss_mb() -> float:
    """The process's resident set now, in MB (MiB), from /proc."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_mb()


def peak_mb() -> float:
    """This process's peak RSS in MB: VmHWM, the high-water mark of its own memory map.

    ru_maxrss is not that for a forked child: Linux carries the parent's RSS at the fork
    over into the child's ru_maxrss, across exec. VmHWM starts afresh at exec."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return maxrss_mb()


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Progress:
    """RSS when the count first passes 10% and 50% of the expected rows."""

    def __init__(self, expected: int) -> None:
        self.thresholds = [max(1, expected // 10), max(1, expected // 2)]
        self.samples: list[float] = []

    def check(self, count: int) -> None:
        while len(self.samples) < len(self.thresholds) and count >= self.thresholds[len(self.samples)]:
            self.samples.append(rss_mb())

    def at(self, index: int) -> float | None:
        return self.samples[index] if index < len(self.samples) else None


# --- the database -----------------------------------------------------------------------


def pg_engine_url(base: str, schema: str) -> str:
    """The SQLAlchemy URL of a schema: psycopg 3, search_path set at connection."""
    from sqlalchemy.engine import make_url
    url = make_url(base)
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


def pg_conninfo(base: str) -> str:
    """The same database as a libpq URI, for psycopg directly."""
    from sqlalchemy.engine import make_url
    return make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)


def pg_admin(base: str, statement: str) -> None:
    import psycopg
    with psycopg.connect(pg_conninfo(base), autocommit=True, connect_timeout=10) as connection:
        connection.execute(statement)


def batched(iterable, size: int):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def fill(url: str, rows: int, seed: int = 20261123) -> dict:
    """Schema, catalogue, 40 services and ``rows`` quotes, then ANALYZE and the statistics.
    Returns the time each step took."""
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal

    from sqlalchemy import text
    from sqlmodel import Session, select

    from remit.catalog import sync_catalog
    from remit.db import make_engine
    from remit.migrate import upgrade
    from remit.models import Corridor, Provider, Service
    from remit.quote_costs import QuoteInserter
    from remit.stats import compute

    times = {}
    started = time.perf_counter()
    engine = make_engine(url)
    upgrade(engine)
    rng = random.Random(seed)
    with Session(engine, expire_on_commit=False) as session:
        sync_catalog(session)
        catalogue = list(session.exec(select(Provider).where(Provider.in_catalog).order_by(Provider.id)))
        providers = list(catalogue)
        for number in range(len(CORRIDORS) * SERVICES_PER_CORRIDOR - len(providers)):
            provider = Provider(slug=f"bench-provider-{number + 1:02d}", name=f"Bench Provider {number + 1}",
                                firm_type=FIRMS[number % len(FIRMS)])
            session.add(provider)
            providers.append(provider)
        session.flush()
        services = []  # (service id, corridor, settings)
        for c_index, (key, (reference, amounts, reference_source)) in enumerate(CORRIDORS.items()):
            corridor = session.exec(select(Corridor).where(Corridor.source_country == key[0],
                                                           Corridor.destination_country == key[1])).one()
            for s_index in range(SERVICES_PER_CORRIDOR):
                number = c_index * SERVICES_PER_CORRIDOR + s_index
                service = Service(provider_id=providers[number].id, corridor_id=corridor.id,
                                  payment_instrument=["cash", "bank_account", "debit_card"][number % 3],
                                  access_point=["agent", "internet", "mobile_app", "branch"][number % 4],
                                  pickup_method=PICKUPS[s_index % len(PICKUPS)],
                                  speed=SPEEDS[number % len(SPEEDS)])
                session.add(service)
                session.flush()
                services.append((service.id, corridor, {
                    "reference_source": reference_source,
                    "amounts": {tier: Decimal(amount) for tier, amount in amounts.items()},
                    # fee per tier: a few percent of the amount, in whole units
                    "fees": {tier: (Decimal(amount) * Decimal(rng.choice([0, 0, 1, 2, 3, 5])) / 100)
                             .quantize(Decimal(1)) for tier, amount in amounts.items()},
                    "margins": [Decimal(rng.randint(2, 45)) / 1000 for _ in range(4)],
                    "opaque": s_index == SERVICES_PER_CORRIDOR - 1,   # never discloses its rate
                    "fee_mode": "deducted" if s_index in (2, 5) else "unknown" if s_index == 7 else "on_top",
                    "method": "aggregator" if s_index in (3, 6) else "provider_api",
                    "receiving_fee": Decimal(0) if s_index == 4 else None,
                }))
        session.commit()
        corridor_keys = {key: Decimal(values[0]) for key, values in CORRIDORS.items()}

    # reference rates: a daily random walk per corridor
    days = 366
    end = datetime.now(UTC).replace(microsecond=0)
    start = end - timedelta(days=days - 1)
    references = {}
    for key, rate in corridor_keys.items():
        walk, places = [], Decimal(1).scaleb(rate.as_tuple().exponent - 2)
        for _ in range(days):
            rate = (rate * (1 + Decimal(rng.randint(-80, 80)) / 10000)).quantize(places)
            walk.append(rate)
        references[key] = walk
    six = Decimal("0.000001")

    def quote_rows():
        pairs = (rows + 1) // 2  # each collection asks both tiers
        step = (end - start).total_seconds() / pairs
        made = 0
        for pair in range(pairs):
            service_id, corridor, settings = services[rng.randrange(len(services))]
            collected = start + timedelta(seconds=int(pair * step) + rng.randrange(30))
            day = (collected - start).days
            key = (corridor.source_country, corridor.destination_country)
            reference = references[key][day]
            period = f"{collected.year:04d}Q{(collected.month - 1) // 3 + 1}"
            for tier in (200, 500):
                if made == rows:
                    return
                made += 1
                opaque = settings["opaque"] or rng.random() < 0.02
                rate = None if opaque else (reference * (1 - settings["margins"][day % 4])).quantize(six)
                yield (service_id, "bench", f"bench-{made}", settings["method"], collected, period,
                       settings["amounts"][tier], corridor.send_currency, tier,
                       settings["fees"][tier] + (day // 90), corridor.send_currency, settings["fee_mode"],
                       settings["receiving_fee"], rate, corridor.receive_currency, reference,
                       settings["reference_source"], collected.date(),
                       rate is not None and rng.random() < 0.97, rng.random() < 0.03,
                       settings["method"] == "aggregator")

    times["setup"] = time.perf_counter() - started
    started = time.perf_counter()
    with engine.begin() as connection:
        inserter = QuoteInserter(connection, QUOTE_COLUMNS)  # as collections store them: costs derived
        stored = sum(inserter.insert(batch) for batch in batched(quote_rows(), BATCH))
    if stored != rows:
        raise RuntimeError(f"stored {stored} quotes, not {rows}")
    times["quotes"] = time.perf_counter() - started
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.dialect.name == "postgresql":
            # only this schema's tables (search_path): a bare VACUUM would visit every table of
            # the database, other people's schemas included, and wait for their locks
            connection.execute(text(f"VACUUM (ANALYZE) {', '.join(EXPORT_TABLES)}"))
        else:
            connection.execute(text("ANALYZE"))
    times["analyze"] = time.perf_counter() - started
    started = time.perf_counter()
    with Session(engine) as session, session.begin():
        times["stat_rows"] = compute(session)
    times["statistics"] = time.perf_counter() - started
    engine.dispose()
    return times


# --- the children -----------------------------------------------------------------------


class CountingSink:
    """A file for csv.writer that keeps nothing: counts characters (ASCII here: bytes)."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text)
        return len(text)


def run_baseline(target: dict, expected: int, _workdir: Path) -> dict:
    if target["backend"] == "postgresql":
        import psycopg
    start_rss = rss_mb()
    sink = CountingSink()
    writer = csv.writer(sink, lineterminator="\n")
    progress = Progress(expected)
    count = 0
    cpu, started = cpu_seconds(), time.perf_counter()
    if target["backend"] == "sqlite":
        connection = sqlite3.connect(target["sqlite_path"])
        cursor = connection.cursor()
    else:
        connection = psycopg.connect(target["pg_conninfo"], options=f"-csearch_path={target['pg_schema']}")
        cursor = connection.cursor(name="bench_export")  # server-side: fetchmany fetches from the server
    try:
        cursor.execute(BASELINE_SQL)
        writer.writerow(BASELINE_HEADER)
        while batch := cursor.fetchmany(FETCH):
            writer.writerows(batch)
            count += len(batch)
            progress.check(count)
        cursor.close()
    finally:
        connection.close()
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    return {"rows": count, "seconds": elapsed, "cpu": cpu, "bytes": sink.size, "start_mb": start_rss,
            "tenth_mb": progress.at(0), "half_mb": progress.at(1), "end_mb": rss_mb()}


def make_app(target: dict, workdir: Path):
    from remit import create_app
    return create_app({"DATABASE_URL": target["url"], "SECRET_KEY": "bench",
                       "INSTANCE_PATH": str(workdir / "instance"), "API_RATE_LIMIT": "1000000/minute"})


def run_remit(target: dict, expected: int, workdir: Path) -> dict:
    app = make_app(target, workdir)
    client = app.test_client()
    start_rss = rss_mb()
    progress = Progress(expected)
    size = lines = 0
    cpu, started = cpu_seconds(), time.perf_counter()
    response = client.get(EXPORT_PATH, buffered=False)  # no Accept-Encoding: not compressed
    try:
        if response.status_code != 200:
            raise RuntimeError(f"{EXPORT_PATH} answered {response.status_code}")
        if "Content-Encoding" in response.headers:
            raise RuntimeError(f"the CSV came compressed ({response.headers['Content-Encoding']})")
        for chunk in response.response:
            size += len(chunk)
            lines += chunk.count(b"\n")
            progress.check(lines - 1)
    finally:
        response.close()
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    app.extensions["remit.engine"].dispose()
    return {"rows": lines - 1, "seconds": elapsed, "cpu": cpu, "bytes": size, "start_mb": start_rss,
            "tenth_mb": progress.at(0), "half_mb": progress.at(1), "end_mb": rss_mb()}


def run_series(target: dict, _expected: int, workdir: Path) -> dict:
    app = make_app(target, workdir)
    client = app.test_client()
    first = client.get(SERIES_PATH)
    if first.status_code != 200:
        raise RuntimeError(f"{SERIES_PATH} answered {first.status_code}: {first.get_data(as_text=True)[:300]}")
    periods = first.get_json()["count"]
    for _ in range(SERIES_WARMUP):
        client.get(SERIES_PATH)
    latencies = []
    for _ in range(SERIES_REQUESTS):
        started = time.perf_counter()
        response = client.get(SERIES_PATH)
        latencies.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{SERIES_PATH} answered {response.status_code}")
    latencies.sort()
    app.extensions["remit.engine"].dispose()
    return {"periods": periods, "p50": percentile(latencies, 0.50) * 1000,
            "p99": percentile(latencies, 0.99) * 1000, "max": latencies[-1] * 1000}


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def run_fill(target: dict, expected: int, _workdir: Path) -> dict:
    return fill(target["url"], expected)


CHILDREN = {"baseline": run_baseline, "remit": run_remit, "series": run_series, "fill": run_fill}


def child(mode: str, target: dict, expected: int) -> None:
    # inside the parent's folder: removed with it even if this process is killed
    with tempfile.TemporaryDirectory(prefix="child-", dir=target["folder"]) as workdir:
        result = CHILDREN[mode](target, expected, Path(workdir))
    result["peak_mb"], result["maxrss_mb"] = peak_mb(), maxrss_mb()
    print("RESULT " + json.dumps(result), flush=True)


def measure(mode: str, target: dict, expected: int) -> dict:
    """One run in a fresh process; the child is stopped if this one is interrupted."""
    command = [sys.executable, __file__, "--child", mode, "--target", json.dumps(target),
               "--rows", str(expected)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=ROOT)
    try:
        stdout, stderr = process.communicate()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    if process.returncode or not lines:
        raise RuntimeError(f"{mode} run on {target['backend']} failed ({process.returncode}):\n"
                           f"{stdout[-2000:]}{stderr[-4000:]}")
    return json.loads(lines[-1][len("RESULT "):])


# --- the report -------------------------------------------------------------------------


def summary(runs: list[dict]) -> dict:
    """Medians of the rounds; the peak is the highest of them."""
    def median(key):
        return statistics.median(run[key] for run in runs)
    return {"rate": statistics.median(run["rows"] / run["seconds"] for run in runs),
            "seconds": median("seconds"), "cpu": median("cpu"), "bytes": median("bytes"),
            "start_mb": median("start_mb"), "tenth_mb": median("tenth_mb"), "half_mb": median("half_mb"),
            "end_mb": median("end_mb"),
            "peak_mb": max(run["peak_mb"] for run in runs), "rows": runs[0]["rows"],
            "rates": [run["rows"] / run["seconds"] for run in runs]}


def print_header(arguments, versions: dict, fills: dict, loads: tuple[str, str], phase_loads: dict) -> None:
    print(f"Export benchmark: GET {EXPORT_PATH} of {arguments.rows:,} quotes, streamed through the app "
          f"(Flask test client, buffered=False, uncompressed), against a raw DB-API cursor + csv.writer\n"
          f"machine: {os.cpu_count()} cores ({cpu_model()}); Python {platform.python_version()}; "
          + "; ".join(f"{name} {version}" for name, version in versions.items())
          + f"\nload average (1/5/15 min) before: {loads[0]}, "
          + "".join(f"before the {backend} runs: {load}, " for backend, load in phase_loads.items())
          + f"after: {loads[1]} (other processes count too)\n"
          f"data: {len(CORRIDORS) * SERVICES_PER_CORRIDOR} services in {len(CORRIDORS)} corridors, "
          f"both tiers, one year; {arguments.rounds} alternating runs of each, each in a fresh process; "
          f"medians (peak: the highest of the runs)\n")
    for backend, times in fills.items():
        print(f"fill {backend}: {times['setup'] + times['quotes'] + times['analyze'] + times['statistics']:.1f} s "
              f"(schema+catalogue {times['setup']:.1f} s, {arguments.rows:,} quotes {times['quotes']:.1f} s "
              f"= {arguments.rows / times['quotes']:,.0f}/s, {'VACUUM ' if backend == 'postgresql' else ''}"
              f"ANALYZE {times['analyze']:.1f} s, statistics {times['statistics']:.1f} s "
              f"for {times['stat_rows']} corridor-period-tier rows)")
    print()


def print_report(arguments, results: dict, series: dict) -> None:
    print(f"| {'backend':<10} | {'run':<24} | {'rows/s':>8} | {'seconds':>7} | {'CPU s':>6} | {'CSV MB':>6} | "
          f"{'RSS start':>9} | {'RSS 10%':>7} | {'RSS 50%':>7} | {'RSS end':>7} | {'peak MB':>7} | "
          f"{'rows/s per round':<26} |")
    print(f"|{'-' * 12}|{'-' * 26}|{'-' * 10}|{'-' * 9}|{'-' * 8}|{'-' * 8}|{'-' * 11}|{'-' * 9}|{'-' * 9}|"
          f"{'-' * 9}|{'-' * 9}|{'-' * 28}|")
    for backend, pair in results.items():
        for mode, name in (("baseline", "baseline: cursor + csv"), ("remit", "remit: quotes.csv")):
            r = pair[mode]
            rates = ", ".join(f"{rate:,.0f}" for rate in r["rates"])
            print(f"| {backend:<10} | {name:<24} | {r['rate']:>8,.0f} | {r['seconds']:>7.2f} | {r['cpu']:>6.2f} | "
                  f"{r['bytes'] / 1e6:>6.1f} | {r['start_mb']:>9.1f} | {r['tenth_mb']:>7.1f} | {r['half_mb']:>7.1f} | "
                  f"{r['end_mb']:>7.1f} | "
                  f"{r['peak_mb']:>7.1f} | {rates:<26} |")
    print()
    for backend, pair in results.items():
        baseline, remit = pair["baseline"], pair["remit"]
        ratio = remit["rate"] / baseline["rate"]
        cpu_ratio = baseline["cpu"] / remit["cpu"]
        print(f"{backend}: remit / baseline rate: {ratio:.2f} (target >= {TARGET_RATIO:.2f}): "
              f"{'PASS' if ratio >= TARGET_RATIO else 'FAIL'}")
        print(f"{backend}: (for information: client CPU per row, remit {remit['cpu'] / remit['rows'] * 1e6:.1f} us, "
              f"baseline {baseline['cpu'] / baseline['rows'] * 1e6:.1f} us: baseline / remit {cpu_ratio:.2f}, "
              f"steadier than wall time on a busy machine)")
        print(f"{backend}: remit peak: {remit['peak_mb']:.1f} MB (target < {TARGET_PEAK_MB:.0f} MB; RSS from 10% "
              f"to 50% of the rows {remit['half_mb'] - remit['tenth_mb']:+.1f} MB, from 50% to the end "
              f"{remit['end_mb'] - remit['half_mb']:+.1f} MB): "
              f"{'PASS' if remit['peak_mb'] < TARGET_PEAK_MB else 'FAIL'}")
    spread = max(max(pair[mode]["rates"]) / min(pair[mode]["rates"])
                 for pair in results.values() for mode in pair)
    if spread > 1.3:
        print(f"warning: rows/s of one contender varied {spread:.1f}x between rounds: the machine was busy "
              f"(see the load averages); the rate verdicts are noisy, the CPU ratio is steadier")
    print(f"\nSeries from stored statistics: GET {SERIES_PATH}, test client, "
          f"{SERIES_WARMUP} warm-up requests, then {SERIES_REQUESTS}\n")
    print(f"| {'backend':<10} | {'periods':>7} | {'p50 ms':>6} | {'p99 ms':>6} | {'max ms':>6} |")
    print(f"|{'-' * 12}|{'-' * 9}|{'-' * 8}|{'-' * 8}|{'-' * 8}|")
    for backend, result in series.items():
        print(f"| {backend:<10} | {result['periods']:>7} | {result['p50']:>6.2f} | {result['p99']:>6.2f} | "
              f"{result['max']:>6.2f} |")
    print()
    for backend, result in series.items():
        print(f"{backend}: series p99: {result['p99']:.2f} ms (target < {TARGET_SERIES_P99_MS:.0f} ms): "
              f"{'PASS' if result['p99'] < TARGET_SERIES_P99_MS else 'FAIL'}")


def versions(backends: list[str], pg_url: str) -> dict:
    import sqlalchemy
    found = {"SQLAlchemy": sqlalchemy.__version__}
    if "sqlite" in backends:
        found["SQLite"] = sqlite3.sqlite_version
    if "postgresql" in backends:
        import psycopg
        with psycopg.connect(pg_conninfo(pg_url), connect_timeout=10) as connection:
            server = connection.execute("SHOW server_version").fetchone()[0]
        found["PostgreSQL"] = f"{server} (psycopg {psycopg.__version__}, 127.0.0.1)"
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="quotes in each database")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs of each; medians")
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test",
                        help="PostgreSQL database to make a temporary schema in")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.child, json.loads(arguments.target), arguments.rows)
        return
    backends = [name.strip() for name in arguments.backends.split(",") if name.strip()]
    unknown = set(backends) - {"sqlite", "postgresql"}
    if unknown or not backends:
        sys.exit(f"--backends: sqlite and/or postgresql, not {', '.join(sorted(unknown)) or 'nothing'}")

    # Ctrl-C, SIGTERM and SIGHUP all end the run through the `finally` that drops the
    # schema and the `with` that removes the folder
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda number, _frame: sys.exit(128 + number))

    sys.path.insert(0, str(ROOT))
    try:
        found_versions = versions(backends, arguments.pg_url)
    except Exception as error:  # noqa: BLE001 - say why, not a traceback
        sys.exit(f"cannot reach the databases: {error}")
    load_before = load_average()
    schema = f"bench_export_{uuid.uuid4().hex[:12]}"
    schema_made = False
    fills, targets = {}, {}
    try:
        with tempfile.TemporaryDirectory(prefix="remit-bench-export-") as folder:
            for backend in backends:
                if backend == "sqlite":
                    path = Path(folder) / "remit.db"
                    target = {"backend": backend, "url": f"sqlite:///{path}", "sqlite_path": str(path),
                              "folder": folder}
                else:
                    pg_admin(arguments.pg_url, f'CREATE SCHEMA "{schema}"')
                    schema_made = True
                    target = {"backend": backend, "url": pg_engine_url(arguments.pg_url, schema),
                              "pg_conninfo": pg_conninfo(arguments.pg_url), "pg_schema": schema,
                              "folder": folder}
                print(f"filling {backend} with {arguments.rows:,} quotes ...", file=sys.stderr, flush=True)
                fills[backend] = measure("fill", target, arguments.rows)  # in a child: this process stays small
                targets[backend] = target
            results, series, phase_loads = {}, {}, {}
            for backend, target in targets.items():
                phase_loads[backend] = load_average()
                runs: dict[str, list[dict]] = {"baseline": [], "remit": []}
                for number in range(arguments.rounds):  # alternate, so that machine noise hits both alike
                    for mode, found in runs.items():
                        print(f"{backend}: round {number + 1}, {mode} ...", file=sys.stderr, flush=True)
                        result = measure(mode, target, arguments.rows)
                        if result["rows"] != arguments.rows:
                            raise RuntimeError(f"{mode} on {backend} streamed {result['rows']:,} rows, "
                                               f"not {arguments.rows:,}")
                        found.append(result)
                results[backend] = {mode: summary(found) for mode, found in runs.items()}
                series[backend] = measure("series", target, arguments.rows)
    finally:
        if schema_made:
            pg_admin(arguments.pg_url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    print_header(arguments, found_versions, fills, (load_before, load_average()), phase_loads)
    print_report(arguments, results, series)


if __name__ == "__main__":
    main()
