"""The partner portal: a provider's own listing, its prices as CSV, disputes, API keys, feeds.

URL table (``/partners/``, partner accounts only; anything of another provider is a 404):

- ``/partners/``                        listing in every corridor, ranks, history chart
- ``/partners/quotes.csv``              every quote collected for the provider
- ``/partners/quotes/<id>/dispute``     POST: flag a collected price as wrong
- ``/partners/disputes``                the provider's disputes and their outcome
- ``/partners/keys``                    API keys (create: shown once; revoke)
- ``/partners/feeds``                   price-feed URLs the scheduler pulls
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import NotFound
from sqlmodel import select

from .. import partners
from ..db import get_session
from ..export import QuoteFilter, csv_chunks, export_cells
from ..history import cost_history
from ..models import ApiKey, Dispute, Provider, ProviderFeed
from ..partners import NotYours
from ..types import utcnow
from .auth import current_user, require
from .site import http_error

bp = Blueprint("partners", __name__, url_prefix="/partners")


@bp.errorhandler(NotYours)
def not_yours(_error):
    """Another provider's object, or none: the same 404 page."""
    return http_error(NotFound())


def _provider() -> Provider:
    return get_session().get(Provider, current_user().provider_id)


def _page(template: str, status: int = 200, **context):
    return render_template(template, user=current_user(), provider=_provider(), **context), status


@bp.get("/")
@require("partner")
def index():
    """How remit lists the provider: latest prices, ranks, corridor averages, history."""
    session = get_session()
    since = utcnow() - timedelta(days=current_app.config["QUOTE_MAX_AGE_DAYS"])
    listing = partners.listing(session, _provider(), since=since)
    histories = {item.corridor.id: cost_history(session, item.corridor, provider_id=_provider().id)
                 for item in listing}
    return _page("partners/index.html", listing=listing, histories=histories,
                 reasons=partners.REASONS)


@bp.get("/quotes.csv")
@require("partner")
def quotes_csv():
    """Every quote collected for the provider, in the export's columns (one provider's
    quotes fit in memory; the researchers' API streams the big exports)."""
    cells = export_cells(get_session(), QuoteFilter(provider=_provider().slug))
    response = Response("".join(csv_chunks(cells)), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="remit-{_provider().slug}-{utcnow():%Y-%m-%d}.csv"')
    return response


@bp.post("/quotes/<int:quote_id>/dispute")
@require("partner")
def dispute(quote_id: int):
    """Flag one of the provider's collected prices as wrong."""
    db = get_session()
    try:
        partners.raise_dispute(db, current_user(), quote_id, request.form.get("reason", ""),
                               request.form.get("comment", ""))
    except ValueError as error:
        db.rollback()
        return _page("partners/message.html", 400, message=str(error))
    db.commit()
    return redirect(url_for(".disputes"))


@bp.get("/disputes")
@require("partner")
def disputes():
    """The provider's disputes, newest first, with the operator's decisions."""
    rows = get_session().exec(select(Dispute).where(Dispute.provider_id == _provider().id)
                              .order_by(Dispute.created_at.desc())).all()
    return _page("partners/disputes.html", disputes=rows)


@bp.route("/keys", methods=["GET", "POST"])
@require("partner")
def keys():
    """API keys for submitting prices: created here, shown once, revocable."""
    db = get_session()
    new_secret = None
    if request.method == "POST":
        new_secret, _key = partners.create_key(db, current_user(), request.form.get("name", ""))
        db.commit()
    rows = db.exec(select(ApiKey).where(ApiKey.provider_id == _provider().id)
                   .order_by(ApiKey.created_at.desc())).all()
    return _page("partners/keys.html", keys=rows, new_secret=new_secret)


@bp.post("/keys/<int:key_id>/revoke")
@require("partner")
def revoke(key_id: int):
    db = get_session()
    partners.revoke_key(db, current_user(), key_id)
    db.commit()
    return redirect(url_for(".keys"))


@bp.route("/feeds", methods=["GET", "POST"])
@require("partner")
def feeds():
    """Price-feed URLs (docs/price-feed.md) that the scheduler pulls with the quotes."""
    db = get_session()
    error = None
    if request.method == "POST":
        try:
            partners.add_feed(db, current_user(), request.form.get("url", ""))
            db.commit()
            return redirect(url_for(".feeds"))
        except ValueError as problem:
            db.rollback()
            error = str(problem)
    rows = db.exec(select(ProviderFeed).where(ProviderFeed.provider_id == _provider().id)).all()
    return _page("partners/feeds.html", 400 if error else 200, feeds=rows, error=error)


@bp.post("/feeds/<int:feed_id>/stop")
@require("partner")
def stop_feed(feed_id: int):
    db = get_session()
    partners.stop_feed(db, current_user(), feed_id)
    db.commit()
    return redirect(url_for(".feeds"))
