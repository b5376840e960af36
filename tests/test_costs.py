"""The cost engine: worked examples, RPW identities as properties, and no float anywhere."""

from __future__ import annotations

import ast
import inspect
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from decimal import localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from remit import costs
from remit.costs import (
    CostInputError, Offer, ServiceCost, SmartCriteria, corridor_stats, cost_breakdown,
    rank_offers, smart, weighted_average,
)
from remit.vocab import FeeMode, Speed

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
TOLERANCE = D("1e-40")


def close(value, expected):
    return abs(value - expected) < D("1e-20")


# --- worked examples -------------------------------------------------------------------


def test_rpw_row_fee_on_top():
    """RPW row 14981 (MoneyGram TZA-KEN, cc1): 8.36% total, 1.36% margin as published."""
    b = cost_breakdown(send_amount=D("295000"), fee=D("20650"), fee_mode=FeeMode.ON_TOP,
                       exchange_rate=D("0.000651"), reference_rate=D("0.00066"))
    assert b.fee_pct == D(7)
    assert round(b.rate_margin_pct, 2) == D("1.36")
    assert b.margin_pct == b.rate_margin_pct
    assert round(b.total_cost_pct, 2) == D("8.36")
    assert b.received_amount == D("192.045")
    assert b.sender_pays == D("315650")
    expected = D("20650") + D("295000") * (D("0.00066") - D("0.000651")) / D("0.00066")
    assert abs(b.total_cost_amount - expected) < D("1e-20")


def test_fee_deducted_converts_only_the_rest():
    b = cost_breakdown(send_amount=D("10000"), fee=D("100"), fee_mode=FeeMode.DEDUCTED,
                       exchange_rate=D("0.1188"), reference_rate=D("0.12"))
    assert b.converted_amount == D("9900")
    assert b.received_amount == D("1176.12")
    assert b.sender_pays == D("10000")
    # what the sender lost against the reference rate, in roubles
    assert b.total_cost_amount == D("10000") - b.received_amount / D("0.12")
    assert b.rate_margin_pct == D("1")
    assert b.margin_pct == D("0.99")
    assert b.total_cost_pct == D("1.99")


def test_negative_margin_is_kept():
    b = cost_breakdown(send_amount=D("100"), fee=D("0"), fee_mode=FeeMode.ON_TOP,
                       exchange_rate=D("1.01"), reference_rate=D("1"))
    assert b.rate_margin_pct == D("-1")
    assert b.total_cost_pct == D("-1")


def test_undisclosed_rate_is_unknown_not_zero():
    b = cost_breakdown(send_amount=D("200"), fee=D("5"), fee_mode=FeeMode.ON_TOP,
                       exchange_rate=None, reference_rate=D("0.9"))
    assert not b.transparent
    assert b.rate_margin_pct is None and b.total_cost_pct is None and b.total_cost_amount is None
    assert b.fee_pct == D("2.5")
    assert b.received_amount is None


def test_unknown_fee_mode_does_not_guess_the_amount_received():
    b = cost_breakdown(send_amount=D("200"), fee=D("5"), fee_mode=FeeMode.UNKNOWN,
                       exchange_rate=D("0.9"), reference_rate=D("1"))
    assert b.received_amount is None and b.sender_pays is None
    assert b.total_cost_pct == D("12.5")  # RPW: fee% + margin on the whole amount


def test_receiving_fee_is_added_at_the_reference_rate():
    b = cost_breakdown(send_amount=D("100"), fee=D("0"), fee_mode=FeeMode.ON_TOP,
                       exchange_rate=D("10"), reference_rate=D("10"), receiving_fee=D("20"))
    assert b.receiving_fee_pct == D("2")
    assert b.total_cost_pct == D("2")
    assert b.received_amount == D("980")


@pytest.mark.parametrize("kwargs, message", [
    ({"send_amount": D(0)}, "send amount must be positive"),
    ({"send_amount": D(-5)}, "send amount must be positive"),
    ({"fee": D(-1)}, "fee must not be negative"),
    ({"exchange_rate": D(0)}, "exchange rate must be positive"),
    ({"reference_rate": D(-1)}, "reference rate must be positive"),
    ({"send_amount": D("NaN")}, "finite"),
    ({"fee": 1.5}, "must be a Decimal"),
    ({"fee": D(100), "fee_mode": FeeMode.DEDUCTED}, "smaller than the amount"),
])
def test_bad_inputs_are_refused(kwargs, message):
    arguments = {"send_amount": D(100), "fee": D(1), "fee_mode": FeeMode.ON_TOP,
                 "exchange_rate": D(1), "reference_rate": D(1)} | kwargs
    with pytest.raises(CostInputError, match=message):
        cost_breakdown(**arguments)


# --- properties --------------------------------------------------------------------------

amounts = st.decimals(min_value=D("1"), max_value=D("100000000"), places=2)
rates = st.decimals(min_value=D("0.000001"), max_value=D("50000"), places=6)
fractions = st.decimals(min_value=D("0"), max_value=D("0.3"), places=4)
modes = st.sampled_from(list(FeeMode))


@given(amounts, fractions, modes, rates, st.decimals(min_value=D("0.8"), max_value=D("1.1"), places=4),
       fractions)
@settings(max_examples=300, deadline=None)
def test_total_is_fee_plus_margin(amount, fee_share, mode, reference, rate_factor, receiving_share):
    fee = (amount * fee_share).quantize(D("0.01"))
    if mode is FeeMode.DEDUCTED and fee >= amount:
        return
    b = cost_breakdown(send_amount=amount, fee=fee, fee_mode=mode, exchange_rate=reference * rate_factor,
                       reference_rate=reference, receiving_fee=amount * receiving_share * reference / 10)
    with localcontext(prec=80):  # the checks' own arithmetic must not round either
        assert abs(b.total_cost_pct - (b.fee_pct + b.margin_pct + b.receiving_fee_pct)) < TOLERANCE
        assert abs(b.total_cost_amount / amount * 100 - b.total_cost_pct) < TOLERANCE
        if mode is not FeeMode.DEDUCTED:
            assert abs(b.margin_pct - b.rate_margin_pct) < TOLERANCE
        if b.received_amount is not None:
            # the loss is everything paid minus the received amount's worth at the reference rate
            lost = b.sender_pays - b.received_amount / reference
            assert abs(lost - b.total_cost_amount) < D("1e-30")


offers_strategy = st.lists(
    st.tuples(st.decimals(min_value=D("0"), max_value=D("400"), places=2),
              st.decimals(min_value=D("0.85"), max_value=D("1.05"), places=5),
              st.decimals(min_value=D("0"), max_value=D("50"), places=2)),
    min_size=1, max_size=12)


def _offers(specs, reference):
    return [Offer(key=f"s{index}", fee=fee, exchange_rate=reference * factor,
                  receiving_fee=receiving_fee, collected_at=NOW)
            for index, (fee, factor, receiving_fee) in enumerate(specs)]


@given(offers_strategy, st.decimals(min_value=D("500"), max_value=D("1000000"), places=2), rates)
@settings(max_examples=300, deadline=None)
def test_ranking_by_received_equals_ranking_by_total_cost(specs, amount, reference):
    ranking = rank_offers(_offers(specs, reference), amount=amount, amount_in="send",
                          reference_rate=reference, now=NOW, max_age=timedelta(days=1))
    by_received = sorted(ranking.ranked, key=lambda r: (-r.breakdown.received_amount, r.offer.key))
    by_total_pct = sorted(ranking.ranked, key=lambda r: (r.breakdown.total_cost_pct, r.offer.key))
    assert [r.offer.key for r in by_received] == [r.offer.key for r in by_total_pct]
    assert [r.offer.key for r in ranking.ranked] == [r.offer.key for r in by_received]
    assert all(r.breakdown.sender_pays == amount for r in ranking.ranked)


@given(offers_strategy, st.decimals(min_value=D("100"), max_value=D("100000"), places=2), rates)
@settings(max_examples=200, deadline=None)
def test_receive_amount_ranking_orders_by_what_the_sender_pays(specs, amount, reference):
    ranking = rank_offers(_offers(specs, reference), amount=amount, amount_in="receive",
                          reference_rate=reference, now=NOW, max_age=timedelta(days=1))
    paid = [r.breakdown.sender_pays for r in ranking.ranked]
    assert paid == sorted(paid)
    with localcontext(prec=80):
        for r in ranking.ranked:
            assert abs(r.breakdown.received_amount - amount) < D("1e-30")


# --- ranking rules ----------------------------------------------------------------------------


def test_ranking_puts_undisclosed_rates_last_and_drops_stale_quotes():
    offers = [
        Offer("cheap", D("50"), D("0.119"), NOW - timedelta(hours=1)),
        Offer("opaque", D("0"), None, NOW - timedelta(hours=1)),
        Offer("dear", D("300"), D("0.118"), NOW - timedelta(hours=2), promotional=True),
        Offer("old", D("0"), D("0.12"), NOW - timedelta(days=30)),
        Offer("too-dear", D("20000"), D("0.12"), NOW),
    ]
    ranking = rank_offers(offers, amount=D("10000"), amount_in="send", reference_rate=D("0.12"),
                          now=NOW, max_age=timedelta(days=14))
    assert [r.offer.key for r in ranking.ranked] == ["cheap", "dear", "opaque"]
    assert [r.position for r in ranking.ranked] == [1, 2, None]
    assert ranking.ranked[1].promotional
    assert [o.key for o in ranking.stale] == ["old"]
    assert [o.key for o in ranking.unpriced] == ["too-dear"]


def test_receive_amount_cannot_be_priced_without_a_rate():
    offers = [Offer("opaque", D("0"), None, NOW), Offer("clear", D("1"), D("2"), NOW)]
    ranking = rank_offers(offers, amount=D("100"), amount_in="receive", reference_rate=D("2"),
                          now=NOW, max_age=timedelta(days=1))
    assert [r.offer.key for r in ranking.ranked] == ["clear"]
    assert ranking.ranked[0].breakdown.sender_pays == D("51")
    assert [o.key for o in ranking.unpriced] == ["opaque"]


# --- statistics ---------------------------------------------------------------------------------


def test_corridor_statistics():
    services = [
        ServiceCost(D("2"), speed=Speed.LESS_THAN_ONE_HOUR),
        ServiceCost(D("4"), speed=Speed.NEXT_DAY),
        ServiceCost(D("6"), speed=Speed.SIX_DAYS_OR_MORE),          # too slow for SmaRT
        ServiceCost(D("1"), transparent=False, speed=Speed.SAME_DAY),  # not transparent
        ServiceCost(D("3"), speed=Speed.TWO_DAYS, accessible=False),
        ServiceCost(None),
        ServiceCost(D("8"), speed=Speed.THREE_TO_FIVE_DAYS),
    ]
    stats = corridor_stats(services)
    assert stats.services == 6 and stats.unknown_cost == 1
    assert stats.average == D("4")
    assert stats.minimum == D("1")
    assert stats.median == D("3.5")
    assert close(stats.share_under_3_pct, D("100") / 3)
    assert close(stats.share_under_5_pct, D("200") / 3)
    assert close(stats.smart, D("14") / 3) and stats.smart_services == 3


def test_smart_with_fewer_than_three_and_with_none():
    assert smart([ServiceCost(D("5"), speed=Speed.SAME_DAY)]) == (D("5"), 1)
    assert smart([ServiceCost(D("5"), speed=Speed.SIX_DAYS_OR_MORE)]) == (None, 0)
    relaxed = SmartCriteria(max_days=10, require_transparent=False)
    assert smart([ServiceCost(D("5"), transparent=False, speed=Speed.THREE_TO_FIVE_DAYS)], relaxed) == (D("5"), 1)


def test_empty_corridor_has_no_figures():
    stats = corridor_stats([])
    assert stats.average is None and stats.median is None and stats.smart is None
    assert stats.share_under_3_pct is None


def test_weighted_average():
    assert weighted_average([(D("2"), D("3")), (D("6"), D("1"))]) == D("3")
    assert weighted_average([(D("2"), D("0"))]) is None
    with pytest.raises(CostInputError):
        weighted_average([(D("2"), D("-1"))])


def test_no_float_anywhere_in_the_engine():
    """The module never builds a float: no float literals, no float() calls."""
    tree = ast.parse(inspect.getsource(costs))
    for node in ast.walk(tree):
        assert not (isinstance(node, ast.Constant) and isinstance(node.value, float)), ast.dump(node)
        assert not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "float")
    b = cost_breakdown(send_amount=D("100"), fee=D("1"), fee_mode=FeeMode.ON_TOP,
                       exchange_rate=D("0.9"), reference_rate=D("1"))
    assert all(isinstance(value, D) for value in vars(b).values() if value is not None)


def test_without_a_reference_rate_ranking_still_follows_the_amount_received():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    offers = [Offer("dear", D("100"), D("0.12"), now), Offer("cheap", D("0"), D("0.119"), now),
              Offer("hidden", D("0"), None, now)]
    ranking = rank_offers(offers, amount=D("10000"), amount_in="send", reference_rate=None,
                          now=now, max_age=timedelta(days=1))
    assert [(r.offer.key, r.position) for r in ranking.ranked] == [
        ("cheap", 1), ("dear", 2), ("hidden", None)]
    assert ranking.ranked[0].breakdown.received_amount == D("1190")
    assert ranking.ranked[0].breakdown.total_cost_pct is None  # unknown, never zero
