"""Central Bank of the Republic of Türkiye, EVDS (evds3.tcmb.gov.tr): indicative rates in TRY.

One GET per date range to the EVDS data service, whose "query" is a single path segment:
``series=TP.DK.USD.A.YTL-TP.DK.USD.S.YTL-...&startDate=DD-MM-YYYY&endDate=DD-MM-YYYY&
type=json&frequency=1``, the forex buying (``A``) and selling (``S``) series of a fixed
list of currencies. The answer is ``{"totalCount": n, "items": [...]}`` with one item per
calendar day: ``Tarih`` (DD-MM-YYYY, the day the bank announced the rates, stored here),
the values as strings under the series names with ``_`` for ``.`` (``TP_DK_USD_A_YTL``),
``null`` on weekends and holidays (e.g. 20 March 2026, Ramazan Bayramı), which are skipped.
The stored rate is the mid rate, (buying + selling) / 2, because a reference rate is a
mid-market rate: buying and selling are the bank's spread around it, and mid is what the
other banks publish. JPY is quoted per 100 yen (28.10 TRY when USD is 43.84: 156 JPY per
USD), every other listed currency per one unit (KRW 0.0304, KZT 0.0880, RUB 0.568, all
plausible against USD), so JPY is divided by 100. The bank announces the rates at 15:30
on working days; ``requests`` asks for the ten days up to the date so that even a
nine-day bayram closure still yields the latest published rates.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from scrapers.base import FormatError, RateObservation, Request, decimal_from, per_unit

NAME = "tcmb"
HOME_CURRENCY = "TRY"
CURRENCIES = ("AED", "AUD", "AZN", "CAD", "CHF", "CNY", "DKK", "EUR", "GBP", "JPY", "KRW",
              "KWD", "KZT", "NOK", "PKR", "QAR", "RON", "RUB", "SAR", "SEK", "USD")
UNITS = {"JPY": 100}
WINDOW = timedelta(days=9)  # the day asked for and the nine before it
SERIES = "-".join(f"TP.DK.{code}.{side}.YTL" for code in CURRENCIES for side in "AS")
URL = ("https://evds3.tcmb.gov.tr/igmevdsms-dis/series=" + SERIES
       + "&startDate={start:%d-%m-%Y}&endDate={end:%d-%m-%Y}&type=json&frequency=1")


def requests(day: date | None, settings: Mapping[str, str]) -> list[Request]:
    """The one GET for the ten days up to ``day`` (today in UTC when None)."""
    day = day or datetime.now(timezone.utc).date()
    return range_requests(day - WINDOW, day)


def range_requests(start: date, end: date) -> list[Request]:
    """The one GET for every day from ``start`` to ``end``, both included."""
    if start > end:
        raise ValueError(f"{NAME}: start {start} is after end {end}")
    return [Request("GET", URL.format(start=start, end=end))]


def parse(body: bytes, request: Request) -> list[RateObservation]:
    """Mid rates per one unit, for each currency and day with both buying and selling."""
    return [observation for item in _items(body) for observation in _day(item)]


def _items(body: bytes) -> list[Any]:
    if not body.strip():
        raise FormatError(f"{NAME}: the response body is empty")
    try:
        data = json.loads(body, parse_float=Decimal)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
        raise FormatError(f"{NAME}: the response is not JSON ({exc}), "
                          f"it starts with {body[:60]!r}") from None
    items = _field(data, "items")
    if not isinstance(items, list):
        raise FormatError(f"{NAME}: 'items' is not an array: {items!r:.80}")
    return items


def _day(item: Any) -> list[RateObservation]:
    as_of = _date(_field(item, "Tarih"))
    observations = []
    for code in CURRENCIES:
        buying = _field(item, f"TP_DK_{code}_A_YTL")
        selling = _field(item, f"TP_DK_{code}_S_YTL")
        if buying is None or selling is None:
            continue  # no rates announced that day
        what = f"{NAME} {code} on {as_of}"
        mid = (_decimal(buying, f"{what} buying") + _decimal(selling, f"{what} selling")) / 2
        observations.append(RateObservation(
            source=NAME, base=code, quote=HOME_CURRENCY, as_of=as_of,
            rate=per_unit(mid, UNITS.get(code, 1), what=what)))
    return observations


def _field(item: Any, name: str) -> Any:
    if not isinstance(item, dict):
        raise FormatError(f"{NAME}: expected an object with {name!r}, got {item!r:.80}")
    try:
        return item[name]
    except KeyError:
        raise FormatError(f"{NAME}: an item has no {name!r} field: {item!r:.120}") from None


def _decimal(value: Any, what: str) -> Decimal:
    # EVDS sends strings; numbers would be parse_float Decimals: text either way, never float.
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise FormatError(f"{what}: {value!r} is not a number")
    return decimal_from(str(value), what=what)


def _date(value: Any) -> date:
    try:
        return datetime.strptime(value, "%d-%m-%Y").date()
    except (TypeError, ValueError):
        raise FormatError(f"{NAME}: Tarih {value!r} is not a DD-MM-YYYY date") from None
