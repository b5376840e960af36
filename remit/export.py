"""Exporting quotes for researchers: one row per quote (one amount each), stable columns.

The columns are documented in docs/export.md; they are a public contract, so a column is
only ever added at the end, never renamed or dropped.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TextIO

from sqlmodel import Session, select

from .models import Corridor, Provider, Quote, Service
from .queries import quote_breakdown
from .vocab import CollectionMethod

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
    """Which quotes to export; every field optional."""

    corridor: Corridor | None = None
    source: str | None = None
    since: date | None = None


def _statement(filters: QuoteFilter):
    statement = (select(Quote, Service, Provider, Corridor)
                 .join(Service, Quote.service_id == Service.id)
                 .join(Provider, Service.provider_id == Provider.id)
                 .join(Corridor, Service.corridor_id == Corridor.id)
                 .order_by(Quote.id))
    if filters.corridor is not None:
        statement = statement.where(Service.corridor_id == filters.corridor.id)
    if filters.source is not None:
        statement = statement.where(Quote.source == filters.source)
    if filters.since is not None:
        start = datetime(filters.since.year, filters.since.month, filters.since.day, tzinfo=UTC)
        statement = statement.where(Quote.collected_at >= start)
    return statement.execution_options(yield_per=FETCH_SIZE)


def _plain(value: Decimal | None, places: Decimal | None = None) -> Decimal | None:
    if value is None:
        return None
    if places is not None:
        value = value.quantize(places)
    return value.normalize()  # the same text from SQLite and PostgreSQL: no trailing zeros


def export_rows(session: Session, filters: QuoteFilter) -> Iterator[dict]:
    """Every matching quote as a dict of the export columns, streamed from the database."""
    for quote, service, provider, corridor in session.exec(_statement(filters)):
        breakdown = quote_breakdown(quote)
        received = quote.received_amount
        if received is None and breakdown is not None:
            received = breakdown.received_amount
        is_rpw = quote.collection_method == CollectionMethod.RPW_IMPORT
        yield {
            "quote_id": quote.id, "source": quote.source, "source_ref": quote.source_ref,
            "collection_method": quote.collection_method,
            "collected_at": quote.collected_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "period": quote.period, "corridor": corridor.key,
            "source_country": corridor.source_country,
            "destination_country": corridor.destination_country,
            "provider": quote.reported_provider if is_rpw and quote.reported_provider else provider.slug,
            "firm_type": provider.firm_type, "payment_instrument": service.payment_instrument,
            "access_point": service.access_point, "pickup_method": service.pickup_method,
            "speed": service.speed, "amount_tier": quote.amount_tier,
            "send_amount": _plain(quote.send_amount), "send_currency": quote.send_currency,
            "fee": _plain(quote.fee), "fee_currency": quote.fee_currency,
            "exchange_rate": _plain(quote.exchange_rate),
            "reference_rate": _plain(quote.reference_rate),
            "reference_rate_source": quote.reference_rate_source,
            "fx_margin_pct": _plain(breakdown and breakdown.rate_margin_pct, PERCENT_PLACES),
            "total_cost_pct": _plain(breakdown and breakdown.total_cost_pct, PERCENT_PLACES),
            "received_amount": _plain(received, AMOUNT_PLACES),
            "receive_currency": quote.receive_currency, "transparent": quote.transparent,
            "promotional": quote.promotional, "indicative": quote.indicative,
        }


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def write_csv(rows: Iterator[dict], out: TextIO, columns: tuple[str, ...] = COLUMNS) -> int:
    """Write rows as CSV with a header; return how many rows were written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(row[column]) for column in columns])
        count += 1
    return count


def _json_value(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # a JSON number, written exactly: never through float
    return json.dumps(value, ensure_ascii=False)


def write_json(rows: Iterator[dict], out: TextIO, columns: tuple[str, ...] = COLUMNS) -> int:
    """Write rows as one JSON array of objects, streamed; return how many were written."""
    count = 0
    out.write("[")
    for row in rows:
        out.write(",\n" if count else "\n")
        out.write("{" + ", ".join(f"{json.dumps(column)}: {_json_value(row[column])}"
                                  for column in columns) + "}")
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
