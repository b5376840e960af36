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

from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

from scrapers.base import FormatError, RateObservation, Request, per_unit
from scrapers.formats import json_decimal, json_document, json_field, parse_date

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
    """The ``items`` array of the response object: one item per calendar day."""
    items = json_field(json_document(body, NAME), "items", NAME, "the response")
    if not isinstance(items, list):
        raise FormatError(f"{NAME}: 'items' is not an array: {items!r:.80}")
    return items


def _day(item: Any) -> list[RateObservation]:
    """The mid rates of one day's item; none for a day without rates."""
    as_of = parse_date(json_field(item, "Tarih", NAME, "an item"), NAME, "Tarih", "%d-%m-%Y")
    observations = []
    for code in CURRENCIES:
        # EVDS sends strings, null on closed days; json_decimal reads their text, never float.
        buying = json_field(item, f"TP_DK_{code}_A_YTL", NAME, "an item")
        selling = json_field(item, f"TP_DK_{code}_S_YTL", NAME, "an item")
        if buying is None or selling is None:
            continue  # no rates announced that day
        what = f"{code} on {as_of}"
        mid = (json_decimal(buying, NAME, f"{what} buying")
               + json_decimal(selling, NAME, f"{what} selling")) / 2
        observations.append(RateObservation(
            source=NAME, base=code, quote=HOME_CURRENCY, as_of=as_of,
            rate=per_unit(mid, UNITS.get(code, 1), what=f"{NAME} {what}")))
    return observations
