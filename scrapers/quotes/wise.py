"""Wise comparison API: many providers' prices for one send amount, as Wise estimates them.

Source: the open, documented ``GET https://api.wise.com/v4/comparisons/`` with
``sourceCurrency``, ``targetCurrency``, ``sendAmount`` and the optional ``sourceCountry`` and
``targetCountry`` (ISO alpha-2). No key is needed. The answer is one JSON object::

    {sourceCurrency, targetCurrency, amount, amountType, providers: [
        {id, alias, name, logos, type, partner, quotes: [
            {rate, fee, receivedAmount, markup, dateCollected, isConsideredMidMarketRate,
             sourceCountry, targetCountry,
             deliveryEstimation: {duration: {min, max}, providerGivesEstimate, durationType}}]}]}

Assumptions, each checked against the numbers rather than trusted:

- Wise compares bank transfer in, bank account out only, so every observation is
  internet / bank_account / bank_account.
- Competitors' quotes are Wise's estimates (the markup Wise once saw, re-applied to today's
  mid rate): they are marked ``indicative`` and keep ``dateCollected`` as
  ``source_dated_at``. Only Wise's own quote is firm.
- Whether the fee is deducted or added on top is read from the numbers, never assumed
  (``_common.fee_mode``): ``receivedAmount`` ≈ (amount − fee) × rate is "deducted",
  ≈ amount × rate is "on_top"; anything else is "unknown".
- Speed is ``deliveryEstimation.duration.max`` taken as elapsed time, banded as RPW does.
- A quote whose own ``sourceCountry``/``targetCountry`` names another country is a price
  for another market and is left out.

Honesty: as for every quote source (``_common``); nothing is retried around a challenge page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from scrapers.base import FormatError, QuoteObservation, QuoteQuery, Request

# SPEED_BANDS, TOLERANCE and fee_mode, defined in _common, stay public names of this module.
from ._common import SPEED_BANDS_SECONDS as SPEED_BANDS
from ._common import (check_stated, fee_mode, json_number, json_object, json_objects,
                      speed_band, typed_field, unserved)

NAME = "wise"
COLLECTION_METHOD = "aggregator"
URL = "https://api.wise.com/v4/comparisons/"
UNSERVED_CURRENCIES = frozenset({"RUB"})  # Wise neither sends nor compares RUB
OWN_SLUG = "wise"
# Names Wise has used for a provider that remit knows under another slug.
SLUG_ALIASES = {"transferwise": "wise", "westernunion": "western-union"}
# Seconds per ISO-8601 duration unit. Years and months only matter as "6 days or more",
# so their shortest length is enough.
_SECONDS = {"Y": 365 * 86400, "MO": 28 * 86400, "W": 7 * 86400, "D": 86400, "H": 3600,
            "MI": 60, "S": 1}
_NUM = r"(\d+(?:\.\d+)?)"
_DURATION = re.compile(rf"P(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}W)?(?:{_NUM}D)?"
                       rf"(?:T(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?")


def serves(query: QuoteQuery) -> bool:
    """Whether Wise compares this currency pair: any pair of two currencies without RUB."""
    currencies = {query.send_currency, query.receive_currency}
    return len(currencies) == 2 and not currencies & UNSERVED_CURRENCIES


def requests(query: QuoteQuery, settings: Mapping[str, str]) -> list[Request]:
    """The one comparison GET for ``query.send_amount``; ValueError for an unserved pair."""
    if not serves(query):
        raise unserved(NAME, query)
    params = {"sourceCurrency": query.send_currency, "targetCurrency": query.receive_currency,
              "sendAmount": _plain(query.send_amount), "sourceCountry": query.source_country,
              "targetCountry": query.destination_country}
    return [Request("GET", f"{URL}?{urlencode(params)}", headers={"Accept": "application/json"})]


def parse(body: bytes, request: Request, query: QuoteQuery) -> list[QuoteObservation]:
    """One observation per provider and quote; FormatError on anything malformed or changed."""
    data = json_object(body, NAME)
    _check_header(data, query)
    providers = typed_field(data, "providers", list, NAME, "the response")
    observations = []
    for provider in json_objects(providers, NAME, "a provider"):
        slug, name = _provider_names(provider)
        provider_id = typed_field(provider, "id", (Decimal, str), NAME, name)
        quotes = typed_field(provider, "quotes", list, NAME, name)
        for quote in json_objects(quotes, NAME, f"a quote of {name}"):
            if _for_query(quote, query):
                observations.append(_observation(quote, slug, name, provider_id, query))
    return observations


def _check_header(data: dict[str, Any], query: QuoteQuery) -> None:
    """The answer prices the pair and amount that were asked."""
    for key, wanted in (("sourceCurrency", query.send_currency),
                        ("targetCurrency", query.receive_currency)):
        check_stated(typed_field(data, key, str, NAME, "the response"), wanted, NAME, key)
    amount = json_number(data, "amount", NAME, "the response", text=False)
    check_stated(amount, query.send_amount, NAME, "amount")
    if data.get("amountType", "SEND") != "SEND":
        raise FormatError(f"{NAME}: amountType is {data['amountType']!r}, not SEND")


def _for_query(quote: dict[str, Any], query: QuoteQuery) -> bool:
    """False for a quote Wise labels with another country than the corridor's."""
    for key, wanted in (("sourceCountry", query.source_country),
                        ("targetCountry", query.destination_country)):
        if quote.get(key) not in (None, wanted):
            return False
    return True


def _observation(quote: dict[str, Any], slug: str, name: str, provider_id: Any,
                 query: QuoteQuery) -> QuoteObservation:
    what = f"{NAME}: {name}"
    fee = json_number(quote, "fee", NAME, name, zero=True, text=False)
    rate = json_number(quote, "rate", NAME, name, text=False)
    received = json_number(quote, "receivedAmount", NAME, name, text=False)
    dated = typed_field(quote, "dateCollected", str, NAME, name)
    return QuoteObservation(
        source=NAME, provider=slug, provider_name=name,
        source_country=query.source_country, destination_country=query.destination_country,
        send_amount=query.send_amount, send_currency=query.send_currency,
        fee=fee, fee_mode=fee_mode(query.send_amount, fee, received, rate),
        exchange_rate=rate, received_amount=received, receive_currency=query.receive_currency,
        collected_at=query.collected_at, source_dated_at=_timestamp(dated, what),
        payment_instrument="bank_account", access_point="internet",
        pickup_method="bank_account", speed=_speed(quote, what),
        indicative=slug != OWN_SLUG, collection_method=COLLECTION_METHOD,
        # one provider's price for one amount at one time: the 200 and 500 quotes differ
        source_ref=f"{provider_id}:{query.send_amount}:{dated}")


def _provider_names(provider: dict[str, Any]) -> tuple[str, str]:
    """(slug, name as Wise writes it); the alias is the stabler key, the name a fallback."""
    name = provider.get("name")
    alias = provider.get("alias")
    if not isinstance(name, str) or not name.strip():
        raise FormatError(f"{NAME}: provider {provider.get('id')} has no name")
    slug = slugify(alias if isinstance(alias, str) and alias.strip() else name)
    if not slug:
        raise FormatError(f"{NAME}: provider {name!r} gives no usable slug")
    return SLUG_ALIASES.get(slug, slug), name


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens: "Western Union" -> "western-union"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _speed(quote: dict[str, Any], what: str) -> str:
    """The RPW speed band of the longest delivery time Wise gives; "unknown" without one."""
    estimation = quote.get("deliveryEstimation")
    duration = estimation.get("duration") if isinstance(estimation, dict) else None
    longest = duration.get("max") if isinstance(duration, dict) else None
    if longest is None:
        return "unknown"
    return speed_band(duration_seconds(longest, what), SPEED_BANDS)


def duration_seconds(text: Any, what: str = NAME) -> Decimal:
    """Seconds in an ISO-8601 duration ("PT20H8M47.5S", "P2D"); FormatError if not one."""
    match = _DURATION.fullmatch(text) if isinstance(text, str) else None
    if match is None or not any(match.groups()) or text.endswith("T"):
        raise FormatError(f"{what}: delivery duration {text!r} is not an ISO-8601 duration")
    units = ("Y", "MO", "W", "D", "H", "MI", "S")
    return sum((Decimal(value) * _SECONDS[unit] for unit, value in zip(units, match.groups())
                if value is not None), Decimal(0))


def _timestamp(text: str, what: str) -> datetime:
    """An ISO-8601 instant with its offset, in UTC; a time without offset is refused."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise FormatError(f"{what}: dateCollected {text!r} is not an ISO-8601 time") from None
    if moment.tzinfo is None:
        raise FormatError(f"{what}: dateCollected {text!r} has no time zone")
    return moment.astimezone(UTC)


def _plain(amount: Decimal) -> str:
    """An amount as plain digits without trailing zeros: 500, 500.5."""
    return format(amount.normalize(), "f")
