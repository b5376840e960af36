"""Reading the data model for views, exports and the API: one place for each question."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, select

from .costs import ZERO, CostBreakdown, CostInputError, cost_breakdown
from .catalog import alpha2
from .models import COST_INPUTS, Corridor, Quote, Service


def quote_breakdown(quote: Quote) -> CostBreakdown | None:
    """The cost breakdown of a stored quote on its own terms, or None if it cannot be priced."""
    return breakdown_of(**{name: getattr(quote, name) for name in COST_INPUTS})


def breakdown_of(*, send_amount: Decimal, send_currency: str, fee: Decimal, fee_currency: str,
                 fee_mode: str, exchange_rate: Decimal | None, reference_rate: Decimal | None,
                 receiving_fee: Decimal | None) -> CostBreakdown | None:
    """The cost breakdown of a quote's fields (``COST_INPUTS``), or None if it cannot be priced.

    A fee charged in another currency than the amount would need a conversion that the
    quote does not record, so such a quote is not priced rather than priced by a guess.
    """
    if fee_currency != send_currency:
        return None
    try:
        return cost_breakdown(
            send_amount=send_amount, fee=fee, fee_mode=fee_mode, exchange_rate=exchange_rate,
            reference_rate=reference_rate,
            receiving_fee=receiving_fee if receiving_fee is not None else ZERO,
        )
    except CostInputError:
        return None


def find_corridor(session: Session, key: str) -> Corridor | None:
    """A corridor by its key, e.g. RUS-TJK (case-insensitive)."""
    source, _, destination = key.upper().partition("-")
    return session.exec(select(Corridor).where(
        Corridor.source_country == source, Corridor.destination_country == destination)).first()


def pair_of(corridor: Corridor) -> str:
    """A corridor as the site's URLs write it: lowercase alpha-2 codes, e.g. ``ru-tj``."""
    return f"{alpha2(corridor.source_country)}-{alpha2(corridor.destination_country)}".lower()


def quote_sources(session: Session) -> list[str]:
    """Every source that has stored quotes."""
    return sorted(session.exec(select(Quote.source).distinct()))


@dataclass(frozen=True)
class CorridorSummary:
    """A corridor with how much is known about it."""

    corridor: Corridor
    services: int
    quotes: int
    last_collected_at: object


def corridor_summaries(session: Session, *, catalog_only: bool = True) -> list[CorridorSummary]:
    """Corridors with their service and quote counts and latest collection time."""
    statement = (
        select(Corridor, func.count(func.distinct(Service.id)), func.count(Quote.id),
               func.max(Quote.collected_at))
        .join(Service, Service.corridor_id == Corridor.id, isouter=True)
        .join(Quote, Quote.service_id == Service.id, isouter=True)
        .group_by(Corridor.id)
        .order_by(Corridor.source_country, Corridor.destination_country)
    )
    if catalog_only:
        statement = statement.where(Corridor.in_catalog, Corridor.enabled)
    return [CorridorSummary(*row) for row in session.exec(statement)]
