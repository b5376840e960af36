"""The catalogue: corridors and providers kept as data files, synced into the database.

Country and currency *names* are never stored for display: Babel gives them in any
language. Codes: countries by ISO 3166 alpha-3 (as the World Bank writes them) with
alpha-2 beside them for URLs and Babel, converted with pycountry (ISO 3166 itself; CLDR's
alias table mixes in withdrawn codes such as DDR); currencies by ISO 4217.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import pycountry
from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_precision, get_territory_currencies
from sqlmodel import Session, select

from .models import Corridor, Country, Currency, Provider
from .vocab import FirmType

# Codes the World Bank uses that are not in ISO 3166 (Kosovo has no ISO alpha-3).
EXTRA_ALPHA3 = {"XKX": "XK", "KSV": "XK"}
PREFERRED_ALPHA3 = {"XK": "XKX"}


class CatalogError(ValueError):
    """A catalogue data file is wrong; the message names the entry."""


def alpha2(iso3: str) -> str | None:
    """ISO alpha-2 of an alpha-3 code, or None when there is none."""
    iso3 = iso3.upper()
    if iso3 in EXTRA_ALPHA3:
        return EXTRA_ALPHA3[iso3]
    country = pycountry.countries.get(alpha_3=iso3) if len(iso3) == 3 else None
    return country.alpha_2 if country else None


def alpha3(iso2: str) -> str | None:
    """ISO alpha-3 (World Bank spelling for Kosovo) of an alpha-2 code."""
    iso2 = iso2.upper()
    if iso2 in PREFERRED_ALPHA3:
        return PREFERRED_ALPHA3[iso2]
    country = pycountry.countries.get(alpha_2=iso2) if len(iso2) == 2 else None
    return country.alpha_3 if country else None


def country_name(iso2: str, locale: str | Locale = "en") -> str:
    """The country's name in a language, from Babel (the code itself if Babel has none)."""
    try:
        return Locale.parse(locale).territories.get(iso2.upper(), iso2.upper())
    except (UnknownLocaleError, ValueError):
        return iso2.upper()


def currency_name(code: str, locale: str | Locale = "en") -> str:
    """The currency's name in a language, from Babel."""
    try:
        return Locale.parse(locale).currencies.get(code.upper(), code.upper())
    except (UnknownLocaleError, ValueError):
        return code.upper()


def is_currency(code: str) -> bool:
    """Whether Babel knows this ISO 4217 code."""
    return code in _currency_codes()


@cache
def _currency_codes() -> frozenset[str]:
    return frozenset(code for code in Locale("en").currencies if len(code) == 3 and code.isupper())


def local_currency(iso2: str | None) -> str | None:
    """The currency in use in a territory today, per CLDR."""
    if not iso2:
        return None
    currencies = get_territory_currencies(iso2)
    return currencies[0] if currencies else None


@cache
def slugify(name: str) -> str:
    """A lowercase, hyphenated identifier: 'Western Union' -> 'western-union'."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "provider"


# --- upserts shared by the catalogue sync and the importers ----------------------------


def ensure_currency(session: Session, code: str) -> Currency:
    """The currency row for a code, created with Babel's minor units when missing."""
    currency = session.get(Currency, code)
    if currency is None:
        currency = Currency(code=code, minor_units=get_currency_precision(code))
        session.add(currency)
        session.flush()
    return currency


def ensure_country(session: Session, iso3: str, fallback_name: str | None = None) -> Country:
    """The country row for an alpha-3 code, created from Babel's data when missing."""
    country = session.get(Country, iso3)
    if country is None:
        iso2 = alpha2(iso3)
        currency = local_currency(iso2)
        if currency:
            ensure_currency(session, currency)
        name = country_name(iso2) if iso2 else (fallback_name or iso3)
        country = Country(iso3=iso3, iso2=iso2, name=name, currency_code=currency)
        session.add(country)
        session.flush()
    return country


# --- the data files ---------------------------------------------------------------------


@dataclass(frozen=True)
class CorridorEntry:
    source_iso2: str
    destination_iso2: str
    send_currency: str
    receive_currency: str


@dataclass(frozen=True)
class ProviderEntry:
    slug: str
    name: str
    firm_type: str
    website: str | None


def _read_toml(name: str) -> dict:
    return tomllib.loads(resources.files("remit").joinpath("data", name).read_text(encoding="utf-8"))


def load_corridor_entries(data: dict | None = None) -> list[CorridorEntry]:
    """Read and check corridors.toml (or the given parsed data)."""
    data = _read_toml("corridors.toml") if data is None else data
    entries = []
    for number, item in enumerate(data.get("corridor", []), start=1):
        where = f"corridor {number} ({item.get('from')}-{item.get('to')})"
        try:
            entry = CorridorEntry(item["from"].upper(), item["to"].upper(),
                                  item["send_currency"].upper(), item["receive_currency"].upper())
        except KeyError as missing:
            raise CatalogError(f"{where}: missing {missing}") from None
        for code in (entry.source_iso2, entry.destination_iso2):
            if alpha3(code) is None:
                raise CatalogError(f"{where}: unknown country code {code}")
        for code in (entry.send_currency, entry.receive_currency):
            if not is_currency(code):
                raise CatalogError(f"{where}: unknown currency code {code}")
        if entry.source_iso2 == entry.destination_iso2:
            raise CatalogError(f"{where}: a corridor joins two different countries")
        entries.append(entry)
    return entries


def load_provider_entries(data: dict | None = None) -> list[ProviderEntry]:
    """Read and check providers.toml (or the given parsed data)."""
    data = _read_toml("providers.toml") if data is None else data
    entries = []
    for number, item in enumerate(data.get("provider", []), start=1):
        where = f"provider {number} ({item.get('slug')})"
        try:
            entry = ProviderEntry(item["slug"], item["name"], item["firm_type"], item.get("website"))
        except KeyError as missing:
            raise CatalogError(f"{where}: missing {missing}") from None
        if entry.slug != slugify(entry.slug):
            raise CatalogError(f"{where}: slug must be lowercase letters, digits and hyphens")
        if entry.firm_type not in set(FirmType):
            raise CatalogError(f"{where}: unknown firm_type {entry.firm_type}")
        entries.append(entry)
    return entries


@dataclass
class SyncReport:
    """What a catalogue sync changed, per kind of row."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        target = self.created if created else self.updated
        target[kind] = target.get(kind, 0) + 1


def sync_catalog(session: Session) -> SyncReport:
    """Bring the database in line with the data files; running it twice changes nothing.

    Corridors and providers dropped from the files are kept (quotes refer to them) but
    marked as no longer in the catalogue.
    """
    report = SyncReport()
    wanted = set()
    for entry in load_corridor_entries():
        key = (alpha3(entry.source_iso2), alpha3(entry.destination_iso2))
        wanted.add(key)
        _sync_corridor(session, entry, key, report)
    for corridor in session.exec(select(Corridor).where(Corridor.in_catalog)):
        if (corridor.source_country, corridor.destination_country) not in wanted:
            corridor.in_catalog = False
            report.count("corridor", created=False)
    slugs = set()
    for entry in load_provider_entries():
        slugs.add(entry.slug)
        _sync_provider(session, entry, report)
    for provider in session.exec(select(Provider).where(Provider.in_catalog)):
        if provider.slug not in slugs:
            provider.in_catalog = False
            report.count("provider", created=False)
    session.flush()
    return report


def _sync_corridor(session: Session, entry: CorridorEntry, key: tuple[str, str],
                   report: SyncReport) -> None:
    for iso3 in key:
        if session.get(Country, iso3) is None:
            ensure_country(session, iso3)
            report.count("country", created=True)
    for code in (entry.send_currency, entry.receive_currency):
        ensure_currency(session, code)
    corridor = session.exec(select(Corridor).where(
        Corridor.source_country == key[0], Corridor.destination_country == key[1])).first()
    values = {"send_currency": entry.send_currency, "receive_currency": entry.receive_currency,
              "in_catalog": True}
    _upsert(session, corridor, lambda: Corridor(source_country=key[0], destination_country=key[1]),
            values, "corridor", report)


def _sync_provider(session: Session, entry: ProviderEntry, report: SyncReport) -> None:
    provider = session.exec(select(Provider).where(Provider.slug == entry.slug)).first()
    values = {"name": entry.name, "firm_type": entry.firm_type, "website": entry.website,
              "in_catalog": True}
    _upsert(session, provider, lambda: Provider(slug=entry.slug), values, "provider", report)


def _upsert(session: Session, row, make, values: dict, kind: str, report: SyncReport) -> None:
    """Create the row with ``values``, or bring an existing one in line; count what changed."""
    if row is None:
        row = make()
    elif all(getattr(row, name) == value for name, value in values.items()):
        return
    created = row.id is None
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    report.count(kind, created=created)
