"""Importing the World Bank's published corridor averages (DataBank, RPW, USD 200).

CSV columns: quarter, source_code, destination_code, avg_total_cost_pct (names and other
columns may follow). One transaction; a value already stored for the same corridor and
quarter is replaced when the World Bank has revised it, so re-importing adds nothing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from .. import archive
from ..ingest.common import StoreCounts, finish_run, start_run
from ..models import CorridorAverage
from ..vocab import RunStatus

SOURCE = "rpw-averages"
REQUIRED = ("quarter", "source_code", "destination_code", "avg_total_cost_pct")
_QUARTER = re.compile(r"^(19|20)\d\dQ[1-4]$")
_ISO3 = re.compile(r"^[A-Z]{3}$")


class AveragesFileError(ValueError):
    """The file is not a corridor-averages CSV; nothing was written."""


@dataclass
class AveragesReport:
    rows: int = 0
    added: int = 0
    revised: int = 0
    unchanged: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    raw_sha256: str = ""


def parse_average(row: dict[str, str]) -> tuple[str, str, str, Decimal]:
    """(source ISO3, destination ISO3, quarter, percent) of one row, or ValueError why not."""
    quarter = (row.get("quarter") or "").strip()
    source = (row.get("source_code") or "").strip().upper()
    destination = (row.get("destination_code") or "").strip().upper()
    if not _QUARTER.match(quarter):
        raise ValueError(f"quarter {quarter!r} is not like 2020Q3")
    if not _ISO3.match(source) or not _ISO3.match(destination) or source == destination:
        raise ValueError(f"corridor {source}-{destination} is not two ISO alpha-3 codes")
    try:
        value = Decimal((row.get("avg_total_cost_pct") or "").strip())
    except InvalidOperation:
        raise ValueError(f"average {row.get('avg_total_cost_pct')!r} is not a number") from None
    if not value.is_finite() or not Decimal(-100) < value < Decimal(100):
        raise ValueError(f"average {value} is not a percentage")
    return source, destination, quarter, value


def _read(path: Path) -> list[dict[str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise AveragesFileError(f"cannot read: {error}") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
    if missing:
        raise AveragesFileError(f"not a corridor-averages file: no column {', '.join(missing)}")
    return list(reader)


def import_corridor_averages(engine: Engine, path: Path, archive_dir: Path, *,
                             dry_run: bool = False) -> AveragesReport:
    """Import the file in one transaction (see the module docstring)."""
    if not path.is_file():
        raise AveragesFileError("no such file")
    rows = _read(path)
    report = AveragesReport(raw_sha256=archive.sha256_of_file(path) if dry_run
                            else archive.store_file(archive_dir, path))
    with Session(engine) as session:
        run_id = None if dry_run else start_run(session, SOURCE, "import")
        stored = {(a.source_country, a.destination_country, a.period): a
                  for a in session.exec(select(CorridorAverage).where(CorridorAverage.amount_tier == 200))}
        for line, row in enumerate(rows, start=2):
            report.rows += 1
            try:
                source, destination, quarter, value = parse_average(row)
            except ValueError as error:
                report.rejected.append((f"line {line}", str(error)))
                continue
            _store(session, stored, (source, destination, quarter), value, report, run_id)
        if dry_run:
            session.rollback()
            return report
        finish_run(session, run_id, status=RunStatus.PARTIAL if report.rejected else RunStatus.OK,
                   counts=StoreCounts(stored=report.added + report.revised),
                   calls=0, size=path.stat().st_size, error=None)
        session.commit()
    return report


def _store(session: Session, stored: dict, key: tuple[str, str, str], value: Decimal,
           report: AveragesReport, run_id: int | None) -> None:
    existing = stored.get(key)
    if existing is None:
        stored[key] = average = CorridorAverage(
            source_country=key[0], destination_country=key[1], period=key[2],
            total_cost_pct=value, raw_sha256=report.raw_sha256, run_id=run_id)
        session.add(average)
        report.added += 1
    elif existing.total_cost_pct != value:
        existing.total_cost_pct, existing.raw_sha256, existing.run_id = value, report.raw_sha256, run_id
        session.add(existing)
        report.revised += 1
    else:
        report.unchanged += 1
