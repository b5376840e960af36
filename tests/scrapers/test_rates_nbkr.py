"""National Bank of the Kyrgyz Republic: requests and parser against the real recordings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from scrapers.base import FormatError
from scrapers.rates import nbkr

DAILY, WEEKLY = "nbkr/00.xml", "nbkr/01.xml"


def rates(recordings, file: str) -> dict[str, Decimal]:
    """The rates of one recording by currency."""
    return {o.base: o.rate for o in nbkr.parse(*recordings.recorded(file))}


@pytest.mark.parametrize("day", [None, date(2026, 5, 24), date(2020, 1, 1)])
def test_requests_reproduce_both_recordings_whatever_the_day(recordings, day):
    entries = recordings.entries("nbkr")
    assert set(entries) == {DAILY, WEEKLY}
    made = nbkr.requests(day, {})
    assert [(r.method, r.url) for r in made] == [
        (entries[DAILY]["method"], entries[DAILY]["url"]),
        (entries[WEEKLY]["method"], entries[WEEKLY]["url"]),
    ]
    assert all(r.body is None and dict(r.headers) == {} for r in made)


def test_every_recording_parses_with_the_documents_date(recordings):
    for file, day, count in [(DAILY, date(2026, 5, 24), 5), (WEEKLY, date(2026, 5, 23), 40)]:
        observations = nbkr.parse(*recordings.recorded(file))
        assert len(observations) == count, file
        assert {o.as_of for o in observations} == {day}
        assert all(type(o.rate) is Decimal for o in observations)
        assert {(o.source, o.quote) for o in observations} == {("nbkr", "KGS")}


def test_daily_spot_values_with_decimal_commas(recordings):
    assert rates(recordings, DAILY) == {
        "USD": Decimal("87.45"),
        "EUR": Decimal("101.5076"),
        "CNY": Decimal("12.8707"),
        "KZT": Decimal("0.1859"),
        "RUB": Decimal("1.2263"),
    }


def test_weekly_spot_values_per_one_unit(recordings):
    weekly = rates(recordings, WEEKLY)
    assert weekly["TJS"] == Decimal("9.4148")
    assert weekly["MDL"] == Decimal("5.0364")
    assert weekly["JPY"] == Decimal("0.54969")     # 5,4969 for 10 JPY
    assert weekly["AMD"] == Decimal("0.23773")     # 2,3773 for 10 AMD
    assert weekly["IDR"] == Decimal("0.00494")     # 0,0494 for 10 IDR
    assert weekly["BYR"] == Decimal("0.003402")    # withdrawn code, 0,3402 for 100, kept
    assert weekly["BYN"] == Decimal("32.0154")


def test_windows_1251_cyrillic_content_parses_the_same(recordings):
    # The recordings declare windows-1251 but happen to be ASCII: add Cyrillic to prove it.
    body, request = recordings.recorded(DAILY)
    cyrillic = body.replace(b'Name="Daily Exchange Rates"',
                            'Name="Официальные курсы валют"'.encode("windows-1251"))
    assert cyrillic != body
    with pytest.raises(UnicodeDecodeError):
        cyrillic.decode("utf-8")
    assert nbkr.parse(cyrillic, request) == nbkr.parse(body, request)


def test_non_iso_entry_is_skipped_and_a_duplicate_refused(recordings):
    body, request = recordings.recorded(WEEKLY)
    gold = body.replace(b'ISOCode="XDR"', b'ISOCode="SDR1"')
    assert {o.base for o in nbkr.parse(gold, request)} == set(rates(recordings, WEEKLY)) - {"XDR"}
    twice = body.replace(b'ISOCode="DKK"', b'ISOCode="GBP"')
    with pytest.raises(FormatError, match="nbkr: GBP listed twice"):
        nbkr.parse(twice, request)


def _replace(old: bytes, new: bytes):
    def change(body: bytes) -> bytes:
        assert old in body, old
        return body.replace(old, new)
    return change


HTML_PAGE = b"<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>"
BROKEN_HTML = b"<html><body>Access denied<hr></body></html>"

BROKEN = {
    "truncated": (lambda body: body[: len(body) // 2],
                  r"nbkr: not well-formed XML \(.+: line \d+, column \d+\)"),
    "empty": (lambda body: b"", r"nbkr: empty body"),
    "html page": (lambda body: HTML_PAGE,
                  r"nbkr: root element is <html>, expected <CurrencyRates>"),
    "broken html": (lambda body: BROKEN_HTML, r"nbkr: not well-formed XML"),
    "Value renamed": (lambda body: body.replace(b"Value>", b"Rate>"),
                      r"nbkr: <Value> missing or empty in USD on 2026-05-24"),
    "ISOCode renamed": (_replace(b'ISOCode="EUR"', b'Code="EUR"'),
                        r"nbkr: a <Currency> of 2026-05-24 has no ISOCode attribute"),
    "Nominal missing": (_replace(b"<Nominal>1</Nominal>\n<Value>0,1859", b"<Value>0,1859"),
                        r"nbkr: <Nominal> missing or empty in KZT"),
    "Date missing": (_replace(b' Date="24.05.2026"', b""),
                     r"nbkr: CurrencyRates Date None is not a DD.MM.YYYY date"),
    "non-numeric": (_replace(b"<Value>87,4500</Value>", b"<Value>87,45,00</Value>"),
                    r"nbkr: Value of USD on 2026-05-24: '87,45,00' is not a number"),
    "no entries": (lambda body: body[: body.index(b"<Currency ")] + b"</CurrencyRates>",
                   r"nbkr: no <Currency> entries"),
    "other entry": (lambda body: body.replace(b"<Currency ", b"<Valute ")
                    .replace(b"</Currency>", b"</Valute>"),
                    r"nbkr: unexpected <Valute> in <CurrencyRates>"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_body_is_a_one_line_format_error(recordings, case):
    change, message = BROKEN[case]
    body, request = recordings.recorded(DAILY)
    with pytest.raises(FormatError, match=message) as caught:
        nbkr.parse(change(body), request)
    assert "\n" not in str(caught.value)
