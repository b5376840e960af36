"""National Bank of the Kyrgyz Republic (NBKR): official rates of the som (KGS).

Two files, both ``CurrencyRates Date="DD.MM.YYYY"`` with ``Currency ISOCode="..."``
entries holding ``Nominal`` and ``Value``, declared windows-1251, with decimal commas.
``daily.xml`` has the main currencies (USD, EUR, CNY, KZT, RUB), set every business day;
``weekly.xml`` has about 40 others, set once a week, each with ``ValidFor`` days (7). The
document's ``Date`` is the day the rates are for. ``Value`` is per ``Nominal`` units
(10 JPY, 100 BYR). ``weekly.xml`` still lists the withdrawn Belarusian rouble BYR beside
BYN; it is kept as published. The files have no date parameter: they always hold the
latest rates, so ``requests(day)`` returns both URLs whatever ``day`` is, and ``as_of``
always comes from the document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import ParseError, fromstring

from ..base import FormatError, RateObservation, Request, decimal_from, per_unit

NAME = "nbkr"
HOME_CURRENCY = "KGS"

_URLS = ("https://www.nbkr.kg/XML/daily.xml", "https://www.nbkr.kg/XML/weekly.xml")
_ISO_CODE = re.compile(r"[A-Z]{3}")


def requests(day: date | None, settings: Mapping[str, str]) -> list[Request]:
    """The daily and the weekly file; NBKR offers no past dates, so ``day`` is ignored."""
    return [Request("GET", url) for url in _URLS]


def parse(body: bytes, request: Request) -> list[RateObservation]:
    """One observation per currency in daily.xml or weekly.xml, dated as the file states."""
    root = _root(body)
    as_of = _date(root.get("Date"))
    entries = list(root)
    if not entries:
        raise FormatError(f"{NAME}: no <Currency> entries in the rates of {as_of}")
    found: dict[str, RateObservation] = {}
    for currency in entries:
        if currency.tag != "Currency":
            raise FormatError(f"{NAME}: unexpected <{currency.tag}> in <CurrencyRates>")
        code = (currency.get("ISOCode") or "").strip()
        if not code:
            raise FormatError(f"{NAME}: a <Currency> of {as_of} has no ISOCode attribute")
        if not _ISO_CODE.fullmatch(code):
            continue  # not an ISO 4217 currency: nothing to compare with
        if code in found:
            raise FormatError(f"{NAME}: {code} listed twice in the rates of {as_of}")
        found[code] = _observation(currency, code, as_of)
    return list(found.values())


def _root(body: bytes) -> Element:
    if not body.strip():
        raise FormatError(f"{NAME}: empty body instead of XML")
    try:
        # Bytes, not text: expat reads the windows-1251 declaration itself.
        root = fromstring(body)
    except (ParseError, ValueError, LookupError) as exc:
        raise FormatError(f"{NAME}: not well-formed XML ({exc})") from None
    if root.tag != "CurrencyRates":
        raise FormatError(f"{NAME}: root element is <{root.tag}>, expected <CurrencyRates>")
    return root


def _observation(currency: Element, code: str, as_of: date) -> RateObservation:
    where = f"{code} on {as_of}"
    value = decimal_from(_field(currency, "Value", where), what=f"{NAME}: Value of {where}")
    nominal = decimal_from(_field(currency, "Nominal", where), what=f"{NAME}: Nominal of {where}")
    rate = per_unit(value, nominal, what=f"{NAME}: {where}")
    return RateObservation(NAME, code, HOME_CURRENCY, rate, as_of)


def _field(element: Element, tag: str, where: str) -> str:
    text = (element.findtext(tag) or "").strip()
    if not text:
        raise FormatError(f"{NAME}: <{tag}> missing or empty in {where}")
    return text


def _date(text: str | None) -> date:
    try:
        return datetime.strptime(text or "", "%d.%m.%Y").date()
    except ValueError:
        message = f"{NAME}: CurrencyRates Date {text!r} is not a DD.MM.YYYY date"
        raise FormatError(message) from None
