"""The database: one engine per app, one session per request, closed on teardown.

SQLite (the embedded default) runs with WAL so that the scheduler can write while the site
reads, a busy timeout instead of instant "database is locked" errors, and foreign keys on.
PostgreSQL is used through psycopg 3; a bare ``postgresql://`` URL is taken to mean that.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

EXTENSION_KEY = "remit.engine"


def make_engine(url: str, *, sqlite_busy_timeout_ms: int = 5000, echo: bool = False) -> Engine:
    """Build an engine for a URL with remit's connection settings."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, echo=echo, pool_pre_ping=True)
    in_memory = parsed.database in (None, "", ":memory:")
    options = {"poolclass": StaticPool} if in_memory else {}
    engine = create_engine(parsed, echo=echo, connect_args={"check_same_thread": False}, **options)
    _configure_sqlite(engine, sqlite_busy_timeout_ms, wal=not in_memory)
    return engine


def _configure_sqlite(engine: Engine, busy_timeout_ms: int, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster commits
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def init_app(app: Flask) -> None:
    """Create the app's engine and close the request session on teardown."""
    app.extensions[EXTENSION_KEY] = make_engine(
        app.config["DATABASE_URL"],
        sqlite_busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"],
        echo=app.config["SQL_ECHO"],
    )
    app.teardown_appcontext(_close_session)


def get_engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions[EXTENSION_KEY]


def get_session() -> Session:
    """The session of the current request or CLI command, opened on first use."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextmanager
def transaction() -> Iterator[Session]:
    """A fresh session whose work commits as one unit, or rolls back entirely on error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        with session.begin():
            yield session


def is_reachable(engine: Engine) -> bool:
    """Whether a trivial query succeeds: used by the health check."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not reachable"; the caller reports it
        return False
    return True
