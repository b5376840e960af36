"""tcmb (Türkiye, EVDS): requests match the recording, parse gives mid rates per unit."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from scrapers.base import FormatError
from scrapers.rates import tcmb

START, END = date(2026, 3, 1), date(2026, 3, 22)
CLOSED = {1, 7, 8, 14, 15, 20, 21, 22}  # March 2026: weekends and Ramazan Bayramı (20th)


@pytest.fixture
def recorded(recordings):
    """(index entry, body) of the one tcmb recording; skips when it is absent."""
    [(file, recording)] = recordings.bodies("tcmb").items()
    assert file == "tcmb/00.json"
    return recording


@pytest.fixture
def rates(recorded):
    """(code, day) -> rate of the recording."""
    observations = _parse(recorded[1])
    found = {(o.base, o.as_of): o.rate for o in observations}
    assert len(found) == len(observations), "one observation per currency and day"
    return found


def _parse(body):
    return tcmb.parse(body, tcmb.range_requests(START, END)[0])


def _parts(url):
    """scheme, host, the path up to the EVDS segment, and that segment's parameters."""
    split = urlsplit(url)
    head, _, segment = split.path.rpartition("/")
    params = dict(pair.split("=", 1) for pair in segment.split("&"))
    return split.scheme, split.netloc, head, params, split.query


def test_range_requests_reproduce_the_recording(recorded):
    entry, _ = recorded
    [request] = tcmb.range_requests(START, END)
    assert request.method == entry["method"] == "GET"
    assert request.url == entry["url"]
    scheme, host, head, params, query = _parts(request.url)
    assert (scheme, host, head, query) == ("https", "evds3.tcmb.gov.tr", "/igmevdsms-dis", "")
    assert _parts(request.url) == _parts(entry["url"])
    assert params["startDate"] == "01-03-2026" and params["endDate"] == "22-03-2026"
    series = params["series"].split("-")
    assert len(series) == 42 and series[:2] == ["TP.DK.AED.A.YTL", "TP.DK.AED.S.YTL"]


def test_requests_cover_the_ten_days_up_to_the_day():
    [request] = tcmb.requests(date(2026, 3, 22), {})
    params = _parts(request.url)[3]
    assert (params["startDate"], params["endDate"]) == ("13-03-2026", "22-03-2026")
    assert params["type"] == "json" and params["frequency"] == "1"
    [latest] = tcmb.requests(None, {})
    today = datetime.now(timezone.utc).date()
    assert _parts(latest.url)[3]["endDate"] == today.strftime("%d-%m-%Y")


def test_a_range_must_not_run_backwards():
    with pytest.raises(ValueError):
        tcmb.range_requests(END, START)


def test_module_constants():
    assert (tcmb.NAME, tcmb.HOME_CURRENCY) == ("tcmb", "TRY")


def test_the_recording_parses_open_days_only(recorded):
    observations = _parse(recorded[1])
    open_days = {date(2026, 3, d) for d in range(1, 23) if d not in CLOSED}
    assert {o.as_of for o in observations} == open_days
    assert len(observations) == 21 * len(open_days)
    assert {(o.source, o.quote) for o in observations} == {("tcmb", "TRY")}
    assert all(type(o.rate) is Decimal and o.rate > 0 for o in observations)


def test_spot_values_are_mid_rates(rates):
    # (buying + selling) / 2, e.g. USD (43.80000000 + 43.87890000) / 2.
    assert rates["USD", date(2026, 3, 2)] == Decimal("43.83945")
    assert rates["EUR", date(2026, 3, 2)] == Decimal("51.74735")
    assert rates["RUB", date(2026, 3, 2)] == Decimal("0.568225")
    assert rates["USD", date(2026, 3, 19)] == Decimal("44.17225")
    assert rates["KRW", date(2026, 3, 2)] == Decimal("0.030445")  # per one won


def test_jpy_is_quoted_per_100_and_stored_per_one(rates):
    jpy = rates["JPY", date(2026, 3, 2)]
    assert jpy == Decimal("0.2809995")  # (28.0072 + 28.1927) / 2 / 100
    assert 150 < rates["USD", date(2026, 3, 2)] / jpy < 160


def test_rates_keep_the_published_text_never_a_float(rates):
    # The strings carry eight decimals; a float would have dropped the trailing zeros.
    assert str(rates["USD", date(2026, 3, 2)]) == "43.83945000"


def _edit(body, day_index, **values):
    data = json.loads(body)
    data["items"][day_index].update(values)
    return json.dumps(data).encode()


def test_a_day_with_only_one_side_is_skipped(recorded):
    observations = _parse(_edit(recorded[1], 1, TP_DK_USD_S_YTL=None))
    assert ("USD", date(2026, 3, 2)) not in {(o.base, o.as_of) for o in observations}
    assert ("EUR", date(2026, 3, 2)) in {(o.base, o.as_of) for o in observations}


def test_a_window_of_closed_days_gives_nothing(recorded):
    data = json.loads(recorded[1])
    data["items"] = [data["items"][i] for i in (19, 20, 21)]
    assert _parse(json.dumps(data).encode()) == []


def _html(body):
    return b"<html><head><title>Request Rejected</title></head><body>rejected</body></html>"


BROKEN = {
    "truncated": lambda body: body[: len(body) // 2],
    "empty": lambda body: b"",
    "html error page": _html,
    "array instead of object": lambda body: b"[]",
    "no items": lambda body: b'{"totalCount": 0}',
    "items not a list": lambda body: b'{"totalCount": 1, "items": {}}',
    "item not an object": lambda body: b'{"totalCount": 1, "items": ["02-03-2026"]}',
    "renamed series": lambda body: body.replace(b'"TP_DK_USD_S_YTL"', b'"TP_DK_USD_X_YTL"'),
    "missing Tarih": lambda body: body.replace(b'"Tarih":"02-03-2026",', b""),
    "null Tarih": lambda body: _edit(body, 1, Tarih=None),
    "non-numeric value": lambda body: _edit(body, 1, TP_DK_EUR_A_YTL="51,700.80"),
    "word as value": lambda body: _edit(body, 2, TP_DK_USD_A_YTL="yok"),
    "number as object": lambda body: _edit(body, 2, TP_DK_USD_A_YTL={"$numberDecimal": "1"}),
    "ISO date": lambda body: body.replace(b'"Tarih":"02-03-2026"', b'"Tarih":"2026-03-02"'),
}


@pytest.mark.parametrize("mutate", BROKEN.values(), ids=BROKEN.keys())
def test_broken_bodies_raise_format_error(recorded, mutate):
    _, body = recorded
    broken = mutate(body)
    assert broken != body
    with pytest.raises(FormatError) as caught:
        _parse(broken)
    message = str(caught.value)
    assert message.startswith("tcmb") and "\n" not in message


def test_every_truncation_raises_format_error(recorded):
    _, body = recorded
    for cut in range(0, len(body) - 1, 997):
        with pytest.raises(FormatError):
            _parse(body[:cut])
