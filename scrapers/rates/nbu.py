"""National Bank of Ukraine (bank.gov.ua): official rates of foreign currencies in UAH.

One GET per date range, ``/NBU_Exchange/exchange_site?end=YYYYMMDD&json=&order=asc&
sort=exchangedate&start=YYYYMMDD`` (the empty ``json=`` asks for JSON), answers a flat JSON
array with one object per currency and calendar day: ``cc`` (ISO code), ``rate`` for
``units`` units (1, 10, 100 or 1000, e.g. 100 KZT, 1000 VND; ``rate_per_unit`` repeats the
division), ``exchangedate`` (DD.MM.YYYY, the day the rate is official, stored here) and
``calcdate`` (the earlier working day it was set on). Every calendar day has its rates,
weekends and holidays repeating the last ones. The array mixes in precious metals (group
3: XAU, XAG, XPT, XPD, per troy ounce), which are skipped as they are not money anyone
remits; SDR (XDR) is kept. There is no RUB. The bank sets the rates every working day.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any

from scrapers.base import RateObservation, Request
from scrapers.formats import RateFields, currency_code, json_array, json_field, json_rate

NAME = "nbu"
HOME_CURRENCY = "UAH"
URL = ("https://bank.gov.ua/NBU_Exchange/exchange_site"
       "?end={end:%Y%m%d}&json=&order=asc&sort=exchangedate&start={start:%Y%m%d}")
# ISO 4217 codes of precious metals: priced per troy ounce, not currencies.
METALS = frozenset({"XAU", "XAG", "XPT", "XPD"})
FIELDS = RateFields(code="cc", rate="rate", units="units", day="exchangedate",
                    date_format="%d.%m.%Y")


def requests(day: date | None, settings: Mapping[str, str]) -> list[Request]:
    """The one GET for the rates official on ``day`` (today in UTC when None)."""
    day = day or datetime.now(timezone.utc).date()
    return range_requests(day, day)


def range_requests(start: date, end: date) -> list[Request]:
    """The one GET for every day from ``start`` to ``end``, both included."""
    if start > end:
        raise ValueError(f"{NAME}: start {start} is after end {end}")
    return [Request("GET", URL.format(start=start, end=end))]


def parse(body: bytes, request: Request) -> list[RateObservation]:
    """One observation per currency and day, per one unit; metals are left out."""
    return [json_rate(entry, FIELDS, NAME, HOME_CURRENCY)
            for entry in json_array(body, NAME, "rates") if not _is_metal(entry)]


def _is_metal(entry: Any) -> bool:
    """Whether the entry is for a precious metal; its code is checked either way."""
    code = json_field(entry, FIELDS.code, NAME, "an entry")
    return currency_code(code, NAME, FIELDS.code) in METALS
