"""European Central Bank: the SDMX CSV request and its rows, 1 EUR = x foreign."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from scrapers.base import FormatError, RateObservation
from scrapers.rates import ecb

URL = "https://data-api.ecb.europa.eu/service/data/EXR/D..EUR.SP00.A"


@pytest.fixture
def csv_body(recordings) -> bytes:
    """The recorded CSV of 17 February to 18 March 2026."""
    return recordings.body("ecb/00.csv")


def parse(body: bytes) -> list[RateObservation]:
    return ecb.parse(body, ecb.range_requests(date(2026, 2, 17))[0])


def on(observations: list[RateObservation], day: date) -> dict[str, Decimal]:
    return {o.quote: o.rate for o in observations if o.as_of == day}


def test_range_request_is_the_recorded_one(recordings):
    entry = recordings.entry("ecb/00.csv")
    (request,) = ecb.range_requests(date(2026, 2, 17))
    assert request.method == entry["method"] == "GET"
    assert request.url == entry["url"]
    assert request.body is None and not request.headers


def test_day_request_starts_a_week_earlier():
    (request,) = ecb.requests(date(2026, 4, 7), {})  # Tuesday after Easter Monday
    assert request.url == f"{URL}?format=csvdata&startPeriod=2026-03-31"


def test_latest_request_counts_back_from_today_in_utc():
    (request,) = ecb.requests(None, {})
    start = datetime.now(UTC).date() - timedelta(days=7)
    assert request.url == f"{URL}?format=csvdata&startPeriod={start.isoformat()}"


def test_spot_values(csv_body):
    observations = parse(csv_body)
    assert len(observations) == 22 * 29
    assert all(isinstance(o.rate, Decimal) for o in observations)
    assert {(o.source, o.base) for o in observations} == {("ecb", "EUR")}
    days = sorted({o.as_of for o in observations})
    assert (days[0], days[-1], len(days)) == (date(2026, 2, 17), date(2026, 3, 18), 22)
    assert date(2026, 3, 14) not in days  # a Saturday
    last = on(observations, date(2026, 3, 18))
    assert last["USD"] == Decimal("1.15")  # sent without its trailing zeros
    assert last["GBP"] == Decimal("0.86393")
    assert last["JPY"] == Decimal("183.49")
    assert last["IDR"] == Decimal("19543.1")
    assert last["TRY"] == Decimal("50.8539")
    first = on(observations, date(2026, 2, 17))
    assert (first["USD"], first["JPY"]) == (Decimal("1.1826"), Decimal("181.06"))
    assert "RUB" not in last and "EUR" not in last


def test_unit_multiplier_column_when_present():
    body = (b"KEY,CURRENCY,TIME_PERIOD,OBS_VALUE,UNIT_MULT\n"
            b"EXR.D.IDR.EUR.SP00.A,IDR,2026-03-18,19.5431,3\n"
            b"EXR.D.USD.EUR.SP00.A,USD,2026-03-18,1.15,0\n")
    assert on(parse(body), date(2026, 3, 18)) == {"IDR": Decimal("19543.1"),
                                                   "USD": Decimal("1.15")}


def test_empty_value_rows_are_skipped(csv_body):
    body = csv_body.replace(b"D,USD,2026-03-18,1.15\n", b"D,USD,2026-03-18,\n")
    observations = parse(body)
    assert len(observations) == 22 * 29 - 1
    assert "USD" not in on(observations, date(2026, 3, 18))
    assert on(observations, date(2026, 3, 17))["USD"] == Decimal("1.1531")


def test_truncated_body(csv_body):
    with pytest.raises(FormatError, match="^ecb: CSV is empty or does not end with a newline"):
        parse(csv_body[: len(csv_body) // 2])


def test_truncated_mid_row_at_a_line_end():
    with pytest.raises(FormatError, match="^ecb: CSV line 3 has too few fields"):
        parse(b"FREQ,CURRENCY,TIME_PERIOD,OBS_VALUE\nD,USD,2026-03-18,1.15\nD,JPY\n")


def test_empty_body():
    with pytest.raises(FormatError, match="^ecb: CSV is empty"):
        parse(b"")


def test_renamed_headers(csv_body):
    renamed = csv_body.replace(b"OBS_VALUE", b"VALUE", 1)
    with pytest.raises(FormatError, match="^ecb: CSV header lacks OBS_VALUE$"):
        parse(renamed)


def test_error_page():
    page = b"<!DOCTYPE html>\n<html><body><h1>No results found</h1></body></html>\n"
    with pytest.raises(FormatError, match="^ecb: CSV header lacks CURRENCY, TIME_PERIOD"):
        parse(page)


def test_non_numeric_value(csv_body):
    broken = csv_body.replace(b"D,USD,2026-03-18,1.15\n", b"D,USD,2026-03-18,NaN\n")
    with pytest.raises(FormatError, match="ecb USD OBS_VALUE"):
        parse(broken)


def test_bad_date(csv_body):
    broken = csv_body.replace(b"D,USD,2026-03-18,", b"D,USD,2026-03,")
    with pytest.raises(FormatError, match="bad TIME_PERIOD"):
        parse(broken)


def test_duplicate_row(csv_body):
    row = b"D,USD,2026-03-18,1.15\n"
    with pytest.raises(FormatError, match="^ecb: USD listed twice for 2026-03-18"):
        parse(csv_body + row)


def test_not_utf8():
    with pytest.raises(FormatError, match="^ecb: body is not readable CSV"):
        parse(b"FREQ,CURRENCY,TIME_PERIOD,OBS_VALUE\nD,US\xff,2026-03-18,1.15\n")
