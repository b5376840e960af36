"""The data API: resources, filters, cursors, CSV streaming, problems, ETags, rate limits."""

from __future__ import annotations

import csv
import gzip
import io
import re
import uuid

import pytest
from sqlmodel import Session

from remit import create_app
from remit.datasets import RESOURCES
from remit.stats import compute
from remit.web.openapi import openapi_document
from tests.site_data import russia_tajikistan


@pytest.fixture
def market(app):
    with Session(app.extensions["remit.engine"]) as session:
        russia_tajikistan(session)
        session.flush()
        compute(session)
        session.commit()


def get(client, url, status=200, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True)[:300])
    return response


def test_quotes_json_pages_follow_the_cursor_to_the_end(client, market):
    seen, url = [], "/api/v1/quotes.json?_size=2"
    while url:
        page = get(client, url).json
        assert page["count"] == len(page["data"]) <= 2
        seen += [row["quote_id"] for row in page["data"]]
        url = page["next_url"] and page["next_url"].replace("http://localhost", "")
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 5


def test_quote_filters(client, market):
    def ids(query):
        return [row["provider"] for row in get(client, f"/api/v1/quotes.json?{query}").json["data"]]
    assert ids("provider=secretive") == ["secretive"]
    assert ids("transparent=false") == ["secretive"]
    assert ids("promotional=true") == ["promo-bank"]
    assert len(ids("corridor=rus-tjk&amount_tier=200")) == 5
    assert ids("corridor=RUS-GEO") == []
    assert ids("collection_method=rpw_import") == []
    assert len(ids("since=2000-01-01&until=2100-01-01")) == 5
    assert ids("until=2000-01-01") == []


def test_decimals_are_exact_json_numbers(client, market):
    text = get(client, "/api/v1/quotes.json?provider=cheap-cash").get_data(as_text=True)
    assert '"exchange_rate": 0.1188' in text and '"total_cost_pct": 1,' in text


def test_csv_streams_everything_with_the_export_columns(client, market):
    response = get(client, "/api/v1/quotes.csv?_dl=1")
    assert response.mimetype == "text/csv" and response.is_streamed
    assert re.match(r'attachment; filename="remit-quotes-\d{4}-\d\d-\d\d\.csv"',
                    response.headers["Content-Disposition"])
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 5 and tuple(rows[0]) == RESOURCES["quotes"].column_names


def test_csv_is_gzipped_on_request(client, market):
    response = get(client, "/api/v1/rates.csv", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data).decode().startswith("id,source,base,quote,rate,as_of")


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_every_resource_answers_in_both_formats(client, market, name):
    page = get(client, f"/api/v1/{name}.json").json
    assert all(tuple(row) == RESOURCES[name].column_names for row in page["data"])
    assert get(client, f"/api/v1/{name}.csv").get_data(as_text=True).startswith(
        ",".join(RESOURCES[name].column_names))


def test_series_and_indices_come_from_stored_statistics(client, market):
    series = get(client, "/api/v1/series/RUS-TJK.json?stat=min&period=month&tier=200").json["data"]
    assert series[-1]["value"] == -0.5 and series[-1]["services"] == 3
    smart = get(client, "/api/v1/series/rus-tjk.json?stat=smart&period=quarter").json["data"]
    assert smart[-1]["stat"] == "smart" and smart[-1]["smart_services"] == 3
    index = get(client, "/api/v1/indices.json?period=month").json["data"][-1]
    assert index["corridors"] == 1 and index["share_under_3_pct"] == 100
    assert index["weighted_average"] is None and index["weighted_corridors"] == 0


@pytest.mark.parametrize(("url", "status", "parameter"), [
    ("/api/v1/quotes.json?bogus=1", 400, "bogus"),
    ("/api/v1/quotes.json?_size=0", 400, "_size"),
    ("/api/v1/quotes.json?_size=abc", 400, "_size"),
    ("/api/v1/quotes.json?_size=1001", 400, "_size"),
    ("/api/v1/quotes.json?_next=not-a-cursor", 400, "_next"),
    ("/api/v1/quotes.json?since=yesterday", 400, "since"),
    ("/api/v1/quotes.json?transparent=maybe", 400, "transparent"),
    ("/api/v1/quotes.json?amount_tier=300", 400, "amount_tier"),
    ("/api/v1/quotes.json?corridor=RU-TJ", 400, "corridor"),
    ("/api/v1/quotes.json?corridor=ZZZ-YYY", 400, "corridor"),
    ("/api/v1/quotes.json?collection_method=guess", 400, "collection_method"),
    ("/api/v1/series/RUS-TJK.json?stat=mode", 400, "stat"),
    ("/api/v1/series/RUS-TJK.json?period=week", 400, "period"),
    ("/api/v1/series/russia.json", 400, "corridor"),
    ("/api/v1/series/ZZZ-YYY.json", 400, "corridor"),
    ("/api/v1/indices.json?tier=1000", 400, "tier"),
    ("/api/v1/nothing.json", 404, None),
    ("/api/v1/quotes.xml", 404, None),
    ("/api/v1/no/such/path", 404, None),
])
def test_bad_parameters_are_problem_details(client, market, url, status, parameter):
    response = get(client, url, status)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == status and body["title"] and body["detail"]
    assert body.get("parameter") == parameter


def test_a_cursor_of_another_list_is_refused(client, market):
    cursor = get(client, "/api/v1/rates.json?_size=1").json["next"]
    assert get(client, f"/api/v1/quotes.json?_next={cursor}", 400).json["parameter"] == "_next"


def test_etag_and_cache_control(client, market):
    first = get(client, "/api/v1/corridors.json")
    assert "max-age" in first.headers["Cache-Control"]
    again = client.get("/api/v1/corridors.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_rate_limit_answers_429_with_retry_after(tmp_path, database_url):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": database_url,
                      "SECRET_KEY": "x", "API_RATE_LIMIT": "3/minute"})
    from sqlmodel import SQLModel
    SQLModel.metadata.create_all(app.extensions["remit.engine"])
    client = app.test_client()
    statuses = [client.get("/api/v1/corridors.json").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/corridors.json")
    assert limited.mimetype == "application/problem+json" and int(limited.headers["Retry-After"]) > 0
    assert client.get("/en/").status_code != 429  # the site itself is not limited
    app.extensions["remit.engine"].dispose()


def test_rate_limits_can_live_in_redis(tmp_path, database_url):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": database_url, "SECRET_KEY": "x",
                      "API_RATE_LIMIT": "2/minute", "RATELIMIT_STORAGE": "redis://127.0.0.1:6379",
                      "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    from sqlmodel import SQLModel
    SQLModel.metadata.create_all(app.extensions["remit.engine"])
    client = app.test_client()
    assert [client.get("/api/v1/providers.json").status_code for _ in range(3)] == [200, 200, 429]
    app.extensions["remit.engine"].dispose()


def test_openapi_describes_every_api_route_and_nothing_else(app):
    document = openapi_document()
    assert document["openapi"] == "3.1.0"
    described = {re.sub(r"\{(\w+)\}", r"<\1>", path) for path in document["paths"]}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.rule != "/api/v1/":
            name = rule.rule
            if "<name>" in name:
                routed |= {name.replace("<name>", resource).replace("<fmt>", fmt)
                           for resource in RESOURCES for fmt in ("json", "csv")}
            elif "<fmt>" in name:
                routed |= {name.replace("<fmt>", fmt) for fmt in ("json", "csv")}
            else:
                routed.add(name)
    assert described == routed


def test_json_rows_match_their_openapi_schema(client, market):
    jsonschema = pytest.importorskip("jsonschema")
    document = openapi_document()
    for path, item in document["paths"].items():
        if not path.endswith(".json") or "openapi" in path:
            continue
        url = path.replace("{corridor}", "RUS-TJK")
        schema = item["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        resolver_doc = {**schema, "components": document["components"]}
        jsonschema.validate(get(client, url).json, resolver_doc)


def test_docs_page_lists_every_resource(client):
    html = get(client, "/api/v1/").get_data(as_text=True)
    assert all(f'id="{name}"' in html for name in RESOURCES) and 'lang="en"' in html
