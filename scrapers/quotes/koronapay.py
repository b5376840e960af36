"""KoronaPay (Zolotaya Korona) tariffs: the provider's own price for a transfer from Russia.

Source: the tariff endpoint behind koronapay.com's online transfer form (undocumented, so
liable to change): ``GET https://koronapay.com/transfers/online/api/transfers/tariffs``
with ``sendingCountryId=RUS`` and ``receivingCountryId`` (ISO alpha-3),
``sendingCurrencyId=810`` and ``receivingCurrencyId`` (ISO numeric; RUB is the pre-1998
810, not 643), ``paymentMethod=debitCard`` and ``receivingMethod`` (cash or card). The
answer is a JSON array of tariffs::

    [{sendingCurrency: {id, code, name}, sendingAmount, sendingCommission,
      receivingCurrency: {id, code, name}, receivingAmount, exchangeRate,
      exchangeRateType, sendingAmountDiscount, sendingCommissionDiscount,
      exchangeRateDiscount, ...}]

with every amount in minor units (kopecks, dirams: see ``MINOR_UNITS``).

Assumptions:

- The site asks with ``receivingAmount=<minor units>``. To price a SEND amount this module
  sends ``sendingAmount=<minor units>`` in its place, assuming the endpoint accepts it the
  same way. A tariff priced for another amount (beyond the commission and 1%) fails with
  FormatError, so a change in that behaviour does not go unnoticed.
- ``exchangeRate`` is not stated in a documented direction (a recorded RUB->USD tariff gives
  RUB per USD, 83.13). The direction that reconciles ``sendingAmount``, ``sendingCommission``
  and ``receivingAmount`` is taken (the closer one if neither fits), stored as receive
  units per RUB.
- The fee is ``sendingCommission``; whether it is added on top (KoronaPay's usual way) or
  deducted is read from the numbers (``_common.fee_mode``): ``receivingAmount`` ≈
  sendingAmount × rate is "on_top", ≈ (sendingAmount − commission) × rate is "deducted",
  otherwise "unknown". The optional paid SMS notice (``paidNotificationCommission``) is not
  asked for and not counted.
- A discount in the tariff (``*Discount`` > 0) marks the quote promotional.
- The tariff says nothing about speed, so speed stays "unknown" (the site's "within
  minutes" is marketing, not part of this price).

Honesty: as for every quote source (``_common``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from scrapers.base import FormatError, QuoteObservation, QuoteQuery, Request

# fee_mode, defined in _common, stays a public name of this module.
from ._common import (fee_mode, inverse, json_body, json_number, json_objects,
                      typed_field, unserved)

NAME = "koronapay"
COLLECTION_METHOD = "provider_api"
PROVIDER = "koronapay"
PROVIDER_NAME = "KoronaPay"
URL = "https://koronapay.com/transfers/online/api/transfers/tariffs"
AMOUNT_SLACK = Decimal("0.01")    # how far the priced amount may drift from the one asked

SENDING_COUNTRY = "RU"
SENDING_CURRENCY = "RUB"
ALPHA3 = {"RU": "RUS", "TJ": "TJK", "KG": "KGZ", "UZ": "UZB", "AM": "ARM", "GE": "GEO",
          "MD": "MDA"}
# ISO numeric id as KoronaPay writes it, and the number of minor-unit digits.
CURRENCIES = {"RUB": ("810", 2), "TJS": ("972", 2), "KGS": ("417", 2), "UZS": ("860", 2),
              "AMD": ("051", 2), "GEL": ("981", 2), "MDL": ("498", 2), "USD": ("840", 2),
              "EUR": ("978", 2)}
MINOR_UNITS = {code: digits for code, (_, digits) in CURRENCIES.items()}
# Payouts priced per destination and currency: cash everywhere; card where KoronaPay
# credits local cards (TJ, KG, UZ in local currency). Dollars and euros are cash only.
PAYOUTS = {
    ("TJ", "TJS"): ("cash", "card"), ("TJ", "USD"): ("cash",),
    ("KG", "KGS"): ("cash", "card"), ("KG", "USD"): ("cash",),
    ("UZ", "UZS"): ("cash", "card"), ("UZ", "USD"): ("cash",),
    ("AM", "AMD"): ("cash",), ("AM", "USD"): ("cash",), ("AM", "EUR"): ("cash",),
    ("GE", "GEL"): ("cash",), ("GE", "USD"): ("cash",), ("GE", "EUR"): ("cash",),
    ("MD", "MDL"): ("cash",), ("MD", "USD"): ("cash",), ("MD", "EUR"): ("cash",),
}
PICKUP = {"cash": "cash", "card": "card"}
DISCOUNTS = ("sendingAmountDiscount", "sendingCommissionDiscount", "exchangeRateDiscount")


def serves(query: QuoteQuery) -> bool:
    """Whether KoronaPay prices this: RUB sent from Russia to a payout in ``PAYOUTS``."""
    return (query.source_country == SENDING_COUNTRY
            and query.send_currency == SENDING_CURRENCY
            and (query.destination_country, query.receive_currency) in PAYOUTS)


def requests(query: QuoteQuery, settings: Mapping[str, str]) -> list[Request]:
    """One tariff GET per receiving method; ValueError for an unserved query or amount."""
    if not serves(query):
        raise unserved(NAME, query)
    minor = query.send_amount.scaleb(MINOR_UNITS[query.send_currency])
    if minor != minor.to_integral_value() or minor <= 0:
        raise ValueError(f"{NAME}: {query.send_amount} is not a whole number of kopecks")
    methods = PAYOUTS[query.destination_country, query.receive_currency]
    return [Request("GET", _url(query, int(minor), method),
                    headers={"Accept": "application/json"}) for method in methods]


def _url(query: QuoteQuery, minor: int, method: str) -> str:
    """The tariff URL; ``receivingMethod`` in it tells ``parse`` the pickup method."""
    params = {"sendingCountryId": ALPHA3[query.source_country],
              "sendingCurrencyId": CURRENCIES[query.send_currency][0],
              "receivingCountryId": ALPHA3[query.destination_country],
              "receivingCurrencyId": CURRENCIES[query.receive_currency][0],
              "paymentMethod": "debitCard", "sendingAmount": str(minor),
              "receivingMethod": method}
    return f"{URL}?{urlencode(params)}"


def parse(body: bytes, request: Request, query: QuoteQuery) -> list[QuoteObservation]:
    """One observation per tariff in the array; FormatError on anything malformed or changed."""
    data = json_body(body, NAME)
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        message = " ".join(data["message"].split())  # kept to one line
        raise FormatError(f"{NAME}: an error object instead of tariffs: {message:.120}")
    if not isinstance(data, list):
        raise FormatError(f"{NAME}: expected a JSON array of tariffs, got {type(data).__name__}")
    method = parse_qs(urlsplit(request.url).query).get("receivingMethod", [""])[0]
    pickup = PICKUP.get(method, "unknown")
    return [_observation(tariff, query, pickup)
            for tariff in json_objects(data, NAME, "a tariff")]


def _observation(tariff: dict[str, Any], query: QuoteQuery, pickup: str) -> QuoteObservation:
    _check_currency(tariff, "sendingCurrency", query.send_currency)
    _check_currency(tariff, "receivingCurrency", query.receive_currency)
    send = _minor(tariff, "sendingAmount", query.send_currency)
    fee = _minor(tariff, "sendingCommission", query.send_currency, allow_zero=True)
    received = _minor(tariff, "receivingAmount", query.receive_currency)
    stated = json_number(tariff, "exchangeRate", NAME, "a tariff", text=False)
    if abs(send - query.send_amount) > fee + query.send_amount * AMOUNT_SLACK:
        raise FormatError(f"{NAME}: the tariff prices {send} {query.send_currency}, not the "
                          f"{query.send_amount} asked (sendingAmount not honoured?)")
    rate = _oriented(send, fee, received, stated)
    return QuoteObservation(
        source=NAME, provider=PROVIDER, provider_name=PROVIDER_NAME,
        source_country=query.source_country, destination_country=query.destination_country,
        send_amount=send, send_currency=query.send_currency,
        fee=fee, fee_mode=fee_mode(send, fee, received, rate),
        exchange_rate=rate, received_amount=received, receive_currency=query.receive_currency,
        collected_at=query.collected_at, payment_instrument="debit_card",
        access_point="internet", pickup_method=pickup, speed="unknown",
        promotional=_promotional(tariff), collection_method=COLLECTION_METHOD)


def _check_currency(tariff: dict[str, Any], key: str, wanted: str) -> None:
    """The tariff's currency object names ``wanted`` by its numeric id (and code, if given)."""
    currency = typed_field(tariff, key, dict, NAME, "a tariff")
    number = currency.get("id")
    if isinstance(number, Decimal):
        number = str(number)
    if not isinstance(number, str) or not number.strip().isdigit():
        raise FormatError(f"{NAME}: {key}.id {number!r:.40} is not a numeric currency id")
    code = currency.get("code") or wanted  # the alphabetic code is optional
    if int(number) != int(CURRENCIES[wanted][0]) or code != wanted:
        raise FormatError(f"{NAME}: {key} is {number}/{code}, the query asked for "
                          f"{CURRENCIES[wanted][0]}/{wanted}")


def _oriented(send: Decimal, fee: Decimal, received: Decimal, stated: Decimal) -> Decimal:
    """``stated`` as receive units per send unit: the direction the amounts bear out."""
    # 12 digits: far finer than the 4-5 digits KoronaPay prints
    return min((stated, inverse(stated, 12)),
               key=lambda rate: _misfit(send, fee, received, rate))


def _misfit(send: Decimal, fee: Decimal, received: Decimal, rate: Decimal) -> Decimal:
    """The smaller relative gap between ``received`` and either fee reading at ``rate``."""
    expected = [base * rate for base in (send, send - fee) if base > 0]
    return min(abs(received - value) / value for value in expected)


def _promotional(tariff: dict[str, Any]) -> bool:
    """True when the tariff shows a discount on the amount, the commission or the rate."""
    for key in DISCOUNTS:
        value = tariff.get(key)
        if value is not None and (not isinstance(value, Decimal) or isinstance(value, bool)):
            raise FormatError(f"{NAME}: {key} is not a number: {value!r:.40}")
        if value is not None and value > 0:
            return True
    return False


def _minor(data: dict[str, Any], key: str, currency: str, *, allow_zero: bool = False) -> Decimal:
    """A whole number of minor units brought to major units (117130 kopecks -> 1171.30)."""
    value = json_number(data, key, NAME, "a tariff", zero=allow_zero, text=False)
    if value != value.to_integral_value():
        raise FormatError(f"{NAME}: {key} {value} is not a whole number of minor units")
    return value.scaleb(-MINOR_UNITS[currency])
