"""The data pages for researchers: bulk downloads and the methodology.

- ``/data/``                 the published files, with sizes, dates and checksums
- ``/data/files/<name>``     one file of the data package
- ``/data/methodology``      formulas, benchmarks per currency, collection methods, citation
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Blueprint, abort, current_app, g, render_template, send_from_directory
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlmodel import select

from ..bulk import published
from ..db import get_session
from ..i18n import LANGUAGES
from ..models import Corridor
from ..paths import project_folder
from ..reference import resolve
from ..types import utcnow

bp = Blueprint("data", __name__, url_prefix="/data")


@bp.context_processor
def methodology_text() -> dict:
    return {"methodology_html": methodology_html}


@cache
def methodology_html() -> Markup:
    """docs/methodology.md as HTML (Markdown without raw HTML); its title is the page's."""
    text = (project_folder("docs") / "methodology.md").read_text(encoding="utf-8")
    body = text.split("\n", 1)[1] if text.startswith("# ") else text
    return Markup(MarkdownIt("commonmark", {"html": False}).render(body))


@bp.before_request
def english() -> None:
    """Researcher pages are in English."""
    g.language = LANGUAGES["en"]


def _dataset_path() -> Path:
    return Path(current_app.config["DATASET_PATH"])


@bp.get("/")
def index():
    """The bulk files of the current data package."""
    return render_template("data/index.html", package=published(_dataset_path()))


@bp.get("/files/<name>")
def download(name: str):
    """One file of the published package (nothing else in the folder is served)."""
    package = published(_dataset_path()) or {"resources": []}
    names = {resource["path"] for resource in package["resources"]} | {"datapackage.json"}
    if name not in names or not (_dataset_path() / name).exists():
        abort(404)
    return send_from_directory(_dataset_path(), name, as_attachment=name != "datapackage.json",
                               max_age=3600)


@bp.get("/methodology")
def methodology():
    """How every number is computed, which benchmark each corridor uses, and how to cite."""
    session = get_session()
    today = utcnow().date()
    corridors = session.exec(select(Corridor).where(Corridor.in_catalog)
                             .order_by(Corridor.source_country, Corridor.destination_country)).all()
    benchmarks = [(corridor, resolve(session, corridor.send_currency, corridor.receive_currency, today,
                                     max_age_days=current_app.config["BENCHMARK_MAX_AGE_DAYS"]))
                  for corridor in corridors]
    return render_template("data/methodology.html", benchmarks=benchmarks, today=today)
