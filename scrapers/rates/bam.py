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

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, timezone

from scrapers.base import FormatError, NotConfigured, RateObservation, Request
from scrapers.formats import RateFields, json_array, json_rate

NAME = "bam"
HOME_CURRENCY = "MAD"
URL = ("https://api.centralbankofmorocco.ma/cours/Version1/api/CoursVirement"
       "?date={day}T12:30:00")
KEY_SETTING = "BAM_API_KEY"
KEY_HEADER = "Ocp-Apim-Subscription-Key"
# BAM kept the pre-2018 code while publishing the redenominated ouguiya's rate.
RENAMED = {"MRO": "MRU"}
FIELDS = RateFields(code="libDevise", rate="moyen", units="uniteDevise", day="date")


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
    for entry in json_array(body, NAME, "rates"):
        observation = json_rate(entry, FIELDS, NAME, HOME_CURRENCY)
        observation = replace(observation, base=RENAMED.get(observation.base, observation.base))
        key = (observation.base, observation.as_of)
        if key in found and found[key].rate != observation.rate:
            raise FormatError(f"{NAME}: {observation.base} on {observation.as_of} is listed "
                              f"twice, at {found[key].rate} and {observation.rate}")
        found.setdefault(key, observation)
    return list(found.values())
