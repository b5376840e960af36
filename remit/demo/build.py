"""(Re)write the demo recordings: ``python -m remit.demo.build [--check]``.

A developer script, never run by ``remit demo``. It writes ``remit/demo/recordings/`` the
same way every time (fixed values and times, no randomness, stable key order):

1. every central bank's answer for the demo day, in the bank's format (``rates``), each read
   back with the bank's own parser;
2. those rates collected through the real pipeline into a scratch database, to learn the
   exact questions (RPW tiers: USD 200 and 500 in the sending currency) that collection
   will ask the price sources;
3. every price source's answer to each question it serves (``quotes``), each read back
   with the source's own parser and checked as the ingest will check it;
4. ``index.json`` in the format of ``shared/reference-rates/index.json``;
5. a self-check: the whole demo loaded into a fresh database, with a summary.

``--check`` regenerates into a scratch folder and compares with the shipped files, so the
recordings can never drift from this generator.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from flask import Flask
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from scrapers.registry import quote_source, rate_source

from .. import create_app
from ..catalog import sync_catalog
from ..collect import Outcome, Plan, TierQuery, collect, tier_questions
from ..db import get_engine
from ..ingest import check_quote
from ..migrate import upgrade
from ..models import Corridor, Quarantine, Quote, Service
from ..reference import Benchmark
from . import feed as demo_feed
from . import DEMO_DAY, INDEX, demo_config, load_demo
from . import quotes as quote_formats
from . import rates as rate_formats
from .market import LISTS, Recording, mid_rate

RECORDINGS = INDEX.parent
ASKED_AT = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)   # any moment after DEMO_DAY asks the same
RATES_RECORDED = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)
QUOTES_RECORDED = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


class BuildError(RuntimeError):
    """A written recording does not read back as intended; nothing should ship."""


def require(condition: object, *details: object) -> None:
    """Raise BuildError with ``details`` unless ``condition`` holds (asserts vanish with -O)."""
    if not condition:
        raise BuildError(" ".join(map(str, details)))


@contextmanager
def scratch_app() -> Iterator[tuple[Flask, Engine]]:
    """An app on a fresh, migrated SQLite database with the catalogue, in a temporary folder.

    Paths are given explicitly, so that REMIT_* variables cannot point it at real data.
    """
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"INSTANCE_PATH": folder, "SECRET_KEY": "x",
                          "DATABASE_URL": f"sqlite:///{folder}/remit.db",
                          "ARCHIVE_PATH": f"{folder}/archive"})
        with app.app_context():
            engine = get_engine()
            upgrade(engine)
            with Session(engine) as session, session.begin():
                sync_catalog(session)
            try:
                yield app, engine
            finally:
                engine.dispose()


def index_entry(recording: Recording, file: str, recorded_at: datetime) -> dict:
    """One entry of index.json, keys in the order of the shared recordings' index."""
    entry = {"file": file, "method": recording.request.method, "url": recording.request.url,
             "status": recording.status, "content_type": recording.content_type,
             "recorded_at": f"{recorded_at:%a, %d %b %Y %H:%M:%S GMT}",
             "bytes": len(recording.body)}
    if recording.request.method == "POST":
        entry["request_body"] = (recording.request.body or b"").decode("utf-8")
        entry["request_headers"] = dict(recording.request.headers)
    entry["source"] = recording.source
    return entry


def write(out: Path, recordings: list[Recording], start: datetime, entries: list[dict]) -> None:
    """Write each body to ``<source>/NN.<ext>`` and add its entry to ``entries``."""
    for position, recording in enumerate(recordings):
        number = sum(entry["source"] == recording.source for entry in entries)
        file = f"{recording.source}/{number:02d}.{recording.ext}"
        (out / recording.source).mkdir(parents=True, exist_ok=True)
        (out / file).write_bytes(recording.body)
        entries.append(index_entry(recording, file, start + timedelta(seconds=7 * position)))
    # Indented by one space, no final newline: as the shared recordings' index is written.
    (out / "index.json").write_text(json.dumps(entries, indent=1, ensure_ascii=False),
                                    encoding="utf-8")


def verify_rates(recordings: list[Recording]) -> None:
    """Each bank's parser reads back every currency written, dated the demo day, as written."""
    for recording in recordings:
        if recording.status != 200:
            continue
        observations = rate_source(recording.source).parse(recording.body, recording.request)
        listed = set(LISTS[recording.source])
        read = {o.quote if o.base == "EUR" and recording.source == "ecb" else o.base
                for o in observations}
        require(read == listed, recording.source, "reads back", read, "not", listed)
        require(max(o.as_of for o in observations) == DEMO_DAY, recording.source, "is not dated",
                DEMO_DAY)
        for o in observations:   # within rounding and fixing differences of the one table
            off = abs(o.rate / mid_rate(o.base, o.quote) - 1) * 100
            require(off < Decimal("0.2"), recording.source, o, f"is {off:.3f}% off the table")


def verify_quotes(pairs: list[tuple[Recording, TierQuery]]) -> None:
    """Each source's parser reads every answer; the numbers add up and look like a market."""
    for recording, question in pairs:
        query = question.query
        module = quote_source(recording.source)
        observations = module.parse(recording.body, recording.request, query)
        require(observations, recording.source, recording.request.url, "reads as nothing")
        mid = mid_rate(query.send_currency, query.receive_currency)
        benchmark = Benchmark(query.send_currency, query.receive_currency, mid, "demo",
                              DEMO_DAY, "demo table", False)
        for o in observations:
            problem = check_quote(o, benchmark, now=ASKED_AT, band_pct=Decimal(15))
            require(problem is None, recording.source, o.provider, problem)
            require(o.fee <= o.send_amount * Decimal("0.03"), recording.source, o.provider,
                    "fee", o.fee, "is over 3% of", o.send_amount)
            if o.exchange_rate is not None and mid != 1 and not o.promotional:
                margin = (mid - o.exchange_rate) / mid * 100
                require(Decimal("0.3") <= margin <= 4, recording.source, o.provider,
                        f"margin {margin:.2f}% is outside 0.3-4%")


def ask_questions(index: Path) -> list[TierQuery]:
    """The tier questions collection will ask, from the rates recorded so far."""
    with scratch_app() as (app, engine):
        plan = Plan(day=DEMO_DAY, quote_sources=[])
        outcomes = collect(engine, demo_config(app.config), plan, replay_index=index)
        failed = {o.source for o in outcomes if o.status == "failed"}
        require(failed == {rate_formats.FAILING}, "rates did not collect as planned:",
                [(o.source, o.error) for o in outcomes if o.status == "failed"])
        with Session(engine) as session:
            corridors = list(session.exec(select(Corridor).where(Corridor.enabled,
                                                                 Corridor.in_catalog)))
            questions, problems = tier_questions(
                session, corridors, now=ASKED_AT,
                max_age_days=app.config["BENCHMARK_MAX_AGE_DAYS"])
    require(not problems, "tier questions:", problems)
    return questions


def generate(out: Path) -> None:
    """Write every recording and the index into ``out`` (emptied first)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    entries: list[dict] = []
    rates = rate_formats.recordings(DEMO_DAY)
    verify_rates(rates)
    write(out, rates, RATES_RECORDED, entries)
    pairs = quote_formats.recordings(ask_questions(out / "index.json"))
    verify_quotes(pairs)
    write(out, [recording for recording, _ in pairs] + [demo_feed.recording()], QUOTES_RECORDED,
          entries)


def _outcome_lines(outcomes: list[Outcome], problems: list[str]) -> list[str]:
    """One line per source run; any failure but the planned one is a problem."""
    lines = ["source     status   stored  seen  quarantined  reason"]
    for o in outcomes:
        lines.append(f"{o.source:10} {o.status:8} {o.counts.stored:6} {o.counts.already_stored:5} "
                     f"{o.counts.quarantined:12}  {o.error or ''}")
        if (o.status == "failed") != (o.source == rate_formats.FAILING):
            problems.append(f"{o.source} ended {o.status}: {o.error}")
    return lines


def _corridor_lines(session: Session, problems: list[str]) -> list[str]:
    """Quotes stored per catalogue corridor and tier, by source, with the benchmark's path."""
    counted = session.exec(
        select(Corridor.source_country, Corridor.destination_country, Quote.amount_tier,
               Quote.source, func.count(), func.max(Quote.reference_rate_path))
        .join(Service, Service.corridor_id == Corridor.id)
        .join(Quote, Quote.service_id == Service.id)
        .group_by(Corridor.id, Quote.amount_tier, Quote.source)).all()
    lines = ["corridor  tier  quotes by source                    reference"]
    for corridor in session.exec(select(Corridor).where(Corridor.enabled, Corridor.in_catalog)):
        for tier in (200, 500):
            here = [row for row in counted if row[:3] == (corridor.source_country,
                                                          corridor.destination_country, tier)]
            sources = ", ".join(f"{row[3]} {row[4]}" for row in here)
            path = next((row[5] for row in here if row[5]), "none: no source prices the pair")
            lines.append(f"{corridor.key}  {tier}   {sum(row[4] for row in here):3}  "
                         f"{sources:32}  {path}")
            if not here:
                problems.append(f"{corridor.key}: no quotes at the USD {tier} tier")
    return lines


def summarise(engine: Engine, outcomes: list[Outcome]) -> tuple[str, list[str]]:
    """A printable summary of a loaded demo, and what falls short of the demo's promise."""
    problems: list[str] = []
    lines = _outcome_lines(outcomes, problems) + [""]
    with Session(engine) as session:
        lines += _corridor_lines(session, problems)
        hidden = session.exec(select(func.count(Quote.id))
                              .where(Quote.transparent.is_(False))).one()
        promotional = session.exec(select(func.count(Quote.id)).where(Quote.promotional)).one()
        quarantined = session.exec(select(Quarantine.source, Quarantine.reason)).all()
    lines.append(f"\npromotional quotes: {promotional}; quotes without a disclosed rate: "
                 f"{hidden}; quarantined: {len(quarantined)}")
    problems += [f"{source} quarantined: {reason}" for source, reason in quarantined]
    return "\n".join(lines), problems


def self_check() -> bool:
    """Load the demo into a fresh database, print what it holds; False if it falls short."""
    with scratch_app() as (app, engine):
        outcomes = load_demo(engine, app.config)
        report, problems = summarise(engine, outcomes)
    print(report)
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return not problems


def differences(shipped: Path, fresh: Path) -> list[str]:
    """Files that differ, or exist on one side only, between two recordings folders."""
    def files(root: Path) -> set[str]:
        return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}

    found = sorted(files(shipped) ^ files(fresh))
    found += sorted(name for name in files(shipped) & files(fresh)
                    if not filecmp.cmp(shipped / name, fresh / name, shallow=False))
    return found


def main(argv: list[str] | None = None) -> int:
    """Regenerate and self-check (exit 1 if the demo falls short), or only compare (--check)."""
    parser = argparse.ArgumentParser(prog="python -m remit.demo.build",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="regenerate into a scratch folder and compare with the shipped files")
    arguments = parser.parse_args(argv)
    if arguments.check:
        with tempfile.TemporaryDirectory() as folder:
            generate(Path(folder) / "recordings")
            changed = differences(RECORDINGS, Path(folder) / "recordings")
        for name in changed:
            print(f"differs: {name}", file=sys.stderr)
        print("recordings match the generator" if not changed else
              f"{len(changed)} file(s) differ: run python -m remit.demo.build")
        return 1 if changed else 0
    generate(RECORDINGS)
    written = [path for path in RECORDINGS.rglob("*") if path.is_file()]
    print(f"wrote {len(written)} files, {sum(p.stat().st_size for p in written)} bytes, "
          f"under {RECORDINGS}")
    return 0 if self_check() else 1


if __name__ == "__main__":
    sys.exit(main())
