"""What the price-quote sources share: reading their JSON, its fields and numbers, the fee mode.

Messages start with the source's name (``source``) and say where the problem is (``where``:
"a tariff", "estimate.fee", a provider's name), as in ``scrapers.formats``, whose
``json_field`` reads every required field here.

Honesty, the same for every source: the HTTP client identifies remit with a contact URL and
honours robots.txt and Retry-After. A bot-protection or challenge page is never worked
around: ``json_body`` fails on it with a FormatError saying so, and the run is recorded as
failed.

Whether a fee is deducted from the amount or added on top is read from the numbers, never
assumed (``explain``, ``fee_mode``): the amount received ≈ (amount − fee) × rate is
"deducted", ≈ amount × rate is "on_top", within ``TOLERANCE`` (relative); when both fit, the
closer one; a zero fee is "on_top", as the whole amount is converted either way; anything
else is "unknown".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

from scrapers.base import FormatError, QuoteQuery
from scrapers.formats import json_field

TOLERANCE = Decimal("0.005")   # relative: amounts are rounded, rates shown to few digits
# The RPW speed bands, fastest first, as (upper bound, band); slower is "6_days_or_more".
# By elapsed seconds (exact: no rounding at 1 h), for a delivery time...
SPEED_BANDS_SECONDS = ((3600, "less_than_1_hour"), (24 * 3600, "same_day"),
                       (48 * 3600, "next_day"), (72 * 3600, "2_days"), (120 * 3600, "3_5_days"))
# ... and by calendar days from the day of asking, for a delivery date.
SPEED_BANDS_DAYS = ((0, "same_day"), (1, "next_day"), (2, "2_days"), (5, "3_5_days"))
_KINDS = {dict: "an object", list: "an array", str: "a string", Decimal: "a number"}


# ---- the body


def is_challenge_page(body: bytes) -> bool:
    """Whether a body meant to be JSON is markup: a bot-protection, challenge or error page."""
    return body.lstrip().startswith(b"<")


def json_body(body: bytes, source: str, *, constants: bool = False) -> Any:
    """A JSON answer, every number (integers too) as Decimal, never float.

    Stricter than ``formats.json_document``, which the rate sources use, and more telling:
    an empty body, an HTML page (see ``is_challenge_page``: not circumvented) and a body
    that is not JSON each fail with a FormatError saying which; a body that looks cut off
    is called "truncated?". NaN and Infinity make it fail too, unless ``constants``: then
    they are read as Decimal, and refused only where a number is read (``json_number``).
    """
    text = body.strip()
    if not text:
        raise FormatError(f"{source}: the response body is empty")
    if is_challenge_page(text):
        raise FormatError(f"{source}: got an HTML page instead of JSON (bot protection or a "
                          "challenge page?); remit does not work around it")
    try:
        return json.loads(text, parse_float=Decimal, parse_int=Decimal,
                          parse_constant=Decimal if constants else _reject_constant)
    except json.JSONDecodeError as exc:
        cut = " (truncated?)" if _cut_off(text, exc) else ""
        raise FormatError(f"{source}: not valid JSON{cut}: {exc.msg} "
                          f"(position {exc.pos})") from None
    except ValueError as exc:  # bad UTF-8, NaN/Infinity
        raise FormatError(f"{source}: not valid JSON: {exc}") from None


def json_object(body: bytes, source: str, *, constants: bool = False) -> dict[str, Any]:
    """A JSON answer (``json_body``) that must be an object."""
    data = json_body(body, source, constants=constants)
    if not isinstance(data, dict):
        raise FormatError(f"{source}: expected a JSON object, got {type(data).__name__}")
    return data


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _cut_off(text: bytes, exc: json.JSONDecodeError) -> bool:
    """Whether a body looks cut off: it fails at its very end or its outer bracket is open."""
    return exc.pos >= len(exc.doc) - 1 or (text[:1] in b"[{" and text[-1:] not in b"]}")


# ---- fields and numbers


def json_objects(values: Iterable[Any], source: str, what: str) -> Iterator[dict[str, Any]]:
    """Each of ``values`` in turn, which must be an object (``what``: "a tariff")."""
    for value in values:
        if not isinstance(value, dict):
            raise FormatError(f"{source}: {what} is not an object: {value!r:.80}")
        yield value


def typed_field(data: dict[str, Any], name: str, kind: type | tuple[type, ...], source: str,
                where: str) -> Any:
    """``data[name]``, which must be there and be of the JSON type ``kind`` (null is not)."""
    value = json_field(data, name, source, where)
    if isinstance(value, bool) or not isinstance(value, kind):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        expected = " or ".join(_KINDS[one] for one in kinds)
        raise FormatError(f"{source}: {name} of {where} is {shown(value)}, expected {expected}")
    return value


def json_number(data: dict[str, Any], name: str, source: str, where: str, *,
                zero: bool = False, text: bool = True) -> Decimal:
    """``data[name]`` as a finite Decimal, positive (or zero with ``zero``), via its text.

    A JSON number (Decimal from ``json_body``) or, with ``text``, a string of one ("10.5";
    no decimal comma or spaces, unlike ``formats.json_decimal``). Null, booleans, objects
    and NaN are not numbers.
    """
    value = json_field(data, name, source, where)
    number = _decimal(value, text=text)
    if number is None or number.is_nan():
        kind = "a number" if text else "a JSON number"
        raise FormatError(f"{source}: {name} of {where} is {shown(value)}, not {kind}")
    if not number.is_finite() or number < 0 or (number == 0 and not zero):
        kind = "non-negative" if zero else "positive"
        raise FormatError(f"{source}: {name} of {where} is {shown(value)}, "
                          f"not a {kind} number")
    return number


def _decimal(value: Any, *, text: bool) -> Decimal | None:
    """``value`` as a Decimal if it is a Decimal, or (``text``) a string of one; else None."""
    if isinstance(value, Decimal):
        return value
    if text and isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def check_stated(stated: Any, asked: Any, source: str, what: str) -> None:
    """A FormatError unless ``stated`` (None: not stated) is what the query ``asked`` for."""
    if stated is not None and stated != asked:
        raise FormatError(f"{source}: {what} is {shown(stated, 20)}, "
                          f"the query asked for {asked}")


def shown(value: Any, width: int = 40) -> str:
    """A value for a message, on one line: a Decimal as its text, anything else its repr."""
    return str(value) if isinstance(value, Decimal) else repr(value)[:width]


# ---- prices


def explain(amount: Decimal, fee: Decimal, rates: Mapping[str, Decimal], received: Decimal, *,
            relative_to_received: bool = False) -> tuple[str | None, str]:
    """Which of ``rates`` (by key) and which fee mode turn ``amount`` into ``received``.

    Tries every rate with the whole amount converted ("on_top") and with the fee taken out
    first ("deducted"); the closest within TOLERANCE wins, the first of equals (so "on_top"
    for a zero fee). (None, "unknown") when nothing fits. The gap is relative to the amount
    expected, or to ``received`` with ``relative_to_received``, as unistream and remitly
    have always measured it: the two readings part only within about 0.0025% of the
    tolerance's edge, or when both modes fit almost equally well.
    """
    best: tuple[Decimal, str, str] | None = None
    for key, rate in rates.items():
        for mode, converted in (("on_top", amount), ("deducted", amount - fee)):
            expected = converted * rate
            if (mode == "deducted" and not fee) or expected <= 0:
                continue
            error = abs(received - expected) / (received if relative_to_received else expected)
            if error <= TOLERANCE and (best is None or error < best[0]):
                best = (error, key, mode)
    return (best[1], best[2]) if best else (None, "unknown")


def fee_mode(send: Decimal, fee: Decimal, received: Decimal, rate: Decimal) -> str:
    """"on_top", "deducted" or "unknown", whichever the numbers bear out (see the module doc)."""
    return explain(send, fee, {"rate": rate}, received)[1]


def inverse(rate: Decimal, digits: int) -> Decimal:
    """1 / ``rate`` to ``digits`` significant digits: a rate read the other way round."""
    with localcontext() as context:
        context.prec = digits
        return Decimal(1) / rate


def speed_band(value: Decimal | int, bands: tuple[tuple[int, str], ...]) -> str:
    """The first band of ``bands`` whose upper bound ``value`` does not pass, else 6 days+."""
    return next((band for limit, band in bands if value <= limit), "6_days_or_more")


def unserved(source: str, query: QuoteQuery) -> ValueError:
    """The error for asking ``source`` about a query it does not serve (to raise)."""
    return ValueError(f"{source}: {query.source_country}->{query.destination_country} "
                      f"{query.send_currency}->{query.receive_currency} is not served")
