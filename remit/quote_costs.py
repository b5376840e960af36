"""The cost columns stored with each quote: its RPW margin, total cost and amount received.

A quote never changes after it is stored (it carries its own reference rate), so what it
costs is fixed too. These columns keep that cost, worked out by ``remit.costs`` (through
``queries.breakdown_of``) when the quote is stored and rounded as the exports give it, so
that exporting millions of quotes is a query that hands out text, with no arithmetic per
row. Rankings and statistics do not read them: they compute at full precision.

``recompute`` works every stored quote out again: migration 0008 runs it to fill the
columns, and ``remit db recompute-costs`` after any change to the methodology.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Context, Decimal, localcontext

from sqlalchemy import Connection, bindparam, select, update

from .costs import ZERO
from .db import BulkInserter
from .models import COST_INPUTS, Quote
from .queries import breakdown_of

DERIVED = ("fx_margin_pct", "total_cost_pct", "computed_received_amount")
PERCENT_PLACES = Decimal("0.0001")
AMOUNT_PLACES = Decimal("0.000001")
# SQLite keeps decimals as text; recompute also rewrites these there as canonical text
STORED_DECIMALS = ("send_amount", "fee", "receiving_fee", "exchange_rate", "received_amount",
                   "reference_rate")
_ROUNDING = Context(prec=80)  # quantize must never run out of digits, whatever the ratio


def derived_costs(**fields) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(fx_margin_pct, total_cost_pct, computed_received_amount) of a quote's
    ``COST_INPUTS``: None where the cost or amount is unknown (rate not disclosed, fee mode
    unknown, a fee in another currency) or the quote cannot be priced at all."""
    breakdown = breakdown_of(**fields)
    if breakdown is None:
        return None, None, None
    return (_rounded(breakdown.rate_margin_pct, PERCENT_PLACES),
            _rounded(breakdown.total_cost_pct, PERCENT_PLACES),
            _rounded(breakdown.received_amount, AMOUNT_PLACES))


def _rounded(value: Decimal | None, places: Decimal) -> Decimal | None:
    if value is None:
        return None
    with localcontext(_ROUNDING):
        value = value.quantize(places)  # half to even
    return value if value else ZERO  # never a negative zero


class QuoteInserter(BulkInserter):
    """``BulkInserter`` for quotes: rows in ``columns`` order, the cost columns derived and
    appended to each. An input the rows do not have is None (e.g. no receiving fee)."""

    def __init__(self, connection: Connection, columns: Sequence[str],
                 skip_duplicates_of: Sequence[str] | None = None) -> None:
        super().__init__(connection, Quote.__table__, tuple(columns) + DERIVED, skip_duplicates_of)
        self.inputs = [(name, columns.index(name) if name in columns else None) for name in COST_INPUTS]

    def insert(self, rows: Iterable[Sequence]) -> int:
        return super().insert([tuple(row) + derived_costs(**{
            name: None if index is None else row[index] for name, index in self.inputs})
            for row in rows])


def recompute(connection: Connection, batch_size: int = 5000) -> int:
    """Work out the cost columns of every stored quote again, in batches by id; return how
    many quotes there are. On SQLite the stored decimals are rewritten as canonical text
    on the way (``remit.types.decimal_text``)."""
    table = Quote.__table__
    rewritten = STORED_DECIMALS if connection.dialect.name == "sqlite" else ()
    read = select(table.c.id, *(table.c[name] for name in dict.fromkeys(COST_INPUTS + rewritten)))
    written = DERIVED + rewritten
    statement = (update(table).where(table.c.id == bindparam("quote_id"))
                 .values({name: bindparam(f"new_{name}", type_=table.c[name].type) for name in written}))
    after, count = 0, 0
    while rows := connection.execute(read.where(table.c.id > after).order_by(table.c.id)
                                     .limit(batch_size)).all():
        parameters = []
        for row in rows:
            fields = row._mapping
            values = dict(zip(DERIVED, derived_costs(**{name: fields[name] for name in COST_INPUTS})))
            values.update((name, fields[name]) for name in rewritten)
            parameters.append({"quote_id": row.id, **{f"new_{name}": values[name] for name in written}})
        connection.execute(statement, parameters)
        after, count = rows[-1].id, count + len(rows)
    return count
