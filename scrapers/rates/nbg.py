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

import json
from collections.abc import Mapping
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from scrapers.base import FormatError, RateObservation, Request, decimal_from, per_unit

NAME = "nbg"
HOME_CURRENCY = "GEL"
URL = "https://nbg.gov.ge/gw/api/ct/monetarypolicy/currencies/?date={day}"


def requests(day: date | None, settings: Mapping[str, str]) -> list[Request]:
    """The one GET for the rates valid on ``day`` (today in UTC when None)."""
    day = day or datetime.now(timezone.utc).date()
    return [Request("GET", URL.format(day=day.isoformat()))]


def parse(body: bytes, request: Request) -> list[RateObservation]:
    """One observation per currency and day in the document, per one unit."""
    return [_observation(row) for day in _days(body) for row in _currencies(day)]


def _days(body: bytes) -> list[dict[str, Any]]:
    if not body.strip():
        raise FormatError(f"{NAME}: the response body is empty")
    try:
        data = json.loads(body, parse_float=Decimal)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
        raise FormatError(f"{NAME}: the response is not JSON ({exc}), "
                          f"it starts with {body[:60]!r}") from None
    if not isinstance(data, list) or not data:
        raise FormatError(f"{NAME}: expected a non-empty JSON array of days, "
                          f"got {type(data).__name__}")
    return data


def _currencies(day: Any) -> list[dict[str, Any]]:
    rows = _field(day, "currencies")
    if not isinstance(rows, list) or not rows:
        raise FormatError(f"{NAME}: 'currencies' is not a non-empty array: {rows!r:.80}")
    return rows


def _observation(row: Any) -> RateObservation:
    code = _code(_field(row, "code"))
    rate = _decimal(_field(row, "rate"), f"{NAME} {code} rate")
    quantity = _decimal(_field(row, "quantity"), f"{NAME} {code} quantity")
    return RateObservation(
        source=NAME,
        base=code,
        quote=HOME_CURRENCY,
        rate=per_unit(rate, quantity, what=f"{NAME} {code}"),
        as_of=_date(_field(row, "validFromDate"), code),
    )


def _field(row: Any, name: str) -> Any:
    if not isinstance(row, dict):
        raise FormatError(f"{NAME}: expected an object with {name!r}, got {row!r:.80}")
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
        return datetime.fromisoformat(value).date()
    except (TypeError, ValueError):
        raise FormatError(f"{NAME} {code} validFromDate: {value!r} is not an ISO date") from None
