"""Wise comparison API: the request, every provider of the fixture, and what must fail."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from scrapers.base import QuoteObservation, QuoteQuery
from scrapers.quotes import wise

from .conftest import answer, format_error, quote_fixture

COLLECTED = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
QUERY = QuoteQuery("ES", "MA", "EUR", "MAD", Decimal("500"), COLLECTED)


def body() -> bytes:
    return quote_fixture("wise", "eur-mad-500.json")


def document() -> dict:
    return json.loads(body())


def encode(data: object) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def parse(raw: bytes, query: QuoteQuery = QUERY) -> list[QuoteObservation]:
    return answer(wise, raw, query)


def by_provider(observations: list[QuoteObservation]) -> dict[str, QuoteObservation]:
    return {o.provider: o for o in observations}


def quote_of(data: dict, alias: str) -> dict:
    return next(p for p in data["providers"] if p["alias"] == alias)["quotes"][0]


# --- requests and serves ---------------------------------------------------------------

def test_request_is_the_documented_comparison_get():
    (request,) = wise.requests(QUERY, {})
    parts = urlsplit(request.url)
    assert request.method == "GET" and request.body is None
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://api.wise.com/v4/comparisons/"
    assert parse_qs(parts.query) == {
        "sourceCurrency": ["EUR"], "targetCurrency": ["MAD"], "sendAmount": ["500"],
        "sourceCountry": ["ES"], "targetCountry": ["MA"]}


@pytest.mark.parametrize("amount, text", [("500.00", "500"), ("250.5", "250.5"), ("1E+3", "1000")])
def test_send_amount_is_written_plainly(amount, text):
    query = QuoteQuery("IT", "MD", "EUR", "MDL", Decimal(amount), COLLECTED)
    (request,) = wise.requests(query, {})
    assert parse_qs(urlsplit(request.url).query)["sendAmount"] == [text]


@pytest.mark.parametrize("send, receive, served", [
    ("EUR", "MAD", True), ("EUR", "MDL", True), ("TRY", "UZS", True),
    ("RUB", "TJS", False), ("EUR", "RUB", False), ("EUR", "EUR", False)])
def test_serves_everything_but_rub(send, receive, served):
    assert wise.serves(QuoteQuery("ES", "MA", send, receive, Decimal(500), COLLECTED)) is served


def test_no_request_for_an_unserved_pair():
    with pytest.raises(ValueError):
        wise.requests(QuoteQuery("RU", "TJ", "RUB", "TJS", Decimal(10000), COLLECTED), {})


# --- parse of the fixture --------------------------------------------------------------

EXPECTED = {
    # slug: (name, fee, rate, received, fee_mode, indicative, speed, dated, ref)
    "wise": ("Wise", "5.84", "10.8531", "5363.17", "deducted", False, "same_day",
             datetime(2026, 3, 3, 9, 41, 26, tzinfo=UTC), "39:500:2026-03-03T09:41:26Z"),
    "western-union": ("Western Union", "1.9", "10.634", "5296.8", "deducted", True,
                      "less_than_1_hour", datetime(2026, 3, 3, 8, 57, 2, tzinfo=UTC),
                      "5:500:2026-03-03T08:57:02Z"),
    "remitly": ("Remitly", "1.99", "10.742", "5371.0", "on_top", True, "unknown",
                datetime(2026, 3, 3, 9, 12, 40, tzinfo=UTC), "117:500:2026-03-03T09:12:40Z"),
    "santander": ("Santander", "12.0", "10.419", "5084.47", "deducted", True, "2_days",
                  datetime(2026, 3, 2, 22, 5, 13, tzinfo=UTC), "1486:500:2026-03-02T22:05:13Z"),
    "ria": ("Ria Money Transfer", "2.5", "10.7105", "5328.47", "deducted", True, "next_day",
            datetime(2026, 3, 3, 7, 30, 55, tzinfo=UTC), "63:500:2026-03-03T07:30:55Z"),
}


def test_fixture_gives_one_observation_per_provider():
    observations = parse(body())
    assert [o.provider for o in observations] == list(EXPECTED)


@pytest.mark.parametrize("slug", list(EXPECTED))
def test_fixture_provider_values(slug):
    name, fee, rate, received, mode, indicative, speed, dated, ref = EXPECTED[slug]
    observation = by_provider(parse(body()))[slug]
    assert observation.provider_name == name
    assert observation.fee == Decimal(fee) and isinstance(observation.fee, Decimal)
    assert observation.exchange_rate == Decimal(rate)
    assert observation.received_amount == Decimal(received)
    assert observation.fee_mode == mode
    assert observation.indicative is indicative
    assert observation.speed == speed
    assert observation.source_dated_at == dated
    assert observation.source_ref == ref


def test_fixture_common_fields():
    for observation in parse(body()):
        assert observation.source == "wise"
        assert observation.collection_method == "aggregator"
        assert (observation.source_country, observation.destination_country) == ("ES", "MA")
        assert (observation.send_currency, observation.receive_currency) == ("EUR", "MAD")
        assert observation.send_amount == Decimal(500)
        assert observation.collected_at == COLLECTED
        assert observation.access_point == "internet"
        assert observation.payment_instrument == "bank_account"
        assert observation.pickup_method == "bank_account"
        assert observation.promotional is False and observation.transparent is True


def test_numbers_keep_their_text():
    observation = by_provider(parse(body()))["santander"]
    assert str(observation.fee) == "12.0" and str(observation.exchange_rate) == "10.419"


@pytest.mark.parametrize("duration, speed", [
    ("PT1H", "less_than_1_hour"), ("PT60M", "less_than_1_hour"), ("PT1H0.5S", "same_day"),
    ("PT24H", "same_day"), ("P1D", "same_day"), ("P1DT1S", "next_day"), ("P2D", "next_day"),
    ("P3D", "2_days"), ("P4DT12H", "3_5_days"), ("P5D", "3_5_days"), ("P1W", "6_days_or_more"),
    ("P1M", "6_days_or_more"), ("PT20H8M47.560185S", "same_day"), (None, "unknown")])
def test_speed_bands(duration, speed):
    data = document()
    quote_of(data, "wise")["deliveryEstimation"]["duration"]["max"] = duration
    assert by_provider(parse(encode(data)))["wise"].speed == speed


@pytest.mark.parametrize("estimation", [None, {"duration": None}, {}])
def test_missing_delivery_estimation_is_unknown_speed(estimation):
    data = document()
    quote_of(data, "ria")["deliveryEstimation"] = estimation
    assert by_provider(parse(encode(data)))["ria"].speed == "unknown"


def test_fee_mode_unknown_when_numbers_fit_neither_reading():
    data = document()
    quote_of(data, "ria")["receivedAmount"] = 5200.0
    assert by_provider(parse(encode(data)))["ria"].fee_mode == "unknown"


def test_fee_mode_zero_fee_is_on_top():
    data = document()
    quote = quote_of(data, "western-union")
    quote["fee"], quote["receivedAmount"] = 0, 5317.0
    observation = by_provider(parse(encode(data)))["western-union"]
    assert (observation.fee, observation.fee_mode) == (Decimal(0), "on_top")


def test_date_collected_with_offset_is_brought_to_utc():
    data = document()
    quote_of(data, "wise")["dateCollected"] = "2026-03-03T10:41:26.5+01:00"
    dated = by_provider(parse(encode(data)))["wise"].source_dated_at
    assert dated == datetime(2026, 3, 3, 9, 41, 26, 500000, tzinfo=UTC)
    assert dated.utcoffset().total_seconds() == 0


# --- changed payloads that must still parse ---------------------------------------------

def test_extra_unknown_fields_are_ignored():
    data = document()
    data["newTopLevel"] = {"x": 1}
    data["providers"][0]["rating"] = 4.7
    quote_of(data, "remitly")["promoCode"] = "FIRST"
    assert by_provider(parse(encode(data))) == by_provider(parse(body()))


def test_new_provider_type_and_name_only_provider():
    data = document()
    new = json.loads(json.dumps(data["providers"][4]))
    new.update(id=9001, type="digitalWallet", name="Überweisung Plus", alias=None)
    data["providers"].append(new)
    observation = by_provider(parse(encode(data)))["uberweisung-plus"]
    assert observation.provider_name == "Überweisung Plus" and observation.indicative is True


def test_quote_for_another_source_country_is_left_out():
    data = document()
    quote_of(data, "santander")["sourceCountry"] = "FR"
    assert "santander" not in by_provider(parse(encode(data)))


def test_old_alias_maps_to_the_known_slug():
    data = document()
    data["providers"][0]["alias"] = "transferwise"
    assert by_provider(parse(encode(data)))["wise"].indicative is False


def test_empty_provider_list_gives_nothing():
    data = document()
    data["providers"] = []
    assert parse(encode(data)) == []


# --- failures ---------------------------------------------------------------------------

def mutated(change) -> bytes:
    data = document()
    change(data)
    return encode(data)


def rename(mapping: dict, old: str, new: str) -> None:
    mapping[new] = mapping.pop(old)


FAILURES = {
    "empty": b"",
    "blank": b" \r\n",
    "truncated": body()[:-57],
    "invalid json": b"{'sourceCurrency': 'EUR'}",
    "html challenge": b"<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>",
    "not utf-8": b'{"sourceCurrency": "\xff"}',
    "top-level list": b"[]",
    "top-level string": b'"EUR"',
    "NaN": body().replace(b'"rate":10.8531', b'"rate":NaN'),
    "providers missing": mutated(lambda d: d.pop("providers")),
    "providers renamed": mutated(lambda d: rename(d, "providers", "offers")),
    "providers not a list": mutated(lambda d: d.update(providers={"a": 1})),
    "provider not an object": mutated(lambda d: d["providers"].append("x")),
    "quotes missing": mutated(lambda d: d["providers"][1].pop("quotes")),
    "provider without name": mutated(lambda d: d["providers"][1].pop("name")),
    "provider without id": mutated(lambda d: d["providers"][1].pop("id")),
    "fee renamed": mutated(lambda d: rename(quote_of(d, "ria"), "fee", "fees")),
    "receivedAmount missing": mutated(lambda d: quote_of(d, "ria").pop("receivedAmount")),
    "rate null": mutated(lambda d: quote_of(d, "ria").update(rate=None)),
    "rate as text": mutated(lambda d: quote_of(d, "ria").update(rate="10.71")),
    "rate not a number": mutated(lambda d: quote_of(d, "ria").update(rate="abc")),
    "rate boolean": mutated(lambda d: quote_of(d, "ria").update(rate=True)),
    "rate zero": mutated(lambda d: quote_of(d, "ria").update(rate=0)),
    "negative fee": mutated(lambda d: quote_of(d, "ria").update(fee=-2.5)),
    "negative received": mutated(lambda d: quote_of(d, "ria").update(receivedAmount=-1)),
    "dateCollected missing": mutated(lambda d: quote_of(d, "ria").pop("dateCollected")),
    "dateCollected not a date": mutated(lambda d: quote_of(d, "ria").update(dateCollected="soon")),
    "dateCollected naive": mutated(
        lambda d: quote_of(d, "ria").update(dateCollected="2026-03-03T07:30:55")),
    "bad duration": mutated(
        lambda d: quote_of(d, "ria")["deliveryEstimation"]["duration"].update(max="2 days")),
    "empty duration": mutated(
        lambda d: quote_of(d, "ria")["deliveryEstimation"]["duration"].update(max="PT")),
    "source currency differs": mutated(lambda d: d.update(sourceCurrency="GBP")),
    "target currency differs": mutated(lambda d: d.update(targetCurrency="EUR")),
    "target currency missing": mutated(lambda d: d.pop("targetCurrency")),
    "amount differs": mutated(lambda d: d.update(amount=1000)),
    "amount type receive": mutated(lambda d: d.update(amountType="TARGET")),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_malformed_or_changed_payload_raises_format_error(case):
    with format_error("wise"):
        parse(FAILURES[case])


def test_html_page_is_reported_as_such():
    with format_error("wise", "HTML page.*does not work around it"):
        parse(FAILURES["html challenge"])


def test_truncated_body_is_reported_as_such():
    with format_error("wise", "truncated"):
        parse(FAILURES["truncated"])
