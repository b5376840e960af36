"""Lesson pages, the quiz without JavaScript, progress in a cookie, calculators, offline app."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from sqlmodel import Session

from remit import calculators
from remit.content import modules
from remit.costs import cost_breakdown
from tests.site_data import russia_tajikistan

SLUG = "true-cost-of-sending-money"


@pytest.fixture
def market(app):
    with Session(app.extensions["remit.engine"]) as session:
        russia_tajikistan(session)
        session.commit()


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_lesson_list_in_every_language_with_icons_and_reading_time(client):
    for code in ("en", "tg", "ar"):
        html = client.get(f"/{code}/learn/").get_data(as_text=True)
        assert html.count('<svg class="icon"') == 12
        assert all(module.title in html for module in modules(code))


def test_quiz_works_without_javascript_and_keeps_progress(client):
    page = client.get(f"/en/learn/{SLUG}").get_data(as_text=True)
    quiz = modules("en")[2].quiz
    answers = {f"q{i}": str(q.answer) for i, q in enumerate(quiz)}
    answers["q0"] = str((quiz[0].answer + 1) % len(quiz[0].options))  # one wrong
    response = client.post(f"/en/learn/{SLUG}", data={**answers, "csrf_token": token(page)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"You got {len(quiz) - 1} of {len(quiz)} right." in html
    assert "Not quite. The right answer" in html and quiz[0].explanation in html
    assert client.get_cookie("progress").value == f"{SLUG}:{len(quiz) - 1}"
    assert f"Quiz: {len(quiz) - 1} of {len(quiz)}" in client.get("/en/learn/").get_data(as_text=True)
    # clearing forgets it
    listing = client.get("/en/learn/").get_data(as_text=True)
    client.post("/en/learn/progress/clear", data={"csrf_token": token(listing)})
    assert client.get_cookie("progress") is None


def test_a_post_without_the_token_is_refused_in_the_readers_language(client):
    response = client.post(f"/ru/learn/{SLUG}", data={"q0": "1"})
    assert response.status_code == 400 and 'lang="ru"' in response.get_data(as_text=True)


def test_a_forged_progress_cookie_is_ignored(client):
    client.set_cookie("progress", "true-cost-of-sending-money:99/nope:1/x:y/spot-the-scam:2")
    html = client.get("/en/learn/").get_data(as_text=True)
    assert html.count("Quiz: ") == 1 and "Quiz: 2 of 4" in html


def test_unknown_lesson_and_calculator_are_404_with_a_way_back(client):
    for url in ("/en/learn/nothing", "/en/learn/calculators/nothing"):
        response = client.get(url)
        assert response.status_code == 404 and 'href="/en/learn/"' in response.get_data(as_text=True)


def test_true_cost_matches_the_cost_engine():
    result = calculators.true_cost(amount=D(10000), fee=D(100), exchange_rate=D("0.1188"),
                                   reference_rate=D("0.12"), transfers_per_month=2)
    expected = cost_breakdown(send_amount=D(10000), fee=D(100), fee_mode="on_top",
                              exchange_rate=D("0.1188"), reference_rate=D("0.12"))
    assert result.breakdown == expected
    assert expected.total_cost_pct == D(2)   # 1% fee + 1% margin
    assert result.lost_per_year == D(200) * 24
    assert result.at_reference == D(10100) * D("0.12")


def test_fewer_transfers_and_two_budgets():
    saved = calculators.fewer_transfers(monthly_amount=D(400), fixed_fee=D(3), percent_fee=D(1),
                                        transfers_now=4, transfers_planned=1)
    assert (saved.fees_now, saved.fees_planned, saved.saving) == (D(192), D(84), D(108))
    budget = calculators.two_budgets(income=D(1200), costs_here=D(700), sent=D(400), received=D(8000),
                                     other_income_home=D(1000), costs_home=D(8500))
    assert (budget.left_here, budget.left_at_home, budget.saved_per_year_here) == (D(100), D(500), D(1200))


def test_calculator_pages(client, market):
    html = client.get("/en/learn/calculators/true-cost?corridor=ru-tj&amount=10000&fee=100"
                      "&rate=0.1188&per_month=2").get_data(as_text=True)
    assert "TJS1,188.00" in html and "2%" in html and "RUB4,800.00" in html
    html = client.get("/fr/learn/calculators/fewer-transfers?amount=400&fee=3&percent=1&now=4&planned=1"
                      ).get_data(as_text=True)
    assert "108" in html
    assert client.get("/en/learn/calculators/budget").status_code == 200
    for nothing in ("0", "0.00", "0,00", "00"):  # a fee of nothing, however it is typed
        response = client.get(f"/en/learn/calculators/true-cost?corridor=ru-tj&amount=10000&fee={nothing}"
                              "&rate=0.1188&per_month=1")
        assert response.status_code == 200 and "TJS1,188.00" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["amount=abc&corridor=ru-tj&rate=0.1", "corridor=ru-tj&amount=-1&rate=0.1",
                                   "corridor=xx-yy&amount=100&rate=0.1", "corridor=ru-tj&amount=100&rate=NaN",
                                   "corridor=ru-tj&amount=100&fee=200&rate=0.1&per_month=0",
                                   "corridor=ru-tj&amount=<b>&rate=0.1"])
def test_calculator_bad_input_is_a_400_with_the_form(client, market, query):
    response = client.get(f"/en/learn/calculators/true-cost?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'role="alert"' in html and 'name="amount"' in html
    assert "<b>" not in html


def test_offline_app_files(client):
    worker = client.get("/tg/sw.js")
    assert worker.mimetype == "text/javascript" and worker.headers["Service-Worker-Allowed"] == "/tg/"
    body = worker.get_data(as_text=True)
    assert f'"/tg/learn/{SLUG}"' in body and '"/tg/learn/calculators/budget"' in body and "/tg/offline" in body
    manifest = client.get("/ar/manifest.webmanifest").json
    assert manifest["dir"] == "rtl" and manifest["start_url"] == "/ar/"
    assert client.get("/tg/offline").status_code == 200


def test_lesson_pages_fit_the_first_round_trip(client):
    for code in ("en", "ar", "ru"):
        for module in modules(code):
            response = client.get(f"/{code}/learn/{module.slug}", headers={"Accept-Encoding": "gzip"})
            assert len(response.data) <= 14 * 1024, (code, module.slug, len(response.data))
