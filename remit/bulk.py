"""Bulk downloads: the whole dataset as gzipped CSV files with a Frictionless data package.

``build`` writes every file into a fresh folder beside the published one, then swaps the
folders, so a reader never sees half a dataset. ``datapackage.json`` describes each file
(schema, size, sha256), the licence, the sources and the version (the build time).
"""

from __future__ import annotations

import gzip
import json
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from .archive import sha256_of_file
from .datasets import RESOURCES, Column
from .export import csv_chunks, dict_cells
from .models import Corridor, CorridorStat
from .types import utcnow

LICENCE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
           "path": "https://creativecommons.org/licenses/by/4.0/"}
SOURCES = [
    {"title": "Prices collected by remit from providers' published prices, aggregators and partner feeds"},
    {"title": "Official exchange rates of the central banks named in reference_rate_source"},
    {"title": "World Bank, Remittance Prices Worldwide (CC BY 4.0), for rows with collection_method rpw_import",
     "path": "https://remittanceprices.worldbank.org"},
]
_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean"}
_FORMATS = {"date-time": "datetime", "date": "date"}

STAT_COLUMNS = (
    Column("corridor", "string", "corridor key"), Column("period", "string", "2026-11 or 2026Q4"),
    Column("period_kind", "string", "month or quarter"), Column("amount_tier", "integer", "200 or 500"),
    Column("services", "integer", "services with a known total cost"),
    Column("unknown_cost", "integer", "services whose rate is not disclosed"),
    Column("quotes", "integer", "quotes the figures rest on"),
    Column("average", "number", "mean total cost, percent", nullable=True),
    Column("median", "number", "median total cost, percent", nullable=True),
    Column("minimum", "number", "cheapest total cost, percent", nullable=True),
    Column("smart", "number", "SmaRT, percent", nullable=True),
    Column("smart_services", "integer", "services SmaRT averages"),
    Column("share_under_3_pct", "number", "share of services under 3%", nullable=True),
    Column("share_under_5_pct", "number", "share of services under 5%", nullable=True),
)


@dataclass(frozen=True)
class BuiltFile:
    name: str
    rows: int
    bytes: int
    sha256: str


def _field(column: Column) -> dict:
    field = {"name": column.name, "type": _FORMATS.get(column.format or "", _TYPES[column.type]),
             "description": column.description}
    if not column.nullable:
        field["constraints"] = {"required": True}
    return field


def _write_gzip_csv(path: Path, columns: tuple[Column, ...], cells) -> BuiltFile:
    count = 0
    names = tuple(column.name for column in columns)

    def counted():
        nonlocal count
        for row in cells:
            count += 1
            yield row

    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        for chunk in csv_chunks(counted(), names):
            out.write(chunk.encode("utf-8"))
    return BuiltFile(path.name, count, path.stat().st_size, sha256_of_file(path))


def _stat_rows(session: Session):
    corridors = {c.id: c.key for c in session.exec(select(Corridor))}
    for stat in session.exec(select(CorridorStat).order_by(CorridorStat.corridor_id, CorridorStat.period_kind,
                                                           CorridorStat.period, CorridorStat.amount_tier)):
        yield {"corridor": corridors[stat.corridor_id], **{c.name: getattr(stat, c.name)
                                                           for c in STAT_COLUMNS[1:]}}


def build(engine: Engine, target: Path, now: datetime | None = None) -> dict:
    """Write the dataset into ``target`` (replacing it whole); return the data package."""
    now = now or utcnow()
    staging = target.with_name(target.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    resources = []
    with Session(engine) as session:
        parts = [(name, resource.columns, lambda resource=resource: resource.csv_rows(session, {}),
                  resource.description) for name, resource in RESOURCES.items()]
        stat_names = tuple(column.name for column in STAT_COLUMNS)
        parts.append(("statistics", STAT_COLUMNS, lambda: dict_cells(_stat_rows(session), stat_names),
                      "Corridor statistics per month and quarter and amount tier"))
        for name, columns, cells, description in parts:
            built = _write_gzip_csv(staging / f"{name}.csv.gz", columns, cells())
            resources.append({
                "name": name, "path": built.name, "description": description, "format": "csv",
                "mediatype": "text/csv", "compression": "gz", "encoding": "utf-8",
                "bytes": built.bytes, "hash": f"sha256:{built.sha256}", "rows": built.rows,
                "schema": {"fields": [_field(column) for column in columns]}})
    package = {"name": "remit-remittance-prices", "title": "remit: remittance prices and corridor statistics",
               "version": now.strftime("%Y.%m.%d.%H%M"), "created": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
               "licenses": [LICENCE], "sources": SOURCES, "resources": resources}
    (staging / "datapackage.json").write_text(json.dumps(package, indent=1), encoding="utf-8")
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return package


def published(target: Path) -> dict | None:
    """The data package currently published in ``target``, or None."""
    path = target / "datapackage.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
