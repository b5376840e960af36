"""The contract between collectors and the rest of remit.

A source module describes the HTTP requests that fetch its data (``requests(...)``) and
turns one response body into observations (``parse(body, request)``, pure: bytes in,
dataclasses out). Everything else (sending, retrying, archiving, storing) is done
elsewhere, the same way for every source.

Rates are stored as published by the bank, per one unit: "1 ``base`` = ``rate`` ``quote``",
e.g. the Bank of Russia's "1 USD = 80.1 RUB" is base USD, quote RUB, rate 80.1.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit


class SourceError(Exception):
    """A source could not be collected; the message says what failed, with URL and status."""


class FetchError(SourceError):
    """The HTTP exchange failed: timeout, refused connection, error status, robots.txt."""


class FormatError(SourceError):
    """The response is not in the expected format: malformed, truncated, changed."""


class NotConfigured(SourceError):
    """The source needs a setting that is not there (e.g. an API key)."""


@dataclass(frozen=True)
class Request:
    """One HTTP request, exactly as it is sent (the URL includes its query string)."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc


@dataclass(frozen=True)
class Response:
    """What came back; ``body`` is kept byte for byte for the archive."""

    request: Request
    status: int
    content_type: str
    body: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


@dataclass(frozen=True)
class RateObservation:
    """1 ``base`` = ``rate`` ``quote`` on ``as_of``, as published by ``source``."""

    source: str
    base: str
    quote: str
    rate: Decimal
    as_of: date


def decimal_from(text: str | None, *, what: str) -> Decimal:
    """A positive finite Decimal from text with a decimal point or a decimal comma.

    Raises FormatError naming ``what`` when the text is not such a number.
    """
    cleaned = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise FormatError(f"{what}: {text!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise FormatError(f"{what}: {text!r} is not a positive number")
    return value


def per_unit(value: Decimal, nominal: Decimal | int, *, what: str) -> Decimal:
    """A rate published for ``nominal`` units (e.g. 100 KZT) brought to one unit."""
    nominal = Decimal(nominal)
    if nominal <= 0:
        raise FormatError(f"{what}: nominal {nominal} is not positive")
    return value / nominal


@dataclass(frozen=True)
class QuoteQuery:
    """What a price source is asked: sending ``send_amount`` from one country to another.

    Countries are ISO 3166 alpha-2 (``RU``, ``TJ``), currencies ISO 4217. ``collected_at``
    is when the question is asked (UTC, aware); parsers stamp it on what they return.
    """

    source_country: str
    destination_country: str
    send_currency: str
    receive_currency: str
    send_amount: Decimal
    collected_at: datetime


@dataclass(frozen=True)
class QuoteObservation:
    """One provider's price for one send amount, as a source reported it.

    ``fee`` is every charge the sender pays, in the send currency. ``exchange_rate`` is
    units of ``receive_currency`` per unit of ``send_currency``; None when the provider
    does not disclose it. ``fee_mode`` says whether the fee is added on top of the amount
    or deducted from it ("on_top", "deducted"), or "unknown" when the source does not say:
    never guessed. Coded attributes use the values of ``remit.vocab`` (plain strings here,
    because collectors know nothing of remit).
    """

    source: str                       # the collector: wise, koronapay, unistream, remitly, feed
    provider: str                     # provider slug: lowercase, hyphens ("western-union")
    provider_name: str                # the provider's name as the source writes it
    source_country: str
    destination_country: str
    send_amount: Decimal
    send_currency: str
    fee: Decimal
    fee_mode: str
    exchange_rate: Decimal | None
    received_amount: Decimal | None
    receive_currency: str
    collected_at: datetime            # when remit observed it
    source_dated_at: datetime | None = None   # when the source says the price was taken
    payment_instrument: str = "unknown"
    access_point: str = "unknown"
    pickup_method: str = "unknown"
    speed: str = "unknown"
    receiving_fee: Decimal | None = None       # in the receive currency, when known
    promotional: bool = False
    indicative: bool = False          # an estimate (e.g. an aggregator's), not a firm quote
    transparent: bool = True          # fees and rate shown to the sender before paying
    collection_method: str = "provider_api"   # or aggregator, partner_submitted
    source_ref: str | None = None     # the source's own id for this quote, if any
