"""Benchmark: `remit import rpw` on a 200,000-row RPW file, against a plain executemany.

Builds the file by repeating the real rows of ../shared/rpw/rpw_sample_2011.csv with new
ids, then, each in a fresh process and a fresh SQLite database:

- remit:    the real import (parse, validate, map to corridors/providers/services,
            dedupe, insert two quotes per row, one transaction);
- baseline: the same file read with csv.DictReader and the same two quote rows per
            line (the same 24 columns) inserted with sqlite3 executemany into the same
            table, in one transaction, with no parsing, checking or conversion at all.

Runs each several times, alternating, and prints the median rows/s and the highest peak
RSS of each, and the ratio. Targets: remit at least half the baseline's rate, under
300 MB peak.

    python benchmarks/bench_import.py [--rows 200000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "rpw" / "rpw_sample_2011.csv"


def build_file(target: Path, rows: int) -> None:
    """Repeat the sample's rows with fresh ids until the file has ``rows`` rows."""
    with open(SAMPLE, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header, sample = reader.fieldnames, list(reader)
    with open(target, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, header)
        writer.writeheader()
        for number in range(rows):
            row = dict(sample[number % len(sample)])
            row["id"] = str(1_000_000 + number)
            writer.writerow(row)


def run_remit(path: Path, workdir: Path) -> dict:
    from remit import create_app
    from remit.db import get_engine
    from remit.migrate import upgrade
    from remit.rpw import import_rpw

    app = create_app({"INSTANCE_PATH": str(workdir), "SECRET_KEY": "bench"})
    with app.app_context():
        engine = get_engine()
        upgrade(engine)
        started = time.perf_counter()
        report = import_rpw(engine, path, workdir / "archive")
        elapsed = time.perf_counter() - started
    assert not report.rejected, report.rejected[:3]
    return {"rows": report.rows, "quotes": report.quotes_added, "seconds": elapsed}


def run_baseline(path: Path, workdir: Path) -> dict:
    from remit import create_app
    from remit.db import get_engine
    from remit.migrate import upgrade

    app = create_app({"INSTANCE_PATH": str(workdir), "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade(get_engine())
        get_engine().dispose()
    connection = sqlite3.connect(workdir / "remit.db")
    connection.execute("INSERT INTO currency VALUES ('TZS', 2)")
    connection.execute("INSERT INTO country VALUES ('TZA', 'TZ', 'Tanzania', 'TZS')")
    connection.execute("INSERT INTO country VALUES ('KEN', 'KE', 'Kenya', 'TZS')")
    connection.execute("INSERT INTO corridor VALUES (1, 'TZA', 'KEN', 'TZS', 'TZS', 0, 1)")
    connection.execute("INSERT INTO provider VALUES (1, 'x', 'x', 'bank', NULL, 0)")
    connection.execute("INSERT INTO service VALUES (1, 1, 1, 'cash', 'agent', 'cash', 'same_day', NULL)")
    connection.commit()
    # the same 24 columns remit's importer writes, taken straight from the CSV text
    insert = ("INSERT INTO quote (service_id, run_id, source, source_ref, reported_provider, "
              "collection_method, collected_at, source_dated_at, period, send_amount, send_currency, "
              "amount_tier, fee, fee_currency, fee_mode, exchange_rate, receive_currency, "
              "reference_rate, reference_rate_source, reference_rate_date, transparent, promotional, "
              "indicative, raw_sha256) VALUES (1, 1, 'rpw', ?, ?, 'rpw_import', ?, ?, ?, ?, ?, ?, ?, ?, "
              "'unknown', ?, ?, ?, 'rpw', ?, ?, 0, 0, ?)")
    connection.execute("INSERT INTO collectionrun (id, source, kind, started_at, status, stored, "
                       "quarantined, rejected, http_calls, bytes) VALUES "
                       "(1, 'rpw', 'import', '2026-01-01', 'running', 0, 0, 0, 0, 0)")
    with open(path, "rb") as handle:
        sha = hashlib.file_digest(handle, "sha256").hexdigest()
    started = time.perf_counter()
    rows = 0

    def quote_rows():
        nonlocal rows
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                rows += 1
                for tier in ("cc1", "cc2"):
                    yield (f"{row['id']}:{tier}", row["firm"], row["date"], row["date"], row["period"],
                           row[f"{tier} lcu amount"], row[f"{tier} lcu code"],
                           row[f"{tier} denomination amount"], row[f"{tier} lcu fee"],
                           row[f"{tier} lcu code"], row[f"{tier} lcu fx rate"], row[f"{tier} lcu code"],
                           row["inter lcu bank fx"], row["date"], row["transparent"] == "yes", sha)

    with connection:
        connection.executemany(insert, quote_rows())
    elapsed = time.perf_counter() - started
    return {"rows": rows, "quotes": rows * 2, "seconds": elapsed}


def child(mode: str, path: Path) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        result = (run_remit if mode == "remit" else run_baseline)(path, Path(workdir))
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def measure(mode: str, path: Path) -> dict:
    output = subprocess.run([sys.executable, __file__, "--child", mode, "--file", str(path)],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def median_run(results: list[dict]) -> dict:
    """The run with the median rate, with the highest peak memory of all runs."""
    ranked = sorted(results, key=lambda result: result["rows"] / result["seconds"])
    return ranked[len(ranked) // 2] | {"peak_mb": max(result["peak_mb"] for result in results)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs of each; medians")
    parser.add_argument("--child", choices=["remit", "baseline"])
    parser.add_argument("--file", type=Path)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.child, arguments.file)
        return
    if not SAMPLE.exists():
        sys.exit(f"needs {SAMPLE}")
    runs: dict[str, list[dict]] = {"baseline": [], "remit": []}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rpw.csv"
        build_file(path, arguments.rows)
        size_mb = path.stat().st_size / 1e6
        for _ in range(arguments.rounds):  # alternate, so that machine noise hits both alike
            for mode in runs:
                runs[mode].append(measure(mode, path))
    baseline, remit = median_run(runs["baseline"]), median_run(runs["remit"])
    print(f"RPW import benchmark: {arguments.rows:,} rows ({size_mb:.1f} MB CSV), SQLite file, "
          f"2 quotes per row; median of {arguments.rounds} alternating runs each\n")
    print(f"| {'run':<28} | {'rows/s':>9} | {'quotes/s':>9} | {'seconds':>7} | {'peak MB':>7} |")
    print(f"|{'-' * 30}|{'-' * 11}|{'-' * 11}|{'-' * 9}|{'-' * 9}|")
    for name, result in (("baseline: plain executemany", baseline), ("remit import rpw", remit)):
        print(f"| {name:<28} | {result['rows'] / result['seconds']:>9,.0f} | "
              f"{result['quotes'] / result['seconds']:>9,.0f} | {result['seconds']:>7.2f} | "
              f"{result['peak_mb']:>7.1f} |")
    ratio = (remit["rows"] / remit["seconds"]) / (baseline["rows"] / baseline["seconds"])
    print(f"\nremit / baseline rate: {ratio:.2f} (target >= 0.50); "
          f"remit peak: {remit['peak_mb']:.0f} MB (target < 300)")


if __name__ == "__main__":
    main()
