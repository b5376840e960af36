"""Exporting quotes for researchers: one row per quote (one amount each), stable columns.

The columns are documented in docs/export.md; they are a public contract, so a column is
only ever added at the end, never renamed or dropped.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TextIO

from sqlmodel import Session, select

from .models import Corridor, Provider, Quote, Service
from .queries import quote_breakdown
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
PERCENT_PLACES = Decimal("0.0001")
AMOUNT_PLACES = Decimal("0.000001")
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


_COLUMNS = (Quote.id, Quote.source, Quote.source_ref, Quote.collection_method, Quote.collected_at,
            Quote.period, Quote.reported_provider, Quote.amount_tier, Quote.send_amount,
            Quote.send_currency, Quote.fee, Quote.fee_currency, Quote.fee_mode, Quote.receiving_fee,
            Quote.exchange_rate, Quote.reference_rate, Quote.reference_rate_source,
            Quote.received_amount, Quote.receive_currency, Quote.transparent, Quote.promotional,
            Quote.indicative, Service.payment_instrument, Service.access_point,
            Service.pickup_method, Service.speed, Provider.slug, Provider.firm_type,
            Corridor.source_country, Corridor.destination_country)
_EQUAL = {"source": Quote.source, "collection_method": Quote.collection_method,
          "amount_tier": Quote.amount_tier, "transparent": Quote.transparent,
          "promotional": Quote.promotional, "indicative": Quote.indicative,
          "provider": Provider.slug, "corridor_id": Service.corridor_id}


def _statement(filters: QuoteFilter):
    """Plain columns, not ORM objects: an export may be millions of rows."""
    statement = (select(*_COLUMNS)
                 .join(Service, Quote.service_id == Service.id)
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


def _plain(value: Decimal | None, places: Decimal | None = None) -> Decimal | None:
    if value is None:
        return None
    if places is not None:
        value = value.quantize(places)
    return value.normalize()  # the same text from SQLite and PostgreSQL: no trailing zeros


def export_rows(session: Session, filters: QuoteFilter) -> Iterator[dict]:
    """Every matching quote as a dict of the export columns, streamed from the database."""
    for row in session.exec(_statement(filters)):
        breakdown = quote_breakdown(row)
        received = row.received_amount
        if received is None and breakdown is not None:
            received = breakdown.received_amount
        is_rpw = row.collection_method == _RPW_IMPORT
        yield {
            "quote_id": row.id, "source": row.source, "source_ref": row.source_ref,
            "collection_method": row.collection_method,
            "collected_at": row.collected_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "period": row.period, "corridor": f"{row.source_country}-{row.destination_country}",
            "source_country": row.source_country, "destination_country": row.destination_country,
            "provider": row.reported_provider if is_rpw and row.reported_provider else row.slug,
            "firm_type": row.firm_type, "payment_instrument": row.payment_instrument,
            "access_point": row.access_point, "pickup_method": row.pickup_method,
            "speed": row.speed, "amount_tier": row.amount_tier,
            "send_amount": _plain(row.send_amount), "send_currency": row.send_currency,
            "fee": _plain(row.fee), "fee_currency": row.fee_currency,
            "exchange_rate": _plain(row.exchange_rate),
            "reference_rate": _plain(row.reference_rate),
            "reference_rate_source": row.reference_rate_source,
            "fx_margin_pct": _plain(breakdown and breakdown.rate_margin_pct, PERCENT_PLACES),
            "total_cost_pct": _plain(breakdown and breakdown.total_cost_pct, PERCENT_PLACES),
            "received_amount": _plain(received, AMOUNT_PLACES),
            "receive_currency": row.receive_currency, "transparent": row.transparent,
            "promotional": row.promotional, "indicative": row.indicative,
        }


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def csv_chunks(rows: Iterator[dict], columns: tuple[str, ...] = COLUMNS,
               rows_per_chunk: int = 1000) -> Iterator[str]:
    """CSV text with a header, in chunks of rows: for streaming to a file or a response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(row[column]) for column in columns])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_csv(rows: Iterator[dict], out: TextIO, columns: tuple[str, ...] = COLUMNS) -> int:
    """Write rows as CSV with a header; return how many rows were written."""
    counted = _Counter(rows)
    for chunk in csv_chunks(counted, columns):
        out.write(chunk)
    return counted.count


class _Counter:
    """Counts the rows an iterator hands out."""

    def __init__(self, rows: Iterator[dict]) -> None:
        self.rows, self.count = iter(rows), 0

    def __iter__(self) -> _Counter:
        return self

    def __next__(self) -> dict:
        row = next(self.rows)
        self.count += 1
        return row


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
