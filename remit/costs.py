"""The cost engine: World Bank RPW definitions, pure functions over ``Decimal``.

No Flask, no database, no float. Every ranking and statistic in remit goes through here.

Definitions (``docs/methodology.md`` has the long form):

- rate margin (RPW "fx margin") = (reference rate - applied rate) / reference rate x 100,
  both rates in units received per unit sent;
- converted amount = the send amount, or send amount - fee when the fee is deducted;
- margin amount = converted amount x rate margin (in the send currency);
- total cost amount = fee + margin amount + receiving fee at the reference rate: what the
  sender loses against a conversion of everything paid at the reference rate;
- every percentage is of the send amount, so total cost % = fee % + margin % + receiving
  fee %. With the fee on top (the RPW convention) margin % equals the rate margin, and
  total cost % is RPW's "fee + fx margin" exactly.
"""

from __future__ import annotations

import statistics
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Context, Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext

from .vocab import SPEED_MAX_DAYS, FeeMode, Speed

ZERO = Decimal(0)
HUNDRED = Decimal(100)
SDG_CORRIDOR_TARGET_PCT = Decimal(5)   # SDG 10.c: no corridor above 5%
SDG_GLOBAL_TARGET_PCT = Decimal(3)     # SDG 10.c: global average below 3%

# Wide enough that products of realistic inputs are exact and quotients are never so
# rounded that two different amounts received would tie in cost.
_CONTEXT = Context(prec=60, traps=[InvalidOperation, DivisionByZero, Overflow])


class CostInputError(ValueError):
    """Inputs that no cost can be computed from (negative fee, zero amount, ...)."""


@dataclass(frozen=True)
class CostBreakdown:
    """What a transfer costs, by component. ``None`` means unknown, never zero."""

    send_amount: Decimal
    fee: Decimal
    fee_pct: Decimal
    sender_pays: Decimal | None          # send currency, fee included; None if fee mode unknown
    converted_amount: Decimal            # the part of the send amount that is exchanged
    rate_margin_pct: Decimal | None      # RPW "fx margin"
    margin_amount: Decimal | None        # send currency
    margin_pct: Decimal | None           # margin amount as % of the send amount
    receiving_fee_pct: Decimal | None
    total_cost_amount: Decimal | None    # send currency
    total_cost_pct: Decimal | None
    received_amount: Decimal | None      # receive currency, net of any receiving fee

    @property
    def transparent(self) -> bool:
        """Whether the exchange-rate part of the cost is known."""
        return self.rate_margin_pct is not None


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise CostInputError(message)


def _check_inputs(send_amount: Decimal, fee: Decimal, exchange_rate: Decimal | None,
                  reference_rate: Decimal | None, receiving_fee: Decimal) -> None:
    for name, value in (("send amount", send_amount), ("fee", fee),
                        ("exchange rate", exchange_rate), ("reference rate", reference_rate),
                        ("receiving fee", receiving_fee)):
        _require(value is None or isinstance(value, Decimal),
                 f"{name} must be a Decimal, not {type(value).__name__}")
        _require(value is None or value.is_finite(), f"{name} must be a finite number")
    _require(send_amount > ZERO, "send amount must be positive")
    _require(fee >= ZERO, "fee must not be negative")
    _require(receiving_fee >= ZERO, "receiving fee must not be negative")
    _require(exchange_rate is None or exchange_rate > ZERO, "exchange rate must be positive")
    _require(reference_rate is None or reference_rate > ZERO, "reference rate must be positive")


def rate_margin_pct(exchange_rate: Decimal, reference_rate: Decimal) -> Decimal:
    """RPW exchange-rate margin in percent; negative when the rate beats the reference."""
    with localcontext(_CONTEXT):
        return (reference_rate - exchange_rate) / reference_rate * HUNDRED


def cost_breakdown(*, send_amount: Decimal, fee: Decimal, fee_mode: FeeMode | str,
                   exchange_rate: Decimal | None, reference_rate: Decimal | None,
                   receiving_fee: Decimal = ZERO) -> CostBreakdown:
    """Break down the cost of sending ``send_amount`` with a given fee and rates.

    ``fee`` is in the send currency, ``receiving_fee`` in the receive currency. Without an
    exchange rate (not disclosed) or a reference rate the margin and the total are unknown.
    With ``FeeMode.UNKNOWN`` the cost follows RPW (the whole amount is converted) but the
    amount received and what the sender pays are left unknown rather than guessed.
    """
    _check_inputs(send_amount, fee, exchange_rate, reference_rate, receiving_fee)
    fee_mode = FeeMode(fee_mode)
    _require(fee_mode is not FeeMode.DEDUCTED or fee < send_amount,
             "a fee deducted from the amount must be smaller than the amount")
    with localcontext(_CONTEXT):
        deducted = fee_mode is FeeMode.DEDUCTED
        converted = send_amount - fee if deducted else send_amount
        sender_pays = None
        if fee_mode is not FeeMode.UNKNOWN:
            sender_pays = send_amount if deducted else send_amount + fee
        received = None
        if exchange_rate is not None and fee_mode is not FeeMode.UNKNOWN:
            received = converted * exchange_rate - receiving_fee
        fee_pct = fee / send_amount * HUNDRED
        if exchange_rate is None or reference_rate is None:
            return CostBreakdown(send_amount, fee, fee_pct, sender_pays, converted, None, None,
                                 None, None, None, None, received)
        margin = rate_margin_pct(exchange_rate, reference_rate)
        margin_amount = converted * (reference_rate - exchange_rate) / reference_rate
        receiving_fee_amount = receiving_fee / reference_rate
        total_amount = fee + margin_amount + receiving_fee_amount
        margin_pct = margin_amount / send_amount * HUNDRED
        receiving_fee_pct = receiving_fee_amount / send_amount * HUNDRED
        total_pct = fee_pct + margin_pct + receiving_fee_pct
        return CostBreakdown(send_amount, fee, fee_pct, sender_pays, converted, margin,
                             margin_amount, margin_pct, receiving_fee_pct, total_amount,
                             total_pct, received)


# --- ranking -------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """What ranking needs of one service's latest price for the amount in question."""

    key: Hashable                      # the service, as the caller identifies it
    fee: Decimal                       # send currency, for this amount
    exchange_rate: Decimal | None      # None: not disclosed
    collected_at: datetime
    receiving_fee: Decimal = ZERO      # receive currency
    promotional: bool = False


@dataclass(frozen=True)
class RankedOffer:
    """An offer priced for the user's amount; ``position`` is None when the cost is unknown."""

    offer: Offer
    breakdown: CostBreakdown
    position: int | None

    @property
    def promotional(self) -> bool:
        return self.offer.promotional


@dataclass(frozen=True)
class Ranking:
    """Offers in order, best first, with what was left out and why."""

    ranked: list[RankedOffer]
    stale: list[Offer] = field(default_factory=list)
    # cannot be priced for this amount: the fee alone exceeds it, or a receive amount was
    # asked of a service that does not disclose its rate
    unpriced: list[Offer] = field(default_factory=list)


def price_for_amount(offer: Offer, *, amount: Decimal, amount_in: str,
                     reference_rate: Decimal | None) -> CostBreakdown | None:
    """Price one offer for a user's amount, or None when it cannot deliver any money.

    ``amount_in="send"``: the sender pays ``amount`` in total, fee included, so ``amount -
    fee`` is converted whether the provider calls its fee "on top" or "deducted".
    ``amount_in="receive"``: the recipient must get ``amount``; the sender pays what that
    takes. Without a disclosed rate a receive amount cannot be priced: None. Without a
    reference rate the amounts are known but the margin and total cost are not.
    """
    _require(amount_in in ("send", "receive"), "amount_in must be 'send' or 'receive'")
    _require(isinstance(amount, Decimal) and amount.is_finite() and amount > ZERO,
             "amount must be a positive Decimal")
    with localcontext(_CONTEXT):
        if amount_in == "send":
            sender_pays = amount
        elif offer.exchange_rate is None:
            return None
        else:
            sender_pays = (amount + offer.receiving_fee) / offer.exchange_rate + offer.fee
        if sender_pays <= offer.fee:
            return None
        breakdown = cost_breakdown(send_amount=sender_pays, fee=offer.fee,
                                   fee_mode=FeeMode.DEDUCTED, exchange_rate=offer.exchange_rate,
                                   reference_rate=reference_rate, receiving_fee=offer.receiving_fee)
    if breakdown.received_amount is not None and breakdown.received_amount <= ZERO:
        return None
    return breakdown


def rank_offers(offers: Iterable[Offer], *, amount: Decimal, amount_in: str,
                reference_rate: Decimal | None, now: datetime, max_age: timedelta) -> Ranking:
    """Rank offers for a user's amount: most received (or least paid) first.

    Ranking is by the amounts themselves (received, then paid), so it holds even where no
    reference rate is known; with one reference rate pricing every offer it is also the
    order of total cost. Offers collected before ``now - max_age`` are left out as stale;
    offers without a disclosed rate come after every offer whose amounts are known,
    cheapest fee first, without a position.
    """
    cutoff = now - max_age
    known: list[tuple[Offer, CostBreakdown]] = []
    opaque: list[tuple[Offer, CostBreakdown]] = []
    stale: list[Offer] = []
    unpriced: list[Offer] = []
    for offer in offers:
        if offer.collected_at < cutoff:
            stale.append(offer)
            continue
        breakdown = price_for_amount(offer, amount=amount, amount_in=amount_in,
                                     reference_rate=reference_rate)
        if breakdown is None:
            unpriced.append(offer)
        elif breakdown.received_amount is not None:
            known.append((offer, breakdown))
        else:
            opaque.append((offer, breakdown))
    known.sort(key=lambda pair: (-pair[1].received_amount, pair[1].sender_pays,
                                 repr(pair[0].key)))
    opaque.sort(key=lambda pair: (pair[1].fee, repr(pair[0].key)))
    ranked = [RankedOffer(offer, breakdown, position)
              for position, (offer, breakdown) in enumerate(known, start=1)]
    ranked += [RankedOffer(offer, breakdown, None) for offer, breakdown in opaque]
    return Ranking(ranked, stale, unpriced)


# --- corridor statistics --------------------------------------------------------------


@dataclass(frozen=True)
class ServiceCost:
    """One service's total cost in a corridor and period, with what SmaRT looks at."""

    total_cost_pct: Decimal | None     # None: unknown (rate not disclosed)
    transparent: bool = True           # fees and rate disclosed to the sender before paying
    speed: Speed | str = Speed.UNKNOWN
    accessible: bool = True            # reasonably accessible (network coverage, access point)


@dataclass(frozen=True)
class SmartCriteria:
    """Which services qualify for SmaRT, and how many of the cheapest are averaged."""

    cheapest: int = 3
    max_days: int = 5
    require_transparent: bool = True
    require_accessible: bool = True


@dataclass(frozen=True)
class CorridorStats:
    """Statistics of one corridor in one period and amount tier (percent of send amount)."""

    services: int                 # services with a known total cost
    unknown_cost: int             # services whose cost is unknown (rate not disclosed), left out
    average: Decimal | None
    minimum: Decimal | None
    median: Decimal | None
    share_under_3_pct: Decimal | None   # share of services below 3%, in percent
    share_under_5_pct: Decimal | None
    smart: Decimal | None
    smart_services: int           # how many services the SmaRT figure averages (0 to 3)


def mean(values: Sequence[Decimal]) -> Decimal | None:
    """Simple mean, or None for no values."""
    if not values:
        return None
    with localcontext(_CONTEXT):
        return sum(values, ZERO) / len(values)


def weighted_average(pairs: Iterable[tuple[Decimal, Decimal]]) -> Decimal | None:
    """Mean of values weighted by (remittance volume) weights; None if no positive weight."""
    pairs = list(pairs)
    for value, weight in pairs:
        _require(isinstance(value, Decimal) and isinstance(weight, Decimal),
                 "values and weights must be Decimal")
        _require(weight >= ZERO, "weights must not be negative")
    with localcontext(_CONTEXT):
        total_weight = sum((weight for _, weight in pairs), ZERO)
        if total_weight == ZERO:
            return None
        return sum((value * weight for value, weight in pairs), ZERO) / total_weight


def smart_qualifies(service: ServiceCost, criteria: SmartCriteria) -> bool:
    """Whether a service counts for SmaRT under the given criteria."""
    if service.total_cost_pct is None:
        return False
    if criteria.require_transparent and not service.transparent:
        return False
    if criteria.require_accessible and not service.accessible:
        return False
    max_days = SPEED_MAX_DAYS[Speed(service.speed)]
    return max_days is not None and max_days <= criteria.max_days


def smart(services: Iterable[ServiceCost], criteria: SmartCriteria = SmartCriteria()) -> tuple[Decimal | None, int]:
    """SmaRT: mean of the cheapest qualifying services, and how many were averaged.

    With fewer qualifying services than ``criteria.cheapest`` the mean is over those that
    qualify; with none, the corridor has no SmaRT (None, 0).
    """
    costs = sorted(s.total_cost_pct for s in services if smart_qualifies(s, criteria))
    chosen = costs[: criteria.cheapest]
    return mean(chosen), len(chosen)


def _share_below(values: Sequence[Decimal], threshold: Decimal) -> Decimal | None:
    if not values:
        return None
    with localcontext(_CONTEXT):
        return Decimal(sum(1 for value in values if value < threshold)) / len(values) * HUNDRED


def corridor_stats(services: Sequence[ServiceCost],
                   criteria: SmartCriteria = SmartCriteria()) -> CorridorStats:
    """Average, minimum, median, shares under 3% and 5%, and SmaRT for one corridor."""
    known = [s.total_cost_pct for s in services if s.total_cost_pct is not None]
    smart_value, smart_count = smart(services, criteria)
    with localcontext(_CONTEXT):
        median = statistics.median(known) if known else None
    return CorridorStats(
        services=len(known),
        unknown_cost=len(services) - len(known),
        average=mean(known),
        minimum=min(known) if known else None,
        median=median,
        share_under_3_pct=_share_below(known, SDG_GLOBAL_TARGET_PCT),
        share_under_5_pct=_share_below(known, SDG_CORRIDOR_TARGET_PCT),
        smart=smart_value,
        smart_services=smart_count,
    )
