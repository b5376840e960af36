"""The comparison site: home, results, corridor and provider pages, in the URL's language.

URL table (every page under a language prefix, e.g. ``/tg/``):

- ``/<lang>/``                         home: the form and the corridors
- ``/<lang>/send``                     the home form's target: checks it, redirects to results
- ``/<lang>/send/<from>-<to>``         results (``?amount=&currency=&pickup=&days=``)
- ``/<lang>/corridor/<from>-<to>``     cost over time, as a chart and a table, and providers
- ``/<lang>/provider/<slug>``          a provider's services and latest prices
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from babel.dates import format_date, format_skeleton

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from sqlmodel import select

from .. import compare as comparison
from .. import i18n
from ..compare import RequestError
from ..db import get_session
from ..history import cost_history
from ..i18n import current_locale
from ..models import Provider
from ..queries import corridor_summaries, pair_of, quote_breakdown
from ..types import utcnow
from .caching import cached_page
from .site import keep_language, language_from_url

bp = Blueprint("compare", __name__, url_prefix="/<lang>")
bp.url_value_preprocessor(language_from_url)
bp.url_defaults(keep_language)


def _settings() -> dict:
    config = current_app.config
    return {"now": utcnow(), "max_age": timedelta(days=config["QUOTE_MAX_AGE_DAYS"]),
            "benchmark_max_age_days": config["BENCHMARK_MAX_AGE_DAYS"]}


def _corridor(pair: str):
    return comparison.find_catalog_corridor(get_session(), *comparison.parse_pair(pair.lower()))


@bp.get("/")
@cached_page
def home():
    """The search form and the corridors remit covers."""
    return render_template("compare/home.html", summaries=corridor_summaries(get_session()))


@bp.get("/send")
def search():
    """The home form without JavaScript: check the countries, then go to the results."""
    source, destination = request.args.get("from", ""), request.args.get("to", "")
    if not source or not destination:
        raise RequestError("missing_country")
    corridor = _corridor(f"{source}-{destination}")
    args = {"amount": request.args.get("amount", "").strip() or None,
            "currency": request.args.get("currency") or None}
    return redirect(url_for(".results", pair=pair_of(corridor), **args))


@bp.get("/send/<pair>")
@cached_page
def results(pair: str):
    """Services ranked by the amount received, for the user's amount and filters."""
    session, settings = get_session(), _settings()
    corridor = _corridor(pair)
    amount_in = comparison.amount_side(corridor, request.args.get("currency"))
    currency = corridor.send_currency if amount_in == "send" else corridor.receive_currency
    rate = comparison.usd_rate(session, currency, settings["now"], settings["benchmark_max_age_days"])
    amount = comparison.parse_amount(request.args.get("amount") or str(comparison.default_amount(rate)))
    limits = comparison.amount_limits(rate, min_usd=Decimal(current_app.config["SEND_MIN_USD"]),
                                      max_usd=Decimal(current_app.config["SEND_MAX_USD"]))
    comparison.check_limits(amount, limits, currency)
    filters = comparison.parse_filters(request.args.get("pickup"), request.args.get("days"))
    result = comparison.compare(session, corridor, amount=amount, amount_in=amount_in,
                                filters=filters, **settings)
    return render_template("compare/results.html", result=result, filters=filters,
                           now=settings["now"])


@bp.get("/corridor/<pair>")
@cached_page
def corridor(pair: str):
    """Average and cheapest cost over time, as an SVG chart and a table; the providers."""
    session = get_session()
    found = _corridor(pair)
    history = cost_history(session, found)
    providers = sorted({priced.provider.slug: priced.provider for priced in
                        comparison.latest_prices(session, corridor_id=found.id)}.values(),
                       key=lambda provider: provider.name.lower())
    return render_template("compare/corridor.html", corridor=found, history=history,
                           providers=providers)


@bp.get("/provider/<slug>")
@cached_page
def provider(slug: str):
    """A provider's services in every corridor, with their latest prices."""
    session = get_session()
    found = session.exec(select(Provider).where(Provider.slug == slug)).first()
    if found is None:
        raise RequestError("unknown_provider", 404)
    groups = comparison.by_corridor(session, comparison.latest_prices(session, provider_id=found.id))
    return render_template("compare/provider.html", provider=found, groups=groups,
                           now=utcnow(), max_age=_settings()["max_age"])


@bp.context_processor
def page_helpers() -> dict:
    """What the comparison pages draw with: the chart, period names, rate sources."""
    return {"period_label": period_label, "quarter_label": quarter_label,
            "tick_label": tick_label,
            "breakdown": quote_breakdown}


def period_label(start: date, by_month: bool) -> str:
    """A day, or a month and year, in the page's locale."""
    return tick_label(start, "month" if by_month else "day")


def tick_label(day: date, unit: str) -> str:
    """A date as precise as ``unit`` ("year", "month", "day"), in the page's locale."""
    if unit == "year":
        return format_skeleton("y", day, locale=current_locale())
    if unit == "month":
        return format_skeleton("yMMM", day, locale=current_locale())
    return i18n.date(day)


def quarter_label(start: date) -> str:
    """A calendar quarter, e.g. "Q3 2023", in the page's locale."""
    return format_date(start, "QQQ y", locale=current_locale())
