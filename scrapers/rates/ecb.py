"""European Central Bank (ECB): the euro foreign exchange reference rates, SDMX CSV.

The data API (``data-api.ecb.europa.eu``, dataset EXR, key ``D..EUR.SP00.A``: daily spot
rates of every currency against the euro) answers ``format=csvdata`` with one row per
currency and day; only the columns it sends are trusted, read by header name (the
recording has just FREQ, CURRENCY, TIME_PERIOD, OBS_VALUE; the full SDMX layout adds many
more, among them UNIT_MULT, a power of ten that is applied when present). Unlike most
central banks the ECB quotes the euro itself, "1 EUR = 1.15 USD", so the base is EUR and
the quote the foreign currency. Values have a decimal point and lose trailing zeros
(1.1500 is sent as 1.15); a row without OBS_VALUE is a day without a rate and is skipped.
The rates are set at about 14:10 CET and published around 16:00 CET on TARGET business
days only: no rows for weekends, 1 January, Good Friday, Easter Monday, 1 May, 25 and 26
December.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone

from scrapers.base import FormatError, RateObservation, Request, decimal_from
from scrapers.formats import check_new, currency_code

NAME = "ecb"
HOME_CURRENCY = "EUR"

URL = "https://data-api.ecb.europa.eu/service/data/EXR/D..EUR.SP00.A"
# Enough to reach back over the longest TARGET closure (Easter: Thursday to Tuesday) plus
# a morning before publication, so that any day has a previous fixing in the answer.
LOOKBACK = timedelta(days=7)
REQUIRED = ("CURRENCY", "TIME_PERIOD", "OBS_VALUE")


def range_requests(start: date) -> list[Request]:
    """Every daily rate from ``start`` to the latest published."""
    return [Request("GET", f"{URL}?format=csvdata&startPeriod={start.isoformat()}")]


def requests(day: date | None, settings: Mapping[str, str]) -> list[Request]:
    """Rates from a week before ``day`` (today in UTC when None) onwards."""
    day = day or datetime.now(timezone.utc).date()
    return range_requests(day - LOOKBACK)


def parse(body: bytes, request: Request) -> list[RateObservation]:
    """One observation per currency and TIME_PERIOD; rows without a value are skipped."""
    # A response cut short could end inside a number and still parse: the API ends every
    # answer with a newline, so its absence is the tell.
    if not body.endswith(b"\n"):
        raise FormatError("ecb: CSV is empty or does not end with a newline (truncated?)")
    try:
        reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline=""))
        missing = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
        if missing:
            raise FormatError(f"ecb: CSV header lacks {', '.join(missing)}")
        found: dict[tuple[str, date], RateObservation] = {}
        for row in reader:
            observation = _observation(row, reader.line_num)
            if observation is None:
                continue
            key = (observation.quote, observation.as_of)
            check_new(found, key, NAME, what=observation.quote, where=f"for {observation.as_of}")
            found[key] = observation
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FormatError(f"ecb: body is not readable CSV ({exc})") from None
    return list(found.values())


def _observation(row: dict[str, str | None], line: int) -> RateObservation | None:
    """The row's rate for one euro, or None for a day the ECB left empty."""
    if any(row.get(name) is None for name in REQUIRED):
        raise FormatError(f"ecb: CSV line {line} has too few fields")
    code = currency_code(row["CURRENCY"].strip(), NAME, f"line {line}: CURRENCY")
    if not row["OBS_VALUE"].strip():
        return None
    value = decimal_from(row["OBS_VALUE"], what=f"ecb {code} OBS_VALUE line {line}")
    try:
        as_of = date.fromisoformat(row["TIME_PERIOD"].strip())
        exponent = int((row.get("UNIT_MULT") or "0").strip())
    except ValueError:
        raise FormatError(f"ecb: line {line}: bad TIME_PERIOD or UNIT_MULT") from None
    return RateObservation(NAME, HOME_CURRENCY, code, value.scaleb(exponent), as_of)
