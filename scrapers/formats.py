"""Readers shared by the source modules: XML and JSON bodies, fields, dates, codes, numbers.

Each check raises FormatError with a message that starts with the source's name (``source``)
and says where the problem is (``where``: a field, an entry, a date), so that a broken
response reads the same whatever the source. XML goes through defusedxml; numbers go from
their text to Decimal, never through float.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET

from scrapers.base import FormatError, RateObservation, decimal_from, per_unit

_CURRENCY_CODE = re.compile(r"[A-Z]{3}")


# ---- XML


def xml_document(body: bytes, source: str) -> Element:
    """The root element of an XML body; an empty or ill-formed body is a FormatError.

    The body is parsed as bytes, so the parser honours the encoding its declaration names
    (windows-1251 included). defusedxml refuses entity declarations (a ValueError).
    """
    if not body.strip():
        raise FormatError(f"{source}: empty body instead of XML")
    try:
        return SafeET.fromstring(body)
    except (ParseError, ValueError, LookupError) as exc:
        raise FormatError(f"{source}: not well-formed XML ({exc})") from None


def xml_root(body: bytes, source: str, tag: str) -> Element:
    """The root element of an XML body, which must be ``<tag>``."""
    root = xml_document(body, source)
    if root.tag != tag:
        raise FormatError(f"{source}: root element is <{root.tag}>, expected <{tag}>")
    return root


def xml_children(parent: Element, tag: str, source: str) -> list[Element]:
    """The children of ``parent``, every one of which must be a ``<tag>``."""
    for child in parent:
        if child.tag != tag:
            raise FormatError(f"{source}: unexpected <{child.tag}> in <{parent.tag}>, "
                              f"expected <{tag}>")
    return list(parent)


def xml_entries(parent: Element, tag: str, source: str, where: str) -> list[Element]:
    """Like xml_children, but no ``<tag>`` at all is a FormatError naming ``where``."""
    entries = xml_children(parent, tag, source)
    if not entries:
        raise FormatError(f"{source}: no <{tag}> entries in {where}")
    return entries


def xml_text(element: Element, tag: str, source: str, where: str) -> str:
    """The stripped text of the child ``<tag>``, which must be there and not be empty."""
    text = (element.findtext(tag) or "").strip()
    if not text:
        raise FormatError(f"{source}: <{tag}> missing or empty in {where}")
    return text


def value_per_nominal(element: Element, source: str, where: str) -> Decimal:
    """``<Value>`` (decimal point or comma) for ``<Nominal>`` units, brought to one unit."""
    value = decimal_from(xml_text(element, "Value", source, where),
                         what=f"{source}: Value of {where}")
    nominal = decimal_from(xml_text(element, "Nominal", source, where),
                           what=f"{source}: Nominal of {where}")
    return per_unit(value, nominal, what=f"{source}: {where}")


def nominal_rates(entries: Iterable[Element], code_of: Callable[[Element], str],
                  source: str, home: str, as_of: date) -> list[RateObservation]:
    """1 code = rate ``home`` for each entry with ``<Value>`` for ``<Nominal>`` units.

    This is the Bank of Russia's layout, also used by nbm, nbt and nbkr. ``code_of`` reads
    an entry's currency code; entries whose code is not ISO 4217 (gold, "SDR-IMF") are
    skipped, as there is nothing to compare them with; a code listed twice is an error.
    """
    found: dict[str, RateObservation] = {}
    for entry in entries:
        code = code_of(entry)
        if not is_currency_code(code):
            continue
        check_new(found, code, source, what=code, where=f"in the rates of {as_of}")
        rate = value_per_nominal(entry, source, f"{code} on {as_of}")
        found[code] = RateObservation(source, code, home, rate, as_of)
    return list(found.values())


def valcurs_rates(root: Element, source: str, home: str,
                  date_format: str) -> list[RateObservation]:
    """The rates of a ``<ValCurs Date="...">`` of ``<Valute>`` entries named by ``<CharCode>``.

    The Bank of Russia's daily layout, copied by nbm and nbt with other date formats.
    """
    as_of = parse_date(root.get("Date"), source, "ValCurs Date", date_format)
    valutes = xml_entries(root, "Valute", source, f"the rates of {as_of}")
    where = f"a <Valute> of {as_of}"
    return nominal_rates(valutes, lambda valute: xml_text(valute, "CharCode", source, where),
                         source, home, as_of)


# ---- JSON


def json_document(body: bytes, source: str) -> Any:
    """A JSON body, its numbers with a fraction or exponent as Decimal (never float)."""
    if not body.strip():
        raise FormatError(f"{source}: the response body is empty")
    try:
        return json.loads(body, parse_float=Decimal)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
        raise FormatError(f"{source}: the response is not JSON ({exc}), "
                          f"it starts with {body[:60]!r}") from None


def json_array(body: bytes, source: str, what: str) -> list[Any]:
    """A JSON body that must be a non-empty array (of ``what``: "rates", "days")."""
    data = json_document(body, source)
    if not isinstance(data, list) or not data:
        raise FormatError(f"{source}: expected a non-empty JSON array of {what}, "
                          f"got {type(data).__name__}")
    return data


def json_field(value: Any, name: str, source: str, where: str) -> Any:
    """``value[name]``; ``value`` (``where``: "an entry") must be an object that has it."""
    if not isinstance(value, dict):
        raise FormatError(f"{source}: {where} is not an object: {value!r:.80}")
    try:
        return value[name]
    except KeyError:
        raise FormatError(f"{source}: {where} has no {name!r} field: {value!r:.120}") from None


def json_decimal(value: Any, source: str, where: str) -> Decimal:
    """A positive Decimal from a JSON string, integer or parse_float Decimal, via its text.

    Anything else (null, a list, a float such as NaN, a boolean) is a FormatError.
    """
    what = f"{source}: {where}"
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise FormatError(f"{what}: {value!r} is not a number")
    return decimal_from(str(value), what=what)


@dataclass(frozen=True)
class RateFields:
    """The names of a JSON rate entry's fields, and how its date is written (None: ISO)."""

    code: str
    rate: str
    units: str
    day: str
    date_format: str | None = None


def json_rate(entry: Any, fields: RateFields, source: str, home: str) -> RateObservation:
    """1 code = rate / units ``home`` on the day of a JSON object with ``fields``."""
    field = partial(json_field, entry, source=source, where="an entry")
    code = currency_code(field(fields.code), source, fields.code)
    rate = json_decimal(field(fields.rate), source, f"{code} {fields.rate}")
    units = json_decimal(field(fields.units), source, f"{code} {fields.units}")
    as_of = parse_date(field(fields.day), source, f"{code} {fields.day}", fields.date_format)
    return RateObservation(source, code, home, per_unit(rate, units, what=f"{source}: {code}"),
                           as_of)


# ---- values of any format


def parse_date(value: Any, source: str, where: str, fmt: str | None = None) -> date:
    """The date in ``value``: ISO 8601 (a time is allowed and dropped) or the strptime ``fmt``.

    Messages spell the format out, e.g. "cbr: ValCurs Date None is not a DD.MM.YYYY date".
    """
    try:
        moment = datetime.fromisoformat(value) if fmt is None else datetime.strptime(value, fmt)
    except (TypeError, ValueError):
        raise FormatError(f"{source}: {where} {value!r} is not {_format_name(fmt)} date") from None
    return moment.date()


def _format_name(fmt: str | None) -> str:
    """'an ISO' for None, else the format spelt out with its article: 'a DD.MM.YYYY'."""
    if fmt is None:
        return "an ISO"
    return "a " + fmt.replace("%d", "DD").replace("%m", "MM").replace("%Y", "YYYY")


def is_currency_code(value: Any) -> bool:
    """Whether ``value`` has the shape of an ISO 4217 code: three ASCII capital letters."""
    return isinstance(value, str) and _CURRENCY_CODE.fullmatch(value) is not None


def currency_code(value: Any, source: str, where: str) -> str:
    """``value`` if it is a three-letter currency code, else a FormatError naming ``where``."""
    if not is_currency_code(value):
        raise FormatError(f"{source}: {where} {value!r} is not a three-letter currency code")
    return value


def check_new(seen: Container[Any], key: Any, source: str, *, what: str, where: str) -> None:
    """A FormatError if ``key`` is in ``seen``: ``what`` (a code) is listed twice ``where``."""
    if key in seen:
        raise FormatError(f"{source}: {what} listed twice {where}")
