"""remit: remittance price comparison and financial literacy for migrant workers."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from .config import default_instance_path, load_settings


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: settings, database, web, command line. Wiring only.

    ``config`` overrides settings (see ``remit.config``); its ``INSTANCE_PATH`` key, or
    the ``REMIT_INSTANCE_PATH`` environment variable, chooses the instance folder.
    """
    config = dict(config or {})
    instance_path = config.pop("INSTANCE_PATH", None) or default_instance_path()
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)  # the default database lives there
    app.config.update(load_settings(app.instance_path, config))

    from . import cli, db, i18n, web

    db.init_app(app)
    i18n.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    return app
