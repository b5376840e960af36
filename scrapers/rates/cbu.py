"""Central Bank of Uzbekistan (cbu.uz): official rates of foreign currencies in UZS.

One GET per day, ``/en/arkhiv-kursov-valyut/json/all/YYYY-MM-DD/``, answers a JSON array of
about 75 currencies. Every value is a JSON string: ``Ccy`` is the ISO code, ``Rate`` the
rate in UZS for ``Nominal`` units (``"10"`` for IDR, IRR and VND, ``"1"`` otherwise) and
``Date`` (DD.MM.YYYY) the day the rate is in force, which is the date stored here rather
than the date asked for. The bank sets the rates on working days, in force from the date
it states; the array also carries SDR (XDR), which is kept as an ISO 4217 code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from scrapers.base import FormatError, RateObservation, Request, decimal_from, per_unit

NAME = "cbu"
HOME_CURRENCY = "UZS"
URL = "https://cbu.uz/en/arkhiv-kursov-valyut/json/all/{day}/"


def requests(day: date | None, settings: Mapping[str, str]) -> list[Request]:
    """The one GET for the rates in force on ``day`` (today in UTC when None)."""
    day = day or datetime.now(timezone.utc).date()
    return [Request("GET", URL.format(day=day.isoformat()))]


def parse(body: bytes, request: Request) -> list[RateObservation]:
    """One observation per currency in the array, per one unit of that currency."""
    return [_observation(row) for row in _rows(body)]


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
    for row in data:
        if not isinstance(row, dict):
            raise FormatError(f"{NAME}: an entry of the array is not an object: {row!r:.80}")
    return data


def _observation(row: dict[str, Any]) -> RateObservation:
    code = _code(_field(row, "Ccy"))
    rate = _decimal(_field(row, "Rate"), f"{NAME} {code} Rate")
    nominal = _decimal(_field(row, "Nominal"), f"{NAME} {code} Nominal")
    return RateObservation(
        source=NAME,
        base=code,
        quote=HOME_CURRENCY,
        rate=per_unit(rate, nominal, what=f"{NAME} {code}"),
        as_of=_date(_field(row, "Date"), code),
    )


def _field(row: dict[str, Any], name: str) -> Any:
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
    # Strings and parse_float Decimals both go through their text; bool is an int in Python.
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise FormatError(f"{what}: {value!r} is not a number")
    return decimal_from(str(value), what=what)


def _date(value: Any, code: str) -> date:
    try:
        return datetime.strptime(value, "%d.%m.%Y").date()
    except (TypeError, ValueError):
        raise FormatError(f"{NAME} {code} Date: {value!r} is not a DD.MM.YYYY date") from None
