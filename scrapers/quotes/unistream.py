"""Unistream (unistream.ru): price of an online transfer from Russia, from its calculator API.

Source: ``POST https://api6.unistream.com/api/v1/transfer/calculate``, the endpoint behind
Unistream's public transfer calculator. It is undocumented; nothing here comes from an
official specification. The request is a form (``application/x-www-form-urlencoded``)
with, in this fixed order:

- ``senderBankId``: ``361934``, taken to be Unistream's own id for online sending (the
  value a public third-party client of this endpoint sends). An ASSUMPTION to be
  confirmed; the setting ``UNISTREAM_SENDER_BANK_ID`` overrides it.
- ``acceptedCurrency`` / ``withdrawCurrency``: ISO 4217 alphabetic codes (RUB, TJS, USD).
- ``amount``: the send amount in major units, a plain decimal string ("10000").
- ``countryCode``: the destination's ISO 3166 alpha-3 code (TJK, KGZ, ...).

The answer is JSON ``{"message": ..., "fees": [...]}``. The brief names the entry fields
``acceptedAmount``, ``withdrawAmount``, ``rate``, ``acceptedTotalFee`` (required here).
``name``, ``acceptedCurrency``, ``withdrawCurrency``, ``acceptedTotalFeeCurrency`` and the
top-level ``message`` are ASSUMPTIONS, seen in third-party clients: they are read when
present (a currency that contradicts the query fails) and never required.

Several entries: each is taken to be one way of paying out (a payout partner or product),
told apart by ``name`` (which sets the pickup method). ``pickup_method`` is "cash"
unless the name speaks of a card, an account or a wallet (an assumption on wording).

The numbers decide the rest, never a guess: ``rate`` must be units received per unit sent;
when it only explains ``withdrawAmount`` inverted (e.g. RUB per USD), it is inverted and
the observation is the inverse. ``fee_mode`` is "deducted" when withdrawAmount is
(acceptedAmount - fee) x rate, "on_top" when it is acceptedAmount x rate (0.5% tolerance;
with a zero fee that is "on_top"), else "unknown". Sending online is paid by bank card
(``debit_card``) on the internet; the payload says nothing of speed ("unknown").

Honesty: the HTTP client identifies remit with a contact URL and honours robots.txt and
Retry-After. A bot-protection or challenge page is never worked around: it fails with a
FormatError saying so, and the run is recorded as failed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any
from urllib.parse import urlencode

from ..base import FormatError, QuoteObservation, QuoteQuery, Request

NAME = "unistream"
COLLECTION_METHOD = "provider_api"
PROVIDER = "unistream"
PROVIDER_NAME = "Unistream"
URL = "https://api6.unistream.com/api/v1/transfer/calculate"
SENDER_BANK_ID = "361934"   # assumed: Unistream's own id for online sending (see above)
SENDER_BANK_SETTING = "UNISTREAM_SENDER_BANK_ID"

# Destinations from Russia (alpha-2 -> alpha-3 and payout currencies). Local currency and
# USD where Unistream pays them out; Moldova in USD only, as leu payouts were not seen.
DESTINATIONS: dict[str, tuple[str, frozenset[str]]] = {
    "TJ": ("TJK", frozenset({"TJS", "USD"})),
    "KG": ("KGZ", frozenset({"KGS", "USD"})),
    "UZ": ("UZB", frozenset({"UZS", "USD"})),
    "AM": ("ARM", frozenset({"AMD", "USD"})),
    "GE": ("GEO", frozenset({"GEL", "USD"})),
    "MD": ("MDA", frozenset({"USD"})),
}

TOLERANCE = Decimal("0.005")   # relative: amounts are rounded, rates shown to few digits
_PICKUP_WORDS = (               # lower-case fragments of an entry name -> pickup method
    (("карт", "card"), "card"),
    (("счет", "счёт", "account"), "bank_account"),
    (("кошел", "wallet"), "mobile_wallet"),
)


def serves(query: QuoteQuery) -> bool:
    """Whether Unistream is asked for this corridor: RUB from Russia to a listed payout."""
    destination = DESTINATIONS.get(query.destination_country)
    return (query.source_country == "RU" and query.send_currency == "RUB"
            and destination is not None and query.receive_currency in destination[1]
            and query.send_amount > 0)


def requests(query: QuoteQuery, settings: Mapping[str, str]) -> list[Request]:
    """The one calculator POST for the query, its form fields in a fixed order."""
    if not serves(query):
        raise ValueError(f"{NAME} does not serve {query.source_country}->"
                         f"{query.destination_country} {query.send_currency}->"
                         f"{query.receive_currency}")
    fields = [
        ("senderBankId", settings.get(SENDER_BANK_SETTING) or SENDER_BANK_ID),
        ("acceptedCurrency", query.send_currency),
        ("withdrawCurrency", query.receive_currency),
        ("amount", format(query.send_amount, "f")),
        ("countryCode", DESTINATIONS[query.destination_country][0]),
    ]
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    return [Request("POST", URL, headers, urlencode(fields).encode("ascii"))]


def parse(body: bytes, request: Request, query: QuoteQuery) -> list[QuoteObservation]:
    """One observation per entry of ``fees``; FormatError when the payload is not as expected."""
    return [_observation(entry, query) for entry in _fees(_document(body))]


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


def _fees(data: dict[str, Any]) -> list[Any]:
    if "fees" not in data:
        raise FormatError(f"{NAME}: no 'fees' in the response (renamed?): {sorted(data)!r:.120}")
    fees = data["fees"]
    if not isinstance(fees, list):
        raise FormatError(f"{NAME}: 'fees' is a {type(fees).__name__}, expected an array")
    if not fees:
        # Unistream explains a refusal (amount out of limits, corridor closed) in 'message'.
        message = data.get("message")
        raise FormatError(f"{NAME}: no fees in the response (message: {message!r:.120})")
    return fees


def _observation(entry: Any, query: QuoteQuery) -> QuoteObservation:
    if not isinstance(entry, dict):
        raise FormatError(f"{NAME}: a 'fees' entry is not an object: {entry!r:.80}")
    _check_currency(entry, "acceptedCurrency", query.send_currency)
    _check_currency(entry, "acceptedTotalFeeCurrency", query.send_currency)
    _check_currency(entry, "withdrawCurrency", query.receive_currency)
    accepted = _number(entry, "acceptedAmount", positive=True)
    withdrawn = _number(entry, "withdrawAmount", positive=True)
    fee = _number(entry, "acceptedTotalFee", positive=False)
    rate, fee_mode = _rate_and_fee_mode(accepted, fee, _number(entry, "rate", positive=True),
                                        withdrawn)
    name = entry.get("name") if isinstance(entry.get("name"), str) else None
    return QuoteObservation(
        source=NAME, provider=PROVIDER, provider_name=PROVIDER_NAME,
        source_country=query.source_country, destination_country=query.destination_country,
        send_amount=accepted, send_currency=query.send_currency,
        fee=fee, fee_mode=fee_mode, exchange_rate=rate, received_amount=withdrawn,
        receive_currency=query.receive_currency, collected_at=query.collected_at,
        payment_instrument="debit_card", access_point="internet",
        pickup_method=_pickup_method(name), collection_method=COLLECTION_METHOD,
        source_ref=None,  # no id of its own: every collection is a new observation
    )


def _rate_and_fee_mode(accepted: Decimal, fee: Decimal, rate: Decimal,
                       withdrawn: Decimal) -> tuple[Decimal, str]:
    """The rate as units received per unit sent, and the fee mode the amounts show."""
    with localcontext() as context:
        context.prec = 16   # an inverted rate keeps 16 significant digits, no false precision
        inverse = Decimal(1) / rate
    candidates = {"published": rate, "inverted": inverse}
    direction, fee_mode = _explain(accepted, fee, candidates, withdrawn)
    if direction is None:
        # Nothing matches within tolerance: keep the direction closer to what was paid out.
        implied = withdrawn / accepted
        direction = min(candidates, key=lambda key: abs(candidates[key] - implied) / implied)
    return candidates[direction], fee_mode


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


def _number(entry: dict[str, Any], field: str, *, positive: bool) -> Decimal:
    if field not in entry:
        raise FormatError(f"{NAME}: a 'fees' entry has no {field!r} (renamed?): "
                          f"{sorted(entry)!r:.120}")
    value = entry[field]
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


def _check_currency(entry: dict[str, Any], field: str, expected: str) -> None:
    stated = entry.get(field)
    if stated is not None and stated != expected:
        raise FormatError(f"{NAME}: {field} is {stated!r:.20}, the query asked for {expected}")


def _pickup_method(name: str | None) -> str:
    lowered = (name or "").lower()
    for words, method in _PICKUP_WORDS:
        if any(word in lowered for word in words):
            return method
    return "cash"
