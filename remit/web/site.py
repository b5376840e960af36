"""What every page shares: the language redirect and switch, error pages, template helpers."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlmodel import select
from werkzeug.exceptions import HTTPException

from .. import i18n
from ..catalog import alpha2
from ..charts import cost_chart
from ..compare import RequestError
from ..db import get_session
from ..models import Corridor
from ..queries import pair_of
from ..i18n import LANGUAGE_COOKIE, LANGUAGES, best_language, current_language
from . import labels

bp = Blueprint("site", __name__)

COOKIE_MAX_AGE = 365 * 24 * 3600


def language_from_url(endpoint: str | None, values: dict | None) -> None:
    """For blueprints under ``/<lang>/``: take the language from the URL; an unknown one
    is a request error (explained in the reader's best language)."""
    language = LANGUAGES.get((values or {}).pop("lang", None))
    if language is None:
        raise RequestError("unknown_language", 404)
    g.language = language


def keep_language(endpoint: str, values: dict) -> None:
    """URLs built inside a page keep the page's language."""
    if "lang" not in values and "language" in g:
        values["lang"] = g.language.code


# No inline script anywhere (remit.js is the only script); the stylesheet is inlined on
# purpose (one round trip on a slow phone), hence 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                           "frame-ancestors 'none'; form-action 'self'")


@bp.after_app_request
def security_headers(response):
    """CSP, no framing, no MIME sniffing, no full referrer to other sites."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


@bp.get("/")
def root():
    """Send the reader to their language: cookie, then Accept-Language, then English."""
    code = best_language(request.cookies.get(LANGUAGE_COOKIE), request.accept_languages)
    response = redirect(url_for("compare.home", lang=code))
    response.vary.update(("Cookie", "Accept-Language"))
    return response


@bp.get("/language/<code>")
def choose_language(code: str):
    """Remember the reader's choice of language, then show the page they were on in it."""
    if code not in LANGUAGES:
        raise RequestError("unknown_language", 404)
    response = redirect(_same_page_in(code, request.args.get("next", "")))
    response.set_cookie(LANGUAGE_COOKIE, code, max_age=COOKIE_MAX_AGE, samesite="Lax",
                        secure=current_app.config["PRODUCTION"], httponly=True)
    return response


def _same_page_in(code: str, next_path: str) -> str:
    """``next_path`` with its language prefix replaced; the home page if it is not ours."""
    parts = urlsplit(next_path)
    segments = parts.path.split("/")
    if parts.scheme or parts.netloc or not next_path.startswith("/") or next_path.startswith("//") \
            or len(segments) < 3 or segments[1] not in LANGUAGES:
        return url_for("compare.home", lang=code)
    segments[1] = code
    return "/".join(segments) + (f"?{parts.query}" if parts.query else "")


def language_links() -> list[tuple[i18n.Language, str]]:
    """Each language with the address of this page in it (for hreflang and the switcher)."""
    if request.url_rule is None or "language" not in g or request.view_args is None:
        return [(language, url_for("compare.home", lang=language.code, _external=True))
                for language in LANGUAGES.values()]
    args = {**request.view_args, **request.args.to_dict()}
    return [(language, url_for(request.endpoint, **{**args, "lang": language.code}, _external=True))
            for language in LANGUAGES.values()]


@bp.app_errorhandler(RequestError)
def request_error(error: RequestError):
    """Bad input: say what is wrong in the reader's language, with the form to fix it."""
    g.setdefault("language", current_language())
    return render_template("compare/problem.html", message=error_message(error), code=error.code,
                           form=_form_values()), error.status


@bp.app_errorhandler(CSRFError)
def form_expired(error: CSRFError):
    """A form without a valid token (expired session, or another site posting): say so."""
    g.setdefault("language", current_language())
    return render_template("compare/problem.html", message=str(labels.ERRORS["form_expired"]),
                           code="csrf", form={}), 400


def _form_values() -> dict:
    """What the reader asked, to fill the form again: the query and the URL's countries."""
    values = request.args.to_dict()
    source, _, destination = ((request.view_args or {}).get("pair") or "").lower().partition("-")
    values.setdefault("from", source)
    values.setdefault("to", destination)
    return values


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    """404, 405 and the like as a page in the reader's language, not Werkzeug's."""
    if error.code is None or error.code < 400:
        return error
    if request.path.startswith("/api/"):
        from .api import problem_response
        response = problem_response(error.code, error.name, error.description)
        if error.code == 429 and error.response is not None:  # keep Retry-After and the limits
            response.headers.extend({k: v for k, v in error.response.headers.items()
                                     if k.lower().startswith(("retry-after", "x-ratelimit"))})
        return response
    g.setdefault("language", current_language())
    return render_template("compare/problem.html", message=str(labels.ERRORS["not_found"])
                           if error.code == 404 else error.description, code="http",
                           form={}), error.code


def _formatted(details: dict) -> dict:
    currency = details.get("currency")
    return {name: i18n.money(value, currency) if currency and name in ("low", "high") else value
            for name, value in details.items()}


@bp.app_context_processor
def template_helpers() -> dict:
    """Formatting, labels and the language of the page, for every template."""
    return {**i18n.FORMATTERS, "language": current_language(), "languages": LANGUAGES,
            "labels": labels, "label": labels.label, "language_links": language_links,
            "inline_css": inline_css, "form_choices": form_choices, "pair_of": pair_of,
            "source_names": source_names, "error_message": error_message, "script_url": script_url,
            "cost_chart": cost_chart}


def error_message(error: RequestError) -> str:
    """A request error's message in the reader's language, with its details filled in."""
    return str(labels.ERRORS[error.code]).format(**_formatted(error.details))


def source_names(sources: str) -> str:
    """Reference-rate sources by name: "cbr+nbt" -> "Bank of Russia, National Bank of Tajikistan"."""
    return ", ".join(labels.label(labels.RATE_SOURCES, name) for name in sources.split("+"))


@bp.app_template_filter("iso2")
def iso2(iso3: str) -> str:
    """A country's alpha-2 code, which Babel names countries by."""
    return alpha2(iso3) or iso3


@bp.app_template_filter("plain")
def plain(value: Decimal) -> str:
    """A Decimal as digits, never in exponent form (for form fields)."""
    return format(value, "f")


@cache
def _script() -> tuple[bytes, str]:
    body = (Path(__file__).parent.parent / "static" / "remit.js").read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:16]


@bp.get("/remit.js")
def script():
    """The one script, from memory (no file handle per request), cached for a year: its
    address carries its hash, so a new version is a new address."""
    body, etag = _script()
    response = current_app.response_class(body, mimetype="text/javascript")
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = 365 * 24 * 3600
    return response.make_conditional(request)


def script_url() -> str:
    return url_for("site.script", v=_script()[1])


@cache
def _stylesheet() -> Markup:
    return Markup((Path(__file__).parent.parent / "static" / "remit.css").read_text(encoding="utf-8"))


def inline_css() -> Markup:
    """The whole stylesheet, inlined: one round trip for a first visit on a slow phone."""
    return _stylesheet()


def form_choices() -> tuple[list[str], list[str], list[str]]:
    """The search form's options: sending and receiving countries (alpha-2) and currencies."""
    corridors = get_session().exec(select(Corridor).where(Corridor.in_catalog, Corridor.enabled)).all()
    sources = sorted({alpha2(c.source_country).lower() for c in corridors}, key=i18n.country)
    destinations = sorted({alpha2(c.destination_country).lower() for c in corridors}, key=i18n.country)
    currencies = sorted({code for c in corridors for code in (c.send_currency, c.receive_currency)})
    return sources, destinations, currencies
