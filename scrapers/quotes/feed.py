"""Partner price feeds: a provider's own price sheet in remit's open format, version 1.

The format is ``price_feed.schema.json`` beside this module, documented for providers in
``docs/price-feed.md``. A provider publishes the document at a stable https URL (one GET,
``requests``) or pushes it to remit; either way ``parse`` reads it, in two passes: the
JSON Schema (shape, codes, decimal strings), then the rules a schema cannot express
(arithmetic that must agree, dates). Any error rejects the whole feed, so that half a
price sheet is never listed; price points outside their validity window are skipped.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any, NoReturn
from urllib.parse import urlsplit

import pycountry
from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators
from jsonschema.protocols import Validator

from scrapers.base import FormatError, QuoteObservation, Request

NAME = "feed"
COLLECTION_METHOD = "partner_submitted"
FORMAT_VERSION = "1.0"
SCHEMA_FILE = "price_feed.schema.json"

TOLERANCE = Decimal("0.005")         # a stated received amount may differ by rounding only
CLOCK_SKEW = timedelta(minutes=10)   # further ahead is a wrong offset (local time sent as Z)
MAX_REPORTED = 5                     # schema problems spelled out in one message
EXTRA_COUNTRIES = frozenset({"XK"})  # Kosovo: not in ISO 3166, but a remit corridor
# The decimal strings of a price point; QuoteObservation has fields of the same names.
AMOUNTS = ("send_amount", "fee", "exchange_rate", "received_amount", "receiving_fee")
CODES = ("fee_mode", "payment_instrument", "access_point", "pickup_method", "speed")
_VERSION = re.compile(r"([0-9]+)\.([0-9]+)")
_TYPE_WORDS = {"string": "a string", "boolean": "true or false", "object": "an object",
               "array": "an array", "null": "null", "number": "a number"}
_LIMITS = {"minLength": "must not be empty", "minItems": "must not be empty",
           "maxLength": "must be at most {} characters", "maxItems": "must have at most {} entries"}


def load_schema() -> dict:
    """The format's JSON Schema (draft 2020-12), read from the package; a fresh copy."""
    text = resources.files("scrapers.quotes").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def requests(feed_url: str) -> list[Request]:
    """The one GET of a feed published at ``feed_url``; ValueError unless it is https."""
    parts = urlsplit(feed_url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"{NAME}: a price feed URL must start with https://, not {feed_url!r}")
    return [Request("GET", feed_url, {"Accept": "application/json"})]


def parse(body: bytes, request: Request | None, collected_at: datetime) -> list[QuoteObservation]:
    """The feed's current prices as observations; FormatError naming the place otherwise.

    Pure: ``collected_at`` (aware) is "now" for validity windows and is stamped on every
    observation. ``request`` is not needed (a pushed feed has none); it is the contract's.
    """
    if collected_at.utcoffset() is None:
        raise ValueError("collected_at must be timezone-aware")
    data = _load(body)
    _check_schema(data, lenient=_newer_minor(data))
    published = _timestamp(data["published_at"])
    _check_feed_dates(data, published, collected_at)
    observations: list[QuoteObservation] = []
    first_of: dict[Any, int] = {}
    for index, point in enumerate(data["prices"]):
        where = _label(index, point)
        # An id becomes source_ref, which must name one price point only.
        if first_of.setdefault(point.get("id", index), index) != index:
            _fail(where, f"id {point['id']!r} is also price {first_of[point['id']]}'s")
        numbers = _check_point(point, where)   # every point, current or not, must be right
        if _is_current(point, where, collected_at):
            observations.append(_observation(data["provider"], published, collected_at,
                                             index, point, numbers))
    return observations


def _load(body: bytes) -> Any:
    if not body.strip():
        raise FormatError(f"{NAME}: the body is empty")
    try:
        text = body.decode("utf-8-sig")   # a byte order mark is tolerated, nothing else
    except UnicodeDecodeError as exc:
        raise FormatError(f"{NAME}: the body is not UTF-8 (byte {exc.start})") from None
    try:
        # Every number becomes a Decimal (NaN too), so no float exists even in a wrong feed.
        return json.loads(text, parse_float=Decimal, parse_int=Decimal,
                          parse_constant=Decimal, object_pairs_hook=_unique_keys)
    except ValueError as exc:
        raise FormatError(f"{NAME}: the body is not valid JSON ({exc}), "
                          f"it starts with {body[:60]!r}") from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json keeps the last of two equal keys silently: two fees in one price is ambiguous.
    keys = [key for key, _ in pairs]
    if len(set(keys)) < len(keys):
        twice = next(key for key in keys if keys.count(key) > 1)
        raise ValueError(f"the key {twice!r} appears twice in one object")
    return dict(pairs)


def _newer_minor(data: Any) -> bool:
    """Whether the feed is a later 1.x than this reader; another major version fails."""
    version = data.get("version") if isinstance(data, dict) else None
    match = _VERSION.fullmatch(version) if isinstance(version, str) else None
    if match is None:
        return False   # the schema reports it
    if int(match[1]) != 1:
        raise FormatError(f"{NAME}: version {version!r} is not supported: "
                          f"this reader reads version 1.x feeds")
    return int(match[2]) > int(FORMAT_VERSION.split(".")[1])


def _pattern(validator: Validator, pattern: str, instance: Any, schema: dict) -> Any:
    # JSON Schema patterns are ECMA-262, where "$" ends the string; Python's "$" also
    # matches before a final newline, which would let "10.00\n" or "slug\n" through.
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    if validator.is_type(instance, "string") and not re.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@lru_cache(maxsize=1)
def _validator() -> Validator:
    # Only date-time is checked as a format (for calendar validity); its shape is also a
    # pattern in the schema, because most validators treat "format" as an annotation.
    checker = FormatChecker(formats=())
    checker.checks("date-time", raises=ValueError)(
        lambda value: not isinstance(value, str) or bool(datetime.fromisoformat(value).tzinfo))
    strict = validators.extend(Draft202012Validator, {"pattern": _pattern})
    return strict(load_schema(), format_checker=checker)


def _check_schema(data: Any, *, lenient: bool) -> None:
    # A later 1.x may add optional fields, which this reader ignores; in a 1.0 feed an
    # unknown field is far more likely a typo, and an error.
    errors = [error for error in _validator().iter_errors(data)
              if not (lenient and error.validator == "additionalProperties")]
    # By path, with numbers before names at each step, then one message per problem.
    errors.sort(key=lambda error: [(isinstance(part, str), part) for part in error.absolute_path])
    messages = list(dict.fromkeys(_describe(error, data) for error in errors))
    if messages:
        more = len(messages) - MAX_REPORTED
        text = "; ".join(messages[:MAX_REPORTED]) + (f"; and {more} more" if more > 0 else "")
        raise FormatError(f"{NAME}: {text}")


def _describe(error: ValidationError, data: Any) -> str:
    path, where = list(error.absolute_path), ""
    if len(path) >= 2 and path[0] == "prices":
        where, path = _label(path[1], data["prices"][path[1]]), path[2:]
    field = ".".join(f"[{part}]" if isinstance(part, int) else part for part in path)
    place = ": ".join(part for part in (where, field) if part) or "(top level)"
    return f"{place}: {_problem(error)}"


def _problem(error: ValidationError) -> str:
    # Reads "must be <the failing subschema's title>, not <what the feed has>" where it can.
    schema = error.schema if isinstance(error.schema, dict) else {}
    title, kind, value = schema.get("title"), error.validator, error.validator_value
    if kind == "required":
        missing = ", ".join(name for name in value if name not in error.instance)
        return f"missing {missing}" + (f" ({title})" if title else "")
    if kind == "additionalProperties":
        extra = [key for key in error.instance
                 if key not in schema.get("properties", {}) and not key.startswith("x-")]
        return f"unknown field {', '.join(map(repr, extra))} (extensions must start with x-)"
    if not title and kind == "type":
        title = " or ".join(_TYPE_WORDS[name] for name in
                            ([value] if isinstance(value, str) else value))
    elif not title and kind in ("enum", "const"):
        title = "one of " + ", ".join(value) if kind == "enum" else json.dumps(value)
    if title:
        return f"must be {title}, not {_shown(error.instance)}"
    return _LIMITS[kind].format(value) if kind in _LIMITS else error.message[:200]


def _shown(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"the JSON number {value}"
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "an array"
    if isinstance(value, str) and len(value) > 40:
        value = value[:40] + "..."
    return json.dumps(value, ensure_ascii=False)   # a string, true, false, null


def _check_feed_dates(data: dict, published: datetime, collected_at: datetime) -> None:
    if published > collected_at + CLOCK_SKEW:
        _fail("", f"published_at {data['published_at']} is in the future (check the offset)")
    if "valid_until" in data and _timestamp(data["valid_until"]) <= collected_at:
        _fail("", f"the feed expired: valid_until {data['valid_until']} has passed")


def _check_point(point: dict, where: str) -> dict[str, Decimal | None]:
    if point["from"] == point["to"]:
        _fail(where, "from and to are the same country")
    for key in ("from", "to"):
        if point[key] not in EXTRA_COUNTRIES and not pycountry.countries.get(alpha_2=point[key]):
            _fail(where, f"{key}: {point[key]!r} is not an ISO 3166 country code")
    for key in ("send_currency", "receive_currency"):
        if not pycountry.currencies.get(alpha_3=point[key]):
            _fail(where, f"{key}: {point[key]!r} is not an ISO 4217 currency code")
    numbers = {key: _decimal(point, key, where) for key in AMOUNTS}
    if point["fee_mode"] == "deducted" and numbers["fee"] >= numbers["send_amount"]:
        _fail(where, "a deducted fee must be smaller than send_amount")
    if numbers["exchange_rate"] is not None:
        _check_received(point["fee_mode"], **numbers, where=where)
    return numbers


def _decimal(point: dict, key: str, where: str) -> Decimal | None:
    text = point.get(key)
    if text is None:
        return None
    try:   # the schema's pattern has decided already: this is the belt to its braces
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        _fail(where, f"{key}: {text!r} is not a decimal string")
    return value


def _check_received(fee_mode: str, *, send_amount: Decimal, fee: Decimal,
                    exchange_rate: Decimal, received_amount: Decimal | None,
                    receiving_fee: Decimal | None, where: str) -> None:
    """What remit computes must be what the provider says reaches the recipient."""
    converted = send_amount - fee if fee_mode == "deducted" else send_amount
    expected = converted * exchange_rate - (receiving_fee or 0)
    formula = f"({send_amount} - {fee})" if fee_mode == "deducted" else f"{send_amount}"
    formula += f" x {exchange_rate}" + (f" - {receiving_fee}" if receiving_fee is not None else "")
    if expected <= 0:
        _fail(where, f"nothing reaches the recipient: {formula} = {expected}")
    if received_amount is not None and abs(received_amount - expected) > expected * TOLERANCE:
        off, limit = abs(received_amount - expected) / expected * 100, TOLERANCE * 100
        _fail(where, f"received_amount {received_amount} does not agree with {formula} = "
                     f"{expected} (off by {off:.2f}%, more than {limit.normalize()}%)")


def _is_current(point: dict, where: str, collected_at: datetime) -> bool:
    """Whether ``collected_at`` is in the point's window: from valid_from, before valid_until."""
    start = _timestamp(point["valid_from"]) if "valid_from" in point else None
    end = _timestamp(point["valid_until"]) if "valid_until" in point else None
    if start is not None and end is not None and start >= end:
        _fail(where, "valid_from must be before valid_until")
    return (start is None or start <= collected_at) and (end is None or collected_at < end)


def _observation(provider: dict, published: datetime, collected_at: datetime, index: int,
                 point: dict, numbers: dict[str, Decimal | None]) -> QuoteObservation:
    return QuoteObservation(
        source=NAME, provider=provider["slug"], provider_name=provider["name"],
        source_country=point["from"], destination_country=point["to"],
        send_currency=point["send_currency"], receive_currency=point["receive_currency"],
        **numbers,   # received_amount as stated (None when not): remit computes its own
        **{key: point[key] for key in CODES},
        collected_at=collected_at, source_dated_at=published,
        promotional=point.get("promotional", False),
        indicative=False,   # the provider's own firm price, not an estimate
        transparent=numbers["exchange_rate"] is not None,
        collection_method=COLLECTION_METHOD,
        source_ref=point.get("id", f"{provider['slug']}:{index}"),
    )


def _label(index: int, point: Any) -> str:
    """"price 3 (RU->TJ 10000.00 RUB)", from whatever of those the point has."""
    keys = ("from", "to", "send_amount", "send_currency")
    values = [point.get(key) if isinstance(point, dict) else None for key in keys]
    shown = ["".join(char if char.isprintable() else "?" for char in str(value)[:20])
             if isinstance(value, (str, Decimal)) else "?" for value in values]
    if shown == ["?"] * len(keys):
        return f"price {index}"
    return "price {} ({}->{} {} {})".format(index, *shown)


def _timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def _fail(where: str, problem: str) -> NoReturn:
    # Every value in a message is quoted or validated already: messages stay on one line.
    raise FormatError(f"{NAME}: {where}: {problem}" if where else f"{NAME}: {problem}")
