"""Blueprints, one module per audience; ``init_app`` registers them all."""

from __future__ import annotations

from flask import Flask
from flask_compress import Compress

compress = Compress()


def init_app(app: Flask) -> None:
    """Register every blueprint of the site, and compression of its responses."""
    from . import compare, health, site

    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIMETYPES", ["text/html", "text/css", "text/csv",
                                                 "application/json", "image/svg+xml",
                                                 "text/javascript", "application/manifest+json"])
    compress.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(site.bp)
    app.register_blueprint(compare.bp)
