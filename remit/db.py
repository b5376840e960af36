"""The database: one engine per app, one session per request, closed on teardown.

SQLite (the embedded default) runs with WAL so that the scheduler can write while the site
reads, a busy timeout instead of instant "database is locked" errors, and foreign keys on.
PostgreSQL is used through psycopg 3; a bare ``postgresql://`` URL is taken to mean that.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from flask import Flask, current_app, g
from sqlalchemy import Connection, Engine, Table, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
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


def schema_url(url: str, schema: str) -> str:
    """A PostgreSQL URL whose connections work in ``schema`` (search_path set at connect):
    how tests and benchmarks get a database of their own inside a shared one."""
    return make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # pysqlite starts transactions on its own, late, and not before SAVEPOINT; let
        # SQLAlchemy say BEGIN instead so that transactions and savepoints mean what they say
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster commits
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB of pages: indexes of big imports stay in memory
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN")


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


def _dialect_insert(name: str):
    """The dialect's own insert(), which knows ON CONFLICT (SQLite and PostgreSQL)."""
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert


class BulkInserter:
    """Insert many rows with plain executemany, each value through its column's type.

    What ``connection.execute(insert(table), rows)`` does, minus SQLAlchemy's per-row
    bookkeeping, which costs more than the database itself on bulk imports. Rows are
    tuples in the order of ``columns``. A column conversion is a pure function of the
    value, so each distinct value is converted once (imports repeat dates, currencies and
    amounts a great deal); the memo is bounded so that memory stays flat.
    """

    MEMO_LIMIT = 50_000

    def __init__(self, connection: Connection, table: Table, columns: Sequence[str],
                 skip_duplicates_of: Sequence[str] | None = None) -> None:
        """``skip_duplicates_of``: a unique key; rows that would repeat it are skipped."""
        self.connection = connection
        dialect = connection.dialect
        statement = _dialect_insert(dialect.name)(table)
        compiled = statement.compile(dialect=dialect, column_keys=list(columns))
        self.statement = compiled.string
        self.skipping_statement = None
        if skip_duplicates_of:
            self.skipping_statement = statement.on_conflict_do_nothing(
                index_elements=list(skip_duplicates_of)).compile(
                dialect=dialect, column_keys=list(columns)).string
        self.names = list(compiled.positiontup) if compiled.positional else list(compiled.params)
        self.positional = compiled.positional
        # columns left out of the rows but filled by SQLAlchemy from a Python default
        self.defaults = [_scalar_default(table, name) for name in self.names if name not in columns]
        columns = list(columns) + [name for name in self.names if name not in columns]
        self.picks = [columns.index(name) for name in self.names]
        self.converters = [(index, processor, {}) for index, name in enumerate(columns)
                           if (processor := table.c[name].type._cached_bind_processor(dialect))]

    def insert(self, rows: Iterable[Sequence]) -> int:
        """Insert the rows (tuples in ``columns`` order) in one executemany; return how many
        were stored (duplicates skipped are not counted)."""
        parameters = self._parameters(list(rows))
        if not parameters:
            return 0
        if self.skipping_statement is None:
            return self.connection.exec_driver_sql(self.statement, parameters).rowcount
        # The plain INSERT is much cheaper than ON CONFLICT when nothing is a duplicate, the
        # usual case; when something is, it fails at once and the batch goes the slow way.
        try:
            with self.connection.begin_nested():
                return self.connection.exec_driver_sql(self.statement, parameters).rowcount
        except IntegrityError:
            return self.connection.exec_driver_sql(self.skipping_statement, parameters).rowcount

    def _parameters(self, rows: list[Sequence]) -> list:
        if not rows:
            return []
        by_column = list(zip(*rows))  # converting column by column runs at C speed
        by_column += [(default,) * len(rows) for default in self.defaults]
        for index, convert, memo in self.converters:
            by_column[index] = _convert_column(by_column[index], convert, memo, self.MEMO_LIMIT)
        ordered = [by_column[pick] for pick in self.picks]
        if self.positional:
            return list(zip(*ordered))
        return [dict(zip(self.names, values)) for values in zip(*ordered)]


def _scalar_default(table: Table, name: str):
    default = table.c[name].default
    if default is None or not default.is_scalar:
        raise ValueError(f"bulk insert into {table.name}: no value for {name}")
    return default.arg


def _convert_column(values: Sequence, convert, memo: dict, limit: int) -> list:
    """Every value of a column through ``convert``, each distinct value converted once."""
    try:
        fresh = set(values).difference(memo)
    except TypeError:  # an unhashable value: no memo for this column
        return [None if value is None else convert(value) for value in values]
    if len(memo) + len(fresh) > limit:
        memo.clear()
        fresh = set(values)
    memo[None] = None
    fresh.discard(None)
    for value in fresh:
        memo[value] = convert(value)
    return list(map(memo.__getitem__, values))


def is_reachable(engine: Engine) -> bool:
    """Whether a trivial query succeeds: used by the health check."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not reachable"; the caller reports it
        return False
    return True
