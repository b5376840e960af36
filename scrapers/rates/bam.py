"""Bank Al-Maghrib (centralbankofmorocco.ma): reference transfer rates of currencies in MAD.

One GET per day to the bank's API, ``/cours/Version1/api/CoursVirement?date=YYYY-MM-DD
T12:30:00`` (a time of day is part of the date asked for; the answer echoes it), with a
free subscription key in the ``Ocp-Apim-Subscription-Key`` header; rates come on working days.
It answers a JSON array of objects with ``libDevise`` (the code), ``moyen`` (the mid rate,
a JSON number) for ``uniteDevise`` units (100 for JPY, NOK, SEK, DKK, XOF, MRO; 10 for
DZD) and ``date`` (ISO date and time, stored as its date). Two quirks: the array may list a
currency twice with the same rate (one copy is kept; differing copies are an error), and
the code ``MRO`` carries the rate of the new ouguiya (23.55 MAD per 100, i.e. about 40 per
USD, ten times the old MRO's worth), so it is stored as ``MRU``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from scrapers.base import (FormatError, NotConfigured, RateObservation, Request,
                           decimal_from, per_unit)

NAME = "bam"
HOME_CURRENCY = "MAD"
URL = ("https://api.centralbankofmorocco.ma/cours/Version1/api/CoursVirement"
       "?date={day}T12:30:00")
KEY_SETTING = "BAM_API_KEY"
KEY_HEADER = "Ocp-Apim-Subscription-Key"
# BAM kept the pre-2018 code while publishing the redenominated ouguiya's rate.
RENAMED = {"MRO": "MRU"}


def requests(day: date | None, settings: Mapping[str, str]) -> list[Request]:
    """The one GET for the rates of ``day`` (today in UTC when None), with the API key.

    Raises NotConfigured when ``settings`` has no BAM_API_KEY.
    """
    key = (settings.get(KEY_SETTING) or "").strip()
    if not key:
        raise NotConfigured(
            f"{NAME}: set REMIT_{KEY_SETTING} to a Bank Al-Maghrib API subscription key; "
            "it is free: sign up at https://apihelpdesk.centralbankofmorocco.ma/, subscribe "
            "to the exchange-market product ('Marché des changes') and copy its primary key")
    day = day or datetime.now(timezone.utc).date()
    return [Request("GET", URL.format(day=day.isoformat()), headers={KEY_HEADER: key})]


def parse(body: bytes, request: Request) -> list[RateObservation]:
    """One observation per currency and date, per one unit; repeated entries once."""
    found: dict[tuple[str, date], RateObservation] = {}
    for row in _rows(body):
        observation = _observation(row)
        key = (observation.base, observation.as_of)
        if key in found and found[key].rate != observation.rate:
            raise FormatError(f"{NAME}: {observation.base} on {observation.as_of} is listed "
                              f"twice, at {found[key].rate} and {observation.rate}")
        found.setdefault(key, observation)
    return list(found.values())


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


def _observation(row: Any) -> RateObservation:
    code = _code(_field(row, "libDevise"))
    rate = _decimal(_field(row, "moyen"), f"{NAME} {code} moyen")
    units = _decimal(_field(row, "uniteDevise"), f"{NAME} {code} uniteDevise")
    return RateObservation(
        source=NAME,
        base=RENAMED.get(code, code),
        quote=HOME_CURRENCY,
        rate=per_unit(rate, units, what=f"{NAME} {code}"),
        as_of=_date(_field(row, "date"), code),
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
        return datetime.fromisoformat(value).date()
    except (TypeError, ValueError):
        raise FormatError(f"{NAME} {code} date: {value!r} is not an ISO date") from None
