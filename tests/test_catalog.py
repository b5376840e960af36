"""The catalogue: data files, idempotent sync, names from Babel."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from remit.catalog import (
    CatalogError, alpha2, alpha3, country_name, currency_name, load_corridor_entries,
    load_provider_entries, sync_catalog,
)
from remit.models import Corridor, Country, Currency, Provider

START_CORRIDORS = {
    "RUS-TJK", "RUS-KGZ", "RUS-UZB", "RUS-ARM", "RUS-GEO", "RUS-MDA", "ITA-MDA", "ITA-ALB",
    "ITA-MAR", "ITA-UKR", "DEU-SRB", "DEU-BIH", "DEU-XKX", "DEU-TUR", "ESP-MAR", "FRA-MAR",
    "FRA-DZA", "FRA-TUN", "GRC-ALB", "TUR-UZB", "TUR-AZE",
}


def test_codes_convert_both_ways():
    assert alpha2("TJK") == "TJ" and alpha3("TJ") == "TJK"
    assert alpha2("XKX") == "XK" and alpha3("XK") == "XKX"
    assert alpha2("ZZZ") is None and alpha2("QQQ") is None


def test_names_come_from_babel_in_any_language():
    assert country_name("TJ", "ru") == "Таджикистан"
    assert country_name("MA", "ar") == "المغرب"
    assert currency_name("TJS", "en") == "Tajikistani Somoni"
    assert country_name("TJ", "not-a-locale") == "TJ"


def test_sync_loads_every_start_corridor_and_is_idempotent(engine):
    with Session(engine) as session:
        first = sync_catalog(session)
        session.commit()
        second = sync_catalog(session)
        session.commit()
        corridors = session.exec(select(Corridor)).all()
        assert {c.key for c in corridors} == START_CORRIDORS
        assert all(c.in_catalog for c in corridors)
        slugs = set(session.exec(select(Provider.slug)))
        assert {"koronapay", "unistream", "wise", "remitly", "western-union", "moneygram"} <= slugs
        assert session.get(Country, "XKX").iso2 == "XK"
        assert session.get(Currency, "TND").minor_units == 3
        assert session.get(Currency, "RSD").minor_units == 0
    assert first.created["corridor"] == len(START_CORRIDORS)
    assert second.created == {} and second.updated == {}


def test_sync_keeps_but_unlists_what_the_files_drop(engine, monkeypatch):
    with Session(engine) as session:
        session.add_all([Currency(code="TZS"), Currency(code="KES")])
        session.flush()
        session.add_all([Country(iso3="KEN", iso2="KE", name="Kenya"),
                         Country(iso3="TZA", iso2="TZ", name="Tanzania")])
        session.flush()
        session.add(Corridor(source_country="TZA", destination_country="KEN", send_currency="TZS",
                             receive_currency="KES", in_catalog=True))
        session.commit()
        report = sync_catalog(session)
        session.commit()
        old = session.exec(select(Corridor).where(Corridor.source_country == "TZA")).one()
        assert not old.in_catalog
        assert report.updated["corridor"] == 1


@pytest.mark.parametrize("data, message", [
    ({"corridor": [{"from": "RU", "to": "TJ", "send_currency": "RUB"}]}, "missing 'receive_currency'"),
    ({"corridor": [{"from": "RU", "to": "QQ", "send_currency": "RUB", "receive_currency": "TJS"}]},
     "unknown country code QQ"),
    ({"corridor": [{"from": "RU", "to": "TJ", "send_currency": "RUB", "receive_currency": "XYZ"}]},
     "unknown currency code XYZ"),
    ({"corridor": [{"from": "RU", "to": "RU", "send_currency": "RUB", "receive_currency": "RUB"}]},
     "two different countries"),
])
def test_bad_corridor_entries_are_named(data, message):
    with pytest.raises(CatalogError, match=message):
        load_corridor_entries(data)


@pytest.mark.parametrize("data, message", [
    ({"provider": [{"slug": "Korona Pay", "name": "K", "firm_type": "bank"}]}, "slug must be"),
    ({"provider": [{"slug": "k", "name": "K", "firm_type": "casino"}]}, "unknown firm_type"),
])
def test_bad_provider_entries_are_named(data, message):
    with pytest.raises(CatalogError, match=message):
        load_provider_entries(data)
