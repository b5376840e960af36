"""Remitly: requests, serves() and the parser against hand-written fixtures."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from urllib.parse import parse_qs, urlsplit

import pytest

from scrapers.base import QuoteQuery
from scrapers.quotes import remitly

from .conftest import answer, format_error, quote_fixture

COLLECTED_AT = datetime(2026, 4, 7, 9, 30, tzinfo=UTC)
URL = "https://api.remitly.io/v3/calculator/estimate"


def query(source: str = "IT", destination: str = "MD", receive: str = "MDL",
          amount: str = "500", send: str = "EUR", at: datetime = COLLECTED_AT) -> QuoteQuery:
    return QuoteQuery(source, destination, send, receive, Decimal(amount), at)


fixture = partial(quote_fixture, "remitly")


def parse(body: bytes, asked: QuoteQuery | None = None):
    return answer(remitly, body, asked or query())


# --- requests and serves ------------------------------------------------------------------

def test_request_is_the_documented_get():
    [made] = remitly.requests(query(), {})
    assert made.method == "GET"
    assert made.url == f"{URL}?conduit=ITA:EUR-MDA:MDL&anchor=SEND&amount=500"
    assert made.body is None
    assert dict(made.headers) == {"Accept": "application/json"}


def test_kosovo_is_xkx_and_paid_in_euro():
    [made] = remitly.requests(query("DE", "XK", "EUR", "200.00"), {})
    parts = urlsplit(made.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == URL
    assert parse_qs(parts.query) == {
        "conduit": ["DEU:EUR-XKX:EUR"], "anchor": ["SEND"], "amount": ["200.00"]}


def test_amount_is_a_plain_decimal_string_never_an_exponent():
    [made] = remitly.requests(query(amount="5E+2"), {})
    assert made.url.endswith("&amount=500")


@pytest.mark.parametrize("source, destination, receive, conduit", [
    ("IT", "AL", "ALL", "ITA:EUR-ALB:ALL"), ("IT", "MA", "MAD", "ITA:EUR-MAR:MAD"),
    ("IT", "UA", "UAH", "ITA:EUR-UKR:UAH"), ("DE", "RS", "RSD", "DEU:EUR-SRB:RSD"),
    ("DE", "BA", "BAM", "DEU:EUR-BIH:BAM"), ("DE", "TR", "TRY", "DEU:EUR-TUR:TRY"),
    ("ES", "MA", "MAD", "ESP:EUR-MAR:MAD"), ("FR", "DZ", "DZD", "FRA:EUR-DZA:DZD"),
    ("FR", "TN", "TND", "FRA:EUR-TUN:TND"), ("GR", "AL", "ALL", "GRC:EUR-ALB:ALL")])
def test_serves_the_listed_corridors(source, destination, receive, conduit):
    asked = query(source, destination, receive)
    assert remitly.serves(asked)
    [made] = remitly.requests(asked, {})
    assert parse_qs(urlsplit(made.url).query)["conduit"] == [conduit]


@pytest.mark.parametrize("asked", [
    query(receive="EUR"), query("DE", "XK", "ALL"), query("PL", "UA", "UAH", send="PLN"),
    query(send="USD"), query("RU", "TJ", "TJS", send="RUB"), query(amount="0")])
def test_does_not_serve_other_corridors(asked):
    assert not remitly.serves(asked)
    with pytest.raises(ValueError):
        remitly.requests(asked, {})


# --- parsing the fixtures -----------------------------------------------------------------

def test_promotion_gives_a_standard_and_a_promotional_observation():
    standard, promotional = parse(fixture("ita-mda-500.json"))
    for observation in (standard, promotional):
        assert (observation.source, observation.provider, observation.provider_name) == (
            "remitly", "remitly", "Remitly")
        assert (observation.source_country, observation.destination_country) == ("IT", "MD")
        assert (observation.send_currency, observation.receive_currency) == ("EUR", "MDL")
        assert observation.send_amount == Decimal("500.00")
        assert observation.fee == Decimal("1.99")
        assert observation.fee_mode == "on_top"
        assert (observation.payment_instrument, observation.access_point) == (
            "debit_card", "mobile_app")
        assert (observation.pickup_method, observation.speed) == (
            "bank_account", "less_than_1_hour")
        assert observation.collected_at == COLLECTED_AT
        assert observation.collection_method == "provider_api"
    assert (standard.exchange_rate, standard.promotional) == (Decimal("19.8420"), False)
    # receive_amount is 500 x 20.3420: it belongs to the promotional rate only.
    assert standard.received_amount is None
    assert (promotional.exchange_rate, promotional.promotional) == (Decimal("20.3420"), True)
    assert promotional.received_amount == Decimal("10171.00")


def test_without_promotion_one_standard_observation():
    [standard] = parse(fixture("ita-mda-500-no-promo.json"))
    assert (standard.exchange_rate, standard.fee, standard.received_amount) == (
        Decimal("19.8420"), Decimal("2.99"), Decimal("9921.00"))
    assert (standard.fee_mode, standard.promotional) == ("on_top", False)
    assert (standard.pickup_method, standard.speed) == ("cash", "same_day")
    assert all(type(value) is Decimal for value in (
        standard.send_amount, standard.fee, standard.exchange_rate, standard.received_amount))


def test_a_promotion_capped_below_the_amount_gives_no_promotional_observation():
    [standard] = parse(fixture("fra-mar-1000.json"), query("FR", "MA", "MAD", "1000"))
    assert (standard.exchange_rate, standard.fee) == (Decimal("10.8650"), Decimal("0.00"))
    # 10965 = 500 at 11.065 + 500 at 10.865: neither rate alone explains it.
    assert (standard.received_amount, standard.fee_mode) == (None, "unknown")
    assert (standard.payment_instrument, standard.speed) == ("bank_account", "2_days")


def test_a_promotional_rate_equal_to_the_standard_is_no_promotion():
    body = fixture("ita-mda-500.json").replace(b'"20.3420"', b'"19.8420"')
    body = body.replace(b'"10171.00"', b'"9921.00"')
    [standard] = parse(body)
    assert (standard.received_amount, standard.fee_mode) == (Decimal("9921.00"), "on_top")


def test_a_deducted_fee_is_recognised():
    body = fixture("ita-mda-500-no-promo.json").replace(b'"9921.00"', b'"9861.67"')
    [standard] = parse(body)   # (500 - 2.99) x 19.842 = 9861.672...
    assert (standard.received_amount, standard.fee_mode) == (Decimal("9861.67"), "deducted")


@pytest.mark.parametrize("estimate, speed", [
    ("2026-04-07T10:30:00+00:00", "less_than_1_hour"), ("2026-04-07T21:00:00Z", "same_day"),
    ("2026-04-08T08:00:00+02:00", "next_day"), ("2026-04-09", "2_days"),
    ("2026-04-11", "3_5_days"), ("2026-04-20", "6_days_or_more"),
    ("2026-04-06", "unknown"), ("2026-04-07T21:00:00", "unknown"), ("soon", "unknown")])
def test_delivery_estimate_to_speed_band(estimate, speed):
    body = fixture("ita-mda-500.json").replace(b"2026-04-07T09:45:00Z", estimate.encode())
    assert {o.speed for o in parse(body)} == {speed}


@pytest.mark.parametrize("code, pickup", [
    ("CASH_PICKUP", "cash"), ("MOBILE_WALLET", "mobile_wallet"),
    ("HOME_DELIVERY", "home_delivery"), ("CRYPTO", "unknown")])
def test_delivery_method_to_pickup(code, pickup):
    body = fixture("ita-mda-500.json").replace(b'"BANK_DEPOSIT"', f'"{code}"'.encode())
    assert {o.pickup_method for o in parse(body)} == {pickup}


def test_without_delivery_or_payment_fields_the_defaults_apply():
    body = fixture("ita-mda-500-no-promo.json").replace(b'"conduit":', b'"route":')
    for field in (b'"pay_in_method":"DEBIT_CARD",', b'"pay_out_method":"CASH_PICKUP",',
                  b',"delivery_date_estimate":"2026-04-07"'):
        assert field in body
        body = body.replace(field, b"")
    [standard] = parse(body)
    assert (standard.payment_instrument, standard.pickup_method, standard.speed) == (
        "debit_card", "unknown", "unknown")


# --- changed payloads ---------------------------------------------------------------------

def test_an_unknown_extra_field_still_parses():
    body = fixture("ita-mda-500.json").replace(
        b'"send_amount":"500.00",', b'"send_amount":"500.00","new_feature":{"x":[1,2]},', 1)
    assert parse(body) == parse(fixture("ita-mda-500.json"))


def test_a_json_number_where_a_string_was_parses_exactly():
    body = fixture("ita-mda-500.json").replace(b'"base_rate":"19.8420"', b'"base_rate":19.8420')
    body = body.replace(b'"send_amount":"500.00"', b'"send_amount":500.00', 1)
    standard, _ = parse(body)
    assert (standard.exchange_rate, standard.send_amount) == (Decimal("19.8420"), Decimal("500.00"))
    assert str(standard.exchange_rate) == "19.8420"   # through the text, not a float


# --- failures -----------------------------------------------------------------------------

CHALLENGE = (b"<html><head><title>Access denied</title></head><body>"
             b"<h1>Please verify you are a human</h1>"
             b"<script src=\"/captcha.js\"></script></body></html>")


@pytest.mark.parametrize("body, reason", [
    (b"", "empty"),
    (b"\n", "empty"),
    (CHALLENGE, "HTML page.*does not work around it"),
    (b'{"estimate":{"send_amount":"500.00",', "truncated"),
    (b"estimate=500", "not valid JSON"),
    (b'"estimate"', "expected a JSON object"),
    (b"null", "expected a JSON object"),
    (b'{"error":"rate limited"}', "has no 'estimate' field"),
    (b'{"estimate":[]}', r"estimate of the response is \[\], expected an object"),
])
def test_malformed_bodies_fail_with_a_reason(body, reason):
    with format_error("remitly", reason):
        parse(body)


@pytest.mark.parametrize("old, new, reason", [
    (b'"base_rate"', b'"baseRate"', "'base_rate'"),
    (b'"total_fee_amount"', b'"total_fee"', "'total_fee_amount'"),
    (b'"receive_amount":"10171.00"', b'"receive_amount_with_promo":"10171.00"', "'receive_amount'"),
    (b'"exchange_rate":{', b'"rates":{', "'exchange_rate'"),
    (b'"fee":{', b'"fees":{', "'fee'"),
    (b'"total_fee_amount":"1.99"', b'"total_fee_amount":"1,99 EUR"', "not a number"),
    (b'"total_fee_amount":"1.99"', b'"total_fee_amount":"-1.99"', "not a non-negative"),
    (b'"base_rate":"19.8420"', b'"base_rate":null', "not a number"),
    (b'"base_rate":"19.8420"', b'"base_rate":"0"', "not a positive"),
    (b'"send_amount":"500.00"', b'"send_amount":{"value":"500.00"}', "not a number"),
    (b'"promotional_exchange_rate":"20.3420"', b'"promotional_exchange_rate":"n/a"',
     "not a number"),
    (b'"capped_promotional_exchange_rate_amount":"1000.00"',
     b'"capped_promotional_exchange_rate_amount":"-1"', "not a positive"),
    (b'{"alpha3":"MDL"}', b'{"alpha3":"EUR"}', "target_currency is 'EUR'"),
    (b'{"alpha3":"EUR"}', b'{"alpha3":"GBP"}', "source_currency is 'GBP'"),
])
def test_a_changed_or_wrong_field_fails(old, new, reason):
    body = fixture("ita-mda-500.json")
    assert old in body
    with format_error("remitly", reason):
        parse(body.replace(old, new, 1))


def test_a_truncated_fixture_fails():
    body = fixture("ita-mda-500-no-promo.json")
    with format_error("remitly", "truncated"):
        parse(body[:-3])
