"""National Bank of Georgia (nbg.gov.ge): official rates of foreign currencies in GEL.

One GET per day, ``/gw/api/ct/monetarypolicy/currencies/?date=YYYY-MM-DD``, answers a JSON
array of days (one for a single date), each with ``currencies``: ``code``, ``rate`` (a JSON
number; ``rateFormated`` repeats it as text), ``quantity`` (how many units the rate is for:
1, 10, 100, 1000 or 10000, e.g. 100 RUB, 1000 AMD, 10000 IRR), ``date`` (when it was set)
and ``validFromDate``. The bank sets the rates each working day in the evening (``date``,
e.g. Friday 27 February 2026 17:01Z), valid from the next day, and a date without a new rate
answers the one still valid: asking for Monday 2 March 2026 gives the rates valid from
Saturday 28 February. The stored date is ``validFromDate``, the day the rate applies from.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any

from scrapers.base import FormatError, RateObservation, Request
from scrapers.formats import RateFields, json_array, json_field, json_rate

NAME = "nbg"
HOME_CURRENCY = "GEL"
URL = "https://nbg.gov.ge/gw/api/ct/monetarypolicy/currencies/?date={day}"
FIELDS = RateFields(code="code", rate="rate", units="quantity", day="validFromDate")


def requests(day: date | None, settings: Mapping[str, str]) -> list[Request]:
    """The one GET for the rates valid on ``day`` (today in UTC when None)."""
    day = day or datetime.now(timezone.utc).date()
    return [Request("GET", URL.format(day=day.isoformat()))]


def parse(body: bytes, request: Request) -> list[RateObservation]:
    """One observation per currency and day in the document, per one unit."""
    return [json_rate(entry, FIELDS, NAME, HOME_CURRENCY)
            for day in json_array(body, NAME, "days") for entry in _currencies(day)]


def _currencies(day: Any) -> list[Any]:
    """The non-empty ``currencies`` array of one day."""
    entries = json_field(day, "currencies", NAME, "a day")
    if not isinstance(entries, list) or not entries:
        raise FormatError(f"{NAME}: 'currencies' is not a non-empty array: {entries!r:.80}")
    return entries
