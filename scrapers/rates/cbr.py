"""Bank of Russia (CBR): official rates of the rouble against about 55 currencies.

Two XML services, both windows-1251 with decimal commas. ``XML_daily.asp`` gives one day's
``ValCurs Date="DD.MM.YYYY"`` with ``Valute`` entries (``CharCode``, ``Nominal``, ``Value``,
``VunitRate``); without ``date_req`` it answers with the latest rates. ``Value`` is per
``Nominal`` units (100 DZD, 10000 VND, 1000000 IRR), and we divide it ourselves rather than
trust ``VunitRate``, which is rounded, trims zeros and can come in scientific notation
(``5,39256E-05``). ``XML_dynamic.asp`` gives a date range for one currency as ``Record``
entries that name it only by CBR's internal id (``R01235`` = USD), so the ids are mapped
here. CBR sets rates on business days, in the afternoon Moscow time, for the next calendar
day; the document's date is the day from which the rate applies, and a Saturday rate also
covers Sunday and Monday (XML_dynamic has no records for those days).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from urllib.parse import parse_qs, urlsplit
from xml.etree.ElementTree import Element

from ..base import FormatError, RateObservation, Request
from ..formats import (check_new, parse_date, valcurs_rates, value_per_nominal, xml_children,
                       xml_root)

NAME = "cbr"
HOME_CURRENCY = "RUB"

_DAILY_URL = "https://www.cbr.ru/scripts/XML_daily.asp"
_DYNAMIC_URL = "https://www.cbr.ru/scripts/XML_dynamic.asp"

# CBR's internal currency ids, as in the ``Valute ID`` attribute of the XML_daily of
# 25.04.2026. XML_dynamic takes and returns only these ids, never an ISO code.
CBR_IDS: dict[str, str] = {
    "R01010": "AUD", "R01020A": "AZN", "R01030": "DZD", "R01035": "GBP", "R01060": "AMD",
    "R01080": "BHD", "R01090B": "BYN", "R01105": "BOB", "R01115": "BRL", "R01135": "HUF",
    "R01150": "VND", "R01200": "HKD", "R01210": "GEL", "R01215": "DKK", "R01230": "AED",
    "R01235": "USD", "R01239": "EUR", "R01240": "EGP", "R01270": "INR", "R01280": "IDR",
    "R01300": "IRR", "R01335": "KZT", "R01350": "CAD", "R01355": "QAR", "R01370": "KGS",
    "R01375": "CNY", "R01395": "CUP", "R01500": "MDL", "R01503": "MNT", "R01520": "NGN",
    "R01530": "NZD", "R01535": "NOK", "R01540": "OMR", "R01565": "PLN", "R01580": "SAR",
    "R01585F": "RON", "R01589": "XDR", "R01625": "SGD", "R01670": "TJS", "R01675": "THB",
    "R01685": "BDT", "R01700J": "TRY", "R01710A": "TMT", "R01717": "UZS", "R01720": "UAH",
    "R01760": "CZK", "R01770": "SEK", "R01775": "CHF", "R01800": "ETB", "R01805F": "RSD",
    "R01810": "ZAR", "R01815": "KRW", "R01820": "JPY", "R02005": "MMK",
}
_ID_OF_CODE = {code: cbr_id for cbr_id, code in CBR_IDS.items()}


def _cbr_date(day: date) -> str:
    # CBR's query parameters want DD/MM/YYYY, slashes unescaped as in the recordings.
    return day.strftime("%d/%m/%Y")


def requests(day: date | None, settings: Mapping[str, str]) -> list[Request]:
    """XML_daily for ``day``, or without a date (the latest published rates) for None."""
    if day is None:
        return [Request("GET", _DAILY_URL)]
    return [Request("GET", f"{_DAILY_URL}?date_req={_cbr_date(day)}")]


def history_requests(currency: str, start: date, end: date) -> list[Request]:
    """XML_dynamic for every rate of ``currency`` (ISO code) set from ``start`` to ``end``."""
    cbr_id = _ID_OF_CODE.get(currency)
    if cbr_id is None:
        raise ValueError(f"{NAME}: no CBR currency id known for {currency!r}")
    if end < start:
        raise ValueError(f"{NAME}: history range ends ({end}) before it starts ({start})")
    query = f"VAL_NM_RQ={cbr_id}&date_req1={_cbr_date(start)}&date_req2={_cbr_date(end)}"
    return [Request("GET", f"{_DYNAMIC_URL}?{query}")]


def parse(body: bytes, request: Request) -> list[RateObservation]:
    """Observations from an XML_daily or XML_dynamic body (which one: by the request's URL)."""
    root = xml_root(body, NAME, "ValCurs")
    if urlsplit(request.url).path.endswith("/XML_dynamic.asp"):
        return _parse_dynamic(root, request)
    return valcurs_rates(root, NAME, HOME_CURRENCY, "%d.%m.%Y")


def _parse_dynamic(root: Element, request: Request) -> list[RateObservation]:
    cbr_id = parse_qs(urlsplit(request.url).query).get("VAL_NM_RQ", [""])[0]
    code = CBR_IDS.get(cbr_id)
    if code is None:
        raise FormatError(f"{NAME}: unknown CBR currency id {cbr_id!r} in {request.url}")
    _check_id(root, cbr_id)
    # No records is a real answer: no rate was set in the range (e.g. Sunday to Monday).
    found: dict[date, RateObservation] = {}
    for record in xml_children(root, "Record", NAME):
        _check_id(record, cbr_id)
        as_of = parse_date(record.get("Date"), NAME, f"Record Date of {cbr_id}", "%d.%m.%Y")
        check_new(found, as_of, NAME, what=f"{code} record", where=f"for {as_of}")
        rate = value_per_nominal(record, NAME, f"{code} on {as_of}")
        found[as_of] = RateObservation(NAME, code, HOME_CURRENCY, rate, as_of)
    return list(found.values())


def _check_id(element: Element, cbr_id: str) -> None:
    stated = element.get("ID", element.get("Id"))
    if stated is not None and stated != cbr_id:
        raise FormatError(f"{NAME}: <{element.tag}> is for {stated}, the request for {cbr_id}")
