"""Turning one raw RPW row into typed values: pure, no database.

Quirks of the real data handled here (see shared/rpw/README.md): dates written
``24/Jan/2011`` or ``2025-08-21 00:00:00``; flags ``yes``/``Yes``/``no``; ``..`` and empty
cells for "no value"; rates quoted in USD per sending-currency unit rather than in the
receiving currency; placeholder rates of 1.0 where the rate was not observed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from ..catalog import alpha2, is_currency, local_currency
from ..vocab import AccessPoint, FirmType, PaymentInstrument, PickupMethod, Speed

USD = "USD"
MISSING = {"", "..", "n/a", "na", "none", "null", "-"}
# A quoted rate within this factor of the USD equivalent implied by the amounts is in USD.
USD_RATE_TOLERANCE = Decimal(2)


class RowError(ValueError):
    """This row cannot be imported; the message is the reason shown to the user."""


class Tier(NamedTuple):  # a NamedTuple: built twice per row, it must be cheap to make
    """One of the two surveyed amounts of a row (cc1 ~ USD 200, cc2 ~ USD 500)."""

    column: str                     # cc1 or cc2
    amount_tier: int | None         # 200 or 500 when the denomination is one of those
    send_amount: Decimal
    send_currency: str
    fee: Decimal
    exchange_rate: Decimal | None   # None: not observed (placeholder) or empty
    receive_currency: str           # the currency exchange_rate converts into


@dataclass(frozen=True, eq=False)  # compared by identity: _service() hands out one per service
class ServiceAttributes:
    """Who sends, in which corridor, and how: the part of a row that names a service."""

    source_iso3: str
    source_name: str
    destination_iso3: str
    destination_name: str
    firm: str
    firm_type: FirmType
    payment_instrument: PaymentInstrument
    access_point: AccessPoint
    pickup_method: PickupMethod
    speed: Speed
    receiving_network_coverage: str | None


class RpwRecord(NamedTuple):
    """A parsed RPW row."""

    rpw_id: str
    period: str
    collected_at: datetime
    service: ServiceAttributes
    reference_rate: Decimal | None
    transparent: bool
    tiers: tuple[Tier, ...]


def text(values: dict, column: str) -> str | None:
    """A cell as stripped text, None when empty or a "no value" marker."""
    value = values.get(column)
    if value is None:
        return None
    if value.__class__ is not str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = str(value)
    cleaned = value.strip()
    if len(cleaned) <= 4 and cleaned.lower() in MISSING:
        return None
    return cleaned


def number(values: dict, column: str) -> Decimal | None:
    """A cell as an exact Decimal. Workbook floats go through their shortest repr."""
    raw = values.get(column)
    if raw.__class__ is str:
        try:  # the common case, a plain number: no cleaning needed
            result = Decimal(raw)
        except InvalidOperation:
            return _number_slow(raw, column)
        if not result.is_finite():
            raise RowError(f"{column}: {raw.strip()!r} is not a finite number")
        return result
    if isinstance(raw, bool):
        raise RowError(f"{column}: {raw!r} is not a number")
    if isinstance(raw, int | float):
        raw = repr(raw)
    return None if raw is None else _number_slow(raw, column)


def _number_slow(raw: str, column: str) -> Decimal | None:
    cleaned = text({column: raw}, column)
    if cleaned is None:
        return None
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", cleaned):
        cleaned = cleaned.replace(",", "")
    try:
        result = Decimal(cleaned)
    except InvalidOperation:
        raise RowError(f"{column}: {cleaned!r} is not a number") from None
    if not result.is_finite():
        raise RowError(f"{column}: {cleaned!r} is not a finite number")
    return result


def flag(values: dict, column: str) -> bool | None:
    """yes/Yes/TRUE/1 and no/No/FALSE/0; None when empty."""
    cleaned = text(values, column)
    if cleaned is None:
        return None
    lowered = cleaned.lower()
    if lowered in {"yes", "y", "true", "1"}:
        return True
    if lowered in {"no", "n", "false", "0"}:
        return False
    raise RowError(f"{column}: {cleaned!r} is neither yes nor no")


_DATE_FORMATS = ("%d/%b/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d/%m/%Y", "%d-%b-%Y")


def survey_date(values: dict) -> datetime:
    """The survey date as midnight UTC; both RPW spellings and workbook dates."""
    raw = values.get("date")
    if isinstance(raw, datetime):
        return raw.replace(tzinfo=UTC) if raw.tzinfo is None else raw.astimezone(UTC)
    if isinstance(raw, date):
        return datetime(raw.year, raw.month, raw.day, tzinfo=UTC)
    cleaned = text(values, "date")
    if cleaned is None:
        raise RowError("date: missing")
    return _parse_date(cleaned)


@lru_cache(maxsize=4096)  # a survey has few distinct dates: parse each once
def _parse_date(cleaned: str) -> datetime:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise RowError(f"date: {cleaned!r} is not a date (expected e.g. 24/Jan/2011 or 2025-08-21)")


def quarter_of(moment: datetime | date) -> str:
    """Calendar quarter as remit writes it: 2025Q3."""
    return f"{moment.year}Q{(moment.month - 1) // 3 + 1}"


def survey_period(values: dict, collected_at: datetime) -> str:
    """RPW's period ('2011_1Q', '2011Q1', 'Q1 2011') as 2011Q1; from the date if empty."""
    cleaned = text(values, "period")
    if cleaned is None:
        return quarter_of(collected_at)
    return _parse_period(cleaned)


@lru_cache(maxsize=1024)
def _parse_period(cleaned: str) -> str:
    compact = re.sub(r"[\s_-]", "", cleaned.upper())
    match = re.fullmatch(r"(\d{4})([1-4])Q", compact) or re.fullmatch(r"(\d{4})Q([1-4])", compact)
    if match:
        return f"{match.group(1)}Q{match.group(2)}"
    match = re.fullmatch(r"Q([1-4])(\d{4})", compact)
    if match:
        return f"{match.group(2)}Q{match.group(1)}"
    raise RowError(f"period: {cleaned!r} is not a quarter (expected e.g. 2011_1Q)")


def _lookup(mapping: dict[str, object], unknown: object, values: dict, column: str):
    raw = values.get(column)
    if raw is None:
        return unknown
    return mapping.get(_vocabulary_key(str(raw)), unknown)


@lru_cache(maxsize=1024)
def _vocabulary_key(raw: str) -> str:
    """' Own/partner Bank Account' -> 'own partner bank account'."""
    return re.sub(r"[^a-z0-9]+", " ", raw.lower()).strip()


FIRM_TYPES = {"bank": FirmType.BANK, "money transfer operator": FirmType.MTO, "mto": FirmType.MTO,
              "post office": FirmType.POST_OFFICE, "mobile operator": FirmType.MOBILE_OPERATOR,
              "non bank fi": FirmType.NON_BANK_FI, "digital only": FirmType.DIGITAL,
              "digital": FirmType.DIGITAL}
INSTRUMENTS = {"cash": PaymentInstrument.CASH, "bank account": PaymentInstrument.BANK_ACCOUNT,
               "debit card": PaymentInstrument.DEBIT_CARD, "credit card": PaymentInstrument.CREDIT_CARD,
               "mobile money": PaymentInstrument.MOBILE_MONEY,
               "mobile wallet": PaymentInstrument.MOBILE_MONEY}
ACCESS_POINTS = {"agent": AccessPoint.AGENT, "branch": AccessPoint.BRANCH,
                 "internet": AccessPoint.INTERNET, "online": AccessPoint.INTERNET,
                 "mobile app": AccessPoint.MOBILE_APP, "mobile": AccessPoint.MOBILE_APP}
PICKUPS = {"cash": PickupMethod.CASH, "bank account": PickupMethod.BANK_ACCOUNT,
           "own partner bank account": PickupMethod.OWN_BANK_ACCOUNT,
           "mobile wallet": PickupMethod.MOBILE_WALLET, "mobile money": PickupMethod.MOBILE_WALLET,
           "card": PickupMethod.CARD, "home delivery": PickupMethod.HOME_DELIVERY}
SPEEDS = {"less than one hour": Speed.LESS_THAN_ONE_HOUR, "same day": Speed.SAME_DAY,
          "next day": Speed.NEXT_DAY, "2 days": Speed.TWO_DAYS, "3 5 days": Speed.THREE_TO_FIVE_DAYS,
          "6 days or more": Speed.SIX_DAYS_OR_MORE, "more than 6 days": Speed.SIX_DAYS_OR_MORE}


def _country(values: dict, column: str) -> str:
    code = (text(values, column) or "").upper()
    if not (len(code) == 3 and code.isascii() and code.isalpha()):
        raise RowError(f"{column}: {code or 'empty'} is not an ISO alpha-3 country code")
    return code


def _tier(values: dict, column: str, reference_rate: Decimal | None,
          destination_iso3: str) -> Tier | None:
    names = _TIER_COLUMNS[column]
    send_amount = number(values, names[0])  # (each call is one C-level Decimal() in the common case)
    if send_amount is None:
        return None
    if send_amount <= 0:
        raise RowError(f"{names[0]}: must be positive, got {send_amount}")
    currency = _currency_code(values.get(names[1]))
    if currency is None:
        raise RowError(f"{names[1]}: {text(values, names[1]) or 'empty'} is not a currency code")
    fee = number(values, names[2])
    if fee is None or fee < 0:
        raise RowError(f"{names[2]}: {'missing' if fee is None else f'negative ({fee})'}")
    rate = number(values, names[3])
    if rate is not None and rate <= 0:
        raise RowError(f"{names[3]}: must be positive, got {rate}")
    denomination = number(values, names[4])
    receive_currency = _rate_currency(rate, send_amount, denomination, destination_iso3)
    if _is_placeholder(rate, reference_rate, currency, receive_currency):
        rate = None
    amount_tier = _AMOUNT_TIERS.get(denomination)
    return Tier(column, amount_tier, send_amount, currency, fee, rate, receive_currency)


_TIER_COLUMNS = {column: tuple(f"{column} {name}" for name in (
    "lcu amount", "lcu code", "lcu fee", "lcu fx rate", "denomination amount"))
    for column in ("cc1", "cc2")}
_AMOUNT_TIERS = {Decimal(200): 200, Decimal(500): 500}


@lru_cache(maxsize=512)
def _currency_code(raw: object) -> str | None:
    code = str(raw or "").strip().upper()
    return code if is_currency(code) else None


def _rate_currency(rate: Decimal | None, send_amount: Decimal, denomination: Decimal | None,
                   destination_iso3: str) -> str:
    """USD when the rate sits near the USD equivalent the amounts imply, else the local one."""
    local = _local_currency_of(destination_iso3)
    if rate is None or not denomination:
        return local
    # rate / (denomination / send_amount) within [1/2, 2], without dividing
    in_usd = rate * send_amount
    return USD if denomination <= in_usd * USD_RATE_TOLERANCE and in_usd <= denomination * USD_RATE_TOLERANCE else local


@lru_cache(maxsize=512)
def _local_currency_of(iso3: str) -> str:
    return local_currency(alpha2(iso3)) or USD


def _is_placeholder(rate: Decimal | None, reference_rate: Decimal | None, send_currency: str,
                    receive_currency: str) -> bool:
    """RPW writes 1.0 for both rates where none was observed: not a real rate of 1."""
    return (rate == 1 and reference_rate == 1 and send_currency != receive_currency)


SERVICE_COLUMNS = ("source_code", "source_name", "destination_code", "destination_name", "firm",
                   "firm_type", "payment instrument", "access point", "pickup method",
                   "speed actual", "receiving network coverage")


@lru_cache(maxsize=65536)  # a dataset has far fewer services than rows: parse each once
def _service(raw: tuple) -> ServiceAttributes:
    values = dict(zip(SERVICE_COLUMNS, raw, strict=True))
    firm = text(values, "firm")
    if firm is None:
        raise RowError("firm: missing")
    source_iso3 = _country(values, "source_code")
    destination_iso3 = _country(values, "destination_code")
    if source_iso3 == destination_iso3:
        raise RowError(f"source_code and destination_code are both {source_iso3}")
    return ServiceAttributes(
        source_iso3=source_iso3, source_name=text(values, "source_name") or source_iso3,
        destination_iso3=destination_iso3,
        destination_name=text(values, "destination_name") or destination_iso3,
        firm=firm, firm_type=_lookup(FIRM_TYPES, FirmType.UNKNOWN, values, "firm_type"),
        payment_instrument=_lookup(INSTRUMENTS, PaymentInstrument.UNKNOWN, values, "payment instrument"),
        access_point=_lookup(ACCESS_POINTS, AccessPoint.UNKNOWN, values, "access point"),
        pickup_method=_lookup(PICKUPS, PickupMethod.UNKNOWN, values, "pickup method"),
        speed=_lookup(SPEEDS, Speed.UNKNOWN, values, "speed actual"),
        receiving_network_coverage=text(values, "receiving network coverage"),
    )


def parse_row(values: dict) -> RpwRecord:
    """Parse one raw row, or raise RowError with the reason."""
    rpw_id = text(values, "id")
    if rpw_id is None:
        raise RowError("id: missing")
    collected_at = survey_date(values)
    service = _service(tuple(map(values.get, SERVICE_COLUMNS)))
    reference_rate = number(values, "inter lcu bank fx")
    if reference_rate is not None and reference_rate <= 0:
        raise RowError(f"inter lcu bank fx: must be positive, got {reference_rate}")
    first = _tier(values, "cc1", reference_rate, service.destination_iso3)
    second = _tier(values, "cc2", reference_rate, service.destination_iso3)
    tiers = (first, second) if first and second else tuple(t for t in (first, second) if t)
    if not tiers:
        raise RowError("cc1 lcu amount and cc2 lcu amount: both empty")
    if reference_rate == 1 and any(tier.exchange_rate is None for tier in tiers):
        reference_rate = None  # the placeholder pair: no reference was observed either
    return RpwRecord(rpw_id, survey_period(values, collected_at), collected_at, service,
                     reference_rate, bool(flag(values, "transparent")), tiers)
