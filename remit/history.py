"""A corridor's cost over time: average and cheapest total cost per day or month.

Each service counts once per period, with its last price of the period, priced against
the reference rate stored with that quote. The World Bank's own corridor average (RPW
imports) is a separate series, by quarter. All for the RPW headline amount, USD 200.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import or_
from sqlmodel import Session, col, select

from .compare import upheld_dispute_exists
from .costs import mean
from .models import Corridor, CorridorAverage, Quote, Service
from .queries import quote_breakdown
from .types import utcnow
from .vocab import CollectionMethod

DAILY_SPAN_DAYS = 120   # longer histories are shown by month
HISTORY_DAYS = 730      # how far back the collected series goes


@dataclass(frozen=True)
class HistoryPoint:
    """One period of one series; costs in percent of the amount sent."""

    start: date
    average: Decimal | None
    cheapest: Decimal | None
    services: int


@dataclass(frozen=True)
class CostHistory:
    """A corridor's collected series and the World Bank's, both oldest first."""

    points: list[HistoryPoint]
    world_bank: list[HistoryPoint]
    by_month: bool
    tier: int


_COLUMNS = (Quote.service_id, Quote.collected_at, Quote.collection_method, Quote.period,
            Quote.send_amount, Quote.send_currency, Quote.fee, Quote.fee_currency,
            Quote.fee_mode, Quote.exchange_rate, Quote.reference_rate, Quote.receiving_fee)


def cost_history(session: Session, corridor: Corridor, *, tier: int = 200,
                 today: date | None = None, provider_id: int | None = None) -> CostHistory:
    """The corridor's average and cheapest total cost over time, and RPW's average; with
    ``provider_id``, the same over that provider's services only."""
    today = today or utcnow().date()
    since = datetime.combine(today - timedelta(days=HISTORY_DAYS), time.min, tzinfo=UTC)
    is_rpw = Quote.collection_method == CollectionMethod.RPW_IMPORT
    statement = select(*_COLUMNS).join(Service).where(
        Service.corridor_id == corridor.id, Quote.amount_tier == tier,
        Quote.transparent, col(Quote.reference_rate).is_not(None),
        or_(is_rpw, Quote.collected_at >= since), ~upheld_dispute_exists())
    if provider_id is not None:
        statement = statement.where(Service.provider_id == provider_id)
    rows = session.exec(statement).all()
    world_bank = [row for row in rows if row.collection_method == CollectionMethod.RPW_IMPORT]
    collected = [row for row in rows if row.collection_method != CollectionMethod.RPW_IMPORT]
    days = {row.collected_at.date() for row in collected}
    by_month = bool(days) and (max(days) - min(days)).days > DAILY_SPAN_DAYS
    bucket = _month_start if by_month else (lambda row: row.collected_at.date())
    return CostHistory(_series(collected, bucket),
                       _world_bank(session, corridor, tier, _series(world_bank, _quarter_start)),
                       by_month, tier)


def _world_bank(session: Session, corridor: Corridor, tier: int,
                from_imports: list[HistoryPoint]) -> list[HistoryPoint]:
    """The World Bank's published corridor averages; imported RPW quotes fill the quarters
    it has not published (their cheapest is known, the published series has none)."""
    published = {_period_start(a.period): HistoryPoint(_period_start(a.period), a.total_cost_pct, None, 0)
                 for a in session.exec(select(CorridorAverage).where(
                     CorridorAverage.source_country == corridor.source_country,
                     CorridorAverage.destination_country == corridor.destination_country,
                     CorridorAverage.amount_tier == tier))}
    merged = {point.start: point for point in from_imports} | published
    return [merged[start] for start in sorted(merged)]


def _series(rows, bucket) -> list[HistoryPoint]:
    """Per period: each service's last price, then the mean and the minimum."""
    last: dict[date, dict[int, object]] = defaultdict(dict)
    for row in sorted(rows, key=lambda row: row.collected_at):
        last[bucket(row)][row.service_id] = row
    points = []
    for start in sorted(last):
        costs = [breakdown.total_cost_pct for row in last[start].values()
                 if (breakdown := quote_breakdown(row)) is not None
                 and breakdown.total_cost_pct is not None]
        points.append(HistoryPoint(start, mean(costs), min(costs) if costs else None, len(costs)))
    return [point for point in points if point.services]


def _month_start(row) -> date:
    return row.collected_at.date().replace(day=1)


def _quarter_start(row) -> date:
    return _period_start(row.period)


def _period_start(period: str) -> date:
    """RPW's period "2023Q3" -> 2023-07-01."""
    year, quarter = period.split("Q")
    return date(int(year), 3 * int(quarter) - 2, 1)
