"""Serving the site on the embedded default: remit demo."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import get_engine, transaction


# --- remit demo ------------------------------------------------------------------------------------


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@with_appcontext
def demo(host: str, port: int) -> None:
    """Prepare the database and serve the site on the embedded default (SQLite)."""
    from werkzeug.serving import run_simple

    from ..catalog import sync_catalog
    from ..migrate import upgrade

    upgrade(get_engine())
    with transaction() as session:
        sync_catalog(session)
    click.echo(f"database ready at {current_app.config['DATABASE_URL']}")
    run_simple(host, port, current_app._get_current_object(), threaded=True)
