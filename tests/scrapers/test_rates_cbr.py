"""Bank of Russia: requests and parser against the real recordings in ../shared."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from scrapers.base import FormatError, Request
from scrapers.rates import cbr

DAILY_URL = "https://www.cbr.ru/scripts/XML_daily.asp"
DYNAMIC_URL = "https://www.cbr.ru/scripts/XML_dynamic.asp"

# How each recording is requested: the call that must reproduce its recorded request.
CALLS = {
    "cbr/00.xml": lambda: cbr.requests(None, {}),
    "cbr/01.xml": lambda: cbr.history_requests("AUD", date(2026, 3, 1), date(2026, 3, 5)),
    "cbr/02.xml": lambda: cbr.history_requests("AZN", date(2026, 3, 1), date(2026, 3, 5)),
    "cbr/16.xml": lambda: cbr.history_requests("USD", date(2026, 3, 1), date(2026, 3, 5)),
}


def rates(observations) -> dict[tuple[str, date], Decimal]:
    """Rates by (currency, date)."""
    return {(o.base, o.as_of): o.rate for o in observations}


def test_requests_reproduce_every_recording(recordings):
    entries = recordings.entries("cbr")
    assert set(entries) == set(CALLS)
    for file, entry in entries.items():
        [made] = CALLS[file]()
        assert made.method == entry["method"] == "GET"
        assert made.url == entry["url"]
        assert made.body is None and dict(made.headers) == {}


def test_requests_for_a_past_day_use_date_req():
    [made] = cbr.requests(date(2026, 4, 5), {})
    assert made == Request("GET", f"{DAILY_URL}?date_req=05/04/2026")


def test_history_requests_refuse_unknown_currency_and_reversed_range():
    with pytest.raises(ValueError, match="XYZ"):
        cbr.history_requests("XYZ", date(2026, 3, 1), date(2026, 3, 5))
    with pytest.raises(ValueError, match="before it starts"):
        cbr.history_requests("USD", date(2026, 3, 5), date(2026, 3, 1))


def test_every_recording_parses(recordings):
    for file in recordings.entries("cbr"):
        observations = cbr.parse(*recordings.recorded(file))
        assert observations, file
        assert all(type(o.rate) is Decimal for o in observations)
        assert {(o.source, o.quote) for o in observations} == {("cbr", "RUB")}
        assert len(rates(observations)) == len(observations)


def test_daily_spot_values_per_one_unit(recordings):
    observations = cbr.parse(*recordings.recorded("cbr/00.xml"))
    assert len(observations) == 54
    assert {o.as_of for o in observations} == {date(2026, 4, 25)}
    got = {o.base: o.rate for o in observations}
    assert got["USD"] == Decimal("75.5273")
    assert got["EUR"] == Decimal("88.2826")
    assert got["TJS"] == Decimal("8.00866")        # 80,0866 for 10 TJS
    assert got["DZD"] == Decimal("0.570006")       # 57,0006 for 100 DZD
    assert got["UZS"] == Decimal("0.00628322")     # 62,8322 for 10000 UZS
    assert got["IRR"] == Decimal("0.0000539256")   # 53,9256 for 1000000 IRR


def test_daily_rates_agree_with_the_banks_own_vunitrate(recordings):
    body, request = recordings.recorded("cbr/00.xml")
    text = body.decode("windows-1251")
    published = dict(re.findall(r"<CharCode>(\w+)</CharCode>.*?<VunitRate>([^<]+)<", text))
    got = {o.base: o.rate for o in cbr.parse(body, request)}
    assert set(got) == set(published)
    for code, vunit in published.items():
        assert got[code] == Decimal(vunit.replace(",", ".")), code


def test_id_mapping_agrees_with_the_daily_file(recordings):
    body, _ = recordings.recorded("cbr/00.xml")
    text = body.decode("windows-1251")
    pairs = re.findall(r'<Valute ID="(\w+)"><NumCode>\d+</NumCode><CharCode>(\w+)<', text)
    assert len(pairs) == 54
    assert dict(pairs) == cbr.CBR_IDS


def test_windows_1251_names_do_not_break_parsing(recordings):
    body, request = recordings.recorded("cbr/00.xml")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")                       # the Cyrillic names are windows-1251
    assert "Австралийский доллар".encode("windows-1251") in body
    as_utf8 = body.decode("windows-1251").replace('encoding="windows-1251"', 'encoding="utf-8"')
    assert cbr.parse(as_utf8.encode("utf-8"), request) == cbr.parse(body, request)


def test_windows_1251_bytes_declared_utf8_are_refused(recordings):
    body, request = recordings.recorded("cbr/00.xml")
    mislabelled = body.replace(b'encoding="windows-1251"', b'encoding="utf-8"')
    with pytest.raises(FormatError, match="cbr: not well-formed XML"):
        cbr.parse(mislabelled, request)


def test_dynamic_spot_values_take_the_currency_from_the_request(recordings):
    assert rates(cbr.parse(*recordings.recorded("cbr/01.xml"))) == {
        ("AUD", date(2026, 3, 3)): Decimal("54.7468"),
        ("AUD", date(2026, 3, 4)): Decimal("55.1336"),
        ("AUD", date(2026, 3, 5)): Decimal("54.4295"),
    }
    azn = rates(cbr.parse(*recordings.recorded("cbr/02.xml")))
    assert azn[("AZN", date(2026, 3, 4))] == Decimal("45.6525")
    usd = rates(cbr.parse(*recordings.recorded("cbr/16.xml")))
    assert usd[("USD", date(2026, 3, 5))] == Decimal("77.8009")


def test_dynamic_range_without_records_is_empty():
    body = b'<?xml version="1.0" encoding="windows-1251"?><ValCurs ID="R01235"></ValCurs>'
    request = cbr.history_requests("USD", date(2026, 3, 1), date(2026, 3, 2))[0]
    assert cbr.parse(body, request) == []


def test_dynamic_unknown_or_mismatched_id_is_a_format_error(recordings):
    body, _ = recordings.recorded("cbr/01.xml")
    unknown = Request("GET", f"{DYNAMIC_URL}?VAL_NM_RQ=R99999&date_req1=01/03/2026")
    with pytest.raises(FormatError, match="cbr: unknown CBR currency id 'R99999'"):
        cbr.parse(body, unknown)
    usd = cbr.history_requests("USD", date(2026, 3, 1), date(2026, 3, 5))[0]
    mismatch = "cbr: <ValCurs> is for R01010, the request for R01235"
    with pytest.raises(FormatError, match=mismatch):
        cbr.parse(body, usd)


def test_non_iso_entry_is_skipped_and_a_duplicate_refused(recordings):
    body, request = recordings.recorded("cbr/00.xml")
    gold = body.replace(b"<CharCode>AUD</CharCode>", b"<CharCode>GOLD</CharCode>")
    all_codes = {o.base for o in cbr.parse(body, request)}
    assert {o.base for o in cbr.parse(gold, request)} == all_codes - {"AUD"}
    twice = body.replace(b"<CharCode>AZN</CharCode>", b"<CharCode>AUD</CharCode>")
    with pytest.raises(FormatError, match="cbr: AUD listed twice"):
        cbr.parse(twice, request)


def _replace(old: bytes, new: bytes):
    def change(body: bytes) -> bytes:
        assert old in body, old
        return body.replace(old, new)
    return change


def _truncate(body: bytes) -> bytes:
    return body[: len(body) // 2]


HTML_PAGE = b"<!DOCTYPE html><html><body><h1>503</h1></body></html>"
BROKEN_HTML = b"<html><body>Service unavailable<br></body></html>"

BROKEN_DAILY = {
    "truncated": (_truncate, r"cbr: not well-formed XML \(.+: line 1, column \d+\)"),
    "empty": (lambda body: b"", r"cbr: empty body"),
    "html page": (lambda body: HTML_PAGE, r"cbr: root element is <html>, expected <ValCurs>"),
    "broken html": (lambda body: BROKEN_HTML, r"cbr: not well-formed XML \(mismatched tag"),
    "Value renamed": (lambda body: body.replace(b"Value>", b"Rate>"),
                      r"cbr: <Value> missing or empty in AUD"),
    "CharCode renamed": (lambda body: body.replace(b"CharCode>", b"Code>"),
                         r"cbr: <CharCode> missing"),
    "Nominal missing": (_replace(b"<Nominal>1</Nominal>", b""),
                        r"cbr: <Nominal> missing or empty in AUD"),
    "Date missing": (_replace(b' Date="25.04.2026"', b""),
                     r"cbr: ValCurs Date None is not a DD.MM.YYYY"),
    "non-numeric": (_replace(b"<Value>75,5273</Value>", b"<Value>n/a</Value>"),
                    r"cbr: Value of USD on 2026-04-25: 'n/a' is not a number"),
    "zero nominal": (_replace(b"<Nominal>100</Nominal>", b"<Nominal>0</Nominal>"),
                     r"cbr: Nominal of DZD on 2026-04-25: '0' is not a positive number"),
    "Valute renamed": (lambda body: body.replace(b"Valute", b"Currency"),
                       r"cbr: unexpected <Currency>"),
}


@pytest.mark.parametrize("case", BROKEN_DAILY)
def test_broken_daily_is_a_one_line_format_error(recordings, case):
    change, message = BROKEN_DAILY[case]
    body, request = recordings.recorded("cbr/00.xml")
    with pytest.raises(FormatError, match=message) as caught:
        cbr.parse(change(body), request)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("change, message", [
    (lambda body: body[: len(body) // 2], r"cbr: not well-formed XML"),
    (_replace(b"<Value>54,7468</Value>", b"<Value>-</Value>"),
     r"cbr: Value of AUD on 2026-03-03"),
    (_replace(b' Date="04.03.2026"', b' Date="2026-03-04"'),
     r"cbr: Record Date of R01010 '2026-03-04'"),
    (lambda body: body.replace(b"Record", b"Valute"), r"cbr: unexpected <Valute> in <ValCurs>"),
])
def test_broken_dynamic_is_a_format_error(recordings, change, message):
    body, request = recordings.recorded("cbr/01.xml")
    with pytest.raises(FormatError, match=message):
        cbr.parse(change(body), request)
