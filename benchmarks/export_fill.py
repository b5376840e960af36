"""The export benchmark's database: the catalogue, 40 services and N quotes, stored as
remit stores collected quotes (remit.quote_costs.QuoteInserter, costs derived), then ANALYZE
and the corridor statistics. Run in a child process of bench_export.py."""

from __future__ import annotations

import random
import time

BATCH = 10_000
# corridor -> (reference rate: units received per unit sent, send amounts at USD 200 / 500,
# reference source)
CORRIDORS = {
    ("RUS", "TJK"): ("0.1200", {200: "16000", 500: "40000"}, "cbr"),
    ("RUS", "KGZ"): ("1.0500", {200: "16000", 500: "40000"}, "cbr"),
    ("RUS", "UZB"): ("152.30", {200: "16000", 500: "40000"}, "cbr"),
    ("ITA", "MDA"): ("19.450", {200: "185", 500: "460"}, "ecb"),
}
SERVICES_PER_CORRIDOR = 10
PICKUPS = ["cash", "bank_account", "card", "mobile_wallet", "home_delivery"]
SPEEDS = ["less_than_1_hour", "same_day", "next_day", "2_days", "3_5_days", "6_days_or_more"]
FIRMS = ["money_transfer_operator", "bank", "digital_only", "mobile_operator", "post_office"]
EXPORT_TABLES = ("quote", "service", "provider", "corridor", "corridorstat")
QUOTE_COLUMNS = [
    "service_id", "source", "source_ref", "collection_method", "collected_at", "period",
    "send_amount", "send_currency", "amount_tier", "fee", "fee_currency", "fee_mode",
    "receiving_fee", "exchange_rate", "receive_currency", "reference_rate",
    "reference_rate_source", "reference_rate_date", "transparent", "promotional", "indicative",
]


def batched(iterable, size: int):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def fill(url: str, rows: int, seed: int = 20261123) -> dict:
    """Schema, catalogue, 40 services and ``rows`` quotes, then ANALYZE and the statistics.
    Returns the time each step took."""
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal

    from sqlalchemy import text
    from sqlmodel import Session, select

    from remit.catalog import sync_catalog
    from remit.db import make_engine
    from remit.migrate import upgrade
    from remit.models import Corridor, Provider, Service
    from remit.quote_costs import QuoteInserter
    from remit.stats import compute

    times = {}
    started = time.perf_counter()
    engine = make_engine(url)
    upgrade(engine)
    rng = random.Random(seed)
    with Session(engine, expire_on_commit=False) as session:
        sync_catalog(session)
        catalogue = list(session.exec(select(Provider).where(Provider.in_catalog).order_by(Provider.id)))
        providers = list(catalogue)
        for number in range(len(CORRIDORS) * SERVICES_PER_CORRIDOR - len(providers)):
            provider = Provider(slug=f"bench-provider-{number + 1:02d}", name=f"Bench Provider {number + 1}",
                                firm_type=FIRMS[number % len(FIRMS)])
            session.add(provider)
            providers.append(provider)
        session.flush()
        services = []  # (service id, corridor, settings)
        for c_index, (key, (reference, amounts, reference_source)) in enumerate(CORRIDORS.items()):
            corridor = session.exec(select(Corridor).where(Corridor.source_country == key[0],
                                                           Corridor.destination_country == key[1])).one()
            for s_index in range(SERVICES_PER_CORRIDOR):
                number = c_index * SERVICES_PER_CORRIDOR + s_index
                service = Service(provider_id=providers[number].id, corridor_id=corridor.id,
                                  payment_instrument=["cash", "bank_account", "debit_card"][number % 3],
                                  access_point=["agent", "internet", "mobile_app", "branch"][number % 4],
                                  pickup_method=PICKUPS[s_index % len(PICKUPS)],
                                  speed=SPEEDS[number % len(SPEEDS)])
                session.add(service)
                session.flush()
                services.append((service.id, corridor, {
                    "reference_source": reference_source,
                    "amounts": {tier: Decimal(amount) for tier, amount in amounts.items()},
                    # fee per tier: a few percent of the amount, in whole units
                    "fees": {tier: (Decimal(amount) * Decimal(rng.choice([0, 0, 1, 2, 3, 5])) / 100)
                             .quantize(Decimal(1)) for tier, amount in amounts.items()},
                    "margins": [Decimal(rng.randint(2, 45)) / 1000 for _ in range(4)],
                    "opaque": s_index == SERVICES_PER_CORRIDOR - 1,   # never discloses its rate
                    "fee_mode": "deducted" if s_index in (2, 5) else "unknown" if s_index == 7 else "on_top",
                    "method": "aggregator" if s_index in (3, 6) else "provider_api",
                    "receiving_fee": Decimal(0) if s_index == 4 else None,
                }))
        session.commit()
        corridor_keys = {key: Decimal(values[0]) for key, values in CORRIDORS.items()}

    # reference rates: a daily random walk per corridor
    days = 366
    end = datetime.now(UTC).replace(microsecond=0)
    start = end - timedelta(days=days - 1)
    references = {}
    for key, rate in corridor_keys.items():
        walk, places = [], Decimal(1).scaleb(rate.as_tuple().exponent - 2)
        for _ in range(days):
            rate = (rate * (1 + Decimal(rng.randint(-80, 80)) / 10000)).quantize(places)
            walk.append(rate)
        references[key] = walk
    six = Decimal("0.000001")

    def quote_rows():
        pairs = (rows + 1) // 2  # each collection asks both tiers
        step = (end - start).total_seconds() / pairs
        made = 0
        for pair in range(pairs):
            service_id, corridor, settings = services[rng.randrange(len(services))]
            collected = start + timedelta(seconds=int(pair * step) + rng.randrange(30))
            day = (collected - start).days
            key = (corridor.source_country, corridor.destination_country)
            reference = references[key][day]
            period = f"{collected.year:04d}Q{(collected.month - 1) // 3 + 1}"
            for tier in (200, 500):
                if made == rows:
                    return
                made += 1
                opaque = settings["opaque"] or rng.random() < 0.02
                rate = None if opaque else (reference * (1 - settings["margins"][day % 4])).quantize(six)
                yield (service_id, "bench", f"bench-{made}", settings["method"], collected, period,
                       settings["amounts"][tier], corridor.send_currency, tier,
                       settings["fees"][tier] + (day // 90), corridor.send_currency, settings["fee_mode"],
                       settings["receiving_fee"], rate, corridor.receive_currency, reference,
                       settings["reference_source"], collected.date(),
                       rate is not None and rng.random() < 0.97, rng.random() < 0.03,
                       settings["method"] == "aggregator")

    times["setup"] = time.perf_counter() - started
    started = time.perf_counter()
    with engine.begin() as connection:
        inserter = QuoteInserter(connection, QUOTE_COLUMNS)  # as collections store them: costs derived
        stored = sum(inserter.insert(batch) for batch in batched(quote_rows(), BATCH))
    if stored != rows:
        raise RuntimeError(f"stored {stored} quotes, not {rows}")
    times["quotes"] = time.perf_counter() - started
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.dialect.name == "postgresql":
            # only this schema's tables (search_path): a bare VACUUM would visit every table of
            # the database, other people's schemas included, and wait for their locks
            connection.execute(text(f"VACUUM (ANALYZE) {', '.join(EXPORT_TABLES)}"))
        else:
            connection.execute(text("ANALYZE"))
    times["analyze"] = time.perf_counter() - started
    started = time.perf_counter()
    with Session(engine) as session, session.begin():
        times["stat_rows"] = compute(session)
    times["statistics"] = time.perf_counter() - started
    engine.dispose()
    return times
