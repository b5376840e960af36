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

from collections.abc import Mapping
from datetime import date
from functools import partial
from xml.etree.ElementTree import Element

from ..base import FormatError, RateObservation, Request
from ..formats import nominal_rates, parse_date, xml_entries, xml_root

NAME = "nbkr"
HOME_CURRENCY = "KGS"

_URLS = ("https://www.nbkr.kg/XML/daily.xml", "https://www.nbkr.kg/XML/weekly.xml")


def requests(day: date | None, settings: Mapping[str, str]) -> list[Request]:
    """The daily and the weekly file; NBKR offers no past dates, so ``day`` is ignored."""
    return [Request("GET", url) for url in _URLS]


def parse(body: bytes, request: Request) -> list[RateObservation]:
    """One observation per currency in daily.xml or weekly.xml, dated as the file states."""
    root = xml_root(body, NAME, "CurrencyRates")
    as_of = parse_date(root.get("Date"), NAME, "CurrencyRates Date", "%d.%m.%Y")
    currencies = xml_entries(root, "Currency", NAME, f"the rates of {as_of}")
    return nominal_rates(currencies, partial(_iso_code, as_of=as_of), NAME, HOME_CURRENCY, as_of)


def _iso_code(currency: Element, as_of: date) -> str:
    """The ISOCode attribute of a <Currency>, which must be there."""
    code = (currency.get("ISOCode") or "").strip()
    if not code:
        raise FormatError(f"{NAME}: a <Currency> of {as_of} has no ISOCode attribute")
    return code
