"""The corridors remit covers, with what has been collected for each."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..catalog import country_name, currency_name
from ..db import get_session
from ..queries import corridor_summaries

bp = Blueprint("catalog", __name__)


@bp.get("/")
def index():
    """Every catalogue corridor with its currencies, services, quotes and last collection."""
    summaries = corridor_summaries(get_session())
    return render_template("catalog/index.html", summaries=summaries,
                           country_name=country_name, currency_name=currency_name)
