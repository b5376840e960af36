"""Central Bank of Uzbekistan (cbu.uz): official rates of foreign currencies in UZS.

One GET per day, ``/en/arkhiv-kursov-valyut/json/all/YYYY-MM-DD/``, answers a JSON array of
about 75 currencies. Every value is a JSON string: ``Ccy`` is the ISO code, ``Rate`` the
rate in UZS for ``Nominal`` units (``"10"`` for IDR, IRR and VND, ``"1"`` otherwise) and
``Date`` (DD.MM.YYYY) the day the rate is in force, which is the date stored here rather
than the date asked for. The bank sets the rates on working days, in force from the date
it states; the array also carries SDR (XDR), which is kept as an ISO 4217 code.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timezone

from scrapers.base import RateObservation, Request
from scrapers.formats import RateFields, json_array, json_rate

NAME = "cbu"
HOME_CURRENCY = "UZS"
URL = "https://cbu.uz/en/arkhiv-kursov-valyut/json/all/{day}/"
FIELDS = RateFields(code="Ccy", rate="Rate", units="Nominal", day="Date", date_format="%d.%m.%Y")


def requests(day: date | None, settings: Mapping[str, str]) -> list[Request]:
    """The one GET for the rates in force on ``day`` (today in UTC when None)."""
    day = day or datetime.now(timezone.utc).date()
    return [Request("GET", URL.format(day=day.isoformat()))]


def parse(body: bytes, request: Request) -> list[RateObservation]:
    """One observation per currency in the array, per one unit of that currency."""
    return [json_rate(entry, FIELDS, NAME, HOME_CURRENCY)
            for entry in json_array(body, NAME, "rates")]
