"""National Bank of Tajikistan: requests and parser against the real recordings in ../shared."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from scrapers.base import FormatError
from scrapers.rates import nbt

URL = "https://www.nbt.tj/en/kurs/export_xml.php"

# The day each recording was requested for.
DAYS = {"nbt/00.xml": date(2026, 5, 18), "nbt/01.xml": date(2026, 5, 19)}


def test_requests_reproduce_every_recording(recordings):
    entries = recordings.entries("nbt")
    assert set(entries) == set(DAYS)
    for file, entry in entries.items():
        [made] = nbt.requests(DAYS[file], {})
        assert made.method == entry["method"] == "GET"
        assert made.url == entry["url"]
        assert made.body is None and dict(made.headers) == {}


def test_latest_asks_for_today():
    before = date.today()
    [made] = nbt.requests(None, {})
    after = date.today()   # the clock may pass midnight between the two
    assert made.url in {f"{URL}?date={day:%Y-%m-%d}&export=xmlout" for day in (before, after)}


def test_every_recording_parses(recordings):
    for file, day in DAYS.items():
        observations = nbt.parse(*recordings.recorded(file))
        assert len(observations) == 36, file
        assert {o.as_of for o in observations} == {day}
        assert all(type(o.rate) is Decimal for o in observations)
        assert {(o.source, o.quote) for o in observations} == {("nbt", "TJS")}


def test_spot_values_per_one_unit(recordings):
    first = {o.base: o.rate for o in nbt.parse(*recordings.recorded("nbt/00.xml"))}
    assert first["USD"] == Decimal("9.3450")
    assert first["EUR"] == Decimal("10.8757")
    assert first["RUB"] == Decimal("0.1277")
    assert first["KGS"] == Decimal("0.10686")     # 1.0686 for 10 KGS
    assert first["UZS"] == Decimal("0.00078")     # 0.0780 for 100 UZS
    assert first["IRR"] == Decimal("0.0000071")   # 0.0071 for 1000 IRR
    second = {o.base: o.rate for o in nbt.parse(*recordings.recorded("nbt/01.xml"))}
    assert second["USD"] == Decimal("9.3371")
    assert second["AMD"] == Decimal("0.025357")   # 2.5357 for 100 AMD


def test_windows_1251_with_cyrillic_names_parses_the_same(recordings):
    # NBT serves UTF-8; a windows-1251 copy with Cyrillic names must read identically.
    body, request = recordings.recorded("nbt/00.xml")
    text = body.decode("utf-8").replace('encoding="utf-8"', 'encoding="windows-1251"')
    russian = text.replace("<Name>US Dollar</Name>", "<Name>Доллар США</Name>")
    assert russian != text
    assert nbt.parse(russian.encode("windows-1251"), request) == nbt.parse(body, request)


def test_non_iso_entry_is_skipped_and_a_duplicate_refused(recordings):
    body, request = recordings.recorded("nbt/00.xml")
    gold = body.replace(b"<CharCode>AFN</CharCode>", b"<CharCode>Afn</CharCode>")
    assert "AFN" not in {o.base for o in nbt.parse(gold, request)}
    assert len(nbt.parse(gold, request)) == 35
    twice = body.replace(b"<CharCode>EUR</CharCode>", b"<CharCode>USD</CharCode>")
    with pytest.raises(FormatError, match="nbt: USD listed twice"):
        nbt.parse(twice, request)


def _replace(old: bytes, new: bytes):
    def change(body: bytes) -> bytes:
        assert old in body, old
        return body.replace(old, new)
    return change


HTML_PAGE = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
BROKEN_HTML = b"<html><body><p>Maintenance<p>Back soon</body></html>"

BROKEN = {
    "truncated": (lambda body: body[: len(body) // 2],
                  r"nbt: not well-formed XML \(.+: line \d+, column \d+\)"),
    "empty": (lambda body: b"", r"nbt: empty body"),
    "html page": (lambda body: HTML_PAGE, r"nbt: root element is <html>, expected <ValCurs>"),
    "broken html": (lambda body: BROKEN_HTML, r"nbt: not well-formed XML"),
    "Value renamed": (lambda body: body.replace(b"Value>", b"Kurs>"),
                      r"nbt: <Value> missing or empty in USD on 2026-05-18"),
    "Nominal missing": (_replace(b"<Nominal>1000</Nominal>", b""),
                        r"nbt: <Nominal> missing or empty in IRR on 2026-05-18"),
    "Date missing": (_replace(b' Date="2026-05-18"', b""),
                     r"nbt: ValCurs Date None is not a YYYY-MM-DD date"),
    "Date changed format": (_replace(b'Date="2026-05-18"', b'Date="18.05.2026"'),
                            r"nbt: ValCurs Date '18.05.2026' is not a YYYY-MM-DD date"),
    "non-numeric": (_replace(b"<Value>9.3450</Value>", b"<Value>N/A</Value>"),
                    r"nbt: Value of USD on 2026-05-18: 'N/A' is not a number"),
    "no entries": (lambda body: body[: body.index(b"<Valute")] + b"</ValCurs>",
                   r"nbt: no <Valute> entries"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_body_is_a_one_line_format_error(recordings, case):
    change, message = BROKEN[case]
    body, request = recordings.recorded("nbt/00.xml")
    with pytest.raises(FormatError, match=message) as caught:
        nbt.parse(change(body), request)
    assert "\n" not in str(caught.value)
