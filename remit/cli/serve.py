"""Serving the site on the embedded default: remit demo."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import get_engine, transaction


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@with_appcontext
def demo(host: str, port: int) -> None:
    """Prepare the database, collect the offline demo data, and serve the site."""
    from werkzeug.serving import run_simple

    from ..catalog import sync_catalog
    from ..demo import load_demo
    from ..migrate import upgrade

    upgrade(get_engine())
    with transaction() as session:
        sync_catalog(session)
    click.echo(f"database ready at {current_app.config['DATABASE_URL']}")
    click.echo("collecting the demo data (recorded answers, replayed through the real pipeline) ...")
    for outcome in load_demo(get_engine(), current_app.config):
        click.echo(f"  {outcome.source:<10} {outcome.status:<8} {outcome.counts.stored:>4} stored"
                   + (f"  ({outcome.error[:90]})" if outcome.error else ""))
    from ..bulk import build
    from ..stats import compute

    with transaction() as session:
        compute(session)
    build(get_engine(), Path(current_app.config["DATASET_PATH"]))
    click.echo("corridor statistics and the bulk downloads (/data/) are ready")
    current_app.config["DEMO"] = True
    current_app.config["SESSION_COOKIE_SECURE"] = False  # the demo is served over plain http  # every page says that this is demo data
    run_simple(host, port, current_app._get_current_object(), threaded=True)
