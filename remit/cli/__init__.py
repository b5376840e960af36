"""The ``remit`` command: Flask's own commands (run, routes, shell) plus remit's.

Every command reports bad input as one line naming the argument or row, and exits
non-zero; nothing is written half-way.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from ..config import ConfigError


def _create_app() -> Flask:
    from .. import create_app

    try:
        return create_app()
    except ConfigError as error:
        raise click.ClickException(f"configuration: {error}") from None


main = FlaskGroup(create_app=_create_app, help="remit: remittance prices and financial literacy.")


def init_app(app: Flask) -> None:
    """Register remit's commands on the app's CLI group."""
    from . import collection, content, data, serve, translations, users

    for command in (data.db_group, data.catalog_group, data.import_group, data.export_group,
                    collection.collect, collection.rates_group, collection.runs, collection.scheduler,
                    collection.archive_group, collection.stats, collection.dataset_group,
                    serve.demo, translations.translations, content.content_group,
                    users.users_group):
        app.cli.add_command(command)
