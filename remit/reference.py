"""Choosing the reference (benchmark) rate for a currency pair at a moment.

The rule, from the RPW methodology: the receiving country's central bank official rate
first (for TJS, KGS, UZS, MDL ... it is the usual benchmark), then the sending country's,
then any other official source; the newest rate not after the moment asked. Without a
direct rate, a cross rate through USD, EUR or RUB. Whatever is chosen says which sources,
which date and which path, and is flagged stale when older than the allowed age: the
choice moves costs by tenths of a point, so it is always recorded, never silent.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from scrapers.registry import RATE_SOURCES, rate_source

from .models import ReferenceRate

PIVOTS = ("USD", "EUR", "RUB")
# Rates fixed by law, exact at any date: the convertible mark's currency board
# (Law on the Central Bank of Bosnia and Herzegovina: 1 EUR = 1.95583 BAM).
PEGS = {("EUR", "BAM"): Decimal("1.95583")}


@dataclass(frozen=True)
class Benchmark:
    """Units of ``quote`` per one unit of ``base``, and where that figure came from."""

    base: str
    quote: str
    rate: Decimal
    source: str        # e.g. "nbt", or "cbr+nbt" for a cross rate
    as_of: date        # the oldest date among the legs
    path: str          # e.g. "RUB>TJS (nbt)" or "EUR>RUB (cbr), RUB>RSD (cbr)"
    stale: bool


@cache
def home_currencies() -> dict[str, str]:
    """Each rate source's own currency, e.g. {'nbt': 'TJS', ...}."""
    return {name: rate_source(name).HOME_CURRENCY for name in RATE_SOURCES}


def _preference(source: str, base: str, quote: str, homes: dict[str, str]) -> int:
    home = homes.get(source)
    if home == quote:
        return 0  # the receiving side's central bank
    if home == base:
        return 1
    return 2


def pegged_rate(base: str, quote: str) -> Decimal | None:
    """A rate fixed by law between the two currencies, either way round, or None."""
    if (base, quote) in PEGS:
        return PEGS[(base, quote)]
    if (quote, base) in PEGS:
        return 1 / PEGS[(quote, base)]
    return None


def direct_rate(session: Session, base: str, quote: str, on: date, homes: dict[str, str],
                fresh_since: date) -> tuple[Decimal, str, date] | None:
    """The best stored rate between two currencies (either direction) on or before ``on``.

    Best: a fresh rate before a stale one, then the preferred source, then the newest.
    """
    statement = (select(ReferenceRate)
                 .where(or_(and_(ReferenceRate.base == base, ReferenceRate.quote == quote),
                            and_(ReferenceRate.base == quote, ReferenceRate.quote == base)),
                        ReferenceRate.as_of <= on)
                 .order_by(col(ReferenceRate.as_of).desc()).limit(40))
    candidates = []
    for rate in session.exec(statement):
        value = 1 / rate.rate if rate.base == quote else rate.rate  # stored the other way round
        candidates.append((rate.as_of < fresh_since, _preference(rate.source, base, quote, homes),
                           -rate.as_of.toordinal(), rate.source, value, rate.as_of))
    if not candidates:
        return None
    *_, source, value, as_of = min(candidates)
    return value, source, as_of


def resolve(session: Session, base: str, quote: str, on: date, *, max_age_days: int) -> Benchmark | None:
    """The benchmark for ``base``->``quote`` on a day, or None when nothing can price it."""
    if base == quote:
        return Benchmark(base, quote, Decimal(1), "identity", on, f"{base}={quote}", False)
    pegged = pegged_rate(base, quote)
    if pegged is not None:
        return Benchmark(base, quote, pegged, "peg", on, f"{base}>{quote} (fixed by law)", False)
    homes = home_currencies()
    fresh_since = on - timedelta(days=max_age_days)
    found = direct_rate(session, base, quote, on, homes, fresh_since)
    if found:
        value, source, as_of = found
        return _benchmark(base, quote, value, [source], as_of, f"{base}>{quote} ({source})",
                          on, max_age_days)
    for pivot in PIVOTS:
        if pivot in (base, quote):
            continue
        first = direct_rate(session, base, pivot, on, homes, fresh_since)
        second = direct_rate(session, pivot, quote, on, homes, fresh_since) if first else None
        if first and second:
            path = f"{base}>{pivot} ({first[1]}), {pivot}>{quote} ({second[1]})"
            return _benchmark(base, quote, first[0] * second[0], [first[1], second[1]],
                              min(first[2], second[2]), path, on, max_age_days)
    return None


def _benchmark(base: str, quote: str, value: Decimal, sources: list[str], as_of: date,
               path: str, on: date, max_age_days: int) -> Benchmark:
    source = "+".join(dict.fromkeys(sources))
    stale = on - as_of > timedelta(days=max_age_days)  # flagged for the caller, never hidden
    return Benchmark(base, quote, value, source, as_of, path, stale)
