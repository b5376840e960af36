"""Central Bank of Armenia: SOAP requests byte for byte, both response shapes, failures."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from scrapers.base import FormatError, RateObservation
from scrapers.rates import cba

def lowered(headers) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def by_code(observations: list[RateObservation], day: date) -> dict[str, Decimal]:
    return {o.base: o.rate for o in observations if o.as_of == day}


def assert_same_request(request, entry: dict) -> None:
    assert request.method == entry["method"] == "POST"
    assert request.url == entry["url"]
    assert request.body == entry["request_body"].encode("utf-8")
    assert lowered(request.headers) == lowered(entry["request_headers"])


def test_latest_request_is_the_recorded_one(recordings):
    requests = cba.requests(None, {})
    assert len(requests) == 1
    assert_same_request(requests[0], recordings.entry("cba/00.xml"))


def test_range_request_is_the_recorded_one(recordings):
    requests = cba.range_requests(date(2026, 3, 1), date(2026, 3, 19))
    assert len(requests) == 1
    assert_same_request(requests[0], recordings.entry("cba/01.xml"))


def test_day_request_is_a_one_day_range_of_the_recorded_shape(recordings):
    (request,) = cba.requests(date(2026, 3, 5), {})
    recorded = recordings.entry("cba/01.xml")["request_body"]
    expected = recorded.replace("2026-03-01", "2026-03-05").replace("2026-03-19", "2026-03-05")
    assert request.body == expected.encode("utf-8")
    assert request.url == "https://api.cba.am/exchangerates.asmx"
    action = '"http://www.cba.am/ExchangeRatesByDateRangeByISO"'
    assert lowered(request.headers) == {"content-type": "text/xml; charset=utf-8",
                                        "soapaction": action}


def test_latest_response_spot_values(recordings):
    observations = cba.parse(recordings.body("cba/00.xml"), cba.requests(None, {})[0])
    assert {o.as_of for o in observations} == {date(2026, 3, 18)}
    assert all(isinstance(o.rate, Decimal) for o in observations)
    assert all((o.source, o.quote) == ("cba", "AMD") for o in observations)
    rates = by_code(observations, date(2026, 3, 18))
    assert len(rates) == len(observations) == 28
    assert rates["USD"] == Decimal("377.39")
    assert rates["EUR"] == Decimal("435.55")
    assert rates["RUB"] == Decimal("4.5256")
    assert rates["XDR"] == Decimal("513.32")
    # Published per 10 JPY / 10 KZT / 10 UZS / 100 IRR, stored per one unit.
    assert rates["JPY"] == Decimal("2.3735")
    assert rates["KZT"] == Decimal("0.78183")
    assert rates["UZS"] == Decimal("0.031003")
    assert rates["IRR"] == Decimal("0.00028677")
    assert "XAU" not in rates and "XAG" not in rates


def test_range_response_spot_values(recordings):
    request = cba.range_requests(date(2026, 3, 1), date(2026, 3, 19))[0]
    observations = cba.parse(recordings.body("cba/01.xml"), request)
    days = sorted({o.as_of for o in observations})
    assert len(days) == 13 and days[0] == date(2026, 3, 2) and days[-1] == date(2026, 3, 18)
    assert date(2026, 3, 7) not in days  # a Saturday: no fixing, no rows
    assert len(observations) == 13 * 28
    assert all(isinstance(o.rate, Decimal) for o in observations)
    first = by_code(observations, date(2026, 3, 2))
    assert first["USD"] == Decimal("376.88")
    assert first["EUR"] == Decimal("442.38")
    assert first["RUB"] == Decimal("4.8762")
    assert first["KZT"] == Decimal("0.75518")
    assert first["IRR"] == Decimal("0.00028685")
    tenth = by_code(observations, date(2026, 3, 10))
    assert (tenth["USD"], tenth["EUR"], tenth["JPY"]) == (
        Decimal("377.41"), Decimal("439.27"), Decimal("2.3922"))
    assert not {"XAU", "XAG"} & {o.base for o in observations}


def test_both_shapes_agree_on_the_same_day(recordings):
    latest = by_code(cba.parse(recordings.body("cba/00.xml"), None), date(2026, 3, 18))
    ranged = by_code(cba.parse(recordings.body("cba/01.xml"), None), date(2026, 3, 18))
    assert latest == ranged


def test_empty_dataset_is_no_rates_not_an_error(recordings):
    empty = re.sub(rb"<DocumentElement.*</DocumentElement>", b"", recordings.body("cba/01.xml"))
    assert b"diffgram" in empty and b"ExchangeRatesByRange diffgr" not in empty
    assert cba.parse(empty, None) == []


FAULT = (b'<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
         b'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>'
         b"<faultcode>soap:Server</faultcode><faultstring>Server was unable to process "
         b"request. ---&gt; String was not recognized as a valid DateTime.\n   at x</faultstring>"
         b"<detail /></soap:Fault></soap:Body></soap:Envelope>")


@pytest.mark.parametrize("file", ["cba/00.xml", "cba/01.xml"])
def test_truncated_body(recordings, file):
    whole = recordings.body(file)
    with pytest.raises(FormatError, match="^cba: not well-formed XML"):
        cba.parse(whole[: len(whole) * 2 // 3], None)


def test_empty_body():
    with pytest.raises(FormatError, match="^cba: "):
        cba.parse(b"", None)


def test_soap_fault():
    expected = r"^cba: SOAP fault: Server was unable .* valid DateTime\. at x$"
    with pytest.raises(FormatError, match=expected):
        cba.parse(FAULT, None)


def test_html_error_page():
    with pytest.raises(FormatError, match="^cba: response is not a SOAP envelope"):
        cba.parse(b"<html><body><h1>Service Unavailable</h1></body></html>", None)


def test_non_numeric_rate(recordings):
    broken = recordings.body("cba/00.xml").replace(b"<Rate>377.39</Rate>", b"<Rate>n/a</Rate>")
    with pytest.raises(FormatError, match="cba USD Rate"):
        cba.parse(broken, None)


def test_renamed_amount_field(recordings):
    whole = recordings.body("cba/01.xml")
    broken = whole.replace(b"<Amount>100</Amount>", b"<Nominal>100</Nominal>")
    with pytest.raises(FormatError, match="^cba: ExchangeRatesByRange row without Amount"):
        cba.parse(broken, None)


def test_missing_current_date(recordings):
    broken = re.sub(rb"<CurrentDate>[^<]*</CurrentDate>", b"", recordings.body("cba/00.xml"))
    with pytest.raises(FormatError, match="^cba: CurrentDate None is not an ISO date"):
        cba.parse(broken, None)


def test_unexpected_operation(recordings):
    whole = recordings.body("cba/00.xml")
    other = whole.replace(b"ExchangeRatesLatestResponse", b"ISOCodesResponse")
    with pytest.raises(FormatError, match="^cba: unexpected SOAP response element"):
        cba.parse(other, None)


def test_entity_declarations_are_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    with pytest.raises(FormatError, match=r"^cba: not well-formed XML \(EntitiesForbidden"):
        cba.parse(bomb, None)
