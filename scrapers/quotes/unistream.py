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
(acceptedAmount - fee) x rate, "on_top" when it is acceptedAmount x rate, else "unknown"
(``_common.explain``). Sending online is paid by bank card (``debit_card``) on the
internet; the payload says nothing of speed ("unknown").

Honesty: as for every quote source (``_common``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from ..base import FormatError, QuoteObservation, QuoteQuery, Request

# TOLERANCE, defined in _common, stays a public name of this module.
from ._common import (check_stated, explain, inverse, json_number, json_object,
                      json_objects, typed_field, unserved)

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

_ENTRY = "a 'fees' entry"  # where a problem is, in messages
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
        raise unserved(NAME, query)
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
    # NaN and Infinity are refused only where a number is read.
    data = json_object(body, NAME, constants=True)
    return [_observation(entry, query) for entry in json_objects(_fees(data), NAME, _ENTRY)]


def _fees(data: dict[str, Any]) -> list[Any]:
    """The non-empty ``fees`` array; an empty one fails with Unistream's own ``message``."""
    fees = typed_field(data, "fees", list, NAME, "the response")
    if not fees:
        # Unistream explains a refusal (amount out of limits, corridor closed) in 'message'.
        message = data.get("message")
        raise FormatError(f"{NAME}: no fees in the response (message: {message!r:.120})")
    return fees


def _observation(entry: dict[str, Any], query: QuoteQuery) -> QuoteObservation:
    for field, asked in (("acceptedCurrency", query.send_currency),
                         ("acceptedTotalFeeCurrency", query.send_currency),
                         ("withdrawCurrency", query.receive_currency)):
        check_stated(entry.get(field), asked, NAME, field)
    accepted = json_number(entry, "acceptedAmount", NAME, _ENTRY)
    withdrawn = json_number(entry, "withdrawAmount", NAME, _ENTRY)
    fee = json_number(entry, "acceptedTotalFee", NAME, _ENTRY, zero=True)
    rate, fee_mode = _rate_and_fee_mode(accepted, fee, json_number(entry, "rate", NAME, _ENTRY),
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
    # An inverted rate keeps 16 significant digits, no false precision.
    candidates = {"published": rate, "inverted": inverse(rate, 16)}
    direction, fee_mode = explain(accepted, fee, candidates, withdrawn, relative_to_received=True)
    if direction is None:
        # Nothing matches within tolerance: keep the direction closer to what was paid out.
        implied = withdrawn / accepted
        direction = min(candidates, key=lambda key: abs(candidates[key] - implied) / implied)
    return candidates[direction], fee_mode


def _pickup_method(name: str | None) -> str:
    lowered = (name or "").lower()
    for words, method in _PICKUP_WORDS:
        if any(word in lowered for word in words):
            return method
    return "cash"
