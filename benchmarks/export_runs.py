"""The export benchmark's measured runs, each in a fresh process started by bench_export.py:
the baseline (a raw cursor written by csv.writer), remit's /api/v1/quotes.csv, the series
latency, and the fill. Each prints one RESULT line of JSON."""

from __future__ import annotations

import csv
import json
import resource
import sqlite3
import tempfile
import time
from pathlib import Path

from export_fill import fill

FETCH = 2000
SERIES_CORRIDOR = "RUS-TJK"
SERIES_PATH = f"/api/v1/series/{SERIES_CORRIDOR}.json?period=month"
SERIES_REQUESTS, SERIES_WARMUP = 200, 20
EXPORT_PATH = "/api/v1/quotes.csv"

# The stored columns the export's 30 cells come from (remit.export._statement with no
# filter: the same joins and order), selected as they are, written out by hand.
BASELINE_SQL = """
SELECT quote.id, quote.source, quote.source_ref, quote.collection_method, quote.collected_at,
       quote.period, quote.reported_provider, quote.amount_tier, quote.send_amount,
       quote.send_currency, quote.fee, quote.fee_currency, quote.exchange_rate,
       quote.reference_rate, quote.reference_rate_source, quote.fx_margin_pct,
       quote.total_cost_pct, quote.received_amount, quote.computed_received_amount,
       quote.receive_currency, quote.transparent, quote.promotional, quote.indicative,
       service.payment_instrument, service.access_point, service.pickup_method, service.speed,
       provider.slug, provider.firm_type, corridor.source_country, corridor.destination_country
FROM quote
JOIN service ON quote.service_id = service.id
JOIN provider ON service.provider_id = provider.id
JOIN corridor ON service.corridor_id = corridor.id
ORDER BY quote.id
"""
BASELINE_HEADER = [line.strip() for line in
                   BASELINE_SQL.split("FROM")[0].replace("SELECT", "").split(",")]

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
