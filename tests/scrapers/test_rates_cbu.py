"""cbu (Uzbekistan): requests match the recordings, parse reads them per unit as Decimal."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from scrapers.base import FormatError
from scrapers.rates import cbu

DAYS = {"cbu/00.json": date(2026, 4, 1), "cbu/01.json": date(2026, 4, 2)}


@pytest.fixture
def recorded(recordings):
    """file -> (index entry, body) for every cbu recording; skips when they are absent."""
    mine = recordings.bodies("cbu")
    assert sorted(mine) == sorted(DAYS)
    return mine


def _parts(url):
    split = urlsplit(url)
    return split.scheme, split.netloc, split.path, parse_qs(split.query, keep_blank_values=True)


def _by_code(recorded, name):
    entry, body = recorded[name]
    observations = cbu.parse(body, cbu.requests(DAYS[name], {})[0])
    by_code = {o.base: o for o in observations}
    assert len(by_code) == len(observations), "one observation per currency"
    return by_code


def test_requests_reproduce_the_recordings(recorded):
    for name, (entry, _) in recorded.items():
        [request] = cbu.requests(DAYS[name], {})
        assert request.method == entry["method"] == "GET"
        assert _parts(request.url) == _parts(entry["url"])
        assert request.url == entry["url"]
        assert request.body is None


def test_requests_default_to_today_in_utc():
    [request] = cbu.requests(None, {})
    today = datetime.now(timezone.utc).date()
    assert request.url == f"https://cbu.uz/en/arkhiv-kursov-valyut/json/all/{today}/"


def test_module_constants():
    assert (cbu.NAME, cbu.HOME_CURRENCY) == ("cbu", "UZS")


def test_every_recording_parses_with_the_documents_date(recorded):
    for name in recorded:
        observations = list(_by_code(recorded, name).values())
        assert len(observations) == 75
        assert {o.as_of for o in observations} == {DAYS[name]}
        assert {(o.source, o.quote) for o in observations} == {("cbu", "UZS")}
        assert all(type(o.rate) is Decimal and o.rate > 0 for o in observations)
        assert "XDR" in {o.base for o in observations}


def test_spot_values_of_1_april(recorded):
    rates = {code: o.rate for code, o in _by_code(recorded, "cbu/00.json").items()}
    assert rates["USD"] == Decimal("12194.21")
    assert rates["EUR"] == Decimal("13984.32")
    assert rates["RUB"] == Decimal("149.97")
    assert rates["KZT"] == Decimal("25.53")


def test_nominal_10_is_brought_to_one_unit(recorded):
    rates = {code: o.rate for code, o in _by_code(recorded, "cbu/00.json").items()}
    assert rates["VND"] == Decimal("0.463")  # "Rate":"4.63" for "Nominal":"10"
    assert rates["IDR"] == Decimal("0.718")
    assert rates["IRR"] == Decimal("0.009")
    later = {code: o.rate for code, o in _by_code(recorded, "cbu/01.json").items()}
    assert later["VND"] == Decimal("0.461")


def test_rates_keep_the_published_text_never_a_float(recorded):
    rates = {code: o.rate for code, o in _by_code(recorded, "cbu/01.json").items()}
    # A float would have dropped the trailing zero of "12142.10" and "76.50".
    assert str(rates["USD"]) == "12142.10"
    assert str(rates["JPY"]) == "76.50"
    assert rates["EUR"] == Decimal("14079.98")
    assert rates["RUB"] == Decimal("150.53")


def _html(body):
    return b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head></html>"


BROKEN = {
    "truncated": lambda body: body[: len(body) // 2],
    "empty": lambda body: b"",
    "blank": lambda body: b" \r\n",
    "html error page": _html,
    "object instead of array": lambda body: b'{"error": "not found"}',
    "empty array": lambda body: b"[]",
    "array of numbers": lambda body: b"[1, 2]",
    "not utf-8": lambda body: b'[{"Ccy": "\xff\xfe"}]',
    "renamed Rate": lambda body: body.replace(b'"Rate"', b'"Kurs"'),
    "missing Nominal": lambda body: body.replace(b'"Nominal":"1",', b"", 1),
    "non-numeric Rate": lambda body: body.replace(b'"12194.21"', b'"n/a"'),
    "null Rate": lambda body: body.replace(b'"12194.21"', b"null"),
    "zero Nominal": lambda body: body.replace(b'"Nominal":"1"', b'"Nominal":"0"', 1),
    "number as a code": lambda body: body.replace(b'"Ccy":"USD"', b'"Ccy":840'),
    "ISO date": lambda body: body.replace(b'"01.04.2026"', b'"2026-04-01"', 1),
}


@pytest.mark.parametrize("mutate", BROKEN.values(), ids=BROKEN.keys())
def test_broken_bodies_raise_format_error(recorded, mutate):
    _, body = recorded["cbu/00.json"]
    broken = mutate(body)
    assert broken != body
    with pytest.raises(FormatError) as caught:
        cbu.parse(broken, cbu.requests(DAYS["cbu/00.json"], {})[0])
    message = str(caught.value)
    assert message.startswith("cbu") and "\n" not in message


def test_every_truncation_raises_format_error(recorded):
    _, body = recorded["cbu/01.json"]
    for cut in range(0, len(body) - 1, 397):
        with pytest.raises(FormatError):
            cbu.parse(body[:cut], cbu.requests(DAYS["cbu/01.json"], {})[0])
