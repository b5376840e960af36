"""The researchers' API, v1: datasets as JSON pages or streamed CSV, statistics, OpenAPI.

URL table (``remit.datasets`` defines every resource, its columns and filters):

- ``/api/v1/<resource>.json|.csv``      corridors, providers, services, quotes, rates
- ``/api/v1/series/<corridor>.json|.csv`` a corridor's statistic per period (stored)
- ``/api/v1/indices.json|.csv``          global indices per period
- ``/api/v1/partner/quotes``             POST: a provider's price sheet, with its API key
- ``/api/v1/openapi.json``               the OpenAPI 3.1 description
- ``/api/v1/``                           the documentation page

Control parameters start with ``_``: ``_size`` (JSON page size), ``_next`` (the opaque
cursor a page hands out), ``_dl=1`` (download as a file). CSV is never paged: it streams
the whole result. Errors are RFC 9457 problem details.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from sqlmodel import Session

from scrapers.base import FormatError
from scrapers.quotes import feed

from .. import archive, datasets, partners
from ..collect import Fetched, feed_identity, store_fetched
from ..datasets import RESOURCES, STAT_FILTERS, ParameterError, Resource
from ..db import get_engine, get_session
from ..export import csv_chunks, dict_cells, json_object
from ..i18n import LANGUAGES
from ..ingest.quotes import QuoteItem
from ..types import utcnow
from .caching import data_version
from .openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")

DEFAULT_SIZE, MAX_SIZE = 100, 1000
CONTROL = {"_size", "_next", "_dl"}
CACHE_SECONDS = 300


class Problem(Exception):
    """An RFC 9457 problem: ``status``, a short ``title`` and the ``detail`` of this case."""

    def __init__(self, status: int, title: str, detail: str, parameter: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.parameter = status, title, detail, parameter


def problem_response(status: int, title: str, detail: str, parameter: str | None = None) -> Response:
    """A problem-details JSON response (``application/problem+json``)."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail,
            "instance": request.full_path.rstrip("?")}
    if parameter:
        body["parameter"] = parameter
    return Response(json.dumps(body, ensure_ascii=False), status=status,
                    mimetype="application/problem+json")


@bp.errorhandler(Problem)
def problem(error: Problem):
    return problem_response(error.status, error.title, error.detail, error.parameter)


@bp.errorhandler(ParameterError)
def bad_parameter(error: ParameterError):
    return problem_response(400, "Bad parameter", str(error), error.parameter)


def init_app(app) -> None:
    """Rate limits on the API only: per client address, in Redis when configured, else in
    memory. One limiter per app, so that apps (and tests) never share counters."""
    limiter = Limiter(get_remote_address, storage_uri=app.config["RATELIMIT_STORAGE"],
                      headers_enabled=True, key_prefix=app.config.get("RATELIMIT_KEY_PREFIX", "remit"))
    limiter.limit(lambda: current_app.config["API_RATE_LIMIT"])(bp)
    limiter.init_app(app)


# --- routes ----------------------------------------------------------------------------------


@bp.get("/")
def docs():
    """The API's documentation page, from the same definitions as the OpenAPI document."""
    g.language = LANGUAGES["en"]  # written for researchers, in English
    return render_template("api/docs.html", resources=RESOURCES.values(),
                           series_columns=datasets.SERIES_COLUMNS, index_columns=datasets.INDEX_COLUMNS,
                           stat_filters=STAT_FILTERS)


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return current_app.response_class(json.dumps(openapi_document(), indent=1),
                                      mimetype="application/json")


@bp.get("/<name>.<fmt>")
def resource(name: str, fmt: str):
    """A dataset: a JSON page or the whole CSV."""
    found = RESOURCES.get(name)
    if found is None:
        raise Problem(404, "Not found", f"no dataset {name!r}; see /api/v1/")
    _check_format(fmt)
    _check_parameters(found.filters)
    filters = found.parse_filters(request.args, get_session())
    if fmt == "csv":
        return _csv(name, found.column_names, lambda session: found.csv_rows(session, filters))
    size = _size()
    after = _cursor(name)
    return _conditional(lambda: _json_page(found, filters, after, size))


@bp.get("/series/<corridor>.<fmt>")
def series(corridor: str, fmt: str):
    """One corridor's statistic per period, from the stored statistics."""
    _check_format(fmt)
    _check_parameters(STAT_FILTERS)
    key = _parse(datasets.parse_corridor, corridor, "corridor")
    datasets.corridor_id(get_session(), key)  # an unknown corridor is a 400 before any CSV
    options = _stat_options()
    rows = lambda session: datasets.series_rows(session, key, **options)  # noqa: E731
    columns = tuple(column.name for column in datasets.SERIES_COLUMNS)
    if fmt == "csv":
        return _csv(f"series-{key}", columns, lambda session: dict_cells(rows(session), columns))
    return _conditional(lambda: _json_all(rows(get_session()), columns))


@bp.get("/indices.<fmt>")
def indices(fmt: str):
    """Global average, weighted average, SmaRT and shares of corridors under 3% and 5%."""
    _check_format(fmt)
    _check_parameters(STAT_FILTERS[1:])
    options = _stat_options()
    options.pop("stat")
    weights = current_app.config["CORRIDOR_WEIGHTS"]
    if weights:
        options["weights_file"] = Path(weights)
    rows = lambda session: datasets.index_rows(session, **options)  # noqa: E731
    columns = tuple(column.name for column in datasets.INDEX_COLUMNS)
    if fmt == "csv":
        return _csv("indices", columns, lambda session: dict_cells(rows(session), columns))
    return _conditional(lambda: _json_all(rows(get_session()), columns))


MAX_FEED_BYTES = 2_000_000


@bp.post("/partner/quotes")
def partner_quotes():
    """A provider's own price sheet (docs/price-feed.md), with ``Authorization: Bearer KEY``:
    validated, archived and stored as partner-submitted, like a pulled feed."""
    db = get_session()
    header = request.headers.get("Authorization", "")
    provider = partners.key_provider(db, header[7:].strip()) if header.startswith("Bearer ") else None
    if provider is None:
        response = problem_response(401, "Unauthorized", "send a live API key as 'Authorization: Bearer <key>'")
        response.headers["WWW-Authenticate"] = 'Bearer realm="remit"'
        return response
    db.commit()  # the key's last use
    body = request.get_data(cache=False)
    if len(body) > MAX_FEED_BYTES:
        raise Problem(413, "Too large", f"a price sheet is at most {MAX_FEED_BYTES} bytes")
    started = utcnow()
    try:
        observations = feed.parse(body, None, started)
    except FormatError as error:
        raise Problem(400, "Not a valid price sheet", str(error)) from None
    others = sorted({observation.provider for observation in observations} - {provider.slug})
    if others:
        raise Problem(403, "Not your prices", f"this key is for {provider.slug!r}; the sheet names "
                      f"{', '.join(repr(slug) for slug in others)}")
    sha = archive.store_bytes(Path(current_app.config["ARCHIVE_PATH"]), body)
    fetched = Fetched("partner", "quotes", started,
                      items=[QuoteItem(feed_identity(observation), sha) for observation in observations])
    outcome = store_fetched(get_engine(), fetched, current_app.config)
    body = {"status": outcome.status, "stored": outcome.counts.stored,
            "already_stored": outcome.counts.already_stored, "quarantined": outcome.counts.quarantined,
            "raw_sha256": sha, "error": outcome.error}
    return current_app.response_class(json.dumps(body), status=201 if outcome.status != "failed" else 500,
                                      mimetype="application/json")


# --- helpers -------------------------------------------------------------------------------


def _check_format(fmt: str) -> None:
    if fmt not in ("json", "csv"):
        raise Problem(404, "Not found", f"no format {fmt!r}: use .json or .csv")


def _check_parameters(filters) -> None:
    """Unknown parameters are an error, not silently ignored (a typo would change the data)."""
    known = {spec.name for spec in filters} | CONTROL
    for name in request.args:
        if name not in known:
            raise Problem(400, "Unknown parameter", f"{name!r} is not a parameter here; "
                          f"known: {', '.join(sorted(known))}", name)


def _parse(parse, text: str, parameter: str):
    try:
        return parse(text)
    except ValueError as error:
        raise Problem(400, "Bad parameter", str(error), parameter) from None


def _stat_options() -> dict:
    values = {spec.name: _parse(spec.parse, request.args[spec.name], spec.name)
              for spec in STAT_FILTERS if request.args.get(spec.name)}
    return {"stat": values.get("stat", "avg"), "period": values.get("period", "quarter"),
            "tier": values.get("tier", 200)}


def _size() -> int:
    text = request.args.get("_size", str(DEFAULT_SIZE))
    if not text.isdigit() or not 1 <= int(text) <= MAX_SIZE:
        raise Problem(400, "Bad parameter", f"_size is a whole number from 1 to {MAX_SIZE}", "_size")
    return int(text)


def encode_cursor(name: str, after: int) -> str:
    raw = json.dumps({"r": name, "a": after}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor(name: str) -> int | None:
    token = request.args.get("_next")
    if not token:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if data["r"] == name and isinstance(data["a"], int) and not isinstance(data["a"], bool):
            return data["a"]
    except (ValueError, TypeError, KeyError):
        pass
    raise Problem(400, "Bad parameter", "_next is not a cursor this list handed out", "_next")


def _json_page(found: Resource, filters: dict, after: int | None, size: int) -> str:
    rows = list(found.rows(get_session(), filters, after, size + 1))
    more = len(rows) > size
    rows = rows[:size]
    cursor = encode_cursor(found.name, rows[-1][found.key]) if more else None
    next_url = url_for(".resource", name=found.name, fmt="json", _external=True,
                       **{**request.args.to_dict(), "_next": cursor}) if cursor else None
    return _envelope(rows, found.column_names, cursor, next_url)


def _json_all(rows: Iterator[dict], columns: tuple[str, ...]) -> str:
    return _envelope(list(rows), columns, None, None)


def _envelope(rows: list[dict], columns: tuple[str, ...], cursor: str | None, next_url: str | None) -> str:
    data = ",\n".join(json_object(row, columns) for row in rows)
    return (f'{{"data": [{data}],\n"count": {len(rows)}, "next": {json.dumps(cursor)}, '
            f'"next_url": {json.dumps(next_url)}}}\n')


def _conditional(render) -> Response:
    """ETag from the data version and the request: a 304 costs no query beyond the version."""
    version = f"{data_version(get_session())}{request.full_path}"
    etag = hashlib.sha256(version.encode()).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(render(), mimetype="application/json")
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    return response


def _csv(name: str, columns: tuple[str, ...], cells) -> Response:
    """The whole result as CSV, streamed in chunks; compressed when the client asks.

    ``cells(session)`` (each row's CSV cells, in ``columns`` order) runs on a session of the stream's own, closed when the stream ends
    or is abandoned: the request's session is closed at the request's teardown, which
    comes before a streamed body is sent.
    """
    engine = get_engine()

    def generate() -> Iterator[str]:
        with Session(engine) as session:
            yield from csv_chunks(cells(session), columns)

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    if request.args.get("_dl") == "1":
        response.headers["Content-Disposition"] = (
            f'attachment; filename="remit-{name}-{utcnow():%Y-%m-%d}.csv"')
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    return response
