"""Benchmark: streaming /api/v1/quotes.csv of 1,000,000 quotes, against a raw cursor.

Builds one database per backend, once: a SQLite file in a temporary folder and a fresh
schema of its own in PostgreSQL (dropped at the end, also on an error or Ctrl-C). Fill:
migrations, the catalogue, 40 providers with one service each in 4 catalogue corridors
(RUS-TJK, RUS-KGZ, RUS-UZB, ITA-MDA), then the quotes with remit.quote_costs.QuoteInserter
(as collections store them, costs derived) in batches of 10,000 in one transaction: one year of collections, each asked at both RPW tiers (USD
200 and 500), Decimal amounts, fees and rates, about 12% of rates not disclosed (one
service in ten never discloses), three fee modes, unique source refs. Then ANALYZE (on
PostgreSQL VACUUM (ANALYZE) of the schema's own tables) and the stored statistics
(remit.stats.compute), so that `series` has data. The fill's times are printed.

Then, per backend, each run in a fresh process so that its peak memory is its own:

- baseline: a raw DB-API cursor (sqlite3, or a psycopg server-side cursor) selecting the
            31 stored quote, service, provider and corridor columns the export's 30 cells
            come from, as stored (the same joins, ORDER BY quote id), fetchmany(2000), every
            row written by csv.writer to a sink that only counts characters: no conversion;
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
import json
import os
import platform
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from export_fill import CORRIDORS, SERVICES_PER_CORRIDOR
from export_runs import (CHILDREN, EXPORT_PATH, SERIES_PATH, SERIES_REQUESTS, SERIES_WARMUP,
                         child)
from machine import cpu_model, load_average

ROOT = Path(__file__).resolve().parents[1]

TARGET_RATIO, TARGET_PEAK_MB, TARGET_SERIES_P99_MS = 0.5, 200.0, 50.0


# --- the database -----------------------------------------------------------------------


def pg_conninfo(base: str) -> str:
    """The same database as a libpq URI, for psycopg directly."""
    from sqlalchemy.engine import make_url
    return make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)


def pg_admin(base: str, statement: str) -> None:
    import psycopg
    with psycopg.connect(pg_conninfo(base), autocommit=True, connect_timeout=10) as connection:
        connection.execute(statement)



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
    from remit.db import schema_url
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
                    target = {"backend": backend, "url": schema_url(arguments.pg_url, schema),
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
