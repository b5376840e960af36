"""Blueprints, one module per audience; ``init_app`` registers them all."""

from __future__ import annotations

from flask import Flask
from flask_compress import Compress
from flask_wtf.csrf import CSRFProtect

compress = Compress()
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """Register every blueprint of the site, and compression of its responses."""
    from . import admin, api, auth, compare, data, health, learn, partners, site

    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIMETYPES", ["text/html", "text/css", "text/csv",
                                                 "application/json", "image/svg+xml",
                                                 "text/javascript", "application/manifest+json"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    compress.init_app(app)
    csrf.init_app(app)  # every POST form carries a token (Flask-WTF)
    csrf.exempt(api.partner_quotes)  # an API for machines: a bearer key, no cookies
    auth.init_app(app)
    api.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(data.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(partners.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(site.bp)
    app.register_blueprint(compare.bp)
    app.register_blueprint(learn.bp)
    app.register_blueprint(learn.offline)
