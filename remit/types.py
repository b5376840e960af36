"""Column types that keep money exact and times in UTC on every database.

SQLite has no decimal type: SQLAlchemy's Numeric goes through float there. ``Money`` and
``Rate`` store the exact decimal text on SQLite and NUMERIC(p, s) on PostgreSQL, so a
``Decimal`` always comes back with the same value. The text is canonical (``decimal_text``:
no exponent, no trailing zeros, no negative zero), the text PostgreSQL gives for
``trim_scale(value)::text``, so SQL can hand either database's decimals out as text
unchanged (the exports do). Sorting or summing these columns in
SQL is therefore only meaningful on PostgreSQL: do arithmetic in Python (``remit.costs``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import DateTime, Numeric, String
from sqlalchemy.types import TypeDecorator


class ExactDecimal(TypeDecorator):
    """Decimal stored without loss: NUMERIC(p, s) on PostgreSQL, text on SQLite."""

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.precision = precision
        self.scale = scale

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(self.precision + 2))
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"expected Decimal, got {type(value).__name__}: money is never float")
        exponent = value.as_tuple().exponent
        if not isinstance(exponent, int):
            raise ValueError(f"{value} is not a finite amount")
        if exponent < -self.scale:  # the same rounding on every database: half to even
            value = value.quantize(Decimal(1).scaleb(-self.scale))
        if value and value.adjusted() >= self.precision - self.scale:
            raise ValueError(f"{value} has too many digits for this column")
        return decimal_text(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(value) if isinstance(value, str) else value


def decimal_text(value: Decimal) -> str:
    """A finite decimal as plain text: no exponent, no trailing zeros, "0" for any zero."""
    if not value:
        return "0"
    return format(value.normalize(), "f")


def Money() -> ExactDecimal:  # noqa: N802 - reads like a type in model declarations
    """Amounts and fees: up to 10^17 with 6 decimals (covers UZS and TND alike)."""
    return ExactDecimal(24, 6)


def Rate() -> ExactDecimal:  # noqa: N802
    """Exchange rates: 12 decimals, enough for 0.000012 USD per UZS."""
    return ExactDecimal(28, 12)


def Percent() -> ExactDecimal:  # noqa: N802
    """Percentages rounded to 4 decimals, as the exports give them; wide enough for any
    ratio of two stored amounts or rates."""
    return ExactDecimal(40, 4)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes; naive values are refused, not guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: times must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)
