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
fee mode, come from the numbers: on_top when receive = send x rate, deducted when
receive = (send - fee) x rate (0.5% tolerance), else unknown. The received amount is kept
on the observation whose rate it matches (on the only one when there is no promotion) and
left None on the other, for remit.costs to compute: never invented here.

Honesty: the HTTP client identifies remit with a contact URL and honours robots.txt and
Retry-After. A bot-protection or challenge page is never worked around: it fails with a
FormatError saying so, and the run is recorded as failed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from ..base import FormatError, QuoteObservation, QuoteQuery, Request

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
TOLERANCE = Decimal("0.005")   # relative: amounts are rounded, rates shown to few digits


def serves(query: QuoteQuery) -> bool:
    """Whether Remitly is asked for this corridor: EUR from a listed EU sender to a payout."""
    destination = DESTINATIONS.get(query.destination_country)
    return (query.source_country in SENDERS and query.send_currency == SEND_CURRENCY
            and destination is not None and query.receive_currency == destination[1]
            and query.send_amount > 0)


def requests(query: QuoteQuery, settings: Mapping[str, str]) -> list[Request]:
    """The one calculator GET for the query."""
    if not serves(query):
        raise ValueError(f"{NAME} does not serve {query.source_country}->"
                         f"{query.destination_country} {query.send_currency}->"
                         f"{query.receive_currency}")
    sender = SENDERS[query.source_country]
    receiver = DESTINATIONS[query.destination_country][0]
    conduit = f"{sender}:{query.send_currency}-{receiver}:{query.receive_currency}"
    params = {"conduit": conduit, "anchor": "SEND", "amount": format(query.send_amount, "f")}
    # ':' left readable, as the calculator itself writes the conduit.
    return [Request("GET", f"{URL}?{urlencode(params, safe=':')}", {"Accept": "application/json"})]


def parse(body: bytes, request: Request, query: QuoteQuery) -> list[QuoteObservation]:
    """The standard-rate observation, then the promotional one when there is one."""
    estimate = _object(_document(body), "estimate")
    _check_currencies(estimate, query)
    send = _number(estimate, "send_amount", positive=True)
    received = _number(estimate, "receive_amount", positive=True)
    fee = _number(_object(estimate, "fee"), "total_fee_amount", positive=False)
    rates = _object(estimate, "exchange_rate")
    candidates = {"standard": _number(rates, "base_rate", positive=True)}
    promotional = _promotional_rate(rates, candidates["standard"])
    if promotional is not None:
        candidates["promotional"] = promotional
    matched, fee_mode = _explain(send, fee, candidates, received)
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


def _document(body: bytes) -> dict[str, Any]:
    text = body.strip()
    if not text:
        raise FormatError(f"{NAME}: the response body is empty")
    if text.startswith(b"<"):
        raise FormatError(f"{NAME}: got an HTML page instead of JSON (bot protection or a "
                          "challenge page?); remit does not work around it")
    try:
        data = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except ValueError as exc:  # JSONDecodeError (truncated, malformed) and bad UTF-8 alike
        raise FormatError(f"{NAME}: not valid JSON, truncated or malformed ({exc})") from None
    if not isinstance(data, dict):
        raise FormatError(f"{NAME}: expected a JSON object, got {type(data).__name__}")
    return data


def _object(parent: dict[str, Any], field: str) -> dict[str, Any]:
    value = parent.get(field)
    if not isinstance(value, dict):
        raise FormatError(f"{NAME}: {field!r} missing or not an object (renamed?): "
                          f"{sorted(parent)!r:.120}")
    return value


def _number(parent: dict[str, Any], field: str, *, positive: bool) -> Decimal:
    if field not in parent:
        raise FormatError(f"{NAME}: no {field!r} (renamed?): {sorted(parent)!r:.120}")
    value = parent[field]
    # JSON numbers arrive as Decimal (parse_float/parse_int); strings go through their text.
    # Anything else (null, bool, NaN as float) is not a number.
    if isinstance(value, bool) or not isinstance(value, (Decimal, str)):
        raise FormatError(f"{NAME}: {field} is {value!r:.40}, not a number")
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else value
    except InvalidOperation:
        raise FormatError(f"{NAME}: {field} is {value!r:.40}, not a number") from None
    if not number.is_finite() or number < 0 or (positive and number == 0):
        kind = "positive" if positive else "non-negative"
        raise FormatError(f"{NAME}: {field} is {value!r:.40}, not a {kind} number")
    return number


def _promotional_rate(rates: dict[str, Any], standard: Decimal) -> Decimal | None:
    """The published promotional rate, None when absent, empty or equal to the standard."""
    if rates.get("promotional_exchange_rate") in (None, ""):
        return None
    promotional = _number(rates, "promotional_exchange_rate", positive=True)
    return None if promotional == standard else promotional


def _promotion_covers(rates: dict[str, Any], send: Decimal) -> bool:
    # Above the cap only part of the amount gets the promotional rate: no single rate
    # describes that transfer, so no promotional observation is made for it.
    if rates.get("capped_promotional_exchange_rate_amount") in (None, ""):
        return True
    return send <= _number(rates, "capped_promotional_exchange_rate_amount", positive=True)


def _explain(amount: Decimal, fee: Decimal, rates: Mapping[str, Decimal],
             received: Decimal) -> tuple[str | None, str]:
    """Which of ``rates`` and which fee mode turn ``amount`` into ``received``.

    Tries every rate with the whole amount converted ("on_top") and with the fee taken out
    first ("deducted"); the closest within TOLERANCE wins. (None, "unknown") when nothing
    does. A zero fee is "on_top": the sender pays the amount and all of it is converted.
    """
    best: tuple[Decimal, str, str] | None = None
    for key, rate in rates.items():
        for mode, converted in (("on_top", amount), ("deducted", amount - fee)):
            if mode == "deducted" and not fee:
                continue
            error = abs(converted * rate - received) / received
            if error <= TOLERANCE and (best is None or error < best[0]):
                best = (error, key, mode)
    return (best[1], best[2]) if best else (None, "unknown")


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
        if stated is not None and stated != expected:
            raise FormatError(f"{NAME}: conduit {field} is {stated!r:.20}, "
                              f"the query asked for {expected}")


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
    return _speed_band(days)


def _speed_band(days: int) -> str:
    if days < 0:
        return "unknown"
    bands = {0: "same_day", 1: "next_day", 2: "2_days"}
    return bands.get(days, "3_5_days" if days <= 5 else "6_days_or_more")
