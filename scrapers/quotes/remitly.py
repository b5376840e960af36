"""Remitly: price of a transfer from an EU country, from Remitly's public calculator API.

Source: ``GET https://api.remitly.io/v3/calculator/estimate?conduit=ITA:EUR-MDA:MDL&
anchor=SEND&amount=500``, the endpoint behind the calculator on remitly.com. It is
undocumented and rate-limited (429 with Retry-After, handled by the HTTP client). The
conduit is SENDER_ISO3:CURRENCY-RECEIVER_ISO3:CURRENCY (Kosovo is XKX); ``anchor=SEND``
prices a send amount, given as a plain decimal string. Third-party clients also send
``purpose=OTHER``, ``customer_segment`` and ``strict_promo``; the calculator is not known
to need them, so they are left out (add ``purpose=OTHER`` if it starts to be required).

Shape. The brief names ``estimate.send_amount``, ``estimate.receive_amount``,
``estimate.fee.total_fee_amount`` and ``estimate.exchange_rate.base_rate``: these are
required. The rest are ASSUMPTIONS from third-party clients, read when present:
``exchange_rate.promotional_exchange_rate`` with ``capped_promotional_exchange_rate_amount``
(the send amount up to which it applies), ``conduit.source_currency.alpha3`` and
``conduit.target_currency.alpha3`` (checked against the query), ``pay_in_method``,
``pay_out_method`` (BANK_DEPOSIT, CASH_PICKUP, ...) and ``delivery_date_estimate`` (an
ISO-8601 datetime, or a date, by when the money arrives; unreadable means "unknown").
Numbers come as strings or JSON numbers; both are read exactly. ``pay_out_price_estimates``
(other delivery methods) is not read.

Observations: one at the STANDARD rate (``base_rate``) and, when a promotional rate is
published, differs and covers the whole send amount, a second marked ``promotional``
(first transfer only; same fee). Which of the two ``receive_amount`` is priced at, and the
fee mode, come from the numbers (``_common.explain``): on_top when receive = send x rate,
deducted when receive = (send - fee) x rate, else unknown. The received amount is kept
on the observation whose rate it matches (on the only one when there is no promotion) and
left None on the other, for remit.costs to compute: never invented here.

Honesty: as for every quote source (``_common``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from ..base import QuoteObservation, QuoteQuery, Request

from ._common import (SPEED_BANDS_DAYS, check_stated, explain, json_number,
                      json_object, speed_band, typed_field, unserved)

NAME = "remitly"
COLLECTION_METHOD = "provider_api"
PROVIDER = "remitly"
PROVIDER_NAME = "Remitly"
URL = "https://api.remitly.io/v3/calculator/estimate"

SENDERS = {"IT": "ITA", "DE": "DEU", "ES": "ESP", "FR": "FRA", "GR": "GRC"}   # all send EUR
SEND_CURRENCY = "EUR"
DESTINATIONS = {   # alpha-2 -> (alpha-3, payout currency); Kosovo uses the euro
    "MD": ("MDA", "MDL"), "AL": ("ALB", "ALL"), "MA": ("MAR", "MAD"), "UA": ("UKR", "UAH"),
    "RS": ("SRB", "RSD"), "BA": ("BIH", "BAM"), "XK": ("XKX", "EUR"), "TR": ("TUR", "TRY"),
    "DZ": ("DZA", "DZD"), "TN": ("TUN", "TND"),
}
PICKUP_METHODS = {
    "BANK_DEPOSIT": "bank_account", "CASH_PICKUP": "cash", "MOBILE_WALLET": "mobile_wallet",
    "DIRECT_TO_PHONE": "mobile_wallet", "HOME_DELIVERY": "home_delivery",
}
PAYMENT_INSTRUMENTS = {"DEBIT_CARD": "debit_card", "CREDIT_CARD": "credit_card",
                       "BANK_ACCOUNT": "bank_account"}
_RATES = "estimate.exchange_rate"   # where a problem is, in messages


def serves(query: QuoteQuery) -> bool:
    """Whether Remitly is asked for this corridor: EUR from a listed EU sender to a payout."""
    destination = DESTINATIONS.get(query.destination_country)
    return (query.source_country in SENDERS and query.send_currency == SEND_CURRENCY
            and destination is not None and query.receive_currency == destination[1]
            and query.send_amount > 0)


def requests(query: QuoteQuery, settings: Mapping[str, str]) -> list[Request]:
    """The one calculator GET for the query."""
    if not serves(query):
        raise unserved(NAME, query)
    sender = SENDERS[query.source_country]
    receiver = DESTINATIONS[query.destination_country][0]
    conduit = f"{sender}:{query.send_currency}-{receiver}:{query.receive_currency}"
    params = {"conduit": conduit, "anchor": "SEND", "amount": format(query.send_amount, "f")}
    # ':' left readable, as the calculator itself writes the conduit.
    return [Request("GET", f"{URL}?{urlencode(params, safe=':')}", {"Accept": "application/json"})]


def parse(body: bytes, request: Request, query: QuoteQuery) -> list[QuoteObservation]:
    """The standard-rate observation, then the promotional one when there is one."""
    # NaN and Infinity are refused only where a number is read.
    estimate = _object(json_object(body, NAME, constants=True), "estimate", "the response")
    _check_currencies(estimate, query)
    send = json_number(estimate, "send_amount", NAME, "estimate")
    received = json_number(estimate, "receive_amount", NAME, "estimate")
    fee = json_number(_object(estimate, "fee", "estimate"), "total_fee_amount", NAME,
                      "estimate.fee", zero=True)
    rates = _object(estimate, "exchange_rate", "estimate")
    candidates = {"standard": json_number(rates, "base_rate", NAME, _RATES)}
    promotional = _promotional_rate(rates, candidates["standard"])
    if promotional is not None:
        candidates["promotional"] = promotional
    matched, fee_mode = explain(send, fee, candidates, received, relative_to_received=True)
    if promotional is None:
        matched = "standard"   # the only rate: the amount received is its own
    common = dict(
        source=NAME, provider=PROVIDER, provider_name=PROVIDER_NAME,
        source_country=query.source_country, destination_country=query.destination_country,
        send_amount=send, send_currency=query.send_currency, fee=fee, fee_mode=fee_mode,
        receive_currency=query.receive_currency, collected_at=query.collected_at,
        payment_instrument=PAYMENT_INSTRUMENTS.get(_code(estimate, "pay_in_method"), "debit_card"),
        access_point="mobile_app",
        pickup_method=PICKUP_METHODS.get(_code(estimate, "pay_out_method"), "unknown"),
        speed=_speed(estimate.get("delivery_date_estimate"), query.collected_at),
        collection_method=COLLECTION_METHOD,
    )
    observations = [QuoteObservation(
        exchange_rate=candidates["standard"], promotional=False,
        received_amount=received if matched == "standard" else None, **common)]
    if promotional is not None and _promotion_covers(rates, send):
        observations.append(QuoteObservation(
            exchange_rate=promotional, promotional=True,
            received_amount=received if matched == "promotional" else None, **common))
    return observations


def _object(parent: dict[str, Any], field: str, where: str) -> dict[str, Any]:
    """The object ``parent[field]`` of ``where`` ("estimate"): required."""
    return typed_field(parent, field, dict, NAME, where)


def _promotional_rate(rates: dict[str, Any], standard: Decimal) -> Decimal | None:
    """The published promotional rate, None when absent, empty or equal to the standard."""
    if rates.get("promotional_exchange_rate") in (None, ""):
        return None
    promotional = json_number(rates, "promotional_exchange_rate", NAME, _RATES)
    return None if promotional == standard else promotional


def _promotion_covers(rates: dict[str, Any], send: Decimal) -> bool:
    # Above the cap only part of the amount gets the promotional rate: no single rate
    # describes that transfer, so no promotional observation is made for it.
    if rates.get("capped_promotional_exchange_rate_amount") in (None, ""):
        return True
    return send <= json_number(rates, "capped_promotional_exchange_rate_amount", NAME, _RATES)


def _code(estimate: dict[str, Any], field: str) -> str | None:
    value = estimate.get(field)
    return value if isinstance(value, str) else None   # a list or object is no method code


def _check_currencies(estimate: dict[str, Any], query: QuoteQuery) -> None:
    conduit = estimate.get("conduit")
    if not isinstance(conduit, dict):
        return   # not stated: nothing to check
    for field, expected in (("source_currency", query.send_currency),
                            ("target_currency", query.receive_currency)):
        stated = conduit.get(field)
        if isinstance(stated, dict):
            stated = stated.get("alpha3")
        check_stated(stated, expected, NAME, f"conduit {field}")


def _speed(value: Any, collected_at: datetime) -> str:
    """The RPW speed band of a delivery estimate; "unknown" when absent or unreadable."""
    if not isinstance(value, str):
        return "unknown"
    try:
        if len(value.strip()) == 10:   # a bare date: whole days only
            days = (date.fromisoformat(value.strip()) - collected_at.astimezone(UTC).date()).days
        else:
            arrives = datetime.fromisoformat(value.strip())
            if arrives.tzinfo is None:
                return "unknown"   # no zone: cannot be placed against collected_at
            if arrives - collected_at < timedelta(0):
                return "unknown"
            if arrives - collected_at <= timedelta(hours=1):
                return "less_than_1_hour"
            days = (arrives.astimezone(UTC).date() - collected_at.astimezone(UTC).date()).days
    except ValueError:
        return "unknown"
    return "unknown" if days < 0 else speed_band(days, SPEED_BANDS_DAYS)
