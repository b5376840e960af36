"""Central Bank of Tunisia: the archive form POST, the interbank table of the HTML page."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from scrapers.base import FormatError, RateObservation, Request
from scrapers.rates import bct

RECORDED_DAY = date(2026, 5, 18)


@pytest.fixture
def page(recordings) -> bytes:
    """The recorded archive page of 18 May 2026."""
    return recordings.body("bct/00.html")


def parse(body: bytes, day: date = RECORDED_DAY) -> list[RateObservation]:
    return bct.parse(body, bct.requests(day, {})[0])


def rates(observations: list[RateObservation]) -> dict[str, Decimal]:
    return {o.base: o.rate for o in observations}


def lowered(headers) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def test_request_is_the_recorded_one(recordings):
    entry = recordings.entry("bct/00.html")
    (request,) = bct.requests(RECORDED_DAY, {})
    assert request.method == entry["method"] == "POST"
    assert request.url == entry["url"]
    assert request.body == entry["request_body"].encode("ascii") == b"input=2026-05-18&langue=_AN"
    assert lowered(request.headers) == lowered(entry["request_headers"])


def test_latest_request_asks_for_today_in_utc():
    (request,) = bct.requests(None, {})
    today = datetime.now(UTC).date()
    assert request.body == f"input={today.isoformat()}&langue=_AN".encode("ascii")


def test_spot_values_of_the_interbank_table(page):
    observations = parse(page)
    assert len(observations) == 20
    assert all(isinstance(o.rate, Decimal) for o in observations)
    assert {(o.source, o.quote, o.as_of) for o in observations} == {("bct", "TND", RECORDED_DAY)}
    found = rates(observations)
    assert found["USD"] == Decimal("2.9034")  # the banknote table says 2,917
    assert found["EUR"] == Decimal("3.3965")
    assert found["KWD"] == Decimal("9.5218")
    # Quoted per 1000 JPY, 100 DKK, 100 NOK, 10 DZD, 10 CHF; stored per one unit.
    assert found["JPY"] == Decimal("0.0184093")
    assert found["DKK"] == Decimal("0.45554")
    assert found["NOK"] == Decimal("0.315196")
    assert found["DZD"] == Decimal("0.02198")
    assert found["CHF"] == Decimal("3.72352")
    assert "DZD" in found and "MRU" in found  # only in the interbank table


def test_table_found_by_headers_and_heading_not_position(page):
    first, second = page.split(b"<!-- 2eme module!-->")
    swapped = second + first  # the banknote table now comes first
    assert rates(parse(swapped)) == rates(parse(page))


def test_page_date_wins_over_the_requested_day(page):
    observations = parse(page, day=date(2026, 5, 19))
    assert {o.as_of for o in observations} == {RECORDED_DAY}


def test_requested_day_when_the_page_states_none(page):
    undated = page.replace(b"18/05/2026", b"")
    observations = parse(undated, day=date(2026, 5, 19))
    assert {o.as_of for o in observations} == {date(2026, 5, 19)}


def test_truncated_page(page):
    with pytest.raises(FormatError, match="^bct: the rates table is cut off"):
        parse(page[: page.index(b"EURO")])


def test_empty_body():
    with pytest.raises(FormatError, match="^bct: expected one interbank rates table, found 0"):
        parse(b"")


def test_page_without_rates_table():
    notice = ("<html><body><h3>Cours Moyens des Devises</h3>"
              "<p>Aucune donnée disponible pour cette date</p></body></html>").encode()
    with pytest.raises(FormatError, match="^bct: expected one interbank rates table, found 0"):
        parse(notice)


def test_renamed_header(page):
    renamed = page.replace(b"Valeur", b"Cours", 1)
    with pytest.raises(FormatError, match="found 0"):
        parse(renamed)


def test_non_numeric_value(page):
    broken = page.replace(b"  2,9034", b"  N/D")
    with pytest.raises(FormatError, match="bct USD Valeur"):
        parse(broken)


def test_zero_unit(page):
    broken = page.replace(b"<div align='right'>1000</div>", b"<div align='right'>0</div>", 1)
    with pytest.raises(FormatError, match="bct JPY Unit"):
        parse(broken)


def test_row_with_missing_cell(page):
    broken = page.replace(b"<td scope='col'>USD</td>", b"", 1)
    with pytest.raises(FormatError, match="^bct: "):
        parse(broken)


def test_undated_page_and_request_without_day(page):
    undated = page.replace(b"18/05/2026", b"")
    with pytest.raises(FormatError, match="^bct: the page states no date, the request no input day"):
        bct.parse(undated, Request("POST", bct.URL, body=b"langue=_AN"))
