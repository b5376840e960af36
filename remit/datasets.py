"""The public datasets: what the API, the downloads and the OpenAPI description serve.

One ``Resource`` per dataset, with its columns (documented, stable: a column is only ever
added at the end) and its filters. The API, the bulk downloads and the OpenAPI document
are all built from these definitions, so they cannot disagree.

Rows come out in the order of a unique integer key; ``after`` continues after a key, which
is what the API's opaque cursors carry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from . import export
from .models import Corridor, CorridorStat, Provider, ReferenceRate, Service
from .stats import WEIGHTS_FILE, corridor_weights, indices
from .vocab import CollectionMethod


class ParameterError(ValueError):
    """A query parameter is not acceptable; ``parameter`` names it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class Column:
    name: str
    type: str            # JSON Schema type: string, integer, number, boolean
    description: str
    nullable: bool = False
    format: str | None = None   # e.g. date-time, date, decimal


@dataclass(frozen=True)
class Filter:
    name: str
    type: str
    description: str
    parse: Callable[[str], Any]
    enum: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Resource:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: Callable[..., Iterator[dict]]          # rows(session, filters, after, limit)
    filters: tuple[Filter, ...] = field(default_factory=tuple)
    key: str = "id"                               # the column cursors continue after
    cells: Callable[..., Iterator[Sequence]] | None = None   # cells(session, filters): CSV cells

    def csv_rows(self, session: Session, filters: dict[str, Any]) -> Iterator[Sequence]:
        """Every row as its CSV cells in column order: ``cells`` if the resource has a
        faster way than ``rows``."""
        if self.cells is not None:
            return self.cells(session, filters)
        return export.dict_cells(self.rows(session, filters, None, None), self.column_names)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def parse_filters(self, args: dict[str, str], session: Session) -> dict[str, Any]:
        """Filters from query parameters, checked now (a CSV must not fail half-way);
        ParameterError for a bad value. A corridor key becomes ``corridor_id``."""
        values = {}
        for spec in self.filters:
            raw = args.get(spec.name)
            if raw is None or raw == "":
                continue
            try:
                values[spec.name] = spec.parse(raw)
            except (ValueError, ArithmeticError) as error:
                raise ParameterError(spec.name, str(error)) from None
        if "corridor" in values:
            values["corridor_id"] = corridor_id(session, values.pop("corridor"))
        return values


# --- parameter parsers ----------------------------------------------------------------


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date like 2026-11-23") from None


def parse_bool(text: str) -> bool:
    if text.lower() in ("true", "1", "yes"):
        return True
    if text.lower() in ("false", "0", "no"):
        return False
    raise ValueError(f"{text!r} is not true or false")


def parse_corridor(text: str) -> str:
    key = text.strip().upper()
    source, sep, destination = key.partition("-")
    if not sep or len(source) != 3 or len(destination) != 3 or not (source + destination).isalpha():
        raise ValueError(f"{text!r} is not a corridor like RUS-TJK")
    return key


def parse_tier(text: str) -> int:
    if text not in ("200", "500"):
        raise ValueError("the amount tier is 200 or 500 (USD equivalent)")
    return int(text)


def parse_choice(*choices: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in choices:
            raise ValueError(f"{text!r} is not one of {', '.join(choices)}")
        return text
    return parse


def parse_code(text: str) -> str:
    if not text.replace("-", "").replace("_", "").isalnum() or len(text) > 80:
        raise ValueError(f"{text!r} is not a valid identifier")
    return text


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


TWELVE_PLACES = Decimal("1e-12")  # what corridor statistics are stored with


def _number(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.normalize()


def _percent(value: Decimal | None) -> Decimal | None:
    """A computed percentage, to the 12 decimals statistics are stored with."""
    return None if value is None else value.quantize(TWELVE_PLACES).normalize()


def corridor_id(session: Session, key: str) -> int:
    """The id of a corridor given by its key, or ParameterError("corridor")."""
    source, _, destination = key.partition("-")
    found = session.exec(select(Corridor.id).where(Corridor.source_country == source,
                                                   Corridor.destination_country == destination)).first()
    if found is None:
        raise ParameterError("corridor", f"no corridor {key}")
    return found


# --- corridors, providers, services, rates ----------------------------------------------


def corridor_rows(session: Session, filters: dict, after: int | None, limit: int | None) -> Iterator[dict]:
    statement = select(Corridor).order_by(Corridor.id)
    if "in_catalog" in filters:
        statement = statement.where(Corridor.in_catalog == filters["in_catalog"])
    statement = _page(statement, Corridor.id, after, limit)
    for corridor in session.exec(statement):
        yield {"id": corridor.id, "corridor": corridor.key, "source_country": corridor.source_country,
               "destination_country": corridor.destination_country,
               "send_currency": corridor.send_currency, "receive_currency": corridor.receive_currency,
               "in_catalog": corridor.in_catalog}


def provider_rows(session: Session, filters: dict, after: int | None, limit: int | None) -> Iterator[dict]:
    statement = select(Provider).order_by(Provider.id)
    if "firm_type" in filters:
        statement = statement.where(Provider.firm_type == filters["firm_type"])
    for provider in session.exec(_page(statement, Provider.id, after, limit)):
        yield {"id": provider.id, "provider": provider.slug, "name": provider.name,
               "firm_type": provider.firm_type, "website": provider.website}


def service_rows(session: Session, filters: dict, after: int | None, limit: int | None) -> Iterator[dict]:
    statement = (select(Service, Provider, Corridor).join(Provider).join(Corridor)
                 .order_by(Service.id))
    if "corridor_id" in filters:
        statement = statement.where(Service.corridor_id == filters["corridor_id"])
    if "provider" in filters:
        statement = statement.where(Provider.slug == filters["provider"])
    for service, provider, corridor in session.exec(_page(statement, Service.id, after, limit)):
        yield {"id": service.id, "provider": provider.slug, "corridor": corridor.key,
               "payment_instrument": service.payment_instrument, "access_point": service.access_point,
               "pickup_method": service.pickup_method, "speed": service.speed,
               "receiving_network_coverage": service.receiving_network_coverage}


def rate_rows(session: Session, filters: dict, after: int | None, limit: int | None) -> Iterator[dict]:
    statement = select(ReferenceRate).order_by(ReferenceRate.id)
    for name in ("source", "base", "quote"):
        if name in filters:
            statement = statement.where(getattr(ReferenceRate, name) == filters[name])
    if "since" in filters:
        statement = statement.where(ReferenceRate.as_of >= filters["since"])
    if "until" in filters:
        statement = statement.where(ReferenceRate.as_of <= filters["until"])
    for rate in session.exec(_page(statement, ReferenceRate.id, after, limit)):
        yield {"id": rate.id, "source": rate.source, "base": rate.base, "quote": rate.quote,
               "rate": _number(rate.rate), "as_of": rate.as_of.isoformat(),
               "raw_sha256": rate.raw_sha256}


def _page(statement, key_column, after: int | None, limit: int | None):
    if after is not None:
        statement = statement.where(key_column > after)
    if limit is not None:
        statement = statement.limit(limit)
    return statement.execution_options(yield_per=export.FETCH_SIZE)


# --- quotes ---------------------------------------------------------------------------------


def _quote_filter(filters: dict, after: int | None = None, limit: int | None = None) -> export.QuoteFilter:
    return export.QuoteFilter(
        corridor_id=filters.get("corridor_id"), provider=filters.get("provider"), source=filters.get("source"),
        collection_method=filters.get("collection_method"),
        since=_start_of(filters["since"]) if "since" in filters else None,
        until=_start_of(filters["until"]) if "until" in filters else None,
        amount_tier=filters.get("amount_tier"), transparent=filters.get("transparent"),
        promotional=filters.get("promotional"), indicative=filters.get("indicative"),
        after_id=after, limit=limit)


def quote_rows(session: Session, filters: dict, after: int | None, limit: int | None) -> Iterator[dict]:
    return export.export_rows(session, _quote_filter(filters, after, limit))


def quote_cells(session: Session, filters: dict) -> Iterator[Sequence]:
    return export.export_cells(session, _quote_filter(filters))


# --- statistics ---------------------------------------------------------------------------

# Volume weights weigh corridors against each other (the indices' weighted_average); the
# volume-weighted mean of one corridor's figure is that figure, its average.
STATS = {"avg": "average", "weighted": "average", "smart": "smart", "min": "minimum",
         "median": "median"}


def series_rows(session: Session, corridor_key: str, *, stat: str, period: str, tier: int) -> Iterator[dict]:
    """One corridor's statistic per period, oldest first, from the stored statistics."""
    statement = (select(CorridorStat).where(CorridorStat.corridor_id == corridor_id(session, corridor_key),
                                            CorridorStat.period_kind == period,
                                            CorridorStat.amount_tier == tier)
                 .order_by(CorridorStat.period))
    for row in session.exec(statement):
        yield {"corridor": corridor_key, "period": row.period, "amount_tier": row.amount_tier,
               "stat": stat, "value": _number(getattr(row, STATS[stat])),
               "services": row.services, "unknown_cost": row.unknown_cost,
               "smart_services": row.smart_services, "quotes": row.quotes}


def index_rows(session: Session, *, period: str, tier: int, weights_file: Path = WEIGHTS_FILE) -> Iterator[dict]:
    """Global indices per period, from the stored corridor statistics."""
    stats = session.exec(select(CorridorStat).where(CorridorStat.period_kind == period,
                                                    CorridorStat.amount_tier == tier)).all()
    corridors = {c.id: c for c in session.exec(select(Corridor))}
    for index in indices(stats, corridors, corridor_weights(weights_file)):
        yield {"period": index.period, "amount_tier": index.amount_tier, "corridors": index.corridors,
               "average": _percent(index.average), "weighted_average": _percent(index.weighted_average),
               "weighted_corridors": index.weighted_corridors, "smart": _percent(index.smart),
               "share_under_3_pct": _percent(index.share_under_3_pct),
               "share_under_5_pct": _percent(index.share_under_5_pct)}


# --- the catalogue of resources -----------------------------------------------------------

_S, _I, _N, _B = "string", "integer", "number", "boolean"
METHODS = tuple(method.value for method in CollectionMethod)

_QUOTE_COLUMNS = (
    Column("quote_id", _I, "remit's id of the observation; stable"),
    Column("source", _S, "where the price came from, e.g. wise, koronapay, feed, rpw"),
    Column("source_ref", _S, "the source's own id of the price", nullable=True),
    Column("collection_method", _S, "provider_api, aggregator, partner_submitted, manual_audit or rpw_import"),
    Column("collected_at", _S, "when remit collected it (UTC)", format="date-time"),
    Column("period", _S, "calendar quarter, e.g. 2026Q4"),
    Column("corridor", _S, "sending ISO3 - receiving ISO3, e.g. RUS-TJK"),
    Column("source_country", _S, "ISO 3166 alpha-3"),
    Column("destination_country", _S, "ISO 3166 alpha-3"),
    Column("provider", _S, "provider slug (for RPW rows, the firm name as the World Bank wrote it)"),
    Column("firm_type", _S, "bank, money_transfer_operator, post_office, mobile_operator, digital_only, non_bank_fi, unknown"),
    Column("payment_instrument", _S, "how the sender pays"),
    Column("access_point", _S, "where the sender pays"),
    Column("pickup_method", _S, "how the recipient receives the money"),
    Column("speed", _S, "RPW speed band"),
    Column("amount_tier", _I, "200 or 500: the USD-equivalent amount RPW surveys", nullable=True),
    Column("send_amount", _N, "amount sent, send currency", format="decimal"),
    Column("send_currency", _S, "ISO 4217"),
    Column("fee", _N, "every charge to the sender", format="decimal"),
    Column("fee_currency", _S, "ISO 4217"),
    Column("exchange_rate", _N, "units received per unit sent; empty: not disclosed", nullable=True, format="decimal"),
    Column("reference_rate", _N, "the benchmark (interbank or official) rate used", nullable=True, format="decimal"),
    Column("reference_rate_source", _S, "which source gave the benchmark", nullable=True),
    Column("fx_margin_pct", _N, "(reference - applied) / reference x 100", nullable=True, format="decimal"),
    Column("total_cost_pct", _N, "fee % + margin %, of the amount sent", nullable=True, format="decimal"),
    Column("received_amount", _N, "what the recipient gets", nullable=True, format="decimal"),
    Column("receive_currency", _S, "ISO 4217"),
    Column("transparent", _B, "fees and rate disclosed to the sender before paying"),
    Column("promotional", _B, "a promotion (first transfer only, ...)"),
    Column("indicative", _B, "an estimate by an aggregator, not a firm offer"),
)
assert tuple(column.name for column in _QUOTE_COLUMNS) == export.COLUMNS

_SINCE = Filter("since", _S, "on or after this day (YYYY-MM-DD)", parse_day)
_UNTIL = Filter("until", _S, "before this day (YYYY-MM-DD)", parse_day)
_CORRIDOR = Filter("corridor", _S, "corridor key, e.g. RUS-TJK", parse_corridor)
_PROVIDER = Filter("provider", _S, "provider slug", parse_code)

RESOURCES: dict[str, Resource] = {resource.name: resource for resource in (
    Resource("corridors", "Corridors", "Sending and receiving country pairs, with their currencies.", (
        Column("id", _I, "remit's id"), Column("corridor", _S, "key, e.g. RUS-TJK"),
        Column("source_country", _S, "ISO 3166 alpha-3"), Column("destination_country", _S, "ISO 3166 alpha-3"),
        Column("send_currency", _S, "ISO 4217"), Column("receive_currency", _S, "ISO 4217"),
        Column("in_catalog", _B, "one of the corridors remit collects (not only imported)"),
    ), corridor_rows, (Filter("in_catalog", _B, "only remit's own corridors, or only imported ones", parse_bool),)),
    Resource("providers", "Providers", "Banks, money transfer operators and other firms.", (
        Column("id", _I, "remit's id"), Column("provider", _S, "slug"), Column("name", _S, "name"),
        Column("firm_type", _S, "RPW firm type"), Column("website", _S, "website", nullable=True),
    ), provider_rows, (Filter("firm_type", _S, "RPW firm type", parse_code),)),
    Resource("services", "Services", "A way of sending with one provider in one corridor, as RPW distinguishes them.", (
        Column("id", _I, "remit's id"), Column("provider", _S, "provider slug"), Column("corridor", _S, "corridor key"),
        Column("payment_instrument", _S, "how the sender pays"), Column("access_point", _S, "where the sender pays"),
        Column("pickup_method", _S, "how the recipient receives"), Column("speed", _S, "RPW speed band"),
        Column("receiving_network_coverage", _S, "RPW coverage", nullable=True),
    ), service_rows, (_CORRIDOR, _PROVIDER)),
    Resource("quotes", "Quotes", "Every price observation, one amount each, with its cost breakdown.",
             _QUOTE_COLUMNS, quote_rows, (
                 _CORRIDOR, _PROVIDER, Filter("source", _S, "source name", parse_code),
                 Filter("collection_method", _S, "how it was collected", parse_choice(*METHODS), METHODS),
                 _SINCE, _UNTIL,
                 Filter("amount_tier", _I, "200 or 500", parse_tier, ("200", "500")),
                 Filter("transparent", _B, "true or false", parse_bool),
                 Filter("promotional", _B, "true or false", parse_bool),
                 Filter("indicative", _B, "true or false", parse_bool)), key="quote_id", cells=quote_cells),
    Resource("rates", "Reference rates", "Official and market rates: 1 base = rate quote, as of a day.", (
        Column("id", _I, "remit's id"), Column("source", _S, "central bank or market source"),
        Column("base", _S, "ISO 4217"), Column("quote", _S, "ISO 4217"),
        Column("rate", _N, "units of quote per unit of base", format="decimal"),
        Column("as_of", _S, "the day the rate is for", format="date"),
        Column("raw_sha256", _S, "sha256 of the archived raw response", nullable=True),
    ), rate_rows, (Filter("source", _S, "source name", parse_code),
                   Filter("base", _S, "ISO 4217", parse_code), Filter("quote", _S, "ISO 4217", parse_code),
                   _SINCE, _UNTIL)),
)}

SERIES_COLUMNS = (
    Column("corridor", _S, "corridor key"), Column("period", _S, "2026-11 (month) or 2026Q4 (quarter)"),
    Column("amount_tier", _I, "200 or 500"), Column("stat", _S, "which statistic value holds"),
    Column("value", _N, "percent of the amount sent", nullable=True, format="decimal"),
    Column("services", _I, "services with a known total cost"),
    Column("unknown_cost", _I, "services left out because their rate is not disclosed"),
    Column("smart_services", _I, "services the SmaRT figure averages (0 to 3)"),
    Column("quotes", _I, "quotes the figures rest on"),
)
INDEX_COLUMNS = (
    Column("period", _S, "2026-11 (month) or 2026Q4 (quarter)"), Column("amount_tier", _I, "200 or 500"),
    Column("corridors", _I, "corridors with a known average"),
    Column("average", _N, "simple mean of corridor averages, percent", nullable=True, format="decimal"),
    Column("weighted_average", _N, "mean weighted by remittance volume", nullable=True, format="decimal"),
    Column("weighted_corridors", _I, "corridors that have a volume weight"),
    Column("smart", _N, "mean of corridor SmaRT values", nullable=True, format="decimal"),
    Column("share_under_3_pct", _N, "share of corridors whose average is under 3%", nullable=True, format="decimal"),
    Column("share_under_5_pct", _N, "share of corridors whose average is under 5%", nullable=True, format="decimal"),
)
STAT_FILTERS = (
    Filter("stat", _S, "avg, weighted (for one corridor the same as avg), smart, min or median (default avg)", parse_choice(*STATS), tuple(STATS)),
    Filter("period", _S, "month or quarter (default quarter)", parse_choice("month", "quarter"), ("month", "quarter")),
    Filter("tier", _I, "200 or 500 (default 200)", parse_tier, ("200", "500")),
)
