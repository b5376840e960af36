"""Signing in to the partner portal and the admin pages.

URL table (under ``/partners``): ``login`` (email and password), ``login/code`` (the
second factor), ``login/totp`` (setting one up: required for admins), ``logout`` (POST),
``invitation/<secret>`` (choose a password), ``reset`` and ``reset/<secret>``.

``current_user`` and ``require`` are what every protected view uses: a request without a
valid session is sent to the login; a signed-in user without the role gets a 404, so
that nothing tells an outsider what exists.
"""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

import segno
from flask import (Blueprint, abort, current_app, g, redirect, render_template, request, session,
                   url_for)
from markupsafe import Markup

from .. import accounts
from ..accounts import AccountError, Throttle
from ..db import get_session
from ..i18n import LANGUAGES
from ..mail import send_mail
from ..models import User
from ..types import utcnow

bp = Blueprint("auth", __name__, url_prefix="/partners")

SESSION_HOURS = 12


def init_app(app) -> None:
    """Session cookies: HttpOnly, SameSite=Lax, Secure outside debugging and the local demo."""
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_SECURE", not (app.debug or app.testing or app.config.get("DEMO")))
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(hours=SESSION_HOURS))


@bp.before_app_request
def english_for_staff() -> None:
    """Partner and admin pages are in English (office users); the public site is not."""
    if request.path.startswith(("/partners", "/admin")):
        g.language = LANGUAGES["en"]


# --- who is signed in -------------------------------------------------------------------------


def current_user() -> User | None:
    """The signed-in user, if the session is valid and the account still active."""
    if "user" in g:
        return g.user
    user = None
    uid = session.get("uid")
    if uid is not None:
        found = get_session().get(User, uid)
        if found and found.active and session.get("sv") == found.session_version:
            user = found
    g.user = user
    return user


def require(role: str):
    """Only for signed-in users of ``role``: others are sent to the login, or get a 404."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if user is None:
                if request.method == "GET":
                    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
                abort(404)
            if user.role != role:
                abort(404)
            return view(*args, **kwargs)
        return wrapper
    return decorate


def _limits() -> Throttle:
    config = current_app.config
    return Throttle(config["LOGIN_FAILURES_PER_ACCOUNT"], config["LOGIN_FAILURES_PER_ADDRESS"],
                    timedelta(minutes=config["LOGIN_WINDOW_MINUTES"]))


def _address() -> str:
    return request.remote_addr or "unknown"


def _complete_login(user: User):
    """A fresh session (never the one from before the login), then the user's start page."""
    target = session.get("next")
    session.clear()
    session.permanent = True
    session["uid"], session["sv"] = user.id, user.session_version
    user.last_login_at = utcnow()
    db = get_session()
    db.add(user)
    accounts.audit(db, user, "user.login", user, address=_address())
    db.commit()
    home = url_for("admin.index") if user.role == "admin" else url_for("partners.index")
    return redirect(target if _safe_next(target) else home)


def _safe_next(target: str | None) -> bool:
    return bool(target) and target.startswith(("/partners", "/admin")) and not target.startswith("//")


# --- login ------------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Email and password; then the second factor where the account has or needs one."""
    if request.method == "GET":
        if _safe_next(request.args.get("next")):
            session["next"] = request.args["next"]
        return render_template("auth/login.html", error=None)
    db = get_session()
    email = request.form.get("email", "")
    if accounts.throttled(db, email, _address(), _limits()):
        return _too_many("auth/login.html")
    user = accounts.find_user(db, email)
    if user is None:
        accounts.spend_verification_time()
    if user is None or not user.active or not accounts.verify_password(user, request.form.get("password", "")):
        accounts.record_failure(db, email, _address())
        db.commit()
        return render_template("auth/login.html", error="Email or password is wrong."), 401
    accounts.clear_failures(db, user.email, older_than=utcnow() - timedelta(days=30))
    db.commit()
    if user.totp_secret:
        session["pending"] = user.id
        return redirect(url_for(".second_factor"))
    if user.role == "admin":
        session["pending"] = user.id
        return redirect(url_for(".totp_setup"))
    return _complete_login(user)


def _too_many(template: str):
    """429 after too many failed attempts, saying when to try again."""
    return (render_template(template, error="Too many failed attempts. Wait a few minutes, then try again."),
            429, {"Retry-After": str(int(_limits().window.total_seconds()))})


def _pending_user() -> User:
    user = get_session().get(User, session.get("pending") or -1)
    if user is None or not user.active:
        abort(404)
    return user


@bp.route("/login/code", methods=["GET", "POST"])
def second_factor():
    """The six-digit code of the user's authenticator app."""
    user = _pending_user()
    if request.method == "GET":
        return render_template("auth/code.html", error=None)
    db = get_session()
    if accounts.throttled(db, user.email, _address(), _limits()):
        return _too_many("auth/code.html")
    if not accounts.check_totp(user.totp_secret, request.form.get("code", "")):
        accounts.record_failure(db, user.email, _address())
        db.commit()
        return render_template("auth/code.html", error="This code is not right. Try the newest one."), 401
    return _complete_login(user)


@bp.route("/login/totp", methods=["GET", "POST"])
def totp_setup():
    """Set up the second factor: scan the code, then type the first six digits it shows.
    Only for a user who has none: one set up is never replaced from here, or the password
    alone would be enough to swap it for the caller's own."""
    user = _pending_user() if "pending" in session else current_user()
    if user is None or user.totp_secret:
        abort(404)
    secret = session.setdefault("totp_candidate", accounts.new_totp_secret())
    uri = accounts.totp_uri(secret, user.email)
    picture = Markup(segno.make(uri).svg_inline(scale=4, border=2, dark="#000", omitsize=False))
    if request.method == "POST":
        if accounts.check_totp(secret, request.form.get("code", "")):
            db = get_session()
            user.totp_secret = secret
            db.add(user)
            accounts.audit(db, user, "user.totp_enabled", user)
            db.commit()
            session.pop("totp_candidate", None)
            return _complete_login(user)
        return render_template("auth/totp.html", secret=secret, picture=picture,
                               error="This code is not right. Try the newest one."), 400
    return render_template("auth/totp.html", secret=secret, picture=picture, error=None)


@bp.post("/logout")
def logout():
    """End the session (every page's sign-out button posts here, with its token)."""
    user = current_user()
    if user is not None:
        db = get_session()
        accounts.audit(db, user, "user.logout", user)
        db.commit()
    session.clear()
    return redirect(url_for(".login"))


# --- invitations and resets -------------------------------------------------------------------


def _choose_password(purpose: str, secret: str, apply):
    """The page of a one-time link: choose a password, then ``apply(db, secret, password)``."""
    db = get_session()
    try:
        token = accounts.find_token(db, purpose, secret)
    except AccountError as error:
        return render_template("auth/message.html", message=str(error)), 404
    if request.method == "GET":
        return render_template("auth/password.html", email=token.email, error=None)
    if request.form.get("password") != request.form.get("confirm"):
        return render_template("auth/password.html", email=token.email, error="The two passwords differ."), 400
    try:
        apply(db, secret, request.form.get("password", ""))
    except AccountError as error:
        db.rollback()
        return render_template("auth/password.html", email=token.email, error=str(error)), 400
    db.commit()
    return redirect(url_for(".login"))


@bp.route("/invitation/<secret>", methods=["GET", "POST"])
def invitation(secret: str):
    """An invited person chooses a password; the link then stops working."""
    return _choose_password("invite", secret, accounts.accept_invitation)


@bp.route("/reset", methods=["GET", "POST"])
def reset_request():
    """Ask for a reset link. The answer is the same whether the email has an account or not."""
    if request.method == "GET":
        return render_template("auth/reset_request.html")
    db = get_session()
    email = request.form.get("email", "")
    if accounts.throttled(db, email, _address(), _limits()):
        return render_template("auth/message.html", message="Too many attempts. Wait a few minutes."), 429
    user = accounts.find_user(db, email)
    if user is not None and user.active:
        secret = accounts.create_token(db, "reset", user.email, user_id=user.id,
                                       valid_for=timedelta(hours=current_app.config["RESET_HOURS"]))
        db.commit()
        link = url_for(".reset", secret=secret, _external=True)
        send_mail(current_app.config, user.email, "remit: choose a new password",
                  f"Someone asked to reset the password of your remit account.\n\nTo choose a new "
                  f"one, open this link within {current_app.config['RESET_HOURS']} hours:\n{link}\n\n"
                  "If it was not you, ignore this message: nothing changes.")
    else:
        accounts.record_failure(db, email, _address())  # probing for accounts is throttled too
        db.commit()
    return render_template("auth/message.html",
                           message="If this address has an account, a link to choose a new password is on its way.")


@bp.route("/reset/<secret>", methods=["GET", "POST"])
def reset(secret: str):
    """Choose a new password from a reset link; every other session of the user ends."""
    return _choose_password("reset", secret, accounts.reset_password)
