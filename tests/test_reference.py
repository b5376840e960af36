"""Choosing the benchmark rate: official receiving-side rate first, cross rates, staleness."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from sqlmodel import Session

from remit.models import ReferenceRate
from remit.reference import resolve

DAY = date(2026, 3, 10)


def add(session, source, base, quote, rate, as_of):
    session.add(ReferenceRate(source=source, base=base, quote=quote, rate=D(rate), as_of=as_of))


def test_receiving_central_bank_wins_over_others(engine):
    with Session(engine) as session:
        add(session, "cbr", "TJS", "RUB", "7.5", DAY)          # Bank of Russia: RUB per TJS
        add(session, "nbt", "RUB", "TJS", "0.1320", date(2026, 3, 9))  # National Bank of Tajikistan
        session.commit()
        found = resolve(session, "RUB", "TJS", DAY, max_age_days=7)
    assert found.rate == D("0.1320") and found.source == "nbt"
    assert found.path == "RUB>TJS (nbt)" and found.as_of == date(2026, 3, 9) and not found.stale


def test_inverted_rate_and_newest_not_after_the_day(engine):
    with Session(engine) as session:
        add(session, "cbr", "TJS", "RUB", "8", date(2026, 3, 1))
        add(session, "cbr", "TJS", "RUB", "7.5", DAY)
        add(session, "cbr", "TJS", "RUB", "9", date(2026, 3, 20))  # after the day: not used
        session.commit()
        found = resolve(session, "RUB", "TJS", DAY, max_age_days=7)
    assert abs(found.rate - 1 / D("7.5")) < D("1e-20") and found.as_of == DAY


def test_cross_rate_through_a_pivot(engine):
    with Session(engine) as session:
        add(session, "cbr", "EUR", "RUB", "100", DAY)
        add(session, "cbr", "RSD", "RUB", "0.85", date(2026, 3, 9))
        session.commit()
        found = resolve(session, "EUR", "RSD", DAY, max_age_days=7)
    assert abs(found.rate - D("100") / D("0.85")) < D("1e-18")
    assert found.path == "EUR>RUB (cbr), RUB>RSD (cbr)" and found.source == "cbr"
    assert found.as_of == date(2026, 3, 9)


def test_stale_rates_are_flagged_and_fresh_ones_preferred(engine):
    with Session(engine) as session:
        add(session, "nbt", "RUB", "TJS", "0.13", date(2026, 2, 1))  # preferred source, but old
        session.commit()
        old = resolve(session, "RUB", "TJS", DAY, max_age_days=7)
        add(session, "cbr", "TJS", "RUB", "7.5", DAY)
        session.commit()
        fresh = resolve(session, "RUB", "TJS", DAY, max_age_days=7)
    assert old.stale and old.source == "nbt"
    assert not fresh.stale and fresh.source == "cbr"


def test_nothing_to_price_with(engine):
    with Session(engine) as session:
        assert resolve(session, "EUR", "ALL", DAY, max_age_days=7) is None
        same = resolve(session, "EUR", "EUR", DAY, max_age_days=7)
    assert same.rate == 1 and same.source == "identity"


def test_rates_fixed_by_law_need_no_source(engine):
    with Session(engine) as session:
        mark = resolve(session, "EUR", "BAM", DAY, max_age_days=7)
        back = resolve(session, "BAM", "EUR", DAY, max_age_days=7)
    assert mark.rate == D("1.95583") and mark.source == "peg" and not mark.stale
    assert mark.path == "EUR>BAM (fixed by law)"
    assert abs(back.rate * D("1.95583") - 1) < D("1e-20")
