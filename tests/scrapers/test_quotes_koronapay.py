"""KoronaPay tariffs: the requests, the fixtures in minor units, and what must fail."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from scrapers.base import QuoteObservation, QuoteQuery, Request
from scrapers.quotes import koronapay

from .conftest import format_error, quote_fixture

COLLECTED = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
QUERY = QuoteQuery("RU", "TJ", "RUB", "TJS", Decimal("10000"), COLLECTED)
TARIFFS = "https://koronapay.com/transfers/online/api/transfers/tariffs"


def body(method: str = "cash") -> bytes:
    return quote_fixture("koronapay", f"rub-tjs-10000-{method}.json")


def request_for(method: str, query: QuoteQuery = QUERY) -> Request:
    return next(r for r in koronapay.requests(query, {}) if r.url.endswith(f"={method}"))


def parse(raw: bytes, method: str = "cash", query: QuoteQuery = QUERY) -> list[QuoteObservation]:
    return koronapay.parse(raw, request_for(method, query), query)


def one(raw: bytes, method: str = "cash", query: QuoteQuery = QUERY) -> QuoteObservation:
    (observation,) = parse(raw, method, query)
    return observation


def tariff(**changes) -> dict:
    (data,) = json.loads(body())
    data.update(changes)
    return data


def encode(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def query_dict(request: Request) -> dict[str, list[str]]:
    return parse_qs(urlsplit(request.url).query)


# --- requests and serves ---------------------------------------------------------------

def test_requests_one_per_receiving_method_in_the_documented_shape():
    requests = koronapay.requests(QUERY, {})
    assert [r.method for r in requests] == ["GET", "GET"]
    assert {r.url.split("?")[0] for r in requests} == {TARIFFS}
    common = {"sendingCountryId": ["RUS"], "sendingCurrencyId": ["810"],
              "receivingCountryId": ["TJK"], "receivingCurrencyId": ["972"],
              "paymentMethod": ["debitCard"], "sendingAmount": ["1000000"]}
    assert [query_dict(r) for r in requests] == [
        {**common, "receivingMethod": ["cash"]}, {**common, "receivingMethod": ["card"]}]
    assert all(r.body is None for r in requests)


@pytest.mark.parametrize("country, currency, alpha3, numeric, methods", [
    ("KG", "KGS", "KGZ", "417", ["cash", "card"]), ("UZ", "UZS", "UZB", "860", ["cash", "card"]),
    ("AM", "AMD", "ARM", "051", ["cash"]), ("GE", "GEL", "GEO", "981", ["cash"]),
    ("MD", "MDL", "MDA", "498", ["cash"]), ("TJ", "USD", "TJK", "840", ["cash"]),
    ("GE", "EUR", "GEO", "978", ["cash"])])
def test_requests_for_other_corridors(country, currency, alpha3, numeric, methods):
    query = QuoteQuery("RU", country, "RUB", currency, Decimal("15500.50"), COLLECTED)
    requests = koronapay.requests(query, {})
    assert [query_dict(r)["receivingMethod"] for r in requests] == [[m] for m in methods]
    for request in requests:
        params = query_dict(request)
        assert params["receivingCountryId"] == [alpha3]
        assert params["receivingCurrencyId"] == [numeric]
        assert params["sendingAmount"] == ["1550050"]


@pytest.mark.parametrize("source, destination, send, receive, served", [
    ("RU", "TJ", "RUB", "TJS", True), ("RU", "UZ", "RUB", "USD", True),
    ("RU", "MD", "RUB", "MDL", True), ("RU", "TJ", "RUB", "RUB", False),
    ("RU", "TJ", "USD", "TJS", False), ("DE", "TJ", "RUB", "TJS", False),
    ("RU", "MA", "RUB", "MAD", False), ("RU", "TJ", "RUB", "KGS", False)])
def test_serves(source, destination, send, receive, served):
    query = QuoteQuery(source, destination, send, receive, Decimal(10000), COLLECTED)
    assert koronapay.serves(query) is served


def test_no_request_for_an_unserved_query_or_a_fraction_of_a_kopeck():
    with pytest.raises(ValueError):
        koronapay.requests(QuoteQuery("IT", "MD", "EUR", "MDL", Decimal(500), COLLECTED), {})
    with pytest.raises(ValueError):
        koronapay.requests(QuoteQuery("RU", "TJ", "RUB", "TJS", Decimal("1.005"), COLLECTED), {})


# --- parse of the fixtures ---------------------------------------------------------------

def test_cash_fixture():
    observation = one(body("cash"), "cash")
    assert observation == QuoteObservation(
        source="koronapay", provider="koronapay", provider_name="KoronaPay",
        source_country="RU", destination_country="TJ",
        send_amount=Decimal("10000.00"), send_currency="RUB",
        fee=Decimal("0.00"), fee_mode="on_top",
        exchange_rate=Decimal("0.11713"), received_amount=Decimal("1171.30"),
        receive_currency="TJS", collected_at=COLLECTED, source_dated_at=None,
        payment_instrument="debit_card", access_point="internet", pickup_method="cash",
        speed="unknown", promotional=False, indicative=False,
        collection_method="provider_api", source_ref=None)


def test_card_fixture_commission_on_top():
    observation = one(body("card"), "card")
    assert observation.pickup_method == "card"
    assert observation.send_amount == Decimal("10000.00")
    assert observation.fee == Decimal("100.00") and observation.fee_mode == "on_top"
    assert observation.exchange_rate == Decimal("0.11685")
    assert observation.received_amount == Decimal("1168.50")


def test_amounts_are_exact_decimals_in_major_units():
    observation = one(body())
    for value in (observation.send_amount, observation.fee, observation.received_amount,
                  observation.exchange_rate):
        assert isinstance(value, Decimal)
    assert str(observation.received_amount) == "1171.30"


def test_commission_deducted_from_the_amount():
    # 9,900 RUB converted at 0.11713 = 1,159.587 TJS, paid as 1,159.59.
    observation = one(encode([tariff(sendingCommission=10000, receivingAmount=115959)]))
    assert observation.fee == Decimal("100.00") and observation.fee_mode == "deducted"


def test_fee_mode_unknown_when_the_numbers_fit_neither_reading():
    observation = one(encode([tariff(sendingCommission=10000, receivingAmount=110000)]))
    assert observation.fee_mode == "unknown"


def test_rate_stated_as_rub_per_dollar_is_inverted():
    # Shaped after a recorded RUB->USD tariff: 8,313.27 RUB for 100.00 USD at 83.1327.
    query = QuoteQuery("RU", "TJ", "RUB", "USD", Decimal("8313.27"), COLLECTED)
    usd = {"id": "840", "code": "USD", "name": "Доллар США"}
    raw = encode([tariff(sendingAmount=831327, sendingAmountWithoutCommission=831327,
                         receivingCurrency=usd, receivingAmount=10000, exchangeRate=83.1327)])
    observation = one(raw, "cash", query)
    assert observation.exchange_rate == Decimal("0.0120289609263")
    assert abs(observation.exchange_rate * Decimal("83.1327") - 1) < Decimal("1e-11")
    assert observation.received_amount == Decimal("100.00")
    assert observation.fee_mode == "on_top"


def test_pickup_method_follows_the_request():
    request = Request("GET", TARIFFS + "?receivingMethod=requisitesByPhone")
    (observation,) = koronapay.parse(body(), request, QUERY)
    assert observation.pickup_method == "unknown"


@pytest.mark.parametrize("key", ["sendingAmountDiscount", "sendingCommissionDiscount",
                                 "exchangeRateDiscount"])
def test_a_discount_marks_the_quote_promotional(key):
    assert one(encode([tariff(**{key: 50})])).promotional is True


# --- changed payloads that must still parse ---------------------------------------------

def test_extra_unknown_fields_are_ignored():
    raw = encode([tariff(transferTimeHint="PT10M", properties={"new": True}, profit=12)])
    assert one(raw) == one(body())


def test_currency_without_code_and_id_as_number():
    receiving = {"id": 972, "name": "Сомони"}
    assert one(encode([tariff(receivingCurrency=receiving)])) == one(body())


def test_several_tariffs_give_several_observations():
    raw = encode([tariff(), tariff(sendingCommission=5000, receivingAmount=117130)])
    assert [o.fee for o in parse(raw)] == [Decimal("0.00"), Decimal("50.00")]


def test_no_tariff_gives_nothing():
    assert parse(b"[]") == []


def test_amount_moved_to_whole_receiving_units_is_accepted():
    # 10,004.27 RUB for exactly 1,172.00 TJS: within the slack left for rounding.
    observation = one(encode([tariff(sendingAmount=1000427, receivingAmount=117200)]))
    assert observation.send_amount == Decimal("10004.27")
    assert observation.fee_mode == "on_top"


# --- failures ---------------------------------------------------------------------------

def without(key: str) -> bytes:
    data = tariff()
    data.pop(key)
    return encode([data])


def renamed(old: str, new: str) -> bytes:
    data = tariff()
    data[new] = data.pop(old)
    return encode([data])


FAILURES = {
    "empty": b"",
    "blank": b"\n",
    "truncated": body()[:-30],
    "truncated after a bracket": body()[:-1],
    "invalid json": b"[{sendingAmount: 1}]",
    "html challenge": b"<html><head><title>Attention Required! | Cloudflare</title></head></html>",
    "error object": b'{"code":1004,"message":"Transfer amount exceeds the limit","error":"x"}',
    "top-level object": encode(tariff()),
    "tariff not an object": b"[1000000]",
    "NaN": body().replace(b'"exchangeRate":0.11713', b'"exchangeRate":NaN'),
    "sendingAmount missing": without("sendingAmount"),
    "sendingCommission missing": without("sendingCommission"),
    "receivingAmount renamed": renamed("receivingAmount", "receiveAmount"),
    "exchangeRate missing": without("exchangeRate"),
    "sendingCurrency missing": without("sendingCurrency"),
    "amount as text": encode([tariff(sendingAmount="1000000")]),
    "rate not a number": encode([tariff(exchangeRate="abc")]),
    "rate zero": encode([tariff(exchangeRate=0)]),
    "negative commission": encode([tariff(sendingCommission=-100)]),
    "negative received": encode([tariff(receivingAmount=-117130)]),
    "fraction of a minor unit": encode([tariff(receivingAmount=117130.5)]),
    "boolean amount": encode([tariff(sendingAmount=True)]),
    "send currency differs": encode([tariff(sendingCurrency={"id": "643", "code": "RUB"})]),
    "receive currency differs": encode([tariff(receivingCurrency={"id": "417", "code": "KGS"})]),
    "receive code contradicts id": encode(
        [tariff(receivingCurrency={"id": "972", "code": "USD"})]),
    "currency id not numeric": encode([tariff(receivingCurrency={"id": "TJS"})]),
    "currency not an object": encode([tariff(receivingCurrency="972")]),
    "amount not honoured": encode([tariff(sendingAmount=500000, receivingAmount=58565)]),
    "discount not a number": encode([tariff(exchangeRateDiscount="none")]),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_malformed_or_changed_payload_raises_format_error(case):
    with format_error("koronapay"):
        parse(FAILURES[case])


def test_html_page_is_reported_as_such():
    with format_error("koronapay", "HTML page.*does not work around it"):
        parse(FAILURES["html challenge"])


@pytest.mark.parametrize("case", ["truncated", "truncated after a bracket"])
def test_truncated_body_is_reported_as_such(case):
    with format_error("koronapay", "truncated"):
        parse(FAILURES[case])


def test_error_object_message_is_kept():
    with format_error("koronapay", "exceeds the limit"):
        parse(FAILURES["error object"])
