"""The partner portal and the admin's decision in Chromium at desktop size: sign-in,
flagging a price, API keys, upholding a dispute, and what one partner cannot see."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

import pyotp
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from werkzeug.serving import make_server

from remit import accounts, partners
from remit.models import Provider, Quote, Service, User
from tests.site_data import market_app

DESKTOP = {"width": 1280, "height": 800}
PASSWORD = "correct horse battery staple"
PARTNER_A = "a@cheap-cash.example"   # provider cheap-cash ("Cheap Cash")
PARTNER_B = "b@card-fast.example"    # provider card-fast ("Card Fast")
ADMIN = "operator@remit.example"
SCRIPT = "<script>alert(1)</script>"
RESULTS = "/en/send/ru-tj?amount=10000"
WORKER_ACTIVE = """async () => {
  for (let i = 0; i < 300; i++) {
    const registration = await navigator.serviceWorker.getRegistration("/en/");
    if (registration && registration.active) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}"""


class Latency:
    """WSGI middleware: answers the lesson pages late, as over a slow connection, while
    ``seconds`` is above zero (zero, the default, changes nothing)."""

    def __init__(self, app) -> None:
        self.app = app
        self.seconds = 0.0
        self.delayed = threading.Event()  # set when a first answer is being held back

    def __call__(self, environ, start_response):
        if self.seconds and environ["PATH_INFO"].startswith("/en/learn/"):
            self.delayed.set()
            time.sleep(self.seconds)
        return self.app(environ, start_response)


@dataclass(frozen=True)
class Portal:
    """The live site, and what the tests need to reach behind it."""

    url: str
    engine: Engine
    totp_secret: str  # the admin's
    latency: Latency

    def raise_dispute(self, email: str, comment: str) -> int:
        """A dispute by this partner on its provider's first quote, straight in the database."""
        with Session(self.engine) as session:
            user = session.exec(select(User).where(User.email == email)).one()
            quote_id = session.exec(select(Quote.id).join(Service)
                                    .where(Service.provider_id == user.provider_id)).first()
            dispute = partners.raise_dispute(session, user, quote_id, "wrong_rate", comment)
            session.commit()
            return dispute.id


@pytest.fixture
def portal(database_url, tmp_path):
    """The site on a real HTTP port (plain http, so cookies without Secure), with two
    partners (cheap-cash and card-fast) and an admin who has a second factor."""
    app = market_app(database_url, tmp_path, SESSION_COOKIE_SECURE=False)
    engine = app.extensions["remit.engine"]
    secret = pyotp.random_base32()
    with Session(engine) as session:
        for email, slug in ((PARTNER_A, "cheap-cash"), (PARTNER_B, "card-fast")):
            provider = session.exec(select(Provider).where(Provider.slug == slug)).one()
            accounts.add_user(session, email, "partner", provider=provider, password=PASSWORD)
        admin = accounts.add_user(session, ADMIN, "admin", password=PASSWORD)
        admin.totp_secret = secret
        session.add(admin)
        session.commit()
    latency = Latency(app)
    server = make_server("127.0.0.1", 0, latency, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Portal(f"http://127.0.0.1:{server.server_port}", engine, secret, latency)
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    engine.dispose()


@pytest.fixture
def page(browser):
    """A fresh desktop-sized page in a context of its own (no cookies from other tests)."""
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    yield context.new_page()
    context.close()


def sign_in(page, portal: Portal, email: str, password: str = PASSWORD) -> None:
    """Fill the login form and send it (no waiting: the caller knows where it lands)."""
    page.goto(f"{portal.url}/partners/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_in_partner(page, portal: Portal, email: str) -> None:
    sign_in(page, portal, email)
    page.wait_for_url(f"{portal.url}/partners/")


def sign_in_admin(page, portal: Portal) -> None:
    """Password, then the authenticator's current code."""
    sign_in(page, portal, ADMIN)
    page.wait_for_url(f"{portal.url}/partners/login/code")
    page.get_by_label("Code").fill(pyotp.TOTP(portal.totp_secret).now())
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{portal.url}/admin/")


def offer_names(page) -> list[str]:
    return [name.strip() for name in page.locator(".offer h3").all_inner_texts()]


def test_partner_login_listing_and_sign_out(portal, page):
    sign_in(page, portal, PARTNER_A, "not the password at all")
    assert page.get_by_role("alert").inner_text() == "Email or password is wrong."
    assert page.url == f"{portal.url}/partners/login"

    sign_in_partner(page, portal, PARTNER_A)
    assert page.get_by_role("heading", level=1).inner_text() == "Cheap Cash: how remit lists you"
    prices = page.locator("table").first
    assert prices.locator("th", has_text="Rank").is_visible()
    rank = prices.locator("tbody tr").first.locator("td").nth(5).inner_text().strip()
    assert re.fullmatch(r"\d+ of \d+", rank), rank

    page.get_by_role("button", name=f"Sign out {PARTNER_A}").click()
    page.wait_for_url(f"{portal.url}/partners/login")
    assert page.get_by_role("heading", level=1).inner_text() == "Partner and operator sign-in"
    page.goto(f"{portal.url}/partners/")
    page.wait_for_url(re.compile(r"/partners/login\?next=/partners/$"))
    assert page.get_by_label("Password").is_visible()


def test_dispute_is_listed_and_its_comment_shown_as_text(portal, page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in_partner(page, portal, PARTNER_A)

    flag = page.locator("details", has=page.locator("summary", has_text="Flag")).first
    flag.locator("summary").click()
    flag.get_by_label("What is wrong").select_option("wrong_fee")
    flag.get_by_label("Details").fill(f"The fee is 0 since May. {SCRIPT}")
    flag.get_by_role("button", name="Send to the operator").click()
    page.wait_for_url(f"{portal.url}/partners/disputes")

    rows = page.locator("tbody tr")
    assert rows.count() == 1
    cells = [text.strip() for text in rows.first.locator("td").all_inner_texts()]
    assert cells[2:5] == ["wrong fee", f"The fee is 0 since May. {SCRIPT}", "open"]
    assert page.locator(f"text={SCRIPT}").is_visible()
    assert page.locator("tbody script").count() == 0
    assert dialogs == []


def test_admin_upholds_a_dispute_and_the_price_leaves_the_results(portal, browser, page):
    portal.raise_dispute(PARTNER_A, "The rate shown is from last year.")
    # a member of the public sees the price before the decision (and the server caches the page)
    visitor = browser.new_context(viewport=DESKTOP, locale="en-US")
    try:
        before = visitor.new_page()
        before.goto(portal.url + RESULTS)
        assert "Cheap Cash" in offer_names(before)
    finally:
        visitor.close()

    sign_in_admin(page, portal)
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Disputes").click()
    page.wait_for_url(f"{portal.url}/admin/disputes")
    row = page.locator("tbody tr", has_text="Cheap Cash")
    row.get_by_label("Public note (required to uphold)").fill("The rate was last year's.")
    row.get_by_role("button", name="Uphold: remove the price").click()
    page.wait_for_url(f"{portal.url}/admin/disputes")
    decided = page.locator("tbody tr", has_text="Cheap Cash").inner_text()
    assert "upheld: The rate was last year's." in decided

    page.goto(portal.url + RESULTS)  # never opened in this context: nothing from the HTTP cache
    note = page.get_by_text("removed after a review")
    assert "Cheap Cash" in note.inner_text() and "The rate was last year's." in note.inner_text()
    names = offer_names(page)
    assert names and "Cheap Cash" not in names


def test_api_key_is_shown_once_then_only_its_prefix_and_can_be_revoked(portal, page):
    sign_in_partner(page, portal, PARTNER_A)
    page.get_by_role("link", name="API keys").click()
    page.wait_for_url(f"{portal.url}/partners/keys")
    assert page.get_by_text("No keys yet.").is_visible()
    page.get_by_label("Name of the new key").fill("pricing")
    page.get_by_role("button", name="Create a key").click()
    secret = page.locator("#new-key").inner_text().strip()
    assert secret.startswith("rmt_") and len(secret) > 40

    page.goto(f"{portal.url}/partners/keys")  # not reload(): that would send the form again
    assert page.locator("#new-key").count() == 0
    assert secret not in page.content()
    row = page.locator("tbody tr", has_text="pricing")
    assert row.locator("code").inner_text() == f"{secret[:12]}…"
    assert row.locator("td").nth(4).inner_text().strip() == "active"

    row.get_by_role("button", name="Revoke").click()
    page.wait_for_url(f"{portal.url}/partners/keys")
    state = page.locator("tbody tr", has_text="pricing").locator("td").nth(4).inner_text().strip()
    assert re.fullmatch(r"revoked \d{4}-\d{2}-\d{2}", state), state
    assert page.get_by_role("button", name="Revoke").count() == 0


def test_a_partner_sees_neither_another_partners_disputes_nor_the_admin(portal, page):
    portal.raise_dispute(PARTNER_A, "Only Cheap Cash may read this.")
    sign_in_partner(page, portal, PARTNER_B)
    assert page.get_by_role("heading", level=1).inner_text() == "Card Fast: how remit lists you"
    page.get_by_role("link", name="Disputes").click()
    page.wait_for_url(f"{portal.url}/partners/disputes")
    assert page.locator("tbody tr").all_inner_texts() == ["No disputes."]
    assert "Only Cheap Cash" not in page.content()

    response = page.goto(f"{portal.url}/admin/")
    assert response.status == 404
    assert page.get_by_role("alert").inner_text() == "There is no page at this address."


def test_sign_in_while_the_lessons_are_stored_for_offline_use(portal, page):
    """A visitor opens a comparison, then at once the partner sign-in, on a slow connection."""
    portal.latency.seconds = 1.0  # a slow connection: the worker's install takes a while
    page.goto(portal.url + RESULTS)  # registers the service worker of /en/, which stores the lessons
    assert portal.latency.delayed.wait(timeout=10)  # its first requests, without a session, are out
    page.goto(f"{portal.url}/partners/login")
    page.get_by_label("Email").fill(PARTNER_A)
    page.get_by_label("Password").fill(PASSWORD)
    assert page.evaluate(WORKER_ACTIVE)  # every lesson stored: their answers have all come
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url == f"{portal.url}/partners/", page.get_by_role("alert").all_inner_texts()
