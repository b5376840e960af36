"""Fixtures: every test gets its own database and instance folder.

SQLite by default (in memory). With REMIT_TEST_DATABASE_URL set to a PostgreSQL URL,
each test gets a schema of its own in that database, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from remit import create_app
from remit.db import get_engine, make_engine, schema_url

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
POSTGRES_URL = os.environ.get("REMIT_TEST_DATABASE_URL")


@pytest.fixture
def database_url(tmp_path):
    """A database of the test's own: in-memory SQLite, or a fresh PostgreSQL schema."""
    if not POSTGRES_URL:
        yield "sqlite://"
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema_url(POSTGRES_URL, schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def bare_app(database_url, tmp_path):
    """The app on its own empty database (no tables)."""
    app = create_app({
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "TESTING": True,
    })
    yield app
    app.extensions["remit.engine"].dispose()


@pytest.fixture
def app(bare_app):
    """The app with the schema created from the models."""
    with bare_app.app_context():
        SQLModel.metadata.create_all(get_engine())
    return bare_app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def engine(app):
    with app.app_context():
        yield get_engine()


@pytest.fixture
def rpw_sample():
    path = SHARED / "rpw" / "rpw_sample_2011.csv"
    if not path.exists():
        pytest.skip("../shared/rpw is not present")
    return path
