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

from collections.abc import Mapping
from datetime import date

from ..base import RateObservation, Request
from ..formats import valcurs_rates, xml_root

NAME = "nbt"
HOME_CURRENCY = "TJS"

_URL = "https://www.nbt.tj/en/kurs/export_xml.php"


def requests(day: date | None, settings: Mapping[str, str]) -> list[Request]:
    """The XML of official rates for ``day`` (today for None)."""
    day = day or date.today()
    return [Request("GET", f"{_URL}?date={day:%Y-%m-%d}&export=xmlout")]


def parse(body: bytes, request: Request) -> list[RateObservation]:
    """One observation per currency listed, dated as the document states."""
    return valcurs_rates(xml_root(body, NAME, "ValCurs"), NAME, HOME_CURRENCY, "%Y-%m-%d")
