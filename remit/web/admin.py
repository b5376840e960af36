"""The operator's pages: source health, disputes, users and invitations, corridors,
providers and services, and the audit log. Admin accounts only (with a second factor).

URL table (``/admin/``): ``/`` sources, ``disputes`` (+ POST ``disputes/<id>``),
``users`` (+ POST ``invitations``, POST ``users/<id>/disable``), ``corridors``
(+ POST ``corridors/<id>``), ``providers``, ``audit``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from sqlmodel import col, select
from werkzeug.exceptions import NotFound

from .. import accounts, partners
from ..accounts import AccountError
from ..db import get_session
from ..mail import send_mail
from ..models import AuditEvent, CollectionRun, Corridor, Dispute, Provider, Quote, Service, User
from ..partners import NotYours
from ..types import utcnow
from ..vocab import RunStatus
from .auth import current_user, require
from .site import http_error

bp = Blueprint("admin", __name__, url_prefix="/admin")
HEALTH_DAYS = 7


@bp.errorhandler(NotYours)
def not_found(_error):
    return http_error(NotFound())


def _page(template: str, status: int = 200, **context):
    return render_template(template, user=current_user(), **context), status


# --- source health ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceHealth:
    source: str
    last_run: CollectionRun
    last_ok_at: datetime | None
    runs: int
    failures: int
    stale: bool


def source_health(now: datetime, stale_after: timedelta) -> list[SourceHealth]:
    """Each source's last run, last success, and failures over the last days."""
    session = get_session()
    since = now - timedelta(days=HEALTH_DAYS)
    runs = session.exec(select(CollectionRun).where(CollectionRun.started_at >= since)
                        .order_by(CollectionRun.started_at)).all()
    by_source: dict[str, list[CollectionRun]] = {}
    for run in runs:
        by_source.setdefault(run.source, []).append(run)
    health = []
    for source, items in sorted(by_source.items()):
        ok = [run.finished_at or run.started_at for run in items if run.status in (RunStatus.OK, RunStatus.PARTIAL)]
        last_ok = max(ok) if ok else None
        health.append(SourceHealth(source, items[-1], last_ok, len(items),
                                   sum(1 for run in items if run.status == RunStatus.FAILED),
                                   last_ok is None or now - last_ok > stale_after))
    return health


@bp.get("/")
@require("admin")
def index():
    """Every source at a glance: last run, last success, failures, staleness."""
    now = utcnow()
    open_disputes = len(get_session().exec(select(Dispute.id).where(Dispute.status == "open")).all())
    return _page("admin/index.html", health=source_health(now, timedelta(days=2)), now=now,
                 open_disputes=open_disputes)


# --- disputes -----------------------------------------------------------------------------------


@bp.get("/disputes")
@require("admin")
def disputes():
    """Open disputes first, then the decided ones; each with its quote."""
    session = get_session()
    rows = session.exec(select(Dispute, Quote, Provider).join(Quote, Quote.id == Dispute.quote_id)
                        .join(Provider, Provider.id == Dispute.provider_id)
                        .order_by(Dispute.status != "open", col(Dispute.created_at).desc())).all()
    return _page("admin/disputes.html", rows=rows)


@bp.post("/disputes/<int:dispute_id>")
@require("admin")
def decide(dispute_id: int):
    """Uphold (with a public note) or reject a dispute."""
    db = get_session()
    decision = request.form.get("decision")
    if decision not in ("uphold", "reject"):
        abort(400)
    try:
        partners.decide_dispute(db, current_user(), dispute_id, uphold=decision == "uphold",
                                note=request.form.get("note", ""))
    except ValueError as error:
        db.rollback()
        return _page("admin/message.html", 400, message=str(error))
    db.commit()
    return redirect(url_for(".disputes"))


# --- users and invitations -------------------------------------------------------------------------


@bp.get("/users")
@require("admin")
def users():
    session = get_session()
    return _page("admin/users.html", users=session.exec(select(User).order_by(User.email)).all(),
                 providers=session.exec(select(Provider).order_by(Provider.name)).all(), error=None)


@bp.post("/invitations")
@require("admin")
def invite():
    """Invite a person: an expiring one-time link by email (or in the log without SMTP)."""
    db = get_session()
    role = request.form.get("role", "partner")
    try:
        provider = accounts.provider_by_slug(db, request.form.get("provider") or None)
        if role not in accounts.ROLES or (role == "partner") != (provider is not None):
            raise AccountError("a partner needs a provider; an admin has none")
        email = accounts.normalise_email(request.form.get("email", ""))
        if accounts.find_user(db, email):
            raise AccountError(f"{email} already has an account")
    except AccountError as error:
        db.rollback()
        return _page("admin/users.html", 400, users=db.exec(select(User)).all(),
                     providers=db.exec(select(Provider)).all(), error=str(error))
    days = current_app.config["INVITATION_DAYS"]
    secret = accounts.create_token(db, "invite", email, role=role, provider_id=provider.id if provider else None,
                                   valid_for=timedelta(days=days), by=current_user())
    accounts.audit(db, current_user(), "invitation.sent", provider or current_user(), email=email, role=role)
    db.commit()
    link = url_for("auth.invitation", secret=secret, _external=True)
    send_mail(current_app.config, email, "remit: your invitation",
              f"You are invited to remit's {'partner portal' if provider else 'admin pages'}"
              f"{' for ' + provider.name if provider else ''}.\n\nChoose your password within {days} "
              f"days here (the link works once):\n{link}\n")
    return redirect(url_for(".users"))


@bp.post("/users/<int:user_id>/disable")
@require("admin")
def disable(user_id: int):
    """Disable an account; its sessions end at once."""
    db = get_session()
    target = db.get(User, user_id)
    if target is None or target.id == current_user().id:
        abort(404)
    target.active = False
    target.session_version += 1
    db.add(target)
    accounts.audit(db, current_user(), "user.disabled", target, email=target.email)
    db.commit()
    return redirect(url_for(".users"))


# --- corridors, providers, audit ---------------------------------------------------------------------


@bp.get("/corridors")
@require("admin")
def corridors():
    rows = get_session().exec(select(Corridor).where(Corridor.in_catalog)
                              .order_by(Corridor.source_country, Corridor.destination_country)).all()
    return _page("admin/corridors.html", corridors=rows)


@bp.post("/corridors/<int:corridor_id>")
@require("admin")
def toggle_corridor(corridor_id: int):
    """Enable or disable a corridor (disabled: not collected, not compared)."""
    db = get_session()
    corridor = db.get(Corridor, corridor_id)
    if corridor is None:
        abort(404)
    corridor.enabled = request.form.get("enabled") == "1"
    db.add(corridor)
    accounts.audit(db, current_user(), "corridor.enabled" if corridor.enabled else "corridor.disabled",
                   corridor, corridor=corridor.key)
    db.commit()
    return redirect(url_for(".corridors"))


@bp.get("/providers")
@require("admin")
def providers():
    session = get_session()
    rows = session.exec(select(Provider).order_by(Provider.name)).all()
    services = session.exec(select(Service, Corridor).join(Corridor)).all()
    by_provider: dict[int, list] = {}
    for service, corridor in services:
        by_provider.setdefault(service.provider_id, []).append((service, corridor))
    return _page("admin/providers.html", providers=rows, services=by_provider)


@bp.get("/audit")
@require("admin")
def audit_log():
    """The newest changes made through the portal, the admin pages and the commands."""
    session = get_session()
    events = session.exec(select(AuditEvent).order_by(col(AuditEvent.at).desc()).limit(500)).all()
    emails = {user.id: user.email for user in session.exec(select(User))}
    return _page("admin/audit.html", events=events, emails=emails)
