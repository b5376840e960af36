"""The comparison site: languages, results, corridor and provider pages, bad input, caching."""

from __future__ import annotations

import gzip
import re

import pytest
from sqlmodel import Session
from werkzeug.datastructures import LanguageAccept

from remit.i18n import LANGUAGES, best_language, match_tag
from tests.site_data import add_service, russia_tajikistan


def database(app) -> Session:
    """A session outside any request (the ``engine`` fixture's app context would be shared
    with the test client's requests, and keep their session open)."""
    return Session(app.extensions["remit.engine"])


@pytest.fixture
def market(app):
    with database(app) as session:
        corridor = russia_tajikistan(session)
        session.commit()
        return corridor.id


def page(client, url, status=200, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def received(html):
    """The amounts received, in the order shown."""
    return re.findall(r'<p class="get">([^<]+?) <small>', html)


# --- language choice ------------------------------------------------------------------------

@pytest.mark.parametrize(("tag", "code"), [
    ("uz-UZ", "uz"), ("uz", "uz"), ("uz-Cyrl-UZ", "uz"), ("sr-RS", "sr"), ("sr-Latn", "sr"),
    ("tg-TJ", "tg"), ("ar-MA", "ar"), ("fr-CA", "fr"), ("en-GB", "en"), ("de-DE", None),
    ("not a tag!", None), ("", None)])
def test_tags_map_to_the_language_that_serves_them(tag, code):
    assert match_tag(tag) == code


def test_root_redirects_by_cookie_then_accept_language_then_english(client, market):
    assert client.get("/", headers={"Accept-Language": "de, uz-UZ;q=0.8"}).location == "/uz/"
    assert client.get("/", headers={"Accept-Language": "sr-RS"}).location == "/sr/"
    assert client.get("/", headers={"Accept-Language": "de"}).location == "/en/"
    client.set_cookie("lang", "tg")
    assert client.get("/", headers={"Accept-Language": "ru"}).location == "/tg/"


def test_best_language_ignores_a_forged_cookie():
    assert best_language("<x>", LanguageAccept([("ky", 1)])) == "ky"


def test_choosing_a_language_keeps_the_page_and_remembers(client, market):
    response = client.get("/language/ru?next=/en/send/ru-tj?amount%3D5000")
    assert response.location == "/ru/send/ru-tj?amount=5000"
    assert "lang=ru" in response.headers["Set-Cookie"]
    # never an open redirect
    for target in ("https://evil.example/", "//evil.example/en/", "/xx/", "javascript:alert(1)"):
        assert client.get(f"/language/fr?next={target}").location == "/fr/"


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_every_language_serves_every_page_type(client, market, code):
    for url in (f"/{code}/", f"/{code}/send/ru-tj?amount=10000", f"/{code}/corridor/ru-tj",
                f"/{code}/provider/cheap-cash"):
        html = page(client, url)
        language = LANGUAGES[code]
        assert f'<html lang="{language.locale_id.replace("_", "-")}" dir="{language.direction}"' in html
        assert html.count('rel="alternate" hreflang=') == len(LANGUAGES)


def test_arabic_is_right_to_left_and_translated(client, market):
    html = page(client, "/ar/send/ru-tj?amount=10000")
    assert 'dir="rtl"' in html
    assert "روسيا" in html  # country names from Babel, in Arabic


# --- results ------------------------------------------------------------------------------

def test_results_rank_by_amount_received(client, market):
    html = page(client, "/en/send/ru-tj?amount=10000&currency=RUB")
    assert received(html) == ["TJS1,206.00", "TJS1,188.00", "TJS1,182.06"]
    assert html.index("Promo Bank") < html.index("Cheap Cash") < html.index("Card Fast") \
        < html.index("Secretive")
    assert "Promotion: may apply to the first transfer only" in html
    assert "Exchange rate not disclosed" in html
    assert "Old News" not in html and "1 service has no recent price" in html
    # the fee, rate, margin and total cost of the second service (1% margin, no fee)
    assert "1 RUB = 0.1188 TJS" in html and "1% (RUB100.00)" in html
    assert "Average cost in this corridor for this amount" in html


def test_amount_in_the_receive_currency(client, market):
    html = page(client, "/en/send/ru-tj?amount=1188&currency=TJS")
    assert "They receive" in html
    assert received(html) == ["TJS1,188.00"] * 3
    assert "RUB10,000.00" in html  # what cheap-cash takes to deliver 1188 TJS


def test_filters_narrow_the_results(client, market):
    html = page(client, "/en/send/ru-tj?amount=10000&pickup=card")
    assert received(html) == ["TJS1,182.06"]
    html = page(client, "/en/send/ru-tj?amount=10000&days=1")
    assert "Promo Bank" not in html and "Secretive" in html
    html = page(client, "/en/send/ru-tj?amount=10000&pickup=home_delivery")
    assert "No service matches these filters" in html


def test_default_amount_is_usd_200_in_the_currency_asked(client, market):
    assert 'value="16000"' in page(client, "/en/send/ru-tj")
    assert 'value="1900"' in page(client, "/en/send/ru-tj?currency=TJS")  # 200 x 80 x 0.12, in TJS


def test_a_corridor_without_prices_says_so(client, market):
    html = page(client, "/en/send/ru-ge?amount=10000")
    assert "We have no prices for this corridor yet" in html


def test_a_corridor_with_only_old_prices_says_so(client, market, app):
    with database(app) as session:
        from sqlmodel import select

        from remit.models import Corridor
        georgia = session.exec(select(Corridor).where(Corridor.destination_country == "GEO")).one()
        add_service(session, georgia, "long-gone", fee="0", rate="0.03", hours_ago=24 * 30)
        session.commit()
    html = page(client, "/en/send/ru-ge?amount=10000")
    assert "We have no recent prices for this corridor" in html and "Long Gone" not in html


def test_percent_keeps_decimals_and_currencies_their_minor_units(app):
    from decimal import Decimal

    from remit import i18n
    with app.test_request_context("/fr/"):
        from flask import g
        g.language = LANGUAGES["fr"]
        assert i18n.percent(Decimal("3.5")) == "3,5\u00a0%"
        assert i18n.money(Decimal("1234.5678"), "TND").startswith("1\u202f234,568")
        assert i18n.money(Decimal("1234.5"), "RSD").startswith("1\u202f234\u00a0")  # 0 digits
        assert i18n.money(Decimal("1234.51"), "RSD").startswith("1\u202f235\u00a0")


# --- bad input ----------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "status", "message"), [
    ("/en/send/ru-tj?amount=-5", 400, "greater than zero"),
    ("/en/send/ru-tj?amount=0", 400, "greater than zero"),
    ("/en/send/ru-tj?amount=NaN", 400, "as a number"),
    ("/en/send/ru-tj?amount=inf", 400, "as a number"),
    ("/en/send/ru-tj?amount=1e400", 400, "as a number"),
    ("/en/send/ru-tj?amount=abc", 400, "as a number"),
    ("/en/send/ru-tj?amount=999999999999999", 400, "too large"),
    ("/en/send/ru-tj?amount=5000000", 400, "between RUB400.00 and RUB800,000.00"),
    ("/en/send/ru-tj?amount=100&currency=EUR", 400, "Choose RUB or TJS"),
    ("/en/send/ru-tj?amount=100&currency=%3Cb%3E", 400, "Choose RUB or TJS"),
    ("/en/send/ru-tj?amount=10000&pickup=teleport", 400, "filter does not exist"),
    ("/en/send/ru-tj?amount=10000&days=3", 400, "filter does not exist"),
    ("/en/send/ru-ru", 400, "two different countries"),
    ("/en/send/ru-zz", 404, "do not know one of these countries"),
    ("/en/send/russia-tajikistan", 404, "does not name two countries"),
    ("/en/send/de-tj", 404, "do not compare transfers between these countries"),
    ("/en/corridor/ru-zz", 404, "do not know one of these countries"),
    ("/en/provider/nobody", 404, "do not know this provider"),
    ("/xx/send/ru-tj", 404, "do not have the site in this language"),
    ("/en/nowhere", 404, "no page at this address"),
    ("/en/send?from=ru", 400, "Choose the country you send from"),
])
def test_bad_input_is_explained_with_the_form(client, market, url, status, message):
    html = page(client, url, status)
    assert message in html
    assert '<form action="/' in html and 'name="amount"' in html


def test_markup_in_parameters_is_never_reflected(client, market):
    attack = "<script>alert(1)</script>"
    for url in (f"/en/send/ru-tj?amount={attack}", f"/en/send?from=ru&to=tj&amount={attack}",
                f"/en/send/ru-tj?amount=100&currency={attack}"):
        html = client.get(url, follow_redirects=True).get_data(as_text=True)
        assert attack not in html


def test_bad_input_is_explained_in_the_readers_language(client, market):
    html = page(client, "/ru/send/ru-tj?amount=abc", 400)
    assert 'lang="ru"' in html and "Enter the amount as a number" not in html
    html = page(client, "/nowhere/", 404, headers={"Accept-Language": "ar"})
    assert 'dir="rtl"' in html


def test_the_home_form_redirects_to_results(client, market):
    response = client.get("/tg/send?from=ru&to=tj&amount=5000&currency=")
    assert response.status_code == 302
    assert response.location == "/tg/send/ru-tj?amount=5000"


# --- corridor and provider pages ----------------------------------------------------------

def test_corridor_page_has_chart_table_and_providers(client, market):
    html = page(client, "/en/corridor/ru-tj")
    assert "<svg" in html and "<polyline" in html and "<table>" in html
    assert 'href="/en/provider/cheap-cash"' in html


def test_provider_page_lists_its_prices(client, market):
    html = page(client, "/en/provider/old-news")
    assert "Russia → Tajikistan" in html and ">old<" in html


# --- caching and weight -------------------------------------------------------------------

def test_pages_are_compressed_and_revalidated(client, market, app):
    url = "/en/send/ru-tj?amount=10000"
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    assert "max-age" in first.headers["Cache-Control"]
    etag = first.headers["ETag"]
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304
    with database(app) as session:  # a new collection: the page changes
        from remit.models import Corridor
        add_service(session, session.get(Corridor, market), "newcomer", fee="0", rate="0.13")
        session.commit()
    fresh = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert fresh.status_code == 200
    assert "Newcomer" in gzip.decompress(fresh.data).decode()


def test_results_page_with_forty_services_fits_in_14_kb(client, market, app):
    with database(app) as session:
        from remit.models import Corridor
        corridor = session.get(Corridor, market)
        for number in range(36):
            add_service(session, corridor, f"provider-{number}", fee=str(number * 10),
                        rate=f"0.11{number:02d}", speed="same_day")
        session.commit()
    for code in ("en", "ar", "tg"):
        response = client.get(f"/{code}/send/ru-tj?amount=10000", headers={"Accept-Encoding": "gzip"})
        assert response.headers["Content-Encoding"] == "gzip"
        assert len(response.data) <= 14 * 1024, (code, len(response.data))


def test_security_headers_and_no_inline_script(client, market):
    response = client.get("/en/send/ru-tj?amount=10000")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
