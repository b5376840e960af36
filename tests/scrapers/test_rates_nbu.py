"""nbu (Ukraine): requests match the recording, parse reads a range per unit as Decimal."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from scrapers.base import FormatError
from scrapers.rates import nbu

START, END = date(2026, 3, 1), date(2026, 3, 16)


@pytest.fixture
def recorded(recordings):
    """(index entry, body) of the one nbu recording; skips when it is absent."""
    [(file, recording)] = recordings.bodies("nbu").items()
    assert file == "nbu/00.json"
    return recording


@pytest.fixture
def rates(recorded):
    """(code, day) -> rate of the recording."""
    observations = _parse(recorded[1])
    found = {(o.base, o.as_of): o.rate for o in observations}
    assert len(found) == len(observations), "one observation per currency and day"
    return found


def _parts(url):
    split = urlsplit(url)
    return split.scheme, split.netloc, split.path, parse_qs(split.query, keep_blank_values=True)


def _parse(body):
    return nbu.parse(body, nbu.range_requests(START, END)[0])


def test_range_requests_reproduce_the_recording(recorded):
    entry, _ = recorded
    [request] = nbu.range_requests(START, END)
    assert request.method == entry["method"] == "GET"
    assert _parts(request.url) == _parts(entry["url"])
    assert _parts(request.url)[3]["json"] == [""]  # the empty json= is kept
    assert request.url == entry["url"]


def test_requests_ask_for_one_day():
    [request] = nbu.requests(date(2026, 3, 9), {})
    query = _parts(request.url)[3]
    assert query == {"start": ["20260309"], "end": ["20260309"], "json": [""],
                     "order": ["asc"], "sort": ["exchangedate"]}
    [latest] = nbu.requests(None, {})
    today = datetime.now(timezone.utc).date().strftime("%Y%m%d")
    assert _parts(latest.url)[3]["start"] == _parts(latest.url)[3]["end"] == [today]


def test_a_range_must_not_run_backwards():
    with pytest.raises(ValueError):
        nbu.range_requests(END, START)


def test_module_constants():
    assert (nbu.NAME, nbu.HOME_CURRENCY) == ("nbu", "UAH")


def test_the_recording_parses_every_day_without_metals(recorded):
    observations = _parse(recorded[1])
    days = {START + timedelta(days=n) for n in range(16)}
    assert {o.as_of for o in observations} == days
    codes = {o.base for o in observations}
    assert len(codes) == 41 and len(observations) == 41 * 16
    assert not codes & {"XAU", "XAG", "XPT", "XPD"}
    assert "XDR" in codes and "RUB" not in codes
    assert {(o.source, o.quote) for o in observations} == {("nbu", "UAH")}
    assert all(type(o.rate) is Decimal and o.rate > 0 for o in observations)


def test_spot_values(rates):
    assert rates["USD", date(2026, 3, 1)] == Decimal("43.2081")
    assert rates["EUR", date(2026, 3, 1)] == Decimal("51.0244")
    assert rates["XDR", date(2026, 3, 1)] == Decimal("59.4533")
    assert rates["USD", date(2026, 3, 16)] == Decimal("44.1381")
    assert rates["EUR", date(2026, 3, 16)] == Decimal("50.6661")


def test_units_are_brought_to_one_unit(rates):
    assert rates["VND", date(2026, 3, 1)] == Decimal("0.0016565")  # 1.6565 per 1000
    assert rates["KZT", date(2026, 3, 2)] == Decimal("0.086533")  # 8.6533 per 100
    assert rates["JPY", date(2026, 3, 2)] == Decimal("0.27646")  # 2.7646 per 10
    assert rates["THB", date(2026, 3, 1)] == Decimal("1.39116")  # 13.9116 per 10


def test_json_numbers_never_go_through_float(recorded):
    _, body = recorded
    precise = body.replace(b'"rate":43.2081,', b'"rate":43.20810000000000000000001,', 1)
    assert precise != body
    found = {(o.base, o.as_of): o.rate for o in _parse(precise)}
    assert found["USD", date(2026, 3, 1)] == Decimal("43.20810000000000000000001")


def _html(body):
    return b"<!DOCTYPE html><html><body><h1>Service Unavailable</h1></body></html>"


BROKEN = {
    "truncated": lambda body: body[: len(body) // 2],
    "empty": lambda body: b"",
    "html error page": _html,
    "object instead of array": lambda body: b'{"error": "bad date"}',
    "empty array": lambda body: b"[]",
    "array of strings": lambda body: b'["USD"]',
    "renamed units": lambda body: body.replace(b'"units"', b'"amount"'),
    "missing cc": lambda body: body.replace(b'"cc":"USD",', b"", 1),
    "missing rate": lambda body: body.replace(b'"rate":43.2081,', b"", 1),
    "non-numeric rate": lambda body: body.replace(b'"rate":43.2081,', b'"rate":"-",', 1),
    "null rate": lambda body: body.replace(b'"rate":43.2081,', b'"rate":null,', 1),
    "zero units": lambda body: body.replace(b'"units":1,', b'"units":0,', 1),
    "bad exchangedate": lambda body: body.replace(b'"01.03.2026"', b'"2026-03-01"', 1),
}


@pytest.mark.parametrize("mutate", BROKEN.values(), ids=BROKEN.keys())
def test_broken_bodies_raise_format_error(recorded, mutate):
    _, body = recorded
    broken = mutate(body)
    assert broken != body
    with pytest.raises(FormatError) as caught:
        _parse(broken)
    message = str(caught.value)
    assert message.startswith("nbu") and "\n" not in message


def test_every_truncation_raises_format_error(recorded):
    _, body = recorded
    for cut in range(0, len(body) - 1, 4999):
        with pytest.raises(FormatError):
            _parse(body[:cut])
