"""Corridor statistics, stored: hand-computed values, SmaRT with few services, indices."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D

from sqlmodel import Session, select

from remit.models import Corridor, CorridorStat, Quote
from remit.stats import compute, indices, period_of
from tests.site_data import add_service, russia_tajikistan


def stats_of(session, corridor_id, kind="month", tier=200, period=None):
    """The corridor's rows of one kind and tier; of the current period unless told."""
    period = period or period_of(datetime.now(), kind)
    return session.exec(select(CorridorStat).where(CorridorStat.corridor_id == corridor_id,
                                                   CorridorStat.period_kind == kind,
                                                   CorridorStat.period == period,
                                                   CorridorStat.amount_tier == tier)).all()


def test_statistics_match_hand_computed_values(app):
    engine = app.extensions["remit.engine"]
    with Session(engine) as session:
        corridor = russia_tajikistan(session)
        session.flush()
        written = compute(session)
        session.commit()
        [month] = stats_of(session, corridor.id)
        # reference 0.12, send 16000 (tier 200), fee on top:
        #  cheap-cash  fee 0,   rate 0.1188 -> 0 + 1%              = 1%
        #  card-fast   fee 100, rate 0.1194 -> 0.625% + 0.5%       = 1.125%
        #  promo-bank  fee 0,   rate 0.1206 -> -0.5%               = -0.5%
        #  old-news    fee 0,   rate 0.2    -> -66.66..% (40 days ago: another month)
        #  secretive   rate not disclosed   -> unknown
        assert (month.services, month.unknown_cost, month.quotes) == (3, 1, 4)
        twelve_places = D("1e-12")  # stored as NUMERIC(28, 12)
        assert month.average == ((D(1) + D("1.125") + D("-0.5")) / 3).quantize(twelve_places)
        assert (month.minimum, month.median) == (D("-0.5"), D(1))
        assert month.share_under_3_pct == D(100) and month.share_under_5_pct == D(100)
        # SmaRT: transparent and within 5 days: all three qualify; mean of the three
        assert month.smart == month.average and month.smart_services == 3
        assert written == len(session.exec(select(CorridorStat)).all())


def test_smart_with_fewer_than_three_qualifying_services(app):
    engine = app.extensions["remit.engine"]
    with Session(engine) as session:
        russia_tajikistan(session)
        georgia = session.exec(select(Corridor).where(Corridor.destination_country == "GEO")).one()
        # 1% fee + 1% margin = 2%, within the hour: qualifies
        add_service(session, georgia, "only-one", fee="160", rate="0.0297", reference="0.03")
        # 0%, but 6 days or more: does not qualify
        add_service(session, georgia, "too-slow", fee="0", rate="0.03", reference="0.03",
                    speed="6_days_or_more")
        # 0.5%, but the rate is not disclosed to the sender beforehand: does not qualify
        hidden = add_service(session, georgia, "fine-print", fee="80", rate="0.03", reference="0.03")
        session.flush()
        for quote in session.exec(select(Quote).where(Quote.service_id == hidden.id)):
            quote.transparent = False
        session.flush()
        compute(session)
        [geo] = stats_of(session, georgia.id)
        assert geo.services == 3 and geo.minimum == D(0)
        assert (geo.smart, geo.smart_services) == (D(2), 1)
        # a corridor where nothing qualifies has no SmaRT at all
        armenia = session.exec(select(Corridor).where(Corridor.destination_country == "ARM")).one()
        add_service(session, armenia, "slow-only", fee="0", rate="5", reference="5",
                    speed="6_days_or_more")
        session.flush()
        compute(session)
        [arm] = stats_of(session, armenia.id)
        assert (arm.smart, arm.smart_services, arm.average) == (None, 0, D(0))


def test_recomputing_replaces_rows_and_since_limits_the_work(app):
    engine = app.extensions["remit.engine"]
    with Session(engine) as session:
        corridor = russia_tajikistan(session)
        session.flush()
        compute(session)
        before = {(s.period, s.amount_tier): s.average for s in stats_of(session, corridor.id)}
        add_service(session, corridor, "newcomer", fee="0", rate="0.12")  # 0% cost
        session.flush()
        compute(session, since=datetime.now().date())
        after = {(s.period, s.amount_tier): s.average for s in stats_of(session, corridor.id)}
        assert len(after) == len(before)
        this_month = period_of(datetime.now(), "month")
        assert after[(this_month, 200)] < before[(this_month, 200)]


def test_indices_average_corridors_and_weight_by_volume(app):
    engine = app.extensions["remit.engine"]
    with Session(engine) as session:
        corridor = russia_tajikistan(session)
        georgia = session.exec(select(Corridor).where(Corridor.destination_country == "GEO")).one()
        add_service(session, georgia, "dear", fee="960", rate="0.03", reference="0.03")  # 6% fee
        session.flush()
        compute(session)
        rows = session.exec(select(CorridorStat).where(
            CorridorStat.period_kind == "month", CorridorStat.amount_tier == 200,
            CorridorStat.period == period_of(datetime.now(), "month"))).all()
        corridors = {c.id: c for c in session.exec(select(Corridor))}
        tjk = next(r.average for r in rows if r.corridor_id == corridor.id)
        [index] = indices(rows, corridors, {"RUS-TJK": D(3), "RUS-GEO": D(1)})
        assert index.corridors == 2 and index.average == (tjk + D(6)) / 2  # 6%: exact
        assert index.weighted_average == (3 * tjk + 6) / 4 and index.weighted_corridors == 2
        assert index.share_under_3_pct == D(50) and index.share_under_5_pct == D(50)


def test_remit_stats_command(runner, app):
    with Session(app.extensions["remit.engine"]) as session:
        russia_tajikistan(session)
        session.commit()
    result = runner.invoke(args=["stats"])
    assert result.exit_code == 0 and "corridor-period-tier statistics computed" in result.output
