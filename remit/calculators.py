"""The literacy calculators, pure and in Decimal: the same arithmetic as ``remit.costs``.

- ``true_cost``: what one transfer really costs (fee + exchange-rate margin against the
  reference rate) and what that loses in a year;
- ``fewer_transfers``: the yearly saving from sending the same money less often;
- ``two_budgets``: what is left here and at home each month.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .costs import CostBreakdown, CostInputError, cost_breakdown
from .vocab import FeeMode

MONTHS = 12


@dataclass(frozen=True)
class TrueCost:
    breakdown: CostBreakdown
    at_reference: Decimal          # what the whole payment would buy at the reference rate
    lost_per_year: Decimal         # send currency
    transfers_per_year: int


def true_cost(*, amount: Decimal, fee: Decimal, exchange_rate: Decimal, reference_rate: Decimal,
              transfers_per_month: int, fee_on_top: bool = True) -> TrueCost:
    """One transfer's cost against the reference rate, and the loss over a year."""
    if transfers_per_month < 1:
        raise CostInputError("send at least once a month")
    breakdown = cost_breakdown(send_amount=amount, fee=fee,
                               fee_mode=FeeMode.ON_TOP if fee_on_top else FeeMode.DEDUCTED,
                               exchange_rate=exchange_rate, reference_rate=reference_rate)
    transfers = transfers_per_month * MONTHS
    return TrueCost(breakdown, breakdown.sender_pays * reference_rate,
                    breakdown.total_cost_amount * transfers, transfers)


@dataclass(frozen=True)
class FewerTransfers:
    fees_now: Decimal              # a year, send currency
    fees_planned: Decimal
    saving: Decimal


def fewer_transfers(*, monthly_amount: Decimal, fixed_fee: Decimal, percent_fee: Decimal,
                    transfers_now: int, transfers_planned: int) -> FewerTransfers:
    """Yearly fees when the same monthly amount goes in more or fewer transfers.

    A percentage fee costs the same however the money is split; a fixed fee is paid once
    per transfer, which is what sending less often saves.
    """
    for name, value in (("amount", monthly_amount), ("fee", fixed_fee), ("percent fee", percent_fee)):
        if value < 0:
            raise CostInputError(f"{name} must not be negative")
    if transfers_now < 1 or transfers_planned < 1:
        raise CostInputError("send at least once a month")
    percent_part = monthly_amount * percent_fee / 100 * MONTHS
    now = fixed_fee * transfers_now * MONTHS + percent_part
    planned = fixed_fee * transfers_planned * MONTHS + percent_part
    return FewerTransfers(now, planned, now - planned)


@dataclass(frozen=True)
class TwoBudgets:
    left_here: Decimal             # income - costs here - money sent
    left_at_home: Decimal          # money received + other income at home - costs at home
    saved_per_year_here: Decimal


def two_budgets(*, income: Decimal, costs_here: Decimal, sent: Decimal, received: Decimal,
                other_income_home: Decimal, costs_home: Decimal) -> TwoBudgets:
    """The two budgets of a migrant household: here (send currency) and at home."""
    for value in (income, costs_here, sent, received, other_income_home, costs_home):
        if value < 0:
            raise CostInputError("amounts must not be negative")
    left_here = income - costs_here - sent
    return TwoBudgets(left_here, received + other_income_home - costs_home, left_here * MONTHS)
