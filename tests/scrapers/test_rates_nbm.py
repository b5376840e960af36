"""National Bank of Moldova: requests and parser against the real recordings in ../shared."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from scrapers.base import FormatError
from scrapers.rates import nbm

URL = "https://www.bnm.md/en/official_exchange_rates"

# The day each recording was requested for.
DAYS = {"nbm/00.xml": date(2026, 4, 6), "nbm/02.xml": date(2026, 4, 7)}


def test_requests_reproduce_every_recording(recordings):
    entries = recordings.entries("nbm")
    assert set(entries) == set(DAYS)
    for file, entry in entries.items():
        [made] = nbm.requests(DAYS[file], {})
        assert made.method == entry["method"] == "GET"
        assert made.url == entry["url"]
        assert made.body is None and dict(made.headers) == {}


def test_latest_asks_for_today():
    before = date.today()
    [made] = nbm.requests(None, {})
    after = date.today()   # the clock may pass midnight between the two
    assert made.url in {f"{URL}?date={day:%d.%m.%Y}&get_xml=1" for day in (before, after)}


def test_every_recording_parses(recordings):
    for file, day in DAYS.items():
        observations = nbm.parse(*recordings.recorded(file))
        assert len(observations) == 40, file
        assert {o.as_of for o in observations} == {day}
        assert all(type(o.rate) is Decimal for o in observations)
        assert {(o.source, o.quote) for o in observations} == {("nbm", "MDL")}


def test_spot_values_per_one_unit(recordings):
    first = {o.base: o.rate for o in nbm.parse(*recordings.recorded("nbm/00.xml"))}
    assert first["USD"] == Decimal("17.6124")
    assert first["EUR"] == Decimal("20.2754")
    assert first["RUB"] == Decimal("0.2197")
    assert first["ALL"] == Decimal("0.21172")     # 2.1172 for 10 ALL
    assert first["RSD"] == Decimal("0.172726")    # 17.2726 for 100 RSD
    assert first["UZS"] == Decimal("0.001442")    # 0.1442 for 100 UZS
    second = {o.base: o.rate for o in nbm.parse(*recordings.recorded("nbm/02.xml"))}
    assert second["USD"] == Decimal("17.5303")
    assert second["JPY"] == Decimal("0.109938")   # 10.9938 for 100 JPY


def test_windows_1251_with_cyrillic_names_parses_the_same(recordings):
    # NBM serves UTF-8; a windows-1251 copy with Cyrillic names must read identically.
    body, request = recordings.recorded("nbm/00.xml")
    text = body.decode("utf-8").replace('encoding="UTF-8"', 'encoding="windows-1251"')
    russian = text.replace("<Name>Euro</Name>", "<Name>Евро</Name>")
    assert russian != text
    assert nbm.parse(russian.encode("windows-1251"), request) == nbm.parse(body, request)


def test_non_iso_entry_is_skipped_and_a_duplicate_refused(recordings):
    body, request = recordings.recorded("nbm/00.xml")
    gold = body.replace(b"<CharCode>XDR</CharCode>", b"<CharCode>SDR-IMF</CharCode>")
    assert "XDR" not in {o.base for o in nbm.parse(gold, request)}
    assert len(nbm.parse(gold, request)) == 39
    twice = body.replace(b"<CharCode>USD</CharCode>", b"<CharCode>EUR</CharCode>")
    with pytest.raises(FormatError, match="nbm: EUR listed twice"):
        nbm.parse(twice, request)


def _replace(old: bytes, new: bytes):
    def change(body: bytes) -> bytes:
        assert old in body, old
        return body.replace(old, new)
    return change


HTML_PAGE = b"<!DOCTYPE html><html><body><h1>Not found</h1></body></html>"
BROKEN_HTML = b"<html><head><meta charset=utf-8></head><body>Error</body></html>"

BROKEN = {
    "truncated": (lambda body: body[: len(body) // 2],
                  r"nbm: not well-formed XML \(.+: line \d+, column \d+\)"),
    "empty": (lambda body: b"", r"nbm: empty body"),
    "blank": (lambda body: b" \r\n", r"nbm: empty body"),
    "html page": (lambda body: HTML_PAGE, r"nbm: root element is <html>, expected <ValCurs>"),
    "broken html": (lambda body: BROKEN_HTML, r"nbm: not well-formed XML"),
    "Value renamed": (lambda body: body.replace(b"Value>", b"Rate>"),
                      r"nbm: <Value> missing or empty in EUR on 2026-04-06"),
    "CharCode missing": (_replace(b"<CharCode>EUR</CharCode>", b""),
                         r"nbm: <CharCode> missing or empty in a <Valute> of 2026-04-06"),
    "Nominal empty": (_replace(b"<Nominal>10</Nominal>", b"<Nominal></Nominal>"),
                      r"nbm: <Nominal> missing or empty in ALL"),
    "Date renamed": (_replace(b'Date="06.04.2026"', b'Day="06.04.2026"'),
                     r"nbm: ValCurs Date None is not a DD.MM.YYYY date"),
    "Date as ISO": (_replace(b'Date="06.04.2026"', b'Date="2026-04-06"'),
                    r"nbm: ValCurs Date '2026-04-06' is not a DD.MM.YYYY date"),
    "non-numeric": (_replace(b"<Value>17.6124</Value>", b"<Value>17.61.24</Value>"),
                    r"nbm: Value of USD on 2026-04-06: '17.61.24' is not a number"),
    "no entries": (lambda body: body[: body.index(b"<Valute")] + b"</ValCurs>",
                   r"nbm: no <Valute> entries"),
    "other entry": (lambda body: body.replace(b"Valute", b"Currency"),
                    r"nbm: unexpected <Currency> in <ValCurs>"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_body_is_a_one_line_format_error(recordings, case):
    change, message = BROKEN[case]
    body, request = recordings.recorded("nbm/00.xml")
    with pytest.raises(FormatError, match=message) as caught:
        nbm.parse(change(body), request)
    assert "\n" not in str(caught.value)
