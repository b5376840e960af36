"""Reference rates into the database: validated, quarantined when implausible, append-only."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from scrapers.base import RateObservation

from ..models import ReferenceRate
from .common import StoreCounts, quarantine

CURRENCY = re.compile(r"[A-Z]{3}")
LOOKBACK = timedelta(days=31)  # how far back the previous value of a rate is looked for


def check_rate(observation: RateObservation, previous: tuple[Decimal, date] | None, *,
               today: date, max_change_pct: float) -> str | None:
    """Why a reference rate must not be published, or None when it is plausible."""
    if not (CURRENCY.fullmatch(observation.base) and CURRENCY.fullmatch(observation.quote)):
        return f"not a currency pair: {observation.base}/{observation.quote}"
    if observation.base == observation.quote:
        return f"a currency against itself: {observation.base}"
    if not (isinstance(observation.rate, Decimal) and observation.rate.is_finite()
            and observation.rate > 0):
        return f"rate {observation.rate!r} is not a positive number"
    if observation.as_of > today + timedelta(days=1):
        return f"dated {observation.as_of}, in the future"
    if previous is not None:
        earlier, earlier_date = previous
        change = abs(observation.rate - earlier) / earlier * 100
        if change > Decimal(str(max_change_pct)):
            return (f"moved {change:.1f}% from {earlier} on {earlier_date} "
                    f"(more than {max_change_pct}%)")
    return None


def store_rates(session: Session, run_id: int, observations: Iterable[tuple[RateObservation, str]],
                *, today: date, max_change_pct: float) -> StoreCounts:
    """Store (observation, raw sha256) pairs of one source run; return the counts."""
    pending = sorted(observations, key=lambda pair: pair[0].as_of)
    counts = StoreCounts()
    if not pending:
        return counts
    source = pending[0][0].source
    known = _known_rates(session, source, pending[0][0].as_of - LOOKBACK)
    for observation, sha in pending:
        key = (observation.base, observation.quote)
        stored = known.get(key, {})
        if observation.as_of in stored:
            if stored[observation.as_of] == observation.rate:
                counts.already_stored += 1
                continue
            reason = (f"differs from the {stored[observation.as_of]} already stored for "
                      f"{observation.as_of}; stored values are never replaced")
        else:
            earlier = [day for day in stored if day < observation.as_of]
            previous = (stored[max(earlier)], max(earlier)) if earlier else None
            reason = check_rate(observation, previous, today=today, max_change_pct=max_change_pct)
        if reason:
            quarantine(session, run_id, "rate", observation, reason, sha)
            counts.quarantined += 1
            continue
        session.add(ReferenceRate(source=observation.source, base=observation.base,
                                  quote=observation.quote, rate=observation.rate,
                                  as_of=observation.as_of, raw_sha256=sha, run_id=run_id))
        known.setdefault(key, {})[observation.as_of] = observation.rate
        counts.stored += 1
    session.flush()
    return counts


def _known_rates(session: Session, source: str, since: date) -> dict[tuple[str, str], dict[date, Decimal]]:
    known: dict[tuple[str, str], dict[date, Decimal]] = {}
    statement = select(ReferenceRate).where(ReferenceRate.source == source,
                                            ReferenceRate.as_of >= since)
    for rate in session.exec(statement):
        known.setdefault((rate.base, rate.quote), {})[rate.as_of] = rate.rate
    return known
