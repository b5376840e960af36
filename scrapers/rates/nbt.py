"""National Bank of Tajikistan (NBT): official rates of the somoni against about 35 currencies.

UTF-8 XML in the Bank of Russia's shape, ``ValCurs`` with ``Valute`` entries holding
``CharCode``, ``Nominal``, ``Value`` (decimal point), but the date is ISO
(``Date="YYYY-MM-DD"``), there is no ``NumCode`` (the ``Valute ID`` is the ISO numeric code)
and ``Value`` is per ``Nominal`` units: 10 KGS, 100 UZS, 1000 IRR. Values keep four
decimals whatever the nominal, so the smallest units are coarse (1000 IRR = 0.0071 TJS).
NBT sets rates daily; the export answers for any ``date=YYYY-MM-DD`` and states that date
in the document. No dateless (latest) variant was recorded, so ``requests(None)`` asks for
today's date by this machine's clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import ParseError, fromstring

from ..base import FormatError, RateObservation, Request, decimal_from, per_unit

NAME = "nbt"
HOME_CURRENCY = "TJS"

_URL = "https://www.nbt.tj/en/kurs/export_xml.php"
_ISO_CODE = re.compile(r"[A-Z]{3}")


def requests(day: date | None, settings: Mapping[str, str]) -> list[Request]:
    """The XML of official rates for ``day`` (today for None)."""
    day = day or date.today()
    return [Request("GET", f"{_URL}?date={day:%Y-%m-%d}&export=xmlout")]


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
        return datetime.strptime(text or "", "%Y-%m-%d").date()
    except ValueError:
        raise FormatError(f"{NAME}: ValCurs Date {text!r} is not a YYYY-MM-DD date") from None
