"""Central Bank of Armenia (CBA): official AMD exchange rates over a SOAP web service.

``api.cba.am/exchangerates.asmx`` answers two operations used here. ``ExchangeRatesLatest``
returns the latest published day (``CurrentDate``, midnight without a time zone) with one
``ExchangeRate`` per currency. ``ExchangeRatesByDateRangeByISO`` returns a .NET DataSet: an
inline ``xs:schema`` followed by a ``diffgr:diffgram`` whose rows (``ExchangeRatesByRange``,
in no namespace because ``DocumentElement`` resets it) carry ``RateDate`` as Yerevan
midnight (``+04:00``); only days with a fixing appear, so weekends and holidays are simply
absent. In both shapes ``Rate`` is the AMD price of ``Amount`` units (100 IRR, 10 JPY,
10 KZT, 10 UZS), and the list includes gold and silver (XAU, XAG). The CBA fixes the rates
once per business day, in the afternoon Yerevan time: a morning call still returns the
previous business day, and a range ending today stops at that day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from xml.etree.ElementTree import Element

from scrapers.base import FormatError, RateObservation, Request, decimal_from, per_unit
from scrapers.formats import check_new, currency_code, parse_date, xml_document

NAME = "cba"
HOME_CURRENCY = "AMD"

URL = "https://api.cba.am/exchangerates.asmx"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
CBA_NS = "http://www.cba.am/"
# The currency list of the recorded range request; XAU and XAG are asked for (the service
# is queried as recorded) but dropped by parse().
ISO_CODES = ("USD,GBP,AUD,EUR,XDR,IRR,PLN,CAD,INR,NOK,JPY,SEK,CHF,CZK,CNY,SGD,BRL,AED,KGS,"
             "KZT,RUB,UAH,UZS,BYN,TJS,GEL,HKD,XAU,XAG,NZD")
# Gold and silver are priced per gram, not currencies anyone sends or receives as money.
SKIPPED = frozenset({"XAU", "XAG"})

# Byte for byte the envelope of the recordings, indentation and trailing newline included.
_ENVELOPE = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n'
    '               xmlns:xsd="http://www.w3.org/2001/XMLSchema"\n'
    '               xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">\n'
    "  <soap:Body>\n"
    "    {operation}\n"
    "  </soap:Body>\n"
    "</soap:Envelope>\n"
)
_LATEST = '<ExchangeRatesLatest xmlns="http://www.cba.am/" />'
_RANGE = (
    '<ExchangeRatesByDateRangeByISO xmlns="http://www.cba.am/">\n'
    "  <ISOCodes>{codes}</ISOCodes>\n"
    "  <DateFrom>{start}</DateFrom>\n"
    "  <DateTo>{end}</DateTo>\n"
    "</ExchangeRatesByDateRangeByISO>"
)


def _soap(action: str, operation: str) -> Request:
    headers = {"Content-Type": "text/xml; charset=utf-8",
               "SOAPAction": f'"http://www.cba.am/{action}"'}
    body = _ENVELOPE.format(operation=operation).encode("utf-8")
    return Request("POST", URL, headers=headers, body=body)


def range_requests(start: date, end: date) -> list[Request]:
    """The ExchangeRatesByDateRangeByISO call for every recorded currency, start to end."""
    operation = _RANGE.format(codes=ISO_CODES, start=start.isoformat(), end=end.isoformat())
    return [_soap("ExchangeRatesByDateRangeByISO", operation)]


def requests(day: date | None, settings: Mapping[str, str]) -> list[Request]:
    """The latest rates when ``day`` is None, else the one-day range for ``day``."""
    if day is None:
        return [_soap("ExchangeRatesLatest", _LATEST)]
    return range_requests(day, day)


def parse(body: bytes, request: Request) -> list[RateObservation]:
    """Observations of either response shape; SOAP faults and surprises raise FormatError."""
    result = _operation_result(body)
    if result.tag == f"{{{CBA_NS}}}ExchangeRatesLatestResponse":
        rows = _latest_rows(result)
    elif result.tag == f"{{{CBA_NS}}}ExchangeRatesByDateRangeByISOResponse":
        rows = _range_rows(result)
    else:
        raise FormatError(f"cba: unexpected SOAP response element {result.tag}")
    return _observations(rows)


def _operation_result(body: bytes) -> Element:
    """The single element inside soap:Body, after ruling out a parse error or a fault."""
    root = xml_document(body, NAME)
    soap_body = root.find(f"{{{SOAP_NS}}}Body")
    if root.tag != f"{{{SOAP_NS}}}Envelope" or soap_body is None or len(soap_body) != 1:
        raise FormatError("cba: response is not a SOAP envelope with one body element")
    result = soap_body[0]
    if result.tag == f"{{{SOAP_NS}}}Fault":
        # Collapsed to one line: .NET faults carry multi-line stack traces.
        reason = " ".join((result.findtext("faultstring") or "").split()) or "no faultstring"
        raise FormatError(f"cba: SOAP fault: {reason}")
    return result


def _latest_rows(result: Element) -> list[tuple[Element, date]]:
    """ExchangeRate elements paired with the document's CurrentDate."""
    ns = f"{{{CBA_NS}}}"
    as_of = _date(result.findtext(f"{ns}ExchangeRatesLatestResult/{ns}CurrentDate"),
                  "CurrentDate")
    rates = result.findall(f"{ns}ExchangeRatesLatestResult/{ns}Rates/{ns}ExchangeRate")
    if not rates:
        raise FormatError("cba: ExchangeRatesLatest response lists no ExchangeRate")
    return [(rate, as_of) for rate in rates]


def _range_rows(result: Element) -> list[tuple[Element, date]]:
    """DataSet rows paired with their own RateDate; an empty diffgram means no fixing."""
    diffgram = result.find(f"{{{CBA_NS}}}ExchangeRatesByDateRangeByISOResult/"
                           "{urn:schemas-microsoft-com:xml-diffgram-v1}diffgram")
    if diffgram is None:
        raise FormatError("cba: date-range response has no diffgr:diffgram")
    rows = diffgram.findall("DocumentElement/ExchangeRatesByRange")
    return [(row, _date(row.findtext("RateDate"), "RateDate")) for row in rows]


def _observations(rows: Iterable[tuple[Element, date]]) -> list[RateObservation]:
    """One per-unit observation per currency and date, metals left out."""
    found: dict[tuple[str, date], RateObservation] = {}
    for row, as_of in rows:
        iso = currency_code(_child_text(row, "ISO"), NAME, "ISO")
        if iso in SKIPPED:
            continue
        check_new(found, (iso, as_of), NAME, what=iso, where=f"for {as_of}")
        value = decimal_from(_child_text(row, "Rate"), what=f"cba {iso} Rate")
        amount = decimal_from(_child_text(row, "Amount"), what=f"cba {iso} Amount")
        rate = per_unit(value, amount, what=f"cba {iso}")
        found[iso, as_of] = RateObservation(NAME, iso, HOME_CURRENCY, rate, as_of)
    return list(found.values())


def _child_text(row: Element, name: str) -> str:
    """Text of a child in the row's own namespace (the CBA one, or none in the DataSet)."""
    namespace = row.tag[: row.tag.index("}") + 1] if row.tag.startswith("{") else ""
    text = row.findtext(namespace + name)
    if text is None:
        raise FormatError(f"cba: {row.tag.rsplit('}', 1)[-1]} row without {name}")
    return text.strip()


def _date(text: str | None, where: str) -> date:
    """The calendar date of an xs:dateTime as stated, whatever its offset."""
    return parse_date(text.strip() if text else text, NAME, where)
