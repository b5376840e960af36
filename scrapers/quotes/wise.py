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
- Whether the fee is deducted or added on top is read from the numbers, never assumed:
  ``receivedAmount`` ≈ (amount − fee) × rate is "deducted", ≈ amount × rate is "on_top"
  (0.5% relative tolerance; when both fit, the closer one; a zero fee is "on_top", since
  the whole amount is converted either way); anything else is "unknown".
- Speed is ``deliveryEstimation.duration.max`` taken as elapsed time, banded as RPW does.
- A quote whose own ``sourceCountry``/``targetCountry`` names another country is a price
  for another market and is left out.

Honesty: remit identifies itself (the HTTP client sets the User-Agent) and never tries to
get past bot protection. An HTML page in place of JSON (a challenge or block page) fails
with FormatError saying so, and nothing is retried around it here.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from scrapers.base import FormatError, QuoteObservation, QuoteQuery, Request

NAME = "wise"
COLLECTION_METHOD = "aggregator"
URL = "https://api.wise.com/v4/comparisons/"
TOLERANCE = Decimal("0.005")  # relative: rounding of rates and amounts stays well inside
UNSERVED_CURRENCIES = frozenset({"RUB"})  # Wise neither sends nor compares RUB
OWN_SLUG = "wise"
# Names Wise has used for a provider that remit knows under another slug.
SLUG_ALIASES = {"transferwise": "wise", "westernunion": "western-union"}
# Upper bound in seconds of each RPW speed band, fastest first (exact: no rounding at 1 h).
SPEED_BANDS = ((3600, "less_than_1_hour"), (24 * 3600, "same_day"), (48 * 3600, "next_day"),
               (72 * 3600, "2_days"), (120 * 3600, "3_5_days"))
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
        raise ValueError(f"{NAME}: {query.send_currency}->{query.receive_currency} not compared")
    params = {"sourceCurrency": query.send_currency, "targetCurrency": query.receive_currency,
              "sendAmount": _plain(query.send_amount), "sourceCountry": query.source_country,
              "targetCountry": query.destination_country}
    return [Request("GET", f"{URL}?{urlencode(params)}", headers={"Accept": "application/json"})]


def parse(body: bytes, request: Request, query: QuoteQuery) -> list[QuoteObservation]:
    """One observation per provider and quote; FormatError on anything malformed or changed."""
    data = _load(body)
    if not isinstance(data, dict):
        raise FormatError(f"{NAME}: expected a JSON object, got {type(data).__name__}")
    _check_header(data, query)
    providers = _field(data, "providers", list)
    observations = []
    for provider in providers:
        if not isinstance(provider, dict):
            raise FormatError(f"{NAME}: a provider is not an object: {provider!r:.80}")
        slug, name = _provider_names(provider)
        provider_id = _field(provider, "id", (Decimal, str))
        for quote in _field(provider, "quotes", list):
            if not isinstance(quote, dict):
                raise FormatError(f"{NAME}: a quote of {name} is not an object")
            if _for_query(quote, query):
                observations.append(_observation(quote, slug, name, provider_id, query))
    return observations


def _load(body: bytes) -> Any:
    """The decoded JSON, numbers as Decimal; FormatError says why it is not JSON."""
    text = body.strip()
    if not text:
        raise FormatError(f"{NAME}: the response body is empty")
    if text.startswith(b"<"):
        raise FormatError(f"{NAME}: got an HTML page instead of JSON (bot protection or an "
                          "error page?); not circumvented")
    try:
        return json.loads(text, parse_float=Decimal, parse_int=Decimal,
                          parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        # A cut-off answer fails at its very end or leaves its outer bracket unclosed.
        cut = exc.pos >= len(exc.doc) - 1 or (text[:1] in b"[{" and text[-1:] not in b"]}")
        cut_note = " (truncated?)" if cut else ""
        raise FormatError(f"{NAME}: invalid JSON{cut_note}: {exc.msg} "
                          f"(position {exc.pos})") from None
    except ValueError as exc:  # bad UTF-8, NaN/Infinity
        raise FormatError(f"{NAME}: invalid JSON: {exc}") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _check_header(data: dict[str, Any], query: QuoteQuery) -> None:
    """The answer prices the pair and amount that were asked."""
    for key, wanted in (("sourceCurrency", query.send_currency),
                        ("targetCurrency", query.receive_currency)):
        got = _field(data, key, str)
        if got != wanted:
            raise FormatError(f"{NAME}: {key} is {got}, the query asked for {wanted}")
    amount = _number(data, "amount")
    if amount != query.send_amount:
        raise FormatError(f"{NAME}: amount is {amount}, the query asked for {query.send_amount}")
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
    fee = _number(quote, "fee", what, allow_zero=True)
    rate = _number(quote, "rate", what)
    received = _number(quote, "receivedAmount", what)
    dated = _field(quote, "dateCollected", str, what)
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


def fee_mode(send: Decimal, fee: Decimal, received: Decimal, rate: Decimal) -> str:
    """"deducted", "on_top" or "unknown", whichever the numbers bear out (see module doc)."""
    errors = {}
    for mode, converted in (("on_top", send), ("deducted", send - fee)):
        expected = converted * rate
        if expected > 0:
            errors[mode] = abs(received - expected) / expected
    fitting = {mode: error for mode, error in errors.items() if error <= TOLERANCE}
    # min() keeps the first of equal errors: "on_top" for a zero fee.
    return min(fitting, key=fitting.__getitem__) if fitting else "unknown"


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
    seconds = duration_seconds(longest, what)
    return next((band for limit, band in SPEED_BANDS if seconds <= limit), "6_days_or_more")


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


def _field(data: dict[str, Any], key: str, kind: type | tuple[type, ...],
           what: str = NAME) -> Any:
    """``data[key]`` of the expected JSON type; FormatError if missing, null or another type."""
    value = data.get(key)
    if value is None:
        raise FormatError(f"{what}: field {key!r} is missing or null (renamed?)")
    if not isinstance(value, kind) or isinstance(value, bool):
        raise FormatError(f"{what}: field {key!r} has an unexpected type: {value!r:.60}")
    return value


def _number(data: dict[str, Any], key: str, what: str = NAME, *,
            allow_zero: bool = False) -> Decimal:
    """A finite Decimal, positive (or zero when allowed); FormatError otherwise."""
    value = _field(data, key, Decimal, what)
    if value < 0:
        raise FormatError(f"{what}: {key} is negative ({value})")
    if value == 0 and not allow_zero:
        raise FormatError(f"{what}: {key} is zero")
    return value


def _plain(amount: Decimal) -> str:
    """An amount as plain digits without trailing zeros: 500, 500.5."""
    return format(amount.normalize(), "f")
