"""Financial literacy: modules with quizzes, progress in a cookie, calculators, offline.

URL table:

- ``/<lang>/learn/``                      the modules, with the reader's progress
- ``/<lang>/learn/<slug>``                a module; POST scores its quiz (works without JS)
- ``/<lang>/learn/progress/clear``        POST: forget the reader's progress
- ``/<lang>/learn/calculators/<name>``    true-cost, fewer-transfers, budget (GET forms)
- ``/<lang>/sw.js``, ``/<lang>/manifest.webmanifest``, ``/<lang>/offline``: the offline app
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from functools import cache

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for
from sqlmodel import select

from .. import calculators, content
from ..archive import sha256_of_file
from ..compare import RequestError, parse_amount
from ..costs import CostInputError
from ..db import get_session
from ..i18n import current_language
from ..models import Corridor
from ..queries import pair_of
from ..reference import resolve
from ..types import utcnow
from ..version import remit_version
from .site import keep_language, language_from_url

bp = Blueprint("learn", __name__, url_prefix="/<lang>/learn")
bp.url_value_preprocessor(language_from_url)
bp.url_defaults(keep_language)

offline = Blueprint("offline", __name__, url_prefix="/<lang>")
offline.url_value_preprocessor(language_from_url)
offline.url_defaults(keep_language)

PROGRESS_COOKIE = "progress"
PROGRESS_MAX_AGE = 2 * 365 * 24 * 3600


# --- progress, kept in a cookie -----------------------------------------------------------


def read_progress() -> dict[str, int]:
    """The reader's best quiz score per module, from the cookie ``slug:score/slug:score``
    (untrusted: unknown modules and impossible scores are dropped)."""
    known = {module.slug: len(module.quiz) for module in content.modules(current_language().code)}
    progress = {}
    for entry in request.cookies.get(PROGRESS_COOKIE, "").split("/"):
        slug, _, score = entry.partition(":")
        if slug in known and score.isdigit() and int(score) <= known[slug]:
            progress[slug] = int(score)
    return progress


def _save_progress(response, progress: dict[str, int]) -> None:
    response.set_cookie(PROGRESS_COOKIE, "/".join(f"{slug}:{score}" for slug, score in progress.items()),
                        max_age=PROGRESS_MAX_AGE, samesite="Lax", httponly=True,
                        secure=current_app.config["PRODUCTION"])


# --- modules -------------------------------------------------------------------------------


@bp.get("/")
def index():
    """Every module with its icon, reading time and the reader's progress."""
    return render_template("learn/index.html", modules=content.modules(current_language().code),
                           progress=read_progress())


def _module(slug: str) -> content.Module:
    found = content.module(current_language().code, slug)
    if found is None:
        raise RequestError("unknown_module", 404)
    return found


@bp.get("/<slug>")
def lesson(slug: str):
    """The lessons, then the quiz."""
    return render_template("learn/module.html", module=_module(slug), answers=None,
                           progress=read_progress())


@bp.post("/<slug>")
def score(slug: str):
    """Score the quiz: which answers were right and why; remember the best score."""
    module = _module(slug)
    answers = []
    for number, _question in enumerate(module.quiz):
        chosen = request.form.get(f"q{number}", "")
        answers.append(int(chosen) if chosen.isdigit() else None)
    correct = sum(1 for question, answer in zip(module.quiz, answers) if answer == question.answer)
    progress = read_progress()
    progress[slug] = max(progress.get(slug, 0), correct)
    response = make_response(render_template("learn/module.html", module=module, answers=answers,
                                             correct=correct, progress=progress))
    _save_progress(response, progress)
    return response


@bp.post("/progress/clear")
def clear_progress():
    """Forget every score (the cookie is deleted)."""
    response = redirect(url_for(".index"))
    response.delete_cookie(PROGRESS_COOKIE, samesite="Lax", httponly=True)
    return response


# --- calculators ------------------------------------------------------------------------------


def _decimal(name: str, default: str | None = None) -> Decimal | None:
    text = request.args.get(name, "").strip() or default
    if text is None:
        return None
    try:
        return parse_amount(text, allow_zero=True)
    except RequestError as error:
        raise RequestError(error.code, field=name) from None


def _count(name: str, default: int) -> int:
    text = request.args.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= 31:
        raise RequestError("bad_count", field=name)
    return int(text)


def _corridors() -> list[Corridor]:
    return get_session().exec(select(Corridor).where(Corridor.in_catalog, Corridor.enabled)
                              .order_by(Corridor.source_country, Corridor.destination_country)).all()


@bp.get("/calculators/<name>")
def calculator(name: str):
    """A calculator; the form is a GET, so a result is also a link that can be shared."""
    if name not in content.CALCULATORS:
        raise RequestError("unknown_calculator", 404)
    result, error = None, None
    if request.args:
        try:
            result = CALCULATE[name]()
        except RequestError as problem:
            error = problem
        except CostInputError:
            error = RequestError("bad_numbers")
    response = make_response(render_template(f"learn/calculator_{name.replace('-', '_')}.html",
                                             name=name, result=result, error=error, values=request.args,
                                             corridors=_corridors(), pair_of=pair_of))
    if error is not None:
        response.status_code = 400
    return response


def _true_cost():
    pair = request.args.get("corridor", "")
    corridor = next((c for c in _corridors() if pair_of(c) == pair), None)
    if corridor is None:
        raise RequestError("choose_corridor", field="corridor")
    benchmark = resolve(get_session(), corridor.send_currency, corridor.receive_currency,
                        utcnow().date(), max_age_days=current_app.config["BENCHMARK_MAX_AGE_DAYS"])
    if benchmark is None:
        raise RequestError("no_reference_rate")
    return corridor, benchmark, calculators.true_cost(
        amount=_decimal("amount"), fee=_decimal("fee", "0"), exchange_rate=_decimal("rate"),
        reference_rate=benchmark.rate, transfers_per_month=_count("per_month", 1))


def _fewer_transfers():
    return calculators.fewer_transfers(
        monthly_amount=_decimal("amount"), fixed_fee=_decimal("fee", "0"),
        percent_fee=_decimal("percent", "0"), transfers_now=_count("now", 4),
        transfers_planned=_count("planned", 1))


def _budget():
    return calculators.two_budgets(
        income=_decimal("income"), costs_here=_decimal("costs_here", "0"), sent=_decimal("sent", "0"),
        received=_decimal("received", "0"), other_income_home=_decimal("other_home", "0"),
        costs_home=_decimal("costs_home", "0"))


CALCULATE = {"true-cost": _true_cost, "fewer-transfers": _fewer_transfers, "budget": _budget}


# --- offline ------------------------------------------------------------------------------------


@offline.get("/sw.js")
def service_worker():
    """The service worker of one language: keeps its lessons and calculators, and the
    pages the reader opened (their last comparison), for reading offline."""
    language = current_language()
    pages = [url_for("learn.index"), url_for("offline.offline_page")]
    pages += [url_for("learn.lesson", slug=module.slug) for module in content.modules(language.code)]
    pages += [url_for("learn.calculator", name=name) for name in content.CALCULATORS]
    body = render_template("learn/sw.js", pages=pages, version=_content_version(),
                           offline_url=url_for("offline.offline_page"), scope=f"/{language.code}/")
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = f"/{language.code}/"
    response.cache_control.no_cache = True
    return response


def _content_version() -> str:
    """Changes when a module or remit itself changes, so the worker refreshes its copy;
    the same in every worker process. The files are hashed again only when one changed."""
    paths = sorted(content.content_root().glob("*/*.md"))
    return _version_of(tuple((path, path.stat().st_mtime_ns) for path in paths))


@cache
def _version_of(stamps: tuple) -> str:
    digests = "".join(sha256_of_file(path) for path, _mtime in stamps)
    return hashlib.sha256((digests + remit_version()).encode()).hexdigest()[:12]


@offline.get("/manifest.webmanifest")
def manifest():
    """The web app manifest: remit installs like an app, in the reader's language."""
    language = current_language()
    body = {"name": "remit", "short_name": "remit", "lang": language.locale_id.replace("_", "-"),
            "dir": language.direction, "start_url": url_for("compare.home"), "scope": f"/{language.code}/",
            "display": "standalone", "background_color": "#ffffff", "theme_color": "#06603a",
            "icons": [{"src": url_for("static", filename="icon.svg"), "sizes": "any",
                       "type": "image/svg+xml"}]}
    return current_app.response_class(json.dumps(body, ensure_ascii=False),
                                      mimetype="application/manifest+json")


@offline.get("/offline")
def offline_page():
    """What the service worker shows for a page it does not hold."""
    return render_template("learn/offline.html")
