"""nbg (Georgia): requests match the recordings, parse reads them per unit as Decimal."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from scrapers.base import FormatError
from scrapers.rates import nbg

# The day asked for, and the validFromDate the document answers with.
DAYS = {"nbg/00.json": (date(2026, 3, 2), date(2026, 2, 28)),
        "nbg/01.json": (date(2026, 3, 3), date(2026, 3, 3))}


@pytest.fixture
def recorded(recordings):
    """file -> (index entry, body) for every nbg recording; skips when they are absent."""
    mine = recordings.bodies("nbg")
    assert sorted(mine) == sorted(DAYS)
    return mine


def _parts(url):
    split = urlsplit(url)
    return split.scheme, split.netloc, split.path, parse_qs(split.query, keep_blank_values=True)


def _parse(name, body):
    return nbg.parse(body, nbg.requests(DAYS[name][0], {})[0])


def _rates(recorded, name):
    observations = _parse(name, recorded[name][1])
    rates = {o.base: o.rate for o in observations}
    assert len(rates) == len(observations), "one observation per currency"
    return rates


def test_requests_reproduce_the_recordings(recorded):
    for name, (entry, _) in recorded.items():
        [request] = nbg.requests(DAYS[name][0], {})
        assert request.method == entry["method"] == "GET"
        assert _parts(request.url) == _parts(entry["url"])
        assert request.url == entry["url"]


def test_requests_default_to_today_in_utc():
    [request] = nbg.requests(None, {})
    today = datetime.now(timezone.utc).date()
    assert _parts(request.url)[3] == {"date": [today.isoformat()]}


def test_module_constants():
    assert (nbg.NAME, nbg.HOME_CURRENCY) == ("nbg", "GEL")


def test_every_recording_parses_with_the_documents_date(recorded):
    for name, (_, body) in recorded.items():
        observations = _parse(name, body)
        assert len(observations) == 42
        # Asked for Monday 2 March, the document answers with the rates valid from 28 February.
        assert {o.as_of for o in observations} == {DAYS[name][1]}
        assert {(o.source, o.quote) for o in observations} == {("nbg", "GEL")}
        assert all(type(o.rate) is Decimal and o.rate > 0 for o in observations)


def test_spot_values(recorded):
    first = _rates(recorded, "nbg/00.json")
    assert first["USD"] == Decimal("2.6759")
    assert first["EUR"] == Decimal("3.1581")
    assert first["RUB"] == Decimal("0.034619")  # 3.4619 for quantity 100
    second = _rates(recorded, "nbg/01.json")
    assert second["USD"] == Decimal("2.6922")
    assert second["EUR"] == Decimal("3.1606")
    assert second["RUB"] == Decimal("0.034826")


def test_quantities_are_brought_to_one_unit(recorded):
    rates = _rates(recorded, "nbg/00.json")
    assert rates["JPY"] == Decimal("0.017157")  # 1.7157 per 100
    assert rates["AED"] == Decimal("0.72853")  # 7.2853 per 10
    assert rates["IRR"] == Decimal("0.00000204")  # 0.0204 per 10000
    assert rates["AMD"] == Decimal("0.007096")  # 7.0960 per 1000
    # SGD is the JSON number 2.1140 for quantity 1: a float would have dropped the zero.
    assert str(rates["SGD"]) == "2.1140"


def test_json_numbers_never_go_through_float(recorded):
    _, body = recorded["nbg/01.json"]
    precise = body.replace(b'"rate":2.6922,', b'"rate":2.69220000000000000000001,')
    assert precise != body
    rates = {o.base: o.rate for o in _parse("nbg/01.json", precise)}
    assert rates["USD"] == Decimal("2.69220000000000000000001")


def _html(body):
    return b"<html><head><title>503 Service Unavailable</title></head><body></body></html>"


BROKEN = {
    "truncated": lambda body: body[: len(body) // 2],
    "empty": lambda body: b"",
    "html error page": _html,
    "object instead of array": lambda body: b'{"message": "Internal server error"}',
    "empty array": lambda body: b"[]",
    "day without currencies": lambda body: b'[{"date": "2026-03-03T00:00:00.000Z"}]',
    "currencies not a list": lambda body: b'[{"currencies": {"USD": 2.69}}]',
    "renamed quantity": lambda body: body.replace(b'"quantity"', b'"amount"'),
    "missing rate": lambda body: body.replace(b'"rate":2.6922,', b""),
    "non-numeric rate": lambda body: body.replace(b'"rate":2.6922,', b'"rate":"abc",'),
    "null rate": lambda body: body.replace(b'"rate":2.6922,', b'"rate":null,'),
    "NaN rate": lambda body: body.replace(b'"rate":2.6922,', b'"rate":NaN,'),
    "boolean quantity": lambda body: body.replace(b'"quantity":1,', b'"quantity":true,', 1),
    "bad validFromDate": lambda body: body.replace(b'"validFromDate":"2026-03-03T',
                                                   b'"validFromDate":"03.03.2026T', 1),
}


@pytest.mark.parametrize("mutate", BROKEN.values(), ids=BROKEN.keys())
def test_broken_bodies_raise_format_error(recorded, mutate):
    _, body = recorded["nbg/01.json"]
    broken = mutate(body)
    assert broken != body
    with pytest.raises(FormatError) as caught:
        _parse("nbg/01.json", broken)
    message = str(caught.value)
    assert message.startswith("nbg") and "\n" not in message


def test_every_truncation_raises_format_error(recorded):
    _, body = recorded["nbg/00.json"]
    for cut in range(0, len(body) - 1, 211):
        with pytest.raises(FormatError):
            _parse("nbg/00.json", body[:cut])
