"""A small market for the site's tests: one corridor, a few services, reference rates."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from pathlib import Path

from flask import Flask
from sqlmodel import Session, SQLModel, select

from remit.catalog import sync_catalog
from remit.models import Corridor, Provider, Quote, ReferenceRate, Service
from remit.types import utcnow

D = Decimal


def add_rate(session: Session, source: str, base: str, quote: str, rate: str, days_ago: int = 0) -> None:
    session.add(ReferenceRate(source=source, base=base, quote=quote, rate=D(rate),
                              as_of=(utcnow() - timedelta(days=days_ago)).date()))


def add_service(session: Session, corridor: Corridor, slug: str, *, fee: str, rate: str | None,
                pickup: str = "cash", speed: str = "less_than_1_hour", hours_ago: float = 1,
                send_amount: str = "16000", promotional: bool = False, indicative: bool = False,
                firm_type: str = "money_transfer_operator", reference: str = "0.12") -> Service:
    provider = session.exec(select(Provider).where(Provider.slug == slug)).first()
    if provider is None:
        provider = Provider(slug=slug, name=slug.replace("-", " ").title(), firm_type=firm_type)
        session.add(provider)
        session.flush()
    service = Service(provider_id=provider.id, corridor_id=corridor.id, payment_instrument="cash",
                      access_point="agent", pickup_method=pickup, speed=speed)
    session.add(service)
    session.flush()
    collected = utcnow() - timedelta(hours=hours_ago)
    session.add(Quote(
        service_id=service.id, source="test", source_ref=f"{slug}-{service.id}",
        collection_method="provider_api", collected_at=collected, period="2026Q4",
        send_amount=D(send_amount), send_currency=corridor.send_currency, amount_tier=200,
        fee=D(fee), fee_currency=corridor.send_currency, fee_mode="on_top",
        exchange_rate=D(rate) if rate else None, receive_currency=corridor.receive_currency,
        reference_rate=D(reference), reference_rate_source="nbt", transparent=rate is not None,
        promotional=promotional, indicative=indicative))
    return service


def russia_tajikistan(session: Session) -> Corridor:
    """RUS-TJK with three services, a stale one, and the rates the pages need."""
    sync_catalog(session)
    corridor = session.exec(select(Corridor).where(Corridor.source_country == "RUS",
                                                   Corridor.destination_country == "TJK")).one()
    add_rate(session, "nbt", "RUB", "TJS", "0.12")
    add_rate(session, "cbr", "USD", "RUB", "80")
    add_service(session, corridor, "cheap-cash", fee="0", rate="0.1188")             # 1% margin
    add_service(session, corridor, "card-fast", fee="100", rate="0.1194", pickup="card")
    add_service(session, corridor, "secretive", fee="50", rate=None, speed="next_day")
    add_service(session, corridor, "promo-bank", fee="0", rate="0.1206", promotional=True,
                speed="3_5_days", pickup="bank_account", firm_type="bank")
    add_service(session, corridor, "old-news", fee="0", rate="0.2", hours_ago=24 * 40)
    return corridor


def market_app(database_url: str, folder: Path, **config) -> Flask:
    """An app on a database of its own file (when SQLite) holding ``russia_tajikistan``
    and its statistics: for tests whose requests run on threads or stay open, which an
    in-memory database (one shared connection) cannot serve."""
    from remit import create_app
    from remit.stats import compute

    if database_url == "sqlite://":
        database_url = f"sqlite:///{folder / 'remit.db'}"
    app = create_app({"INSTANCE_PATH": str(folder / "instance"), "DATABASE_URL": database_url,
                      "SECRET_KEY": "test", **config})
    engine = app.extensions["remit.engine"]
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        russia_tajikistan(session)
        session.flush()
        compute(session)
        session.commit()
    return app
