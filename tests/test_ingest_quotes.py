"""Storing quotes: consistency and plausibility checks, benchmarks, catalogue, append-only."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from sqlmodel import Session, select

from remit.catalog import sync_catalog
from remit.ingest import QuoteItem, start_run, store_quotes
from remit.models import Provider, Quarantine, Quote, ReferenceRate, Service
from scrapers.base import QuoteObservation

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
KORONA = QuoteObservation(
    source="koronapay", provider="koronapay", provider_name="KoronaPay", source_country="RU",
    destination_country="TJ", send_amount=D("10000"), send_currency="RUB", fee=D("100"),
    fee_mode="on_top", exchange_rate=D("0.1265"), received_amount=D("1265.00"),
    receive_currency="TJS", collected_at=NOW, payment_instrument="debit_card",
    access_point="internet", pickup_method="cash", speed="less_than_1_hour")


@pytest.fixture
def catalogue(engine):
    with Session(engine) as session:
        sync_catalog(session)
        session.add(ReferenceRate(source="nbt", base="RUB", quote="TJS", rate=D("0.1280"),
                                  as_of=date(2026, 3, 9)))
        session.commit()
    return engine


def store(engine, *observations, tier=None):
    with Session(engine) as session:
        run_id = start_run(session, "test", "quotes")
        counts = store_quotes(session, run_id, [QuoteItem(o, "ab" * 32, tier) for o in observations],
                              now=NOW, band_pct=D("15"), max_age_days=7)
        session.commit()
    return counts


def quotes(engine):
    with Session(engine) as session:
        return session.exec(select(Quote)).all()


def reasons(engine):
    with Session(engine) as session:
        return [q.reason for q in session.exec(select(Quarantine))]


def test_a_consistent_quote_is_stored_with_its_benchmark(catalogue):
    counts = store(catalogue, KORONA, tier=200)
    assert (counts.stored, counts.quarantined) == (1, 0)
    [quote] = quotes(catalogue)
    assert quote.reference_rate == D("0.128") and quote.reference_rate_source == "nbt"
    assert quote.reference_rate_path == "RUB>TJS (nbt)" and not quote.reference_rate_stale
    assert quote.reference_rate_date == date(2026, 3, 9)
    assert quote.period == "2026Q1" and quote.amount_tier == 200 and quote.fee_currency == "RUB"
    assert quote.transparent and quote.raw_sha256 == "ab" * 32
    # fee 1%, margin (0.128 - 0.1265) / 0.128 = 1.171875%: stored rounded for the exports
    assert (quote.fx_margin_pct, quote.total_cost_pct, quote.computed_received_amount) == (
        D("1.1719"), D("2.1719"), D("1265"))
    with Session(catalogue) as session:
        service = session.get(Service, quote.service_id)
        assert (service.pickup_method, service.speed) == ("cash", "less_than_1_hour")


@pytest.mark.parametrize("changes, reason", [
    ({"received_amount": D("1400")}, "received amount 1400 contradicts the fee and rate, which give 1265.00"),
    ({"exchange_rate": D("0.64"), "received_amount": None}, "is 400.0% from the reference"),
    ({"destination_country": "US", "receive_currency": "USD"}, "corridor RU-US is not an enabled corridor"),
    ({"speed": "fast"}, "speed 'fast' is not one of remit's codes"),
    ({"fee": D("-1")}, "must be positive"),
    ({"fee_mode": "deducted", "fee": D("10000")}, "leaves nothing"),
    ({"collected_at": datetime(2027, 1, 1, tzinfo=UTC)}, "in the future"),
])
def test_bad_quotes_are_quarantined_with_the_reason(catalogue, changes, reason):
    counts = store(catalogue, dataclasses.replace(KORONA, **changes))
    assert (counts.stored, counts.quarantined) == (0, 1)
    [held] = reasons(catalogue)
    assert reason in held
    assert quotes(catalogue) == []


def test_same_source_reference_is_not_stored_twice(catalogue):
    wise = dataclasses.replace(KORONA, source="wise", source_ref="38:2026-03-10T11:00:00Z",
                               provider="small-bank", provider_name="Small Bank", indicative=True)
    store(catalogue, wise)
    again = store(catalogue, wise)
    assert (again.stored, again.already_stored) == (0, 1)
    with Session(catalogue) as session:
        created = session.exec(select(Provider).where(Provider.slug == "small-bank")).one()
    assert created.firm_type == "unknown" and not created.in_catalog
    assert quotes(catalogue)[0].indicative


def test_without_a_benchmark_the_quote_is_kept_but_unpriced(catalogue):
    moldova = dataclasses.replace(KORONA, destination_country="MD", receive_currency="MDL",
                                  exchange_rate=D("0.215"), received_amount=D("2150"))
    store(catalogue, moldova)
    [quote] = quotes(catalogue)
    assert quote.reference_rate is None and quote.reference_rate_source is None


def test_stale_benchmark_is_flagged(catalogue):
    later = dataclasses.replace(KORONA, collected_at=datetime(2026, 3, 30, tzinfo=UTC))
    with Session(catalogue) as session:
        run_id = start_run(session, "test", "quotes")
        store_quotes(session, run_id, [QuoteItem(later, None)], now=datetime(2026, 3, 30, 1, tzinfo=UTC),
                     band_pct=D("15"), max_age_days=7)
        session.commit()
    [quote] = quotes(catalogue)
    assert quote.reference_rate_stale and quote.reference_rate_date == date(2026, 3, 9)


def test_undisclosed_rate_is_not_transparent(catalogue):
    store(catalogue, dataclasses.replace(KORONA, exchange_rate=None, received_amount=None,
                                         transparent=True))
    [quote] = quotes(catalogue)
    assert not quote.transparent and quote.exchange_rate is None
