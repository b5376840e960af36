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

from collections.abc import Mapping
from datetime import date

from ..base import RateObservation, Request
from ..formats import valcurs_rates, xml_root

NAME = "nbm"
HOME_CURRENCY = "MDL"

_URL = "https://www.bnm.md/en/official_exchange_rates"


def requests(day: date | None, settings: Mapping[str, str]) -> list[Request]:
    """The XML of official rates for ``day`` (today for None)."""
    day = day or date.today()
    return [Request("GET", f"{_URL}?date={day:%d.%m.%Y}&get_xml=1")]


def parse(body: bytes, request: Request) -> list[RateObservation]:
    """One observation per currency listed, dated as the document states."""
    return valcurs_rates(xml_root(body, NAME, "ValCurs"), NAME, HOME_CURRENCY, "%d.%m.%Y")
