"""National Bank of Moldova (NBM / BNM): official rates of the leu against about 40 currencies.

The XML is modelled on the Bank of Russia's (``ValCurs Date="DD.MM.YYYY"`` with ``Valute``
entries holding ``CharCode``, ``Nominal``, ``Value``) but is UTF-8 with a decimal point, and
its ``Valute ID`` is NBM's own numbering, not used here. ``Value`` is per ``Nominal`` units
(10 ALL, 100 RSD, 100 UZS) and is brought to one unit. NBM sets the official rate for
every day; the page answers for any ``date=DD.MM.YYYY`` and states that date in the
document. No dateless (latest) variant was recorded, so ``requests(None)`` asks for today's
date by this machine's clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import ParseError, fromstring

from ..base import FormatError, RateObservation, Request, decimal_from, per_unit

NAME = "nbm"
HOME_CURRENCY = "MDL"

_URL = "https://www.bnm.md/en/official_exchange_rates"
_ISO_CODE = re.compile(r"[A-Z]{3}")


def requests(day: date | None, settings: Mapping[str, str]) -> list[Request]:
    """The XML of official rates for ``day`` (today for None)."""
    day = day or date.today()
    return [Request("GET", f"{_URL}?date={day:%d.%m.%Y}&get_xml=1")]


def parse(body: bytes, request: Request) -> list[RateObservation]:
    """One observation per currency listed, dated as the document states."""
    root = _root(body)
    as_of = _date(root.get("Date"))
    entries = list(root)
    if not entries:
        raise FormatError(f"{NAME}: no <Valute> entries in the rates of {as_of}")
    found: dict[str, RateObservation] = {}
    for valute in entries:
        if valute.tag != "Valute":
            raise FormatError(f"{NAME}: unexpected <{valute.tag}> in <ValCurs>")
        code = _field(valute, "CharCode", f"a <Valute> of {as_of}")
        if not _ISO_CODE.fullmatch(code):
            continue  # not an ISO 4217 currency: nothing to compare with
        if code in found:
            raise FormatError(f"{NAME}: {code} listed twice in the rates of {as_of}")
        found[code] = _observation(valute, code, as_of)
    return list(found.values())


def _root(body: bytes) -> Element:
    if not body.strip():
        raise FormatError(f"{NAME}: empty body instead of XML")
    try:
        # Bytes, not text: the parser honours whatever encoding the declaration names.
        root = fromstring(body)
    except (ParseError, ValueError, LookupError) as exc:
        raise FormatError(f"{NAME}: not well-formed XML ({exc})") from None
    if root.tag != "ValCurs":
        raise FormatError(f"{NAME}: root element is <{root.tag}>, expected <ValCurs>")
    return root


def _observation(valute: Element, code: str, as_of: date) -> RateObservation:
    where = f"{code} on {as_of}"
    value = decimal_from(_field(valute, "Value", where), what=f"{NAME}: Value of {where}")
    nominal = decimal_from(_field(valute, "Nominal", where), what=f"{NAME}: Nominal of {where}")
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
        raise FormatError(f"{NAME}: ValCurs Date {text!r} is not a DD.MM.YYYY date") from None
