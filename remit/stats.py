"""Corridor statistics per month and quarter and amount tier, computed and stored.

Only ``remit.costs`` computes (``corridor_stats``: average, median, minimum, shares under
3% and 5%, SmaRT); this module gathers the inputs and stores the results in
``CorridorStat``. Inputs: remit's own collected quotes at the RPW tiers (USD 200 and 500),
each service counted once per period with its last price of the period, priced against
the reference rate stored with that quote. RPW imports are the World Bank's own figures
and stay out (they are published beside remit's, see ``CorridorAverage``).

Global indices per period (``indices``) are computed from the stored corridor rows: the
simple mean of corridor averages, the mean weighted by remittance volume (weights are
data: ``remit/data/corridor_weights.toml``), the mean of corridor SmaRT values, and the
shares of corridors whose average is under 3% and 5%.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import cache
from pathlib import Path

from sqlmodel import Session, col, select

from .compare import upheld_dispute_exists
from .costs import HUNDRED, SDG_CORRIDOR_TARGET_PCT, SDG_GLOBAL_TARGET_PCT, ServiceCost, corridor_stats, mean, weighted_average
from .models import Corridor, CorridorStat, Quote, Service
from .queries import quote_breakdown
from .types import utcnow
from .vocab import CollectionMethod

PERIOD_KINDS = ("month", "quarter")
TIERS = (200, 500)
WEIGHTS_FILE = Path(__file__).parent / "data" / "corridor_weights.toml"

_COLUMNS = (Quote.id, Quote.service_id, Quote.collected_at, Quote.amount_tier, Quote.transparent,
            Quote.send_amount, Quote.send_currency, Quote.fee, Quote.fee_currency, Quote.fee_mode,
            Quote.exchange_rate, Quote.reference_rate, Quote.receiving_fee,
            Service.corridor_id, Service.speed)


def period_of(when: datetime | date, kind: str) -> str:
    """"2026-11" for a month, "2026Q4" for a quarter."""
    if kind == "month":
        return f"{when.year:04d}-{when.month:02d}"
    return f"{when.year:04d}Q{(when.month - 1) // 3 + 1}"


def period_start(period: str) -> date:
    """The first day of a period written by ``period_of``."""
    if "Q" in period:
        year, quarter = period.split("Q")
        return date(int(year), 3 * int(quarter) - 2, 1)
    year, month = period.split("-")
    return date(int(year), int(month), 1)


def compute(session: Session, *, since: date | None = None) -> int:
    """Recompute every corridor's statistics for the periods from ``since`` (all when None).

    ``since`` is widened to the start of its quarter, so no period is computed from part
    of its quotes. Returns how many corridor-period-tier rows were written.
    """
    statement = (select(*_COLUMNS).join(Service, Service.id == Quote.service_id)
                 .where(col(Quote.amount_tier).in_(TIERS),
                        Quote.collection_method != CollectionMethod.RPW_IMPORT,
                        ~upheld_dispute_exists())
                 .order_by(Quote.collected_at, Quote.id))
    if since is not None:
        since = period_start(period_of(since, "quarter"))
        statement = statement.where(Quote.collected_at >= datetime.combine(since, time.min, tzinfo=UTC))
    last: dict[tuple, dict[int, object]] = defaultdict(dict)
    counts: dict[tuple, int] = defaultdict(int)
    for row in session.exec(statement.execution_options(yield_per=5000)):
        for kind in PERIOD_KINDS:
            key = (row.corridor_id, kind, period_of(row.collected_at, kind), row.amount_tier)
            last[key][row.service_id] = row
            counts[key] += 1
    existing = {(s.corridor_id, s.period_kind, s.period, s.amount_tier): s
                for s in session.exec(select(CorridorStat))}
    for key, services in last.items():
        _store(session, existing.get(key), key, list(services.values()), counts[key])
    session.flush()
    return len(last)


def _service_cost(row) -> ServiceCost:
    breakdown = quote_breakdown(row)
    return ServiceCost(breakdown.total_cost_pct if breakdown else None,
                       transparent=row.transparent, speed=row.speed)


def _store(session: Session, stat: CorridorStat | None, key: tuple, rows: list, quotes: int) -> None:
    corridor_id, kind, period, tier = key
    figures = corridor_stats([_service_cost(row) for row in rows])
    values = {"services": figures.services, "unknown_cost": figures.unknown_cost, "quotes": quotes,
              "average": figures.average, "median": figures.median, "minimum": figures.minimum,
              "smart": figures.smart, "smart_services": figures.smart_services,
              "share_under_3_pct": figures.share_under_3_pct,
              "share_under_5_pct": figures.share_under_5_pct, "computed_at": utcnow()}
    if stat is None:
        stat = CorridorStat(corridor_id=corridor_id, period=period, period_kind=kind,
                            amount_tier=tier, **values)
    else:
        for name, value in values.items():
            setattr(stat, name, value)
    session.add(stat)


# --- global indices ---------------------------------------------------------------------


@dataclass(frozen=True)
class Index:
    """Global figures of one period and tier, over the corridors with a known average."""

    period: str
    amount_tier: int
    corridors: int
    average: Decimal | None
    weighted_average: Decimal | None
    weighted_corridors: int              # corridors that have a volume weight
    smart: Decimal | None
    share_under_3_pct: Decimal | None    # share of corridors whose average is under 3%
    share_under_5_pct: Decimal | None


@cache
def corridor_weights(path: Path = WEIGHTS_FILE) -> dict[str, Decimal]:
    """Remittance volume per corridor key (e.g. RUS-TJK), from the weights file."""
    if not path.exists():
        return {}
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    return {key.upper(): Decimal(str(value)) for key, value in data.get("weights", {}).items()}


def indices(stats: list[CorridorStat], corridors: dict[int, Corridor],
            weights: dict[str, Decimal]) -> list[Index]:
    """One ``Index`` per period and tier present in ``stats``."""
    groups: dict[tuple[str, int], list[CorridorStat]] = defaultdict(list)
    for stat in stats:
        if stat.average is not None:
            groups[(stat.period, stat.amount_tier)].append(stat)
    result = []
    for (period, tier), rows in sorted(groups.items()):
        averages = [row.average for row in rows]
        weighted = [(row.average, weights[corridors[row.corridor_id].key])
                    for row in rows if corridors[row.corridor_id].key in weights]
        result.append(Index(
            period=period, amount_tier=tier, corridors=len(rows), average=mean(averages),
            weighted_average=weighted_average(weighted), weighted_corridors=len(weighted),
            smart=mean([row.smart for row in rows if row.smart is not None]),
            share_under_3_pct=_share(averages, SDG_GLOBAL_TARGET_PCT),
            share_under_5_pct=_share(averages, SDG_CORRIDOR_TARGET_PCT)))
    return result


def _share(values: list[Decimal], threshold: Decimal) -> Decimal:
    return Decimal(sum(1 for value in values if value < threshold)) / len(values) * HUNDRED
