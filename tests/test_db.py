"""The database layer: SQLite settings, exact decimals, UTC times, migrations."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import StatementError
from sqlmodel import Session, SQLModel

from remit import migrate
from remit.db import make_engine
from remit.models import CollectionRun, ReferenceRate


def test_sqlite_file_runs_wal_with_busy_timeout_and_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}", sqlite_busy_timeout_ms=1234)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 1234
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_bare_postgresql_url_uses_psycopg():
    engine = make_engine("postgresql://user@localhost/db")
    assert engine.dialect.driver == "psycopg"


def test_decimals_and_times_round_trip_exactly(engine):
    rate = Decimal("0.000012345678")
    fetched = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    with Session(engine) as session:
        row = ReferenceRate(source="cbu", base="UZS", quote="USD", rate=rate,
                            as_of=fetched.date(), fetched_at=fetched)
        session.add(row)
        session.commit()
        row_id = row.id
    with Session(engine) as session:
        again = session.get(ReferenceRate, row_id)
        assert again.rate == rate and isinstance(again.rate, Decimal)
        assert again.fetched_at == fetched and again.fetched_at.tzinfo is not None


def test_money_columns_refuse_float_and_naive_times(engine):
    with Session(engine) as session:
        session.add(ReferenceRate(source="x", base="A", quote="B", rate=0.5,
                                  as_of=datetime(2026, 1, 1).date()))
        with pytest.raises(StatementError, match="money is never float"):
            session.commit()
    with Session(engine) as session:
        session.add(CollectionRun(source="x", kind="rates", started_at=datetime(2026, 1, 1)))
        with pytest.raises(StatementError, match="timezone-aware"):
            session.commit()


def test_migrations_build_exactly_the_models(bare_app):
    engine = bare_app.extensions["remit.engine"]
    migrate.upgrade(engine)
    migrate.upgrade(engine)  # a second upgrade is a no-op
    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_migrations_downgrade_to_empty(bare_app):
    engine = bare_app.extensions["remit.engine"]
    migrate.upgrade(engine)
    migrate.downgrade(engine, "base")
    assert migrate.current_revision(engine) is None
