"""bam (Morocco): requests need the key and match the recordings; parse is per unit Decimal."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from scrapers.base import FormatError, NotConfigured
from scrapers.rates import bam

DAYS = {"bam/00.json": date(2026, 3, 25), "bam/01.json": date(2026, 3, 26)}
SETTINGS = {"BAM_API_KEY": "0123456789abcdef"}


@pytest.fixture
def recorded(recordings):
    """file -> (index entry, body) for every bam recording; skips when they are absent."""
    mine = recordings.bodies("bam")
    assert sorted(mine) == sorted(DAYS)
    return mine


def _parts(url):
    split = urlsplit(url)
    return split.scheme, split.netloc, split.path, parse_qs(split.query, keep_blank_values=True)


def _parse(name, body):
    return bam.parse(body, bam.requests(DAYS[name], SETTINGS)[0])


def _rates(recorded, name):
    observations = _parse(name, recorded[name][1])
    rates = {o.base: o.rate for o in observations}
    assert len(rates) == len(observations), "one observation per currency"
    return rates


def test_requests_reproduce_the_recordings(recorded):
    for name, (entry, _) in recorded.items():
        [request] = bam.requests(DAYS[name], SETTINGS)
        assert request.method == entry["method"] == "GET"
        assert _parts(request.url) == _parts(entry["url"])
        assert request.url == entry["url"]


def test_requests_send_the_key_as_the_subscription_header():
    [request] = bam.requests(date(2026, 3, 25), SETTINGS)
    assert dict(request.headers) == {"Ocp-Apim-Subscription-Key": "0123456789abcdef"}
    [latest] = bam.requests(None, SETTINGS)
    today = datetime.now(timezone.utc).date()
    assert _parts(latest.url)[3] == {"date": [f"{today}T12:30:00"]}


@pytest.mark.parametrize("settings", [{}, {"BAM_API_KEY": ""}, {"BAM_API_KEY": "  "},
                                      {"OTHER_KEY": "x"}])
def test_requests_without_a_key_raise_not_configured(settings):
    with pytest.raises(NotConfigured, match=r"^bam: set REMIT_BAM_API_KEY") as caught:
        bam.requests(date(2026, 3, 25), settings)
    assert "apihelpdesk.centralbankofmorocco.ma" in str(caught.value)


def test_module_constants():
    assert (bam.NAME, bam.HOME_CURRENCY) == ("bam", "MAD")


def test_every_recording_parses_with_the_documents_date(recorded):
    for name, (_, body) in recorded.items():
        observations = _parse(name, body)
        assert len(observations) == 30
        assert {o.as_of for o in observations} == {DAYS[name]}
        assert {(o.source, o.quote) for o in observations} == {("bam", "MAD")}
        assert all(type(o.rate) is Decimal and o.rate > 0 for o in observations)


def test_spot_values(recorded):
    first = _rates(recorded, "bam/00.json")
    assert first["USD"] == Decimal("9.3189")
    assert first["EUR"] == Decimal("10.8057")
    assert first["RUB"] == Decimal("0.1152")
    second = _rates(recorded, "bam/01.json")
    assert second["USD"] == Decimal("9.3261")
    assert second["EUR"] == Decimal("10.7729")
    assert second["RUB"] == Decimal("0.1134")


def test_unite_devise_is_brought_to_one_unit(recorded):
    rates = _rates(recorded, "bam/00.json")
    assert rates["JPY"] == Decimal("0.05862")  # 5.862 per 100
    assert rates["DZD"] == Decimal("0.07032")  # 0.7032 per 10
    assert rates["XOF"] == Decimal("0.016473")  # 1.6473 per 100
    assert _rates(recorded, "bam/01.json")["SEK"] == Decimal("0.99505")  # 99.505 per 100


def test_mro_is_stored_as_the_new_ouguiya(recorded):
    rates = _rates(recorded, "bam/00.json")
    assert "MRO" not in rates
    assert rates["MRU"] == Decimal("0.2355")  # 23.55 per 100: about 40 MRU per USD
    assert 39 < rates["USD"] / rates["MRU"] < 41


def test_repeated_entries_count_once_and_conflicts_are_errors(recorded):
    _, body = recorded["bam/01.json"]
    assert body.count(b'"libDevise":"EUR"') == 2
    assert _rates(recorded, "bam/01.json")["EUR"] == Decimal("10.7729")
    conflicting = body.replace(b'"moyen":10.7729', b'"moyen":10.7730', 1)
    with pytest.raises(FormatError, match="EUR .* twice"):
        _parse("bam/01.json", conflicting)


def test_json_numbers_never_go_through_float(recorded):
    _, body = recorded["bam/00.json"]
    precise = body.replace(b'"moyen":9.3189,', b'"moyen":9.31890000000000000000001,')
    assert precise != body
    rates = {o.base: o.rate for o in _parse("bam/00.json", precise)}
    assert rates["USD"] == Decimal("9.31890000000000000000001")


def _html(body):
    return (b"<!DOCTYPE html><html><body>"
            b"<h1>401 Access denied due to invalid subscription key</h1></body></html>")


BROKEN = {
    "truncated": lambda body: body[: len(body) // 2],
    "empty": lambda body: b"",
    "html error page": _html,
    "object instead of array": lambda body: (
        b'{"statusCode": 401, "message": "Access denied due to missing subscription key."}'),
    "empty array": lambda body: b"[]",
    "renamed moyen": lambda body: body.replace(b'"moyen"', b'"cours"'),
    "missing uniteDevise": lambda body: body.replace(b',"uniteDevise":1}', b"}", 1),
    "non-numeric moyen": lambda body: body.replace(b'"moyen":9.3189,', b'"moyen":"N/A",'),
    "null moyen": lambda body: body.replace(b'"moyen":9.3189,', b'"moyen":null,'),
    "list as moyen": lambda body: body.replace(b'"moyen":9.3189,', b'"moyen":[9.3189],'),
    "long code": lambda body: body.replace(b'"libDevise":"USD"', b'"libDevise":"US DOLLAR"'),
    "bad date": lambda body: body.replace(b'"2026-03-25T12:30:00"', b'"25/03/2026"', 1),
}


@pytest.mark.parametrize("mutate", BROKEN.values(), ids=BROKEN.keys())
def test_broken_bodies_raise_format_error(recorded, mutate):
    _, body = recorded["bam/00.json"]
    broken = mutate(body)
    assert broken != body
    with pytest.raises(FormatError) as caught:
        _parse("bam/00.json", broken)
    message = str(caught.value)
    assert message.startswith("bam") and "\n" not in message


def test_every_truncation_raises_format_error(recorded):
    _, body = recorded["bam/01.json"]
    for cut in range(0, len(body) - 1, 97):
        with pytest.raises(FormatError):
            _parse("bam/01.json", body[:cut])
