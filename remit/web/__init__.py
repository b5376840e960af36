"""Blueprints, one module per audience; ``init_app`` registers them all."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register every blueprint of the site."""
    from ..catalog import alpha2
    from . import catalog, health

    app.add_template_filter(lambda iso3: alpha2(iso3) or iso3, "iso2")
    app.register_blueprint(health.bp)
    app.register_blueprint(catalog.bp)
