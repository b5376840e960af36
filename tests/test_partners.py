"""Partner portal and admin: the authorisation matrix, CSRF, XSS, throttling, API keys,
invitations, password resets by email, disputes and the audit log."""

from __future__ import annotations

import json
import re
import socket
from datetime import timedelta
from decimal import Decimal
from email import message_from_bytes

import pyotp
import pytest
from sqlmodel import Session, select

from remit import accounts, partners
from remit.history import cost_history
from remit.models import ApiKey, AuditEvent, Corridor, Dispute, OneTimeToken, Provider, ProviderFeed, Quote, Service, User
from remit.types import utcnow
from tests.site_data import russia_tajikistan

PASSWORD = "correct horse battery staple"
ADMIN_SECRET = pyotp.random_base32()


def db(app) -> Session:
    return Session(app.extensions["remit.engine"], expire_on_commit=False)


@pytest.fixture
def portal(app):
    """RUS-TJK prices, partner A (cheap-cash), partner B (card-fast), an admin with TOTP."""
    with db(app) as session:
        russia_tajikistan(session)
        a = session.exec(select(Provider).where(Provider.slug == "cheap-cash")).one()
        b = session.exec(select(Provider).where(Provider.slug == "card-fast")).one()
        accounts.add_user(session, "a@bank.example", "partner", provider=a, password=PASSWORD)
        accounts.add_user(session, "b@mto.example", "partner", provider=b, password=PASSWORD)
        admin = accounts.add_user(session, "ops@remit.example", "admin", password=PASSWORD)
        admin.totp_secret = ADMIN_SECRET
        session.commit()
        quote_a = session.exec(select(Quote).join(Service).where(Service.provider_id == a.id)).first()
        user_a = session.exec(select(User).where(User.email == "a@bank.example")).one()
        user_b = session.exec(select(User).where(User.email == "b@mto.example")).one()
        key_secret, key = partners.create_key(session, user_a, "pricing")
        feed = partners.add_feed(session, user_a, "https://bank.example/prices.json")
        dispute = partners.raise_dispute(session, user_a, quote_a.id, "wrong_fee", "the fee is 0")
        session.commit()
        return {"quote_a": quote_a.id, "key_a": key.id, "key_secret": key_secret, "feed_a": feed.id,
                "dispute_a": dispute.id, "user_b": user_b.id, "provider_a": a.id}


def token(client, url="/partners/login") -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, email, password=PASSWORD, code=None):
    response = client.post("/partners/login", data={"email": email, "password": password,
                                                   "csrf_token": token(client)})
    if response.status_code == 302 and response.location.endswith("/partners/login/code"):
        response = client.post("/partners/login/code", data={
            "code": code or pyotp.TOTP(ADMIN_SECRET).now(), "csrf_token": token(client, "/partners/login/code")})
    return response


@pytest.fixture
def clients(app, portal):
    """One client per role, each signed in."""
    made = {}
    for name, email in (("anonymous", None), ("partner_a", "a@bank.example"),
                        ("partner_b", "b@mto.example"), ("admin", "ops@remit.example")):
        client = app.test_client()
        if email:
            assert login(client, email).status_code == 302, name
        made[name] = client
    return made


# --- the authorisation matrix ----------------------------------------------------------------

PARTNER_PAGES = ["/partners/", "/partners/disputes", "/partners/keys", "/partners/feeds", "/partners/quotes.csv"]
ADMIN_PAGES = ["/admin/", "/admin/disputes", "/admin/users", "/admin/corridors", "/admin/providers", "/admin/audit"]


def status(client, url) -> int:
    """GET, buffered: a streamed CSV keeps its request (and its database transaction, on
    the one connection of an in-memory database) open until the body is read and closed."""
    return client.get(url, buffered=True).status_code


@pytest.mark.parametrize("url", PARTNER_PAGES)
def test_partner_pages(clients, url):
    assert status(clients["anonymous"], url) == 302
    assert status(clients["partner_a"], url) == 200
    assert status(clients["partner_b"], url) == 200
    assert status(clients["admin"], url) == 404


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages(clients, url):
    assert status(clients["anonymous"], url) == 302
    assert status(clients["partner_a"], url) == 404
    assert status(clients["partner_b"], url) == 404
    assert status(clients["admin"], url) == 200


def _post(client, url, data=None):
    return client.post(url, data={**(data or {}), "csrf_token": token(client)})


@pytest.mark.parametrize(("url", "data"), [
    ("/partners/quotes/{quote_a}/dispute", {"reason": "other", "comment": "x"}),
    ("/partners/keys/{key_a}/revoke", {}),
    ("/partners/feeds/{feed_a}/stop", {}),
])
def test_a_partners_objects_are_its_own(clients, portal, url, data):
    url = url.format(**portal)
    for name in ("anonymous", "partner_b", "admin"):
        assert _post(clients[name], url, data).status_code == 404, name
    assert _post(clients["partner_a"], url, data).status_code == 302


@pytest.mark.parametrize(("url", "data"), [
    ("/admin/disputes/{dispute_a}", {"decision": "reject"}),
    ("/admin/corridors/1", {"enabled": "0"}),
    ("/admin/users/{user_b}/disable", {}),
    ("/admin/invitations", {"email": "new@bank.example", "role": "partner", "provider": "promo-bank"}),
])
def test_admin_actions(clients, portal, url, data):
    url = url.format(**portal)
    for name in ("anonymous", "partner_a", "partner_b"):
        assert _post(clients[name], url, data).status_code == 404, name
    assert _post(clients["admin"], url, data).status_code == 302


def test_the_csv_holds_only_the_partners_own_prices(clients):
    text = clients["partner_a"].get("/partners/quotes.csv", buffered=True).get_data(as_text=True)
    assert text.count("\n") == 2 and ",cheap-cash," in text and "card-fast" not in text


# --- CSRF, XSS, sessions ---------------------------------------------------------------------


def test_forms_without_or_with_a_wrong_token_are_refused(clients, portal):
    client = clients["partner_a"]
    url = f"/partners/quotes/{portal['quote_a']}/dispute"
    assert client.post(url, data={"reason": "other", "comment": "x"}).status_code == 400
    assert client.post(url, data={"reason": "other", "comment": "x", "csrf_token": "forged"}).status_code == 400
    assert client.post("/partners/login", data={"email": "a@bank.example", "password": PASSWORD}).status_code == 400


def test_markup_in_comments_and_names_is_escaped(clients, portal, app):
    attack = '<script>alert("x")</script>'
    _post(clients["partner_a"], f"/partners/quotes/{portal['quote_a']}/dispute",
          {"reason": "other", "comment": attack})
    with db(app) as session:
        provider = session.get(Provider, portal["provider_a"])
        provider.name = f"Bank {attack}"
        session.add(provider)
        session.commit()
    for client, url in ((clients["partner_a"], "/partners/disputes"), (clients["admin"], "/admin/disputes"),
                        (clients["partner_a"], "/partners/"), (clients["admin"], "/admin/providers")):
        html = client.get(url).get_data(as_text=True)
        assert attack not in html and "&lt;script&gt;" in html, url


def test_login_renews_the_session_and_logout_ends_it(app, portal):
    client = app.test_client()
    client.get("/partners/login")
    before = client.get_cookie("session").value
    login(client, "a@bank.example")
    assert client.get_cookie("session").value != before
    assert client.get("/partners/").status_code == 200
    _post(client, "/partners/logout")
    assert client.get("/partners/").status_code == 302


def test_admins_must_set_up_a_second_factor(app, portal):
    with db(app) as session:
        accounts.add_user(session, "new-admin@remit.example", "admin", password=PASSWORD)
        session.commit()
    client = app.test_client()
    response = login(client, "new-admin@remit.example")
    assert response.location.endswith("/partners/login/totp")
    assert client.get("/admin/").status_code == 302  # not signed in yet
    html = client.get("/partners/login/totp").get_data(as_text=True)
    secret = re.search(r"Key: <code>([A-Z2-7]+)</code>", html).group(1)
    wrong = client.post("/partners/login/totp", data={"code": "000000", "csrf_token": token(client, "/partners/login/totp")})
    assert wrong.status_code == 400
    client.post("/partners/login/totp", data={"code": pyotp.TOTP(secret).now(),
                                             "csrf_token": token(client, "/partners/login/totp")})
    assert client.get("/admin/").status_code == 200


def test_the_password_alone_cannot_replace_a_second_factor(app, portal):
    client = app.test_client()
    response = _post(client, "/partners/login", {"email": "ops@remit.example", "password": PASSWORD})
    assert response.location.endswith("/partners/login/code")
    assert client.get("/partners/login/totp").status_code == 404
    assert client.post("/partners/login/totp", data={"code": "000000", "csrf_token": token(client)}).status_code == 404
    assert client.get("/admin/").status_code == 302
    signed_in = app.test_client()
    login(signed_in, "ops@remit.example", code=pyotp.TOTP(ADMIN_SECRET).now())
    assert signed_in.get("/admin/").status_code == 200
    assert signed_in.get("/partners/login/totp").status_code == 404


def test_a_wrong_second_factor_is_refused(app, portal):
    client = app.test_client()
    assert login(client, "ops@remit.example", code="123456").status_code == 401
    assert client.get("/admin/").status_code == 302


def test_failed_logins_are_throttled_per_account_and_per_address(app, portal):
    app.config.update(LOGIN_FAILURES_PER_ACCOUNT=3, LOGIN_FAILURES_PER_ADDRESS=4)
    client = app.test_client()
    for _ in range(3):
        assert login(client, "a@bank.example", "wrong password!").status_code == 401
    blocked = login(client, "a@bank.example")  # even the right password, for now
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert login(client, "b@mto.example", "wrong password!").status_code == 401
    assert login(client, "b@mto.example", "wrong password!").status_code == 429  # the address's limit


def test_unknown_email_and_wrong_password_look_the_same(app, portal):
    client = app.test_client()
    unknown = login(client, "nobody@example.org").get_data(as_text=True)
    wrong = login(client, "a@bank.example", "wrong password!").get_data(as_text=True)
    assert "Email or password is wrong." in unknown and "Email or password is wrong." in wrong


# --- API keys and price submission --------------------------------------------------------------

SHEET = {
    "format": "remit-price-feed", "version": "1.0", "published_at": None,
    "provider": {"slug": "cheap-cash", "name": "Cheap Cash"},
    "prices": [{"id": "p1", "from": "RU", "to": "TJ", "send_currency": "RUB", "receive_currency": "TJS",
                "send_amount": "10000", "fee": "0", "fee_mode": "on_top", "exchange_rate": "0.1190",
                "payment_instrument": "cash", "access_point": "agent", "pickup_method": "cash",
                "speed": "less_than_1_hour"}],
}


def _sheet(slug="cheap-cash"):
    sheet = json.loads(json.dumps(SHEET))
    sheet["published_at"] = (utcnow() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sheet["provider"]["slug"] = slug
    return json.dumps(sheet)


def _submit(client, key, body):
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    return client.post("/api/v1/partner/quotes", data=body, headers=headers, content_type="application/json")


def test_price_submission_with_a_key(app, portal, client):
    response = _submit(client, portal["key_secret"], _sheet())
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.json["stored"] == 1 and response.json["raw_sha256"]
    with db(app) as session:
        stored = session.exec(select(Quote).where(Quote.collection_method == "partner_submitted")).all()
        assert len(stored) == 1 and stored[0].exchange_rate == Decimal("0.119")
    html = client.get("/en/send/ru-tj?amount=10000").get_data(as_text=True)
    assert "Price submitted by the provider" in html


@pytest.mark.parametrize("case", ["missing", "wrong", "revoked", "other_provider", "malformed"])
def test_price_submission_refusals(app, portal, client, case):
    key, body = portal["key_secret"], _sheet()
    if case == "missing":
        key = None
    elif case == "wrong":
        key = "rmt_" + "x" * 40
    elif case == "revoked":
        with db(app) as session:
            user = session.exec(select(User).where(User.email == "a@bank.example")).one()
            partners.revoke_key(session, user, portal["key_a"])
            session.commit()
    elif case == "other_provider":
        body = _sheet("card-fast")
    else:
        body = "{not json"
    response = _submit(client, key, body)
    expected = {"missing": 401, "wrong": 401, "revoked": 401, "other_provider": 403, "malformed": 400}[case]
    assert response.status_code == expected and response.mimetype == "application/problem+json"
    with db(app) as session:
        assert session.exec(select(Quote).where(Quote.collection_method == "partner_submitted")).first() is None


def test_a_new_key_is_shown_once_and_stored_hashed(clients, app):
    html = _post(clients["partner_b"], "/partners/keys", {"name": "erp"}).get_data(as_text=True)
    secret = re.search(r'<code id="new-key">(rmt_[^<]+)</code>', html).group(1)
    assert secret not in clients["partner_b"].get("/partners/keys").get_data(as_text=True)
    with db(app) as session:
        assert all(secret not in (key.key_hash, key.prefix) for key in session.exec(select(ApiKey)))


# --- invitations and resets ---------------------------------------------------------------------


def _invite(app, email="new@bank.example", days=7):
    with db(app) as session:
        provider = session.exec(select(Provider).where(Provider.slug == "promo-bank")).one()
        secret = accounts.create_token(session, "invite", email, role="partner", provider_id=provider.id,
                                       valid_for=timedelta(days=days))
        session.commit()
        return secret


def _choose_password(client, url, password=PASSWORD):
    return client.post(url, data={"password": password, "confirm": password, "csrf_token": token(client, url)})


def test_an_invitation_works_once(app, portal, client):
    secret = _invite(app)
    assert _choose_password(client, f"/partners/invitation/{secret}").status_code == 302
    assert login(app.test_client(), "new@bank.example").status_code == 302
    assert client.get(f"/partners/invitation/{secret}").status_code == 404  # used


def test_an_expired_invitation_is_refused(app, portal, client):
    secret = _invite(app)
    with db(app) as session:
        for row in session.exec(select(OneTimeToken)):
            row.expires_at = utcnow() - timedelta(minutes=1)
            session.add(row)
        session.commit()
    assert client.get(f"/partners/invitation/{secret}").status_code == 404
    assert client.get("/partners/invitation/made-up").status_code == 404


def test_a_short_password_is_refused(app, portal, client):
    secret = _invite(app)
    response = _choose_password(client, f"/partners/invitation/{secret}", "short")
    assert response.status_code == 400 and "at least 12 characters" in response.get_data(as_text=True)


@pytest.fixture
def smtp_sink(app):
    """A local SMTP server that keeps what it receives (aiosmtpd)."""
    from aiosmtpd.controller import Controller

    class Keep:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            self.messages.append(message_from_bytes(envelope.content))
            return "250 OK"

    handler = Keep()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False)
    yield handler.messages
    controller.stop()


def test_password_reset_by_email_ends_other_sessions(app, portal, clients, smtp_sink):
    client = app.test_client()
    client.post("/partners/reset", data={"email": "a@bank.example", "csrf_token": token(client, "/partners/reset")})
    assert len(smtp_sink) == 1 and smtp_sink[0]["To"] == "a@bank.example"
    link = re.search(r"http://localhost(/partners/reset/\S+)", smtp_sink[0].get_payload()).group(1)
    assert _choose_password(client, link, "a brand new long password").status_code == 302
    assert clients["partner_a"].get("/partners/").status_code == 302  # the old session ended
    assert login(app.test_client(), "a@bank.example", "a brand new long password").status_code == 302
    assert client.get(link).status_code == 404  # used


def test_reset_requests_do_not_reveal_accounts(app, portal, smtp_sink):
    client = app.test_client()
    answers = [client.post("/partners/reset", data={"email": email, "csrf_token": token(client, "/partners/reset")}
                           ).get_data(as_text=True) for email in ("a@bank.example", "nobody@example.org")]
    assert "If this address has an account" in answers[0] and "If this address has an account" in answers[1]
    assert len(smtp_sink) == 1


def test_an_invitation_by_the_admin_is_emailed(app, portal, clients, smtp_sink):
    _post(clients["admin"], "/admin/invitations", {"email": "new@bank.example", "role": "partner",
                                                  "provider": "promo-bank"})
    assert smtp_sink[-1]["To"] == "new@bank.example" and "/partners/invitation/" in smtp_sink[-1].get_payload()


# --- disputes and the audit log ------------------------------------------------------------------


def test_an_upheld_dispute_removes_the_price_publicly_and_keeps_history(app, portal, clients):
    before = clients["anonymous"].get("/en/send/ru-tj?amount=10000").get_data(as_text=True)
    assert "Cheap Cash" in before
    charted = _services_in_history(app)
    missing_note = _post(clients["admin"], f"/admin/disputes/{portal['dispute_a']}", {"decision": "uphold"})
    assert missing_note.status_code == 400
    _post(clients["admin"], f"/admin/disputes/{portal['dispute_a']}", {"decision": "uphold", "note": "fee was wrong"})
    after = clients["anonymous"].get("/en/send/ru-tj?amount=10000").get_data(as_text=True)
    assert "fee was wrong" in after and 'href="/en/provider/cheap-cash"' not in after
    assert _services_in_history(app) == charted - 1  # nor is it charted
    with db(app) as session:
        assert session.get(Dispute, portal["dispute_a"]).status == "upheld"
        assert session.get(Quote, portal["quote_a"]) is not None  # nothing deleted
        actions = [event.action for event in session.exec(select(AuditEvent))]
    assert {"dispute.raised", "dispute.upheld", "apikey.created", "feed.added", "user.login"} <= set(actions)
    assert "dispute.upheld" in clients["admin"].get("/admin/audit").get_data(as_text=True)


def _services_in_history(app):
    with db(app) as session:
        corridor = session.exec(select(Corridor).where(Corridor.source_country == "RUS",
                                                       Corridor.destination_country == "TJK")).one()
        return cost_history(session, corridor).points[-1].services


def test_a_rejected_dispute_keeps_the_price(app, portal, clients):
    _post(clients["admin"], f"/admin/disputes/{portal['dispute_a']}", {"decision": "reject"})
    assert "Cheap Cash" in clients["anonymous"].get("/en/send/ru-tj?amount=10000").get_data(as_text=True)
    assert _post(clients["admin"], f"/admin/disputes/{portal['dispute_a']}",
                 {"decision": "uphold", "note": "x"}).status_code == 400  # decided once


def test_registered_feeds_are_pulled_by_the_scheduler(app, portal):
    from remit import scheduler
    scheduler._app = app
    with app.app_context():
        assert "https://bank.example/prices.json" in scheduler.feed_urls()
    with db(app) as session:
        for feed in session.exec(select(ProviderFeed)):
            feed.active = False
            session.add(feed)
        session.commit()
    with app.app_context():
        assert "https://bank.example/prices.json" not in scheduler.feed_urls()


def test_users_command(runner, app):
    with db(app) as session:
        russia_tajikistan(session)
        session.commit()
    result = runner.invoke(args=["users", "add", "x@bank.example", "--role", "partner", "--provider",
                                 "cheap-cash", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "partner account created" in result.output
    refused = runner.invoke(args=["users", "add", "y@bank.example", "--role", "partner", "--password-stdin"],
                            input=PASSWORD + "\n")
    assert refused.exit_code != 0 and "needs --provider" in refused.output
    empty = runner.invoke(args=["users", "add", "z@bank.example", "--role", "partner", "--provider",
                                "cheap-cash", "--password-stdin"], input="\n")
    assert empty.exit_code != 0 and "at least" in empty.output  # never an account nobody can sign in to
    listing = runner.invoke(args=["users", "list"])
    assert "x@bank.example" in listing.output and "cheap-cash" in listing.output
