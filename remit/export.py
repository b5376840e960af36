"""Exporting quotes for researchers: one row per quote (one amount each), stable columns.

The columns are documented in docs/export.md; they are a public contract, so a column is
only ever added at the end, never renamed or dropped.

The database hands each quote out already written as CSV text: decimals as canonical text
(``remit.types.decimal_text``: PostgreSQL's ``trim_scale`` gives the same), times as
``YYYY-MM-DDTHH:MM:SSZ``, booleans as ``true``/``false``, the costs from the columns
``remit.quote_costs`` stored with the quote. An export of millions of rows thus costs no
Python per value; ``export_rows`` turns the same cells back into values for JSON.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import chain, islice
from typing import TextIO

from sqlalchemy import String, and_, case, func, literal_column, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session

from .models import Corridor, Provider, Quote, Service
from .vocab import CollectionMethod

_RPW_IMPORT = CollectionMethod.RPW_IMPORT.value

COLUMNS = (
    "quote_id", "source", "source_ref", "collection_method", "collected_at", "period",
    "corridor", "source_country", "destination_country", "provider", "firm_type",
    "payment_instrument", "access_point", "pickup_method", "speed", "amount_tier",
    "send_amount", "send_currency", "fee", "fee_currency", "exchange_rate", "reference_rate",
    "reference_rate_source", "fx_margin_pct", "total_cost_pct", "received_amount",
    "receive_currency", "transparent", "promotional", "indicative",
)
DECIMAL_COLUMNS = frozenset({"send_amount", "fee", "exchange_rate", "reference_rate",
                             "fx_margin_pct", "total_cost_pct", "received_amount"})
BOOLEAN_COLUMNS = frozenset({"transparent", "promotional", "indicative"})
FETCH_SIZE = 2000


@dataclass(frozen=True)
class QuoteFilter:
    """Which quotes to export; every field optional. ``after_id`` and ``limit`` page."""

    corridor_id: int | None = None
    provider: str | None = None
    source: str | None = None
    collection_method: str | None = None
    since: datetime | None = None        # collected at or after
    until: datetime | None = None        # collected before
    amount_tier: int | None = None
    transparent: bool | None = None
    promotional: bool | None = None
    indicative: bool | None = None
    after_id: int | None = None
    limit: int | None = None


def _text_of(name: str, sqlite: str, postgresql: str) -> type[FunctionElement]:
    """A SQL expression of one argument that gives text, written for each database: the
    ``{}`` of each template is the argument."""
    element = type(name, (FunctionElement,), {"type": String(), "name": name, "inherit_cache": True})

    def compiler_for(template: str):
        return lambda element, compiler, **kw: template.format(compiler.process(element.clauses, **kw))

    compiles(element)(compiler_for(sqlite))
    compiles(element, "postgresql")(compiler_for(postgresql))
    return element


# a stored decimal as canonical text: SQLite keeps it so (remit.types.decimal_text)
_DecimalText = _text_of("decimal_text", "{}", "trim_scale({})::text")
# a stored UTC time as YYYY-MM-DDTHH:MM:SSZ, seconds truncated
_UtcText = _text_of("utc_text", "strftime('%Y-%m-%dT%H:%M:%SZ', {})",
                    """to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')""")


def _boolean_text(column):
    return case((column, literal_column("'true'", String)), else_=literal_column("'false'", String))


# The SELECT of every export column, in COLUMNS order, each as the CSV cell it becomes.
_CELLS = (
    Quote.id, Quote.source, Quote.source_ref, Quote.collection_method, _UtcText(Quote.collected_at),
    Quote.period, Corridor.source_country.concat(literal_column("'-'", String)).concat(Corridor.destination_country),
    Corridor.source_country, Corridor.destination_country,
    case((and_(Quote.collection_method == literal_column(f"'{_RPW_IMPORT}'", String),
               func.coalesce(Quote.reported_provider, literal_column("''", String)) != literal_column("''", String)),
          Quote.reported_provider), else_=Provider.slug),  # RPW rows: the firm as the World Bank wrote it
    Provider.firm_type, Service.payment_instrument, Service.access_point, Service.pickup_method,
    Service.speed, Quote.amount_tier, _DecimalText(Quote.send_amount), Quote.send_currency,
    _DecimalText(Quote.fee), Quote.fee_currency, _DecimalText(Quote.exchange_rate),
    _DecimalText(Quote.reference_rate), Quote.reference_rate_source, _DecimalText(Quote.fx_margin_pct),
    _DecimalText(Quote.total_cost_pct),
    _DecimalText(func.coalesce(Quote.received_amount, Quote.computed_received_amount)),  # as stated, else computed
    Quote.receive_currency, _boolean_text(Quote.transparent), _boolean_text(Quote.promotional),
    _boolean_text(Quote.indicative),
)
assert len(_CELLS) == len(COLUMNS)
_EQUAL = {"source": Quote.source, "collection_method": Quote.collection_method,
          "amount_tier": Quote.amount_tier, "transparent": Quote.transparent,
          "promotional": Quote.promotional, "indicative": Quote.indicative,
          "provider": Provider.slug, "corridor_id": Service.corridor_id}


def _statement(filters: QuoteFilter):
    statement = (select(*(cell.label(name) for cell, name in zip(_CELLS, COLUMNS, strict=True)))
                 .join_from(Quote, Service, Quote.service_id == Service.id)
                 .join(Provider, Service.provider_id == Provider.id)
                 .join(Corridor, Service.corridor_id == Corridor.id)
                 .order_by(Quote.id))
    for name, column in _EQUAL.items():
        value = getattr(filters, name)
        if value is not None:
            statement = statement.where(column == value)
    if filters.since is not None:
        statement = statement.where(Quote.collected_at >= filters.since)
    if filters.until is not None:
        statement = statement.where(Quote.collected_at < filters.until)
    if filters.after_id is not None:
        statement = statement.where(Quote.id > filters.after_id)
    if filters.limit is not None:
        statement = statement.limit(filters.limit)
    return statement.execution_options(yield_per=FETCH_SIZE)


def export_cells(session: Session, filters: QuoteFilter) -> Iterator[Sequence]:
    """Every matching quote as its CSV cells in COLUMNS order (None: empty), streamed from
    the database (a server-side cursor on PostgreSQL) in batches of FETCH_SIZE."""
    result = session.connection().execute(_statement(filters))
    return chain.from_iterable(result.partitions())


def export_rows(session: Session, filters: QuoteFilter) -> Iterator[dict]:
    """Every matching quote as a dict of the export columns: decimals as ``Decimal``,
    booleans as ``bool``, the time as its text."""
    for cells in export_cells(session, filters):
        yield {name: _value(name, cell) for name, cell in zip(COLUMNS, cells)}


def _value(name: str, cell):
    if cell is None:
        return None
    if name in DECIMAL_COLUMNS:
        return Decimal(cell)
    if name in BOOLEAN_COLUMNS:
        return cell == "true"
    return cell


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def dict_cells(rows: Iterator[dict], columns: tuple[str, ...]) -> Iterator[list]:
    """Rows as dicts to CSV cells in ``columns`` order."""
    for row in rows:
        yield [_csv_cell(row[column]) for column in columns]


def csv_chunks(cells: Iterator[Sequence], columns: tuple[str, ...] = COLUMNS,
               rows_per_chunk: int = 1000) -> Iterator[str]:
    """CSV text with a header, in chunks of rows: for streaming to a file or a response.
    ``cells``: each row's cells in ``columns`` order (``export_cells``, ``dict_cells``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    cells = iter(cells)
    while True:
        batch = list(islice(cells, rows_per_chunk))
        writer.writerows(batch)
        if len(batch) < rows_per_chunk:
            break
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def write_csv(cells: Iterator[Sequence], out: TextIO, columns: tuple[str, ...] = COLUMNS) -> None:
    """Write CSV with a header; ``cells`` as for ``csv_chunks``."""
    for chunk in csv_chunks(cells, columns):
        out.write(chunk)


def _json_value(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # a JSON number, written exactly: never through float
    return json.dumps(value, ensure_ascii=False)


def json_object(row: dict, columns: tuple[str, ...]) -> str:
    """One row as a JSON object, decimals as exact JSON numbers."""
    return "{" + ", ".join(f"{json.dumps(column)}: {_json_value(row[column])}" for column in columns) + "}"


def write_json(rows: Iterator[dict], out: TextIO, columns: tuple[str, ...] = COLUMNS) -> int:
    """Write rows as one JSON array of objects, streamed; return how many were written."""
    count = 0
    out.write("[")
    for row in rows:
        out.write(",\n" if count else "\n")
        out.write(json_object(row, columns))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
