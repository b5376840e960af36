"""The cost columns stored with each quote, and the export that hands them out as text."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal as D

import pytest
from sqlalchemy import bindparam, text
from sqlmodel import Session, select

from remit import migrate
from remit.catalog import sync_catalog
from remit.export import COLUMNS, QuoteFilter, csv_chunks, export_cells, export_rows
from remit.models import Corridor, Provider, Quote, Service
from remit.quote_costs import derived_costs
from remit.types import UTCDateTime

RUB_TJS = {"send_amount": D("16000"), "send_currency": "RUB", "fee": D("100"), "fee_currency": "RUB",
           "fee_mode": "on_top", "exchange_rate": D("0.1188"), "reference_rate": D("0.12"),
           "receiving_fee": None}


@pytest.mark.parametrize("changes, expected", [
    # 1% margin, fee 0.625%, everything converted
    ({}, (D("1"), D("1.625"), D("1900.8"))),
    # the fee comes out of the amount: 15,900 converted; margin 159 RUB = 0.99375%, total
    # 1.61875% rounded half to even
    ({"fee_mode": "deducted"}, (D("1"), D("1.6188"), D("1888.92"))),
    # RPW's cost holds, but what arrives is not known
    ({"fee_mode": "unknown"}, (D("1"), D("1.625"), None)),
    ({"exchange_rate": None}, (None, None, None)),
    ({"reference_rate": None}, (None, None, D("1900.8"))),
    ({"fee_currency": "USD"}, (None, None, None)),
    # 20 TJS paid out of 1,900.80: 20 / 0.12 = 166.67 RUB = 1.0417% more
    ({"receiving_fee": D("20")}, (D("1"), D("2.6667"), D("1880.8"))),
    ({"send_amount": D("0")}, (None, None, None)),
])
def test_the_stored_costs_are_the_cost_engines_rounded(changes, expected):
    assert derived_costs(**(RUB_TJS | changes)) == expected


def test_a_rate_a_hair_better_than_the_reference_costs_zero_not_minus_zero():
    margin, total, _ = derived_costs(**(RUB_TJS | {"fee": D("0"), "exchange_rate": D("0.12000001")}))
    assert (str(margin), str(total)) == ("0", "0")


ABSURD = {"exchange_rate": D("1E+15"), "reference_rate": D("1E-12")}


def test_absurd_ratios_are_worked_out_without_error():
    margin, _, received = derived_costs(**(RUB_TJS | ABSURD))
    assert margin == D(100 - 10 ** 29) and received == D("1.6E+19")


# --- the export, from the stored columns ------------------------------------------------------


def _quote(session: Session, **fields) -> Quote:
    corridor = session.exec(select(Corridor).where(Corridor.source_country == "RUS",
                                                   Corridor.destination_country == "TJK")).one()
    provider = session.exec(select(Provider).where(Provider.slug == "koronapay")).one()
    service = session.exec(select(Service).where(Service.provider_id == provider.id)).first()
    if service is None:
        service = Service(provider_id=provider.id, corridor_id=corridor.id, payment_instrument="debit_card",
                          access_point="internet", pickup_method="cash", speed="less_than_1_hour")
        session.add(service)
        session.flush()
    quote = Quote(**{"service_id": service.id, "source": "test", "collection_method": "provider_api",
                     "collected_at": datetime(2026, 3, 10, 12, 30, 45, 999999, tzinfo=UTC),
                     "period": "2026Q1", "amount_tier": 200, "receive_currency": "TJS",
                     "reference_rate_source": "nbt", **RUB_TJS, **fields})
    session.add(quote)
    session.flush()
    return quote


@pytest.fixture
def quotes(engine):
    with Session(engine) as session:
        sync_catalog(session)
        _quote(session, source_ref="plain", send_amount=D("16000.00"), fee=D("100.50"),
               exchange_rate=D("0.118800"),
               collected_at=datetime(2026, 3, 10, 15, 30, 45, 999999, tzinfo=timezone(timedelta(hours=3))))
        _quote(session, source_ref="exponent", send_amount=D("1.6E+4"), fee=D("0E-6"),
               received_amount=D("1900.80"))
        _quote(session, source_ref="secret", exchange_rate=None, transparent=False, promotional=True)
        _quote(session, source_ref="rpw-named", collection_method="rpw_import",
               reported_provider="Korona Pay (as surveyed)", fee_mode="unknown", indicative=True)
        _quote(session, source_ref="rpw-unnamed", collection_method="rpw_import", reported_provider="",
               fee=D("0"), exchange_rate=D("0.12000001"))
        _quote(session, source_ref="absurd", **ABSURD)  # the columns are wide enough
        session.commit()
    return engine


def _cells(engine) -> dict[str, dict[str, str]]:
    with Session(engine) as session:
        text_ = "".join(csv_chunks(export_cells(session, QuoteFilter())))
    header, *lines = csv.reader(io.StringIO(text_))
    assert tuple(header) == COLUMNS
    rows = [dict(zip(COLUMNS, line, strict=True)) for line in lines]
    return {row["source_ref"]: row for row in rows}


def test_the_export_writes_each_value_the_same_way_on_every_database(quotes):
    cells = _cells(quotes)
    plain = cells["plain"]
    assert plain["collected_at"] == "2026-03-10T12:30:45Z"      # in UTC, seconds truncated
    assert (plain["send_amount"], plain["fee"], plain["exchange_rate"], plain["reference_rate"]) == (
        "16000", "100.5", "0.1188", "0.12")
    # fee 100.5 = 0.628125%, margin 1%
    assert (plain["fx_margin_pct"], plain["total_cost_pct"], plain["received_amount"]) == ("1", "1.6281", "1900.8")
    assert (plain["corridor"], plain["provider"], plain["firm_type"]) == ("RUS-TJK", "koronapay",
                                                                        "money_transfer_operator")
    assert (plain["transparent"], plain["promotional"], plain["indicative"]) == ("true", "false", "false")
    assert (cells["exponent"]["send_amount"], cells["exponent"]["fee"]) == ("16000", "0")
    assert cells["exponent"]["received_amount"] == "1900.8"     # as the source stated it
    secret = cells["secret"]
    assert [secret[name] for name in ("exchange_rate", "fx_margin_pct", "total_cost_pct", "received_amount",
                                      "transparent", "promotional")] == ["", "", "", "", "false", "true"]
    named = cells["rpw-named"]
    assert (named["provider"], named["total_cost_pct"], named["received_amount"], named["indicative"]) == (
        "Korona Pay (as surveyed)", "1.625", "", "true")
    unnamed = cells["rpw-unnamed"]
    assert (unnamed["provider"], unnamed["fx_margin_pct"], unnamed["total_cost_pct"]) == ("koronapay", "0", "0")
    assert (cells["absurd"]["fx_margin_pct"], cells["absurd"]["received_amount"]) == (
        "-99999999999999999999999999900", "16000000000000000000")


def test_export_rows_give_the_same_cells_as_values(quotes):
    with Session(quotes) as session:
        rows = {row["source_ref"]: row for row in export_rows(session, QuoteFilter())}
    plain = rows["plain"]
    assert plain["send_amount"] == D("16000") and plain["total_cost_pct"] == D("1.6281")
    assert plain["transparent"] is True and plain["promotional"] is False
    assert isinstance(plain["quote_id"], int) and plain["amount_tier"] == 200
    assert rows["secret"]["exchange_rate"] is None and rows["secret"]["total_cost_pct"] is None


def test_recompute_costs_command_works_out_every_quote_again(quotes, app):
    with Session(quotes) as session:
        session.connection().execute(text("UPDATE quote SET total_cost_pct = NULL, fx_margin_pct = NULL"))
        session.commit()
    result = app.test_cli_runner().invoke(args=["db", "recompute-costs"])
    assert result.exit_code == 0 and "recomputed the costs of 6 quotes" in result.output
    assert _cells(quotes)["plain"]["total_cost_pct"] == "1.6281"


# --- the migration that added the columns -------------------------------------------------------


def test_the_migration_fills_the_costs_of_quotes_already_stored(bare_app):
    engine = bare_app.extensions["remit.engine"]
    migrate.upgrade(engine, "0007")
    with Session(engine) as session:
        sync_catalog(session)
        corridor = session.exec(select(Corridor).where(Corridor.source_country == "RUS",
                                                       Corridor.destination_country == "TJK")).one()
        provider = session.exec(select(Provider).where(Provider.slug == "koronapay")).one()
        service = Service(provider_id=provider.id, corridor_id=corridor.id, payment_instrument="debit_card",
                          access_point="internet", pickup_method="cash", speed="less_than_1_hour")
        session.add(service)
        session.commit()
        service_id = service.id
    insert = text(
        "INSERT INTO quote (service_id, source, source_ref, collection_method, collected_at, period, "
        "send_amount, send_currency, fee, fee_currency, fee_mode, exchange_rate, receive_currency, "
        "reference_rate, transparent, promotional, indicative) VALUES (:service, 'test', :ref, "
        "'provider_api', :at, '2026Q1', :amount, 'RUB', '100.00', 'RUB', 'on_top', :rate, 'TJS', "
        "'0.12', true, false, false)").bindparams(bindparam("at", type_=UTCDateTime()))
    with engine.begin() as connection:  # the text SQLite held before decimals were canonical
        connection.execute(insert, [
            {"service": service_id, "ref": "a", "at": datetime(2026, 3, 10, tzinfo=UTC),
             "amount": "16000.00", "rate": "0.118800"},
            {"service": service_id, "ref": "b", "at": datetime(2026, 3, 11, tzinfo=UTC),
             "amount": "1.6E+4", "rate": None}])
    migrate.upgrade(engine)
    with Session(engine) as session:
        stored = {q.source_ref: q for q in session.exec(select(Quote))}
    assert (stored["a"].fx_margin_pct, stored["a"].total_cost_pct, stored["a"].computed_received_amount) == (
        D("1"), D("1.625"), D("1900.8"))
    assert (stored["b"].total_cost_pct, stored["b"].computed_received_amount) == (None, None)
    cells = _cells(engine)
    assert (cells["a"]["send_amount"], cells["a"]["fee"], cells["a"]["exchange_rate"]) == ("16000", "100", "0.1188")
    assert cells["b"]["send_amount"] == "16000"
