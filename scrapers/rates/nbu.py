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

import json
from collections.abc import Mapping
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from scrapers.base import FormatError, RateObservation, Request, decimal_from, per_unit

NAME = "nbu"
HOME_CURRENCY = "UAH"
URL = ("https://bank.gov.ua/NBU_Exchange/exchange_site"
       "?end={end:%Y%m%d}&json=&order=asc&sort=exchangedate&start={start:%Y%m%d}")
# ISO 4217 codes of precious metals: priced per troy ounce, not currencies.
METALS = frozenset({"XAU", "XAG", "XPT", "XPD"})


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
    rows = _rows(body)
    return [_observation(row) for row in rows if _code(_field(row, "cc")) not in METALS]


def _rows(body: bytes) -> list[dict[str, Any]]:
    if not body.strip():
        raise FormatError(f"{NAME}: the response body is empty")
    try:
        data = json.loads(body, parse_float=Decimal)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
        raise FormatError(f"{NAME}: the response is not JSON ({exc}), "
                          f"it starts with {body[:60]!r}") from None
    if not isinstance(data, list) or not data:
        raise FormatError(f"{NAME}: expected a non-empty JSON array of rates, "
                          f"got {type(data).__name__}")
    return data


def _observation(row: dict[str, Any]) -> RateObservation:
    code = _code(_field(row, "cc"))
    rate = _decimal(_field(row, "rate"), f"{NAME} {code} rate")
    units = _decimal(_field(row, "units"), f"{NAME} {code} units")
    return RateObservation(
        source=NAME,
        base=code,
        quote=HOME_CURRENCY,
        rate=per_unit(rate, units, what=f"{NAME} {code}"),
        as_of=_date(_field(row, "exchangedate"), code),
    )


def _field(row: Any, name: str) -> Any:
    if not isinstance(row, dict):
        raise FormatError(f"{NAME}: an entry of the array is not an object: {row!r:.80}")
    try:
        return row[name]
    except KeyError:
        raise FormatError(f"{NAME}: an entry has no {name!r} field: {row!r:.120}") from None


def _code(value: Any) -> str:
    if not (isinstance(value, str) and len(value) == 3 and value.isascii()
            and value.isalpha() and value.isupper()):
        raise FormatError(f"{NAME}: {value!r} is not a three-letter currency code")
    return value


def _decimal(value: Any, what: str) -> Decimal:
    # JSON numbers arrive as parse_float Decimals (or int): go through their text, never float.
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise FormatError(f"{what}: {value!r} is not a number")
    return decimal_from(str(value), what=what)


def _date(value: Any, code: str) -> date:
    try:
        return datetime.strptime(value, "%d.%m.%Y").date()
    except (TypeError, ValueError):
        raise FormatError(f"{NAME} {code} exchangedate: {value!r} "
                          "is not a DD.MM.YYYY date") from None
