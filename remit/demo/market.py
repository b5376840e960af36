"""The demo's one market: a table of mid-market USD rates, and what the writers share.

Every figure in the demo recordings comes from ``PER_USD`` (units of a currency per US
dollar on the demo day), so that cross rates agree whichever bank or provider states them.
Each central bank fixes at its own hour, so its figures differ from the table by a few
hundredths of a percent (``bank_rate``), deterministically: no randomness, same bytes on
every run. Money and rates are Decimal throughout, never float.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

from scrapers.base import Request

USD_PER_EUR = Decimal("1.1615")
BAM_PER_EUR = Decimal("1.95583")   # the convertible mark's fixed peg to the euro

# Units per US dollar on the demo day (2026-11-20). EUR and BAM follow from their quotes.
PER_USD: dict[str, Decimal] = {
    "USD": Decimal(1), "RUB": Decimal("81.20"), "TJS": Decimal("9.41"),
    "KGS": Decimal("87.45"), "UZS": Decimal("12150"), "AMD": Decimal("380.40"),
    "GEL": Decimal("2.703"), "MDL": Decimal("17.28"), "ALL": Decimal("84.60"),
    "MAD": Decimal("9.285"), "UAH": Decimal("42.35"), "RSD": Decimal("101.05"),
    "TRY": Decimal("43.62"), "AZN": Decimal("1.70"), "DZD": Decimal("132.60"),
    "TND": Decimal("2.948"),
}
PER_USD["EUR"] = Decimal(1) / USD_PER_EUR
PER_USD["BAM"] = BAM_PER_EUR * PER_USD["EUR"]

# How far a day's fixings sit from the demo day's, in fiftieths of a percent, by days before.
DRIFT = (0, 3, -2, 1, 4, -1, 2, -3, 1, 2)

# Held at a fixed parity: no bank's fixing moves them against their anchor.
PEGGED = frozenset({"USD", "AZN"})

NUMERIC = {"USD": "840", "EUR": "978", "RUB": "643", "TJS": "972", "KGS": "417", "UZS": "860",
           "AMD": "051", "GEL": "981", "MDL": "498", "ALL": "008", "MAD": "504", "UAH": "980",
           "RSD": "941", "TRY": "949", "AZN": "944", "DZD": "012", "TND": "788"}
ENGLISH = {"USD": "US Dollar", "EUR": "Euro", "RUB": "Russian Ruble", "TJS": "Tajik Somoni",
           "KGS": "Kyrgyz Som", "UZS": "Uzbek Sum", "AMD": "Armenian Dram", "GEL": "Georgian Lari",
           "MDL": "Moldovan Leu", "ALL": "Albanian Lek", "MAD": "Moroccan Dirham",
           "UAH": "Ukrainian Hryvnia", "RSD": "Serbian Dinar", "TRY": "Turkish Lira",
           "AZN": "Azerbaijan Manat", "DZD": "Algerian Dinar", "TND": "Tunisian Dinar"}

# The currencies of remit's corridors each bank lists, with the number of units its figure
# is for, as that bank does it (100 AMD, 10000 UZS), and each bank's own currency.
LISTS: dict[str, dict[str, int]] = {
    "cbr": {"AZN": 1, "DZD": 100, "AMD": 100, "GEL": 1, "USD": 1, "EUR": 1, "KGS": 100,
            "MDL": 10, "TJS": 10, "TRY": 10, "UZS": 10000, "UAH": 10, "RSD": 100},
    "nbm": {"EUR": 1, "USD": 1, "RUB": 1, "UAH": 1, "ALL": 10, "AMD": 10, "AZN": 1, "GEL": 1,
            "KGS": 10, "RSD": 100, "TJS": 1, "TRY": 1, "UZS": 100},
    "nbt": {"USD": 1, "EUR": 1, "RUB": 1, "UZS": 100, "KGS": 10, "TRY": 1, "AZN": 1, "AMD": 100,
            "GEL": 1, "MDL": 1, "UAH": 1},
    "cbu": {"USD": 1, "EUR": 1, "RUB": 1, "AMD": 1, "AZN": 1, "DZD": 1, "GEL": 1, "KGS": 1,
            "MAD": 1, "MDL": 1, "RSD": 1, "TJS": 1, "TND": 1, "TRY": 1, "UAH": 1},
    "nbg": {"AMD": 1000, "AZN": 1, "EUR": 1, "KGS": 100, "MDL": 10, "RSD": 100, "RUB": 100,
            "TJS": 10, "TRY": 1, "UAH": 10, "USD": 1, "UZS": 1000},
    "cba": {"USD": 1, "EUR": 1, "KGS": 1, "RUB": 1, "UAH": 1, "UZS": 10, "TJS": 1, "GEL": 1},
    "nbu": {"AZN": 1, "DZD": 10, "EUR": 1, "GEL": 1, "MDL": 1, "RSD": 10, "TND": 1, "TRY": 1,
            "USD": 1},
    "bam": {"DZD": 10, "EUR": 1, "RUB": 1, "TND": 1, "TRY": 1, "USD": 1},
    "bct": {"DZD": 10, "USD": 1, "MAD": 10, "EUR": 1},
    "ecb": {"TRY": 1, "USD": 1},
    "tcmb": {"AZN": 1, "EUR": 1, "RUB": 1, "USD": 1},
}
HOME = {"cbr": "RUB", "nbm": "MDL", "nbt": "TJS", "nbkr": "KGS", "cbu": "UZS", "nbg": "GEL",
        "cba": "AMD", "nbu": "UAH", "bam": "MAD", "bct": "TND", "ecb": "EUR", "tcmb": "TRY"}


@dataclass(frozen=True)
class Recording:
    """One recorded exchange: the request as the module makes it, and the answer."""

    source: str
    request: Request
    status: int
    content_type: str
    body: bytes
    ext: str


def mid_rate(base: str, quote: str) -> Decimal:
    """Units of ``quote`` per one ``base`` at the table's mid-market rates."""
    return PER_USD[quote] / PER_USD[base]


def _wobble(bank: str, code: str) -> int:
    """-2..2: how many hundredths of a percent a bank's fixing sits from the table."""
    return sum(f"{bank}:{code}".encode()) % 5 - 2


def bank_usd(bank: str, code: str) -> Decimal:
    """A bank's own USD rate for a currency: the table moved by its fixing's wobble."""
    if code in PEGGED:
        return PER_USD[code]
    return PER_USD[code] * (1 + Decimal(_wobble(bank, code)) / 10000)


def bank_rate(bank: str, base: str, quote: str, days_before: int = 0) -> Decimal:
    """1 ``base`` in ``quote`` as ``bank`` fixes it, ``days_before`` the demo day.

    Earlier days drift by at most a tenth of a percent, so that a series looks like one.
    """
    drift = 1 + Decimal(DRIFT[days_before % len(DRIFT)]) / 5000
    return bank_usd(bank, quote) / bank_usd(bank, base) * drift


def figure(bank: str, code: str, digits: int, days_before: int = 0) -> Decimal:
    """A bank's published figure for its listed units of ``code``, to ``digits`` decimals.

    The ECB quotes the other way round (foreign units per euro), as its feed does.
    """
    units = LISTS[bank][code]
    if bank == "ecb":
        return places(bank_rate(bank, "EUR", code, days_before), digits)
    return places(bank_rate(bank, code, HOME[bank], days_before) * units, digits)


def change(bank: str, code: str, digits: int) -> Decimal:
    """Today's figure minus yesterday's, as the banks that publish the change write it."""
    return figure(bank, code, digits) - figure(bank, code, digits, days_before=1)


def places(value: Decimal, digits: int, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """``value`` rounded to ``digits`` decimal places."""
    return value.quantize(Decimal(1).scaleb(-digits), rounding=rounding)


def significant(value: Decimal, digits: int, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """``value`` rounded to ``digits`` significant digits (kept as a plain decimal)."""
    with localcontext() as context:
        context.prec = digits
        context.rounding = rounding
        rounded = +value
    return rounded.quantize(Decimal(1).scaleb(min(rounded.as_tuple().exponent, 0)))


def down(value: Decimal, digits: int = 2) -> Decimal:
    """Rounded down: what a provider pays out never exceeds what its rate gives."""
    return places(value, digits, ROUND_DOWN)


def plain(value: Decimal) -> str:
    """Digits without exponent and without trailing zeros: 1.15, 0.006683, 2."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def to_json(value: Any, *, ascii_only: bool = False) -> str:
    """Compact JSON whose numbers are Decimals written digit for digit (never via float).

    Keys keep their insertion order, so the output is the same on every run.
    """
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(key, ensure_ascii=ascii_only)}:"
                              f"{to_json(item, ascii_only=ascii_only)}"
                              for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_json(item, ascii_only=ascii_only) for item in value) + "]"
    return json.dumps(value, ensure_ascii=ascii_only)
