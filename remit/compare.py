"""The comparison a migrant asks for: who delivers the most for my amount, today.

Reads the latest price of every service in a corridor, prices it for the user's amount
against one current reference rate (``remit.reference``), and ranks it with
``remit.costs``. Also checks the user's request, so that every page of the site rejects
bad input the same way. No Flask here: the views turn a ``RequestError`` into a page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import and_, case, exists, func
from sqlmodel import Session, col, select

from .catalog import alpha3
from .costs import CorridorStats, CostBreakdown, Offer, ServiceCost, corridor_stats, rank_offers
from .models import Corridor, Dispute, Provider, Quote, Service
from .reference import Benchmark, resolve
from .vocab import SPEED_MAX_DAYS, PickupMethod, Speed

MAX_AMOUNT_DIGITS = 12


class RequestError(ValueError):
    """The user's request cannot be answered; ``code`` names why, ``details`` fill the message."""

    def __init__(self, code: str, status: int = 400, **details: object) -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.details = details


@dataclass(frozen=True)
class PricedService:
    """A service with the quote it was priced from."""

    service: Service
    provider: Provider
    quote: Quote


@dataclass(frozen=True)
class Row:
    """One line of the results: a service priced for the user's amount."""

    position: int | None          # None: the rate is not disclosed, so it cannot be ranked
    priced: PricedService
    breakdown: CostBreakdown

    @property
    def provider(self) -> Provider:
        return self.priced.provider

    @property
    def service(self) -> Service:
        return self.priced.service

    @property
    def quote(self) -> Quote:
        return self.priced.quote


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the results to; None means any."""

    pickup: str | None = None
    max_days: int | None = None   # 0: same day (or within the hour), 1: by tomorrow, ...

    def keeps(self, service: Service) -> bool:
        if self.pickup and service.pickup_method != self.pickup:
            return False
        if self.max_days is not None:
            days = SPEED_MAX_DAYS[Speed(service.speed)]
            return days is not None and days <= self.max_days
        return True


@dataclass(frozen=True)
class Comparison:
    """Everything a results page shows for one corridor, amount and set of filters."""

    corridor: Corridor
    amount: Decimal
    currency: str
    amount_in: str                       # "send" or "receive"
    rows: list[Row]
    stats: CorridorStats                 # the whole corridor, for this amount, unfiltered
    benchmark: Benchmark | None
    stale_hidden: int                    # services whose latest price is too old to show
    unpriced: int                        # services that cannot deliver for this amount
    filtered_out: int
    last_collected_at: datetime | None   # newest price in the corridor, shown or not
    stale: bool = False                  # the corridor has prices, but none recent enough
    removed: list = field(default_factory=list)   # (provider, note, when) of upheld disputes
    pickup_methods: list[str] = field(default_factory=list)   # what the filters can offer


# --- reading the request ----------------------------------------------------------------


def parse_pair(pair: str) -> tuple[str, str]:
    """``ru-tj`` -> ("RUS", "TJK"); RequestError for malformed, unknown or identical countries."""
    source, sep, destination = pair.partition("-")
    if not sep or len(source) != 2 or len(destination) != 2 or not (source + destination).isalpha():
        raise RequestError("bad_pair", 404)
    iso3 = alpha3(source), alpha3(destination)
    if None in iso3:
        raise RequestError("unknown_country", 404)
    if iso3[0] == iso3[1]:
        raise RequestError("same_country", 400)
    return iso3


def find_catalog_corridor(session: Session, source_iso3: str, destination_iso3: str) -> Corridor:
    """The corridor remit covers between two countries, or RequestError("not_covered", 404)."""
    corridor = session.exec(select(Corridor).where(
        Corridor.source_country == source_iso3, Corridor.destination_country == destination_iso3,
        Corridor.in_catalog, Corridor.enabled)).first()
    if corridor is None:
        raise RequestError("not_covered", 404)
    return corridor


def parse_amount(text: str | None, *, allow_zero: bool = False) -> Decimal:
    """A positive amount as typed: digits with one decimal point or comma, spaces allowed;
    with ``allow_zero``, zero too (a fee of nothing)."""
    cleaned = (text or "").strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not cleaned:
        raise RequestError("amount_missing")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not all(ch.isdigit() or ch in ".-+" for ch in cleaned) or not cleaned.isascii():
        raise RequestError("amount_not_number")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise RequestError("amount_not_number") from None
    if not amount.is_finite():
        raise RequestError("amount_not_number")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise RequestError("amount_not_positive")
    if not amount:
        return Decimal(0)
    if amount.adjusted() >= MAX_AMOUNT_DIGITS:
        raise RequestError("amount_too_large")
    return amount


def amount_side(corridor: Corridor, currency: str | None) -> str:
    """Whether an amount in ``currency`` is what is sent or what is received."""
    code = (currency or corridor.send_currency).strip().upper()
    if code == corridor.send_currency:
        return "send"
    if code == corridor.receive_currency:
        return "receive"
    raise RequestError("wrong_currency", send=corridor.send_currency,
                       receive=corridor.receive_currency)


def parse_filters(pickup: str | None, max_days: str | None) -> Filters:
    """Filters from the query string; anything unknown is a RequestError."""
    pickup = pickup or None
    if pickup is not None and pickup not in {method.value for method in PickupMethod}:
        raise RequestError("bad_filter")
    days = None
    if max_days:
        if max_days not in {"0", "1", "2", "5"}:
            raise RequestError("bad_filter")
        days = int(max_days)
    return Filters(pickup, days)


def usd_rate(session: Session, currency: str, on: datetime, max_age_days: int) -> Decimal | None:
    """Units of ``currency`` per US dollar, for the amount limits and the default amount;
    None when no rate is known."""
    usd = resolve(session, "USD", currency, on.date(), max_age_days=max_age_days * 4)
    return usd.rate if usd else None


def amount_limits(rate: Decimal | None, *, min_usd: Decimal, max_usd: Decimal) -> tuple[Decimal, Decimal] | None:
    """The amounts providers accept, at ``usd_rate``: the USD limits converted, rounded."""
    if rate is None:
        return None
    return round_nicely(min_usd * rate, up=True), round_nicely(max_usd * rate, up=False)


def default_amount(rate: Decimal | None) -> Decimal:
    """The RPW headline amount, USD 200, at ``usd_rate``, rounded to two figures."""
    return Decimal(200) if rate is None else round_nicely(200 * rate, up=False)


def round_nicely(value: Decimal, *, up: bool, figures: int = 2) -> Decimal:
    """Round to ``figures`` significant digits, up or down (limits and default amounts)."""
    step = Decimal(1).scaleb(max(value.adjusted() - figures + 1, 0))
    rounding = "ROUND_CEILING" if up else "ROUND_FLOOR"
    return ((value / step).quantize(Decimal(1), rounding=rounding) * step).quantize(Decimal(1))


def check_limits(amount: Decimal, limits: tuple[Decimal, Decimal] | None, currency: str) -> None:
    """RequestError("amount_out_of_range") when the amount is outside the limits."""
    if limits and not limits[0] <= amount <= limits[1]:
        raise RequestError("amount_out_of_range", low=limits[0], high=limits[1], currency=currency)


# --- reading prices ---------------------------------------------------------------------


def latest_prices(session: Session, *, since: datetime | None = None,
                  corridor_id: int | None = None, provider_id: int | None = None) -> list[PricedService]:
    """The newest quote of every service for every amount tier it was priced at.

    A tier is the RPW amount (USD 200 or 500 equivalent); a quote of another amount (a
    partner's own example amount) is a tier of its own.
    """
    tier = case((col(Quote.amount_tier).is_(None), col(Quote.send_amount)), else_=None)
    newest = (select(Quote.id, func.row_number().over(
        partition_by=(Quote.service_id, Quote.amount_tier, tier),
        order_by=(col(Quote.collected_at).desc(), col(Quote.id).desc())).label("rank"))
        .join(Service, Service.id == Quote.service_id)
        .where(~upheld_dispute_exists()))
    if since is not None:
        newest = newest.where(Quote.collected_at >= since)
    if corridor_id is not None:
        newest = newest.where(Service.corridor_id == corridor_id)
    if provider_id is not None:
        newest = newest.where(Service.provider_id == provider_id)
    newest = newest.subquery()
    statement = (select(Quote, Service, Provider)
                 .join(newest, and_(newest.c.id == Quote.id, newest.c.rank == 1))
                 .join(Service, Service.id == Quote.service_id)
                 .join(Provider, Provider.id == Service.provider_id)
                 .order_by(Service.id, Quote.send_amount))
    return [PricedService(service, provider, quote) for quote, service, provider in session.exec(statement)]


def upheld_dispute_exists():
    """SQL: the quote was shown wrong by an upheld dispute (it leaves rankings and statistics)."""
    return exists().where(Dispute.quote_id == Quote.id, Dispute.status == "upheld")


def removed_prices(session: Session, corridor_id: int, since: datetime) -> list[tuple[str, str, datetime]]:
    """Prices of a corridor removed after an upheld dispute: (provider, public note, when)."""
    statement = (select(Provider.name, Dispute.decision_note, Dispute.decided_at)
                 .join(Quote, Quote.id == Dispute.quote_id).join(Service, Service.id == Quote.service_id)
                 .join(Provider, Provider.id == Service.provider_id)
                 .where(Service.corridor_id == corridor_id, Dispute.status == "upheld",
                        Dispute.decided_at >= since)
                 .order_by(col(Dispute.decided_at).desc()))
    return [tuple(row) for row in session.exec(statement)]


def nearest_tier(prices: list[PricedService], send_amount: Decimal | None) -> list[PricedService]:
    """One price per service: the one collected for the amount nearest the user's.

    Fees often step with the amount, so the fee observed nearest the user's amount is
    the best estimate; the page says which amount each price was checked for.
    """
    best: dict[int, PricedService] = {}
    for priced in prices:
        current = best.get(priced.service.id)
        if current is None or _distance(priced.quote, send_amount) < _distance(current.quote, send_amount):
            best[priced.service.id] = priced
    return list(best.values())


def _distance(quote: Quote, send_amount: Decimal | None) -> Decimal:
    if send_amount is None:  # no amount: prefer the USD 200 tier, as RPW headlines do
        return Decimal(0) if quote.amount_tier == 200 else Decimal(1)
    return abs((quote.send_amount / send_amount).ln())


def by_corridor(session: Session, prices: list[PricedService]) -> list[tuple[Corridor, list[PricedService]]]:
    """Prices grouped under their corridors, corridors in catalogue order."""
    groups: dict[int, list[PricedService]] = {}
    for priced in prices:
        groups.setdefault(priced.service.corridor_id, []).append(priced)
    corridors = session.exec(select(Corridor).where(col(Corridor.id).in_(list(groups)))
                             .order_by(Corridor.source_country, Corridor.destination_country))
    return [(corridor, groups[corridor.id]) for corridor in corridors]


def last_collected(session: Session, corridor_id: int) -> datetime | None:
    """When the newest price of a corridor was collected, however old."""
    return session.exec(select(func.max(Quote.collected_at)).join(Service)
                        .where(Service.corridor_id == corridor_id)).one()


# --- the comparison ---------------------------------------------------------------------


def compare(session: Session, corridor: Corridor, *, amount: Decimal, amount_in: str,
            now: datetime, max_age: timedelta, benchmark_max_age_days: int,
            filters: Filters = Filters()) -> Comparison:
    """Rank every service of a corridor for the user's amount (see module docstring)."""
    benchmark = resolve(session, corridor.send_currency, corridor.receive_currency, now.date(),
                        max_age_days=benchmark_max_age_days)
    reference_rate = benchmark.rate if benchmark else None
    send_estimate = amount if amount_in == "send" else (
        amount / reference_rate if reference_rate else None)
    recent = latest_prices(session, since=now - max_age, corridor_id=corridor.id)
    chosen = nearest_tier(recent, send_estimate)
    by_key = {priced.service.id: priced for priced in chosen}
    offers = [Offer(key=priced.service.id, fee=priced.quote.fee,
                    exchange_rate=priced.quote.exchange_rate, collected_at=priced.quote.collected_at,
                    receiving_fee=priced.quote.receiving_fee or Decimal(0),
                    promotional=priced.quote.promotional)
              for priced in chosen if priced.quote.fee_currency == priced.quote.send_currency]
    ranking = rank_offers(offers, amount=amount, amount_in=amount_in, reference_rate=reference_rate,
                          now=now, max_age=max_age)
    everything = [Row(ranked.position, by_key[ranked.offer.key], ranked.breakdown)
                  for ranked in ranking.ranked]
    stats = corridor_stats([ServiceCost(row.breakdown.total_cost_pct, row.quote.transparent,
                                        row.service.speed) for row in everything])
    rows = [row for row in everything if filters.keeps(row.service)]
    positions = iter(range(1, len(rows) + 1))
    rows = [Row(next(positions) if row.position is not None else None, row.priced, row.breakdown)
            for row in rows]
    all_services = session.exec(select(func.count(Service.id)).where(
        Service.corridor_id == corridor.id)).one()
    return Comparison(
        corridor=corridor, amount=amount, amount_in=amount_in,
        currency=corridor.send_currency if amount_in == "send" else corridor.receive_currency,
        rows=rows, stats=stats, benchmark=benchmark,
        stale_hidden=max(all_services - len(chosen), 0),
        unpriced=len(ranking.unpriced) + len(chosen) - len(offers),
        filtered_out=len(everything) - len(rows),
        last_collected_at=(last := last_collected(session, corridor.id)),
        stale=last is not None and not chosen,
        removed=removed_prices(session, corridor.id, now - max_age),
        pickup_methods=sorted({row.service.pickup_method for row in everything}),
    )


