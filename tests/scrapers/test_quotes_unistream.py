"""Unistream: requests, serves() and the parser against hand-written fixtures."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from urllib.parse import parse_qsl

import pytest

from scrapers.base import QuoteQuery, Request
from scrapers.quotes import unistream

from .conftest import answer, format_error, quote_fixture

COLLECTED_AT = datetime(2026, 4, 7, 9, 30, tzinfo=UTC)
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}


def query(destination: str = "TJ", receive: str = "TJS", amount: str = "10000",
          source: str = "RU", send: str = "RUB") -> QuoteQuery:
    return QuoteQuery(source, destination, send, receive, Decimal(amount), COLLECTED_AT)


fixture = partial(quote_fixture, "unistream")


def parse(body: bytes, asked: QuoteQuery | None = None):
    return answer(unistream, body, asked or query())


# --- requests and serves ------------------------------------------------------------------

def test_request_is_the_documented_form_post():
    [made] = unistream.requests(query(), {})
    assert made.method == "POST"
    assert made.url == "https://api6.unistream.com/api/v1/transfer/calculate"
    assert dict(made.headers) == FORM
    assert made.body == (b"senderBankId=361934&acceptedCurrency=RUB&withdrawCurrency=TJS"
                         b"&amount=10000&countryCode=TJK")


def test_request_fields_for_usd_to_uzbekistan_with_cents():
    [made] = unistream.requests(query("UZ", "USD", "20000.50"), {})
    assert parse_qsl(made.body.decode("ascii")) == [
        ("senderBankId", "361934"), ("acceptedCurrency", "RUB"), ("withdrawCurrency", "USD"),
        ("amount", "20000.50"), ("countryCode", "UZB")]


def test_amount_is_a_plain_decimal_string_never_an_exponent():
    [made] = unistream.requests(query(amount="1E+4"), {})
    assert b"&amount=10000&" in made.body


def test_sender_bank_id_can_be_overridden_by_a_setting():
    [made] = unistream.requests(query(), {"UNISTREAM_SENDER_BANK_ID": "42"})
    assert made.body.startswith(b"senderBankId=42&")


@pytest.mark.parametrize("destination, receive, alpha3", [
    ("TJ", "TJS", "TJK"), ("KG", "KGS", "KGZ"), ("UZ", "UZS", "UZB"), ("AM", "AMD", "ARM"),
    ("GE", "GEL", "GEO"), ("MD", "USD", "MDA"), ("TJ", "USD", "TJK")])
def test_serves_russia_to_the_listed_payouts(destination, receive, alpha3):
    asked = query(destination, receive)
    assert unistream.serves(asked)
    [made] = unistream.requests(asked, {})
    assert made.body.endswith(f"&countryCode={alpha3}".encode())


@pytest.mark.parametrize("asked", [
    query("MD", "MDL"), query("TJ", "EUR"), query("KZ", "KZT"),
    query(source="IT", send="EUR"), query(send="USD"), query(amount="0")])
def test_does_not_serve_other_corridors(asked):
    assert not unistream.serves(asked)
    with pytest.raises(ValueError):
        unistream.requests(asked, {})


# --- parsing the fixtures -----------------------------------------------------------------

def test_two_payout_options_both_with_the_fee_deducted():
    cash, card = parse(fixture("rub-tjs-10000.json"))
    assert (cash.source, cash.provider, cash.provider_name) == (
        "unistream", "unistream", "Unistream")
    assert (cash.source_country, cash.destination_country) == ("RU", "TJ")
    assert (cash.send_currency, cash.receive_currency) == ("RUB", "TJS")
    assert cash.send_amount == Decimal("10000")
    assert cash.fee == Decimal("100")
    assert cash.exchange_rate == Decimal("0.1213")
    assert cash.received_amount == Decimal("1200.87")
    assert cash.fee_mode == "deducted"
    assert (cash.pickup_method, cash.source_ref) == ("cash", None)
    assert (card.fee, card.exchange_rate, card.received_amount) == (
        Decimal("150"), Decimal("0.1209"), Decimal("1190.86"))
    assert (card.fee_mode, card.pickup_method) == ("deducted", "card")
    for observation in (cash, card):
        assert observation.collected_at == COLLECTED_AT
        assert observation.collection_method == "provider_api"
        assert (observation.payment_instrument, observation.access_point) == (
            "debit_card", "internet")
        assert observation.speed == "unknown"
        assert not observation.promotional and not observation.indicative
        assert all(type(value) is Decimal for value in (
            observation.send_amount, observation.fee, observation.exchange_rate,
            observation.received_amount))


def test_zero_fee_is_on_top():
    [card] = parse(fixture("rub-uzs-10000.json"), query("UZ", "UZS"))
    assert (card.fee, card.exchange_rate, card.received_amount) == (
        Decimal("0"), Decimal("148.75"), Decimal("1487500"))
    assert (card.fee_mode, card.pickup_method) == ("on_top", "card")


def test_an_inverted_rate_is_turned_into_units_received_per_unit_sent():
    # The fixture gives 82.45 RUB per USD; 20000 RUB paid out 242.57 USD with the fee on top.
    [cash] = parse(fixture("rub-usd-uz-20000.json"), query("UZ", "USD", "20000"))
    assert cash.exchange_rate == Decimal("0.01212856276531231")
    assert cash.received_amount == Decimal("242.57")
    assert (cash.fee, cash.fee_mode) == (Decimal("200"), "on_top")


def test_amounts_that_no_rate_explains_give_an_unknown_fee_mode():
    body = fixture("rub-tjs-10000.json").replace(b"1200.87", b"1150.00")
    assert parse(body)[0].fee_mode == "unknown"
    assert parse(body)[0].exchange_rate == Decimal("0.1213")


# --- changed payloads ---------------------------------------------------------------------

def test_an_unknown_extra_field_still_parses():
    body = fixture("rub-tjs-10000.json").replace(
        b'"rate":0.1213,', b'"rate":0.1213,"promoCode":null,"limits":{"max":600000},')
    assert parse(body) == parse(fixture("rub-tjs-10000.json"))


def test_a_string_number_where_a_json_number_was_parses_exactly():
    body = fixture("rub-tjs-10000.json").replace(b'"rate":0.1213', b'"rate":"0.1213"')
    assert parse(body)[0].exchange_rate == Decimal("0.1213")


def test_entries_without_name_or_currencies_still_parse():
    body = (b'{"fees":[{"acceptedAmount":10000,"withdrawAmount":1213.00,"rate":0.1213,'
            b'"acceptedTotalFee":0}]}')
    [only] = parse(body)
    assert (only.source_ref, only.pickup_method, only.fee_mode) == (None, "cash", "on_top")


# --- failures -----------------------------------------------------------------------------

CHALLENGE = (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
             b"<body><div id=\"challenge-form\">Checking your browser</div></body></html>")


@pytest.mark.parametrize("body, reason", [
    (b"", "empty"),
    (b"  \r\n", "empty"),
    (CHALLENGE, "HTML page"),
    (b'{"message":null,"fees":[{"name":"', "not valid JSON"),
    (b"{'fees': []}", "not valid JSON"),
    (b'\xff\xfe{"fees":[]}', "not valid JSON"),
    (b'[{"rate":0.1213}]', "expected a JSON object"),
    (b'{"message":"Amount exceeds the limit","fees":[]}', "Amount exceeds the limit"),
    (b'{"fees":{"rate":0.1213}}', "expected an array"),
    (b'{"fees":["0.1213"]}', "not an object"),
])
def test_malformed_bodies_fail_with_a_reason(body, reason):
    with format_error("unistream", reason):
        parse(body)


def test_a_truncated_fixture_fails():
    body = fixture("rub-tjs-10000.json")
    with format_error("unistream", "truncated"):
        parse(body[: len(body) // 2])


@pytest.mark.parametrize("old, new, reason", [
    (b'"fees"', b'"commissions"', "no 'fees'"),
    (b'"acceptedTotalFee":100.00', b'"totalFee":100.00', "'acceptedTotalFee'"),
    (b'"withdrawAmount":1200.87', b'"withdrawSum":1200.87', "'withdrawAmount'"),
    (b'"rate":0.1213', b'"rate":"n/a"', "not a number"),
    (b'"rate":0.1213', b'"rate":null', "not a number"),
    (b'"rate":0.1213', b'"rate":true', "not a number"),
    (b'"rate":0.1213', b'"rate":NaN', "not a number"),
    (b'"rate":0.1213', b'"rate":"Infinity"', "not a positive number"),
    (b'"rate":0.1213', b'"rate":0', "not a positive number"),
    (b'"acceptedTotalFee":100.00', b'"acceptedTotalFee":-100.00', "not a non-negative"),
    (b'"withdrawAmount":1200.87', b'"withdrawAmount":-1200.87', "not a positive"),
    (b'"withdrawCurrency":"TJS"', b'"withdrawCurrency":"USD"', "withdrawCurrency is 'USD'"),
    (b'"acceptedCurrency":"RUB"', b'"acceptedCurrency":"KZT"', "acceptedCurrency is 'KZT'"),
    (b'"acceptedTotalFeeCurrency":"RUB"', b'"acceptedTotalFeeCurrency":"USD"', "FeeCurrency"),
])
def test_a_changed_or_wrong_field_fails(old, new, reason):
    body = fixture("rub-tjs-10000.json")
    assert old in body
    with format_error("unistream", reason):
        parse(body.replace(old, new, 1))


def test_parse_does_not_need_the_request_it_answered():
    # Pure: the request is only context; any request gives the same observations.
    body = fixture("rub-tjs-10000.json")
    other = Request("POST", "https://example.invalid/")
    assert unistream.parse(body, other, query()) == parse(body)
