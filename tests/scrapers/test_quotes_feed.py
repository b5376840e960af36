"""feed: the open price-feed format, its schema, its documentation and its reader."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from remit import vocab
from scrapers.base import FormatError, QuoteObservation
from scrapers.quotes import feed

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "feeds"
DOC = ROOT / "docs" / "price-feed.md"
UTC = timezone.utc
# valid.json is published at 06:00 UTC on 1 April 2026 and valid until 06:00 the next day.
COLLECTED = datetime(2026, 4, 1, 7, 0, tzinfo=UTC)
PUBLISHED = datetime(2026, 4, 1, 6, 0, tzinfo=UTC)


def _valid() -> dict:
    """valid.json as plain JSON, to be changed by a test and dumped again."""
    return json.loads((FIXTURES / "valid.json").read_text(encoding="utf-8"))


def _dumps(document: dict) -> str:
    """JSON text; a Decimal in ``document`` is written as a JSON number, digit for digit."""
    text = json.dumps(document, default=lambda value: f"<number>{value}</number>")
    return re.sub(r'"<number>(.*?)</number>"', r"\1", text)


def _parse(document: dict | str | bytes, collected_at: datetime = COLLECTED):
    if isinstance(document, dict):
        document = _dumps(document)
    if isinstance(document, str):
        document = document.encode("utf-8")
    return feed.parse(document, None, collected_at)


def _error(document, collected_at: datetime = COLLECTED) -> str:
    with pytest.raises(FormatError) as caught:
        _parse(document, collected_at)
    message = str(caught.value)
    assert message.startswith("feed: ") and "\n" not in message
    return message


def _doc_example() -> str:
    blocks = re.findall(r"^```json\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.M | re.S)
    assert len(blocks) == 1, "docs/price-feed.md has exactly one ```json block: the example"
    return blocks[0]


# --- the module and the schema -----------------------------------------------------


def test_module_constants():
    assert feed.NAME == "feed"
    assert feed.COLLECTION_METHOD == vocab.CollectionMethod.PARTNER_SUBMITTED.value
    assert feed.FORMAT_VERSION == "1.0"


def test_schema_is_a_valid_draft_2020_12_schema():
    schema = feed.load_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert feed.load_schema() is not schema, "every caller gets its own copy"


@pytest.mark.parametrize("field, codes", [
    ("fee_mode", vocab.FeeMode),
    ("payment_instrument", vocab.PaymentInstrument),
    ("access_point", vocab.AccessPoint),
    ("pickup_method", vocab.PickupMethod),
    ("speed", vocab.Speed),
])
def test_schema_codes_are_remits_vocabulary_without_unknown(field, codes):
    enum = feed.load_schema()["$defs"]["price"]["properties"][field]["enum"]
    assert enum == [code.value for code in codes if code.value != "unknown"]


def test_schema_alone_accepts_the_fixture_and_the_doc_example():
    validator = Draft202012Validator(feed.load_schema())
    validator.validate(_valid())
    validator.validate(json.loads(_doc_example()))


# --- requests --------------------------------------------------------------------


def test_requests_is_one_get_of_the_https_url():
    [request] = feed.requests("https://www.example.com/remit/prices.json?v=1")
    assert request.method == "GET"
    assert request.url == "https://www.example.com/remit/prices.json?v=1"
    assert request.headers["Accept"] == "application/json"
    assert request.body is None


@pytest.mark.parametrize("url", ["http://www.example.com/prices.json", "ftp://example.com/p.json",
                                 "www.example.com/prices.json", "https:///prices.json", ""])
def test_requests_refuses_anything_but_https(url):
    with pytest.raises(ValueError, match="https"):
        feed.requests(url)


# --- the documentation's example -------------------------------------------------


def test_the_doc_example_parses():
    observations = _parse(_doc_example(), datetime(2026, 4, 1, 6, 30, tzinfo=UTC))
    assert [o.source_ref for o in observations] == [
        "RU-TJ-CASH-10000", "RU-TJ-CARD-10000", "IT-MD-ACCOUNT-300-WELCOME",
        "IT-MD-ACCOUNT-300", "RU-UZ-CASH-20000"]
    assert {o.provider for o in observations} == {"example-money"}
    cash, card, promotion, regular, undisclosed = observations
    assert (cash.fee_mode, card.fee_mode) == ("on_top", "deducted")
    assert promotion.promotional and not regular.promotional
    assert not undisclosed.transparent and undisclosed.exchange_rate is None


def test_the_doc_lists_every_code_of_the_schema():
    text = DOC.read_text(encoding="utf-8")
    properties = feed.load_schema()["$defs"]["price"]["properties"]
    for field, spec in properties.items():
        assert f"`{field}`" in text, field
        for code in spec.get("enum", []):
            assert f"`{code}`" in text or f'"{code}"' in text, code


def test_the_doc_error_examples_are_what_the_reader_says():
    text = DOC.read_text(encoding="utf-8")
    for name in ("number_amount", "inconsistent_received", "missing_fee_mode",
                 "unknown_field", "expired", "wrong_version"):
        message = _error((FIXTURES / f"{name}.json").read_bytes())
        assert message in text, message


# --- the valid fixture -----------------------------------------------------------


def test_valid_fixture_gives_exact_observations():
    observations = _parse((FIXTURES / "valid.json").read_bytes())
    common = dict(source="feed", provider="sample-transfer", provider_name="Sample Transfer",
                  collected_at=COLLECTED, source_dated_at=PUBLISHED, indicative=False,
                  collection_method="partner_submitted")
    assert observations == [
        QuoteObservation(
            **common, source_country="RU", destination_country="TJ",
            send_amount=Decimal("10000.00"), send_currency="RUB", fee=Decimal("100.00"),
            fee_mode="on_top", exchange_rate=Decimal("0.1245"),
            received_amount=Decimal("1245.00"), receive_currency="TJS",
            payment_instrument="cash", access_point="branch", pickup_method="cash",
            speed="less_than_1_hour", receiving_fee=None, promotional=False, transparent=True,
            source_ref="ru-tj-cash-10000"),
        QuoteObservation(
            **common, source_country="RU", destination_country="TJ",
            send_amount=Decimal("10000.00"), send_currency="RUB", fee=Decimal("50.00"),
            fee_mode="deducted", exchange_rate=Decimal("0.1251"),
            received_amount=Decimal("1244.74"), receive_currency="TJS",
            payment_instrument="debit_card", access_point="mobile_app", pickup_method="card",
            speed="less_than_1_hour", receiving_fee=None, promotional=False, transparent=True,
            source_ref="sample-transfer:1"),
        QuoteObservation(
            **common, source_country="IT", destination_country="MD",
            send_amount=Decimal("300.00"), send_currency="EUR", fee=Decimal("0.00"),
            fee_mode="on_top", exchange_rate=Decimal("19.92"),
            received_amount=Decimal("5976.00"), receive_currency="MDL",
            payment_instrument="bank_account", access_point="internet",
            pickup_method="bank_account", speed="next_day", receiving_fee=None,
            promotional=True, transparent=True, source_ref="it-md-account-300"),
        QuoteObservation(
            **common, source_country="ES", destination_country="MA",
            send_amount=Decimal("500.00"), send_currency="EUR", fee=Decimal("4.99"),
            fee_mode="on_top", exchange_rate=Decimal("10.87"),
            received_amount=Decimal("5425.00"), receive_currency="MAD",
            payment_instrument="debit_card", access_point="mobile_app", pickup_method="cash",
            speed="same_day", receiving_fee=Decimal("10.00"), promotional=False,
            transparent=True, source_ref="es-ma-cash-500"),
        QuoteObservation(
            **common, source_country="RU", destination_country="KG",
            send_amount=Decimal("20000.00"), send_currency="RUB", fee=Decimal("0"),
            fee_mode="on_top", exchange_rate=None, received_amount=None,
            receive_currency="KGS", payment_instrument="cash", access_point="agent",
            pickup_method="cash", speed="less_than_1_hour", receiving_fee=None,
            promotional=False, transparent=False, source_ref="ru-kg-cash-20000"),
    ]


def test_money_is_decimal_with_every_digit_kept():
    for observation in _parse((FIXTURES / "valid.json").read_bytes()):
        for value in (observation.send_amount, observation.fee, observation.exchange_rate,
                      observation.received_amount, observation.receiving_fee):
            assert value is None or type(value) is Decimal
    assert str(_parse(_valid())[0].send_amount) == "10000.00"


def test_a_byte_order_mark_is_tolerated():
    body = b"\xef\xbb\xbf" + (FIXTURES / "valid.json").read_bytes()
    assert len(feed.parse(body, None, COLLECTED)) == 5


def test_source_dated_at_is_published_at_in_utc():
    document = _valid()
    document["published_at"] = "2026-04-01T01:30:00.250-04:30"
    [observation, *_] = _parse(document)
    assert observation.source_dated_at == datetime(2026, 4, 1, 6, 0, 0, 250000, tzinfo=UTC)
    assert observation.source_dated_at.tzinfo == UTC


# --- validity windows ------------------------------------------------------------


@pytest.mark.parametrize("collected_at, refs", [
    # before the RU->UZ price ends (06:30 UTC): it is in, the FR->MA one not yet
    (datetime(2026, 4, 1, 6, 10, tzinfo=UTC), {"ru-uz-card-10000-ended"}),
    # at 06:30 UTC the RU->UZ price has ended (valid_until excludes its own moment)
    (datetime(2026, 4, 1, 6, 30, tzinfo=UTC), set()),
    # the FR->MA price starts at midnight in Paris, 22:00 UTC (valid_from includes it)
    (datetime(2026, 4, 1, 22, 0, tzinfo=UTC), {"fr-ma-account-200-from-tomorrow"}),
])
def test_prices_outside_their_window_are_skipped(collected_at, refs):
    always = {"ru-tj-cash-10000", "sample-transfer:1", "it-md-account-300", "es-ma-cash-500",
              "ru-kg-cash-20000"}
    observations = _parse((FIXTURES / "valid.json").read_bytes(), collected_at)
    assert {o.source_ref for o in observations} == always | refs


def test_a_feed_with_every_price_out_of_its_window_is_empty_not_an_error():
    document = _valid()
    for point in document["prices"]:
        point["valid_from"] = "2026-04-01T12:00:00Z"
        point.pop("valid_until", None)
    assert _parse(document) == []


def test_a_price_window_that_ends_before_it_starts_is_an_error():
    document = _valid()
    document["prices"][3]["valid_from"] = "2026-04-01T10:00:00Z"
    document["prices"][3]["valid_until"] = "2026-04-01T10:00:00Z"
    assert _error(document) == ("feed: price 3 (ES->MA 500.00 EUR): "
                                "valid_from must be before valid_until")


def test_an_expired_feed_fails_even_when_its_prices_would_be_skipped():
    assert "the feed expired" in _error(_valid(), datetime(2026, 4, 2, 6, 0, tzinfo=UTC))


def test_a_feed_published_in_the_future_fails():
    document = _valid()
    document["published_at"] = "2026-04-01T10:00:00Z"   # local time written as UTC
    assert "published_at 2026-04-01T10:00:00Z is in the future" in _error(document)
    assert _parse(document, datetime(2026, 4, 1, 9, 55, tzinfo=UTC))   # within the skew


def test_collected_at_must_be_aware():
    with pytest.raises(ValueError, match="aware"):
        feed.parse((FIXTURES / "valid.json").read_bytes(), None, datetime(2026, 4, 1, 7, 0))


# --- invalid fixtures ------------------------------------------------------------


@pytest.mark.parametrize("name, expected", [
    ("wrong_version", "feed: version '2.0' is not supported"),
    ("missing_fee_mode", "feed: price 0 (RU->TJ 10000.00 RUB): missing fee_mode"),
    ("number_amount", "feed: price 1 (IT->MD 300.00 EUR): send_amount: must be a decimal "
                      "string greater than zero, such as \"10000.00\", not the JSON number 300.00"),
    ("inconsistent_received", "feed: price 1 (IT->MD 300.00 EUR): received_amount 6500.00 "
                              "does not agree with 300.00 x 19.92 = 5976.0000"),
    ("expired", "feed: the feed expired: valid_until 2026-03-31T09:00:00+03:00 has passed"),
    ("unknown_field", "price 2 (ES->MA 500.00 EUR): unknown field 'fees'"),
    ("bad_country", "feed: price 0 (RU->TJK 10000.00 RUB): to: must be an ISO 3166 alpha-2"),
    ("unassigned_country", "feed: price 1 (UK->MD 300.00 GBP): from: 'UK' is not an ISO 3166"),
])
def test_invalid_fixtures_name_the_place(name, expected):
    assert expected in _error((FIXTURES / f"{name}.json").read_bytes())


@pytest.mark.parametrize("body, expected", [
    (b"", "the body is empty"),
    (b"  \n", "the body is empty"),
    ((FIXTURES / "valid.json").read_bytes()[:300], "not valid JSON"),
    (b"<!DOCTYPE html><html><body>Service unavailable</body></html>", "not valid JSON"),
    ("{\"format\": \"remit-price-feed\", \"x\": \"Душанбе\"}".encode("cp1251"), "not UTF-8"),
    (b"[]", "(top level): must be an object, not an array"),
    (b"null", "(top level): must be an object, not null"),
])
def test_bodies_that_are_not_a_feed(body, expected):
    assert expected in _error(body)


# --- the rules, one at a time ----------------------------------------------------


_DROP = object()   # a field to remove


def _with(index: int, **changes) -> dict:
    """valid.json with ``changes`` made to its price ``index``."""
    document = _valid()
    for key, value in changes.items():
        if value is _DROP:
            del document["prices"][index][key]
        else:
            document["prices"][index][key] = value
    return document


@pytest.mark.parametrize("changes, expected", [
    ({"send_amount": "0.00"}, "send_amount: must be a decimal string greater than zero"),
    ({"fee": "-1.00"}, 'fee: must be a decimal string such as "150.00", not "-1.00"'),
    ({"fee": "1,50"}, "fee: must be a decimal string"),
    ({"fee": "1e2"}, "fee: must be a decimal string"),
    ({"fee": " 100.00"}, "fee: must be a decimal string"),
    ({"fee": "100.00\n"}, 'fee: must be a decimal string such as "150.00", not "100.00\\n"'),
    ({"send_amount": "010000.00"}, "send_amount: must be a decimal string greater than zero"),
    ({"exchange_rate": "0"}, "exchange_rate: must be a decimal string greater than zero"),
    ({"exchange_rate": Decimal("0.1245")}, "exchange_rate: must be a decimal string greater "
                                           "than zero, such as \"0.1245\", or null when the rate "
                                           "is not disclosed, not the JSON number 0.1245"),
    ({"fee_mode": "unknown"}, "fee_mode: must be one of on_top, deducted, not \"unknown\""),
    ({"speed": "instant"}, "speed: must be one of less_than_1_hour, same_day"),
    ({"promotional": "yes"}, 'promotional: must be true or false, not "yes"'),
    ({"from": "ru"}, "from: must be an ISO 3166 alpha-2 country code in capitals"),
    ({"to": "RU"}, "from and to are the same country"),
    ({"send_currency": "RUR"}, "send_currency: 'RUR' is not an ISO 4217 currency code"),
    ({"fee_mode": "deducted", "fee": "10000.00", "received_amount": _DROP},
     "a deducted fee must be smaller than send_amount"),
    ({"receiving_fee": "1245.00", "received_amount": _DROP}, "nothing reaches the recipient"),
    ({"rate_disclosed": False}, "rate_disclosed: must be true or absent when an exchange_rate "
                                "is given, not false"),
    ({"exchange_rate": None}, "missing rate_disclosed (the rule for an undisclosed rate"),
    ({"exchange_rate": None, "rate_disclosed": False},
     "received_amount: must be absent when the rate is not disclosed, not \"1245.00\""),
    ({"promotion_note": "first transfer only"},
     "missing promotional (promotion_note goes with promotional: true)"),
    ({"promotion_note": "first transfer only", "promotional": False},
     "promotional: must be true when a promotion_note is given, not false"),
    ({"valid_from": "2026-02-30T00:00:00Z"}, "valid_from: must be an RFC 3339 date-time"),
    ({"valid_from": "2026-04-01T00:00:00"}, "valid_from: must be an RFC 3339 date-time"),
    ({"valid_from": "2026-04-01"}, "valid_from: must be an RFC 3339 date-time"),
    ({"Fee": "1.00"}, "unknown field 'Fee' (extensions must start with x-)"),
    ({"id": "x" * 129}, "id: must be at most 128 characters"),
    ({"promotional": True, "promotion_note": ""}, "promotion_note: must not be empty"),
])
def test_each_rule_names_price_and_field(changes, expected):
    message = _error(_with(0, **changes))
    assert message.startswith("feed: price 0 ("), message
    assert expected in message


def test_received_amount_within_half_a_percent_is_accepted():
    # 10000.00 x 0.1245 = 1245.00: 0.5% is 6.225 TJS either way.
    assert _parse(_with(0, received_amount="1251.22"))[0].received_amount == Decimal("1251.22")
    assert _parse(_with(0, received_amount="1238.78"))
    assert "off by 0.50%, more than 0.5%" in _error(_with(0, received_amount="1251.23"))


def test_received_amount_agrees_after_a_receiving_fee():
    # ES->MA: 500.00 x 10.87 - 10.00 = 5425.00; forgetting the receiving fee is 0.18% off.
    assert _parse(_with(3, received_amount="5435.00"))
    message = _error(_with(3, received_amount="5900.00"))
    assert "received_amount 5900.00 does not agree with 500.00 x 10.87 - 10.00 = " in message


def test_a_rate_written_the_wrong_way_round_is_caught():
    message = _error(_with(0, exchange_rate="8.0321"))
    assert "received_amount 1245.00 does not agree with 10000.00 x 8.0321" in message


def test_duplicate_ids_name_the_second_price():
    message = _error(_with(3, id="ru-tj-cash-10000"))
    assert message == ("feed: price 3 (ES->MA 500.00 EUR): "
                       "id 'ru-tj-cash-10000' is also price 0's")


@pytest.mark.parametrize("change, expected", [
    (lambda d: d.update(format="remit-feed"), 'format: must be "remit-price-feed"'),
    (lambda d: d.update(version="1"), "version: must be \"1.0\""),
    (lambda d: d.update(version=Decimal("1.0")), "version: must be \"1.0\""),
    (lambda d: d["provider"].update(slug="Sample_Transfer"), "provider.slug: must be a slug"),
    (lambda d: d["provider"].update(slug="sample\n"), "provider.slug: must be a slug"),
    (lambda d: d["provider"].update(name=""), "provider.name: must not be empty"),
    (lambda d: d["provider"].update(website="http://x.example"),
     "provider.website: must be an https"),
    (lambda d: d["provider"].pop("name"), "provider: missing name"),
    (lambda d: d.update(prices=[]), "prices: must not be empty"),
    (lambda d: d.pop("published_at"), "(top level): missing published_at"),
    (lambda d: d.update(publisher="me"), "(top level): unknown field 'publisher'"),
])
def test_top_level_rules(change, expected):
    document = _valid()
    change(document)
    assert expected in _error(document)


def test_several_schema_errors_are_all_counted_first_ones_shown_in_document_order():
    document = _valid()
    document["prices"] = [copy.deepcopy(document["prices"][0]) for _ in range(12)]
    for index, point in enumerate(document["prices"]):
        point["id"] = f"p{index}"
        point["fee"] = Decimal("100.00")   # a JSON number: one error per price
    message = _error(document)
    assert message.count("fee: must be a decimal string") == feed.MAX_REPORTED
    places = re.findall(r"price (\d+) \(", message)
    assert places == ["0", "1", "2", "3", "4"], "numbers sort as numbers: 2 before 10"
    assert message.endswith("; and 7 more")


def test_a_key_twice_in_one_object_is_refused():
    body = (FIXTURES / "valid.json").read_text(encoding="utf-8").replace(
        '"fee": "100.00",', '"fee": "100.00", "fee": "1.00",', 1)
    assert "the key 'fee' appears twice in one object" in _error(body)


def test_nan_and_infinity_are_refused_without_a_float():
    body = (FIXTURES / "valid.json").read_text(encoding="utf-8").replace(
        '"fee": "100.00"', '"fee": NaN', 1)
    assert "fee: must be a decimal string" in _error(body)
    assert "the JSON number NaN" in _error(body)


# --- vendor extensions and versions ----------------------------------------------


def test_x_fields_are_ignored_everywhere():
    document = _valid()
    document["x-contact"] = "pricing@sample-transfer.example"
    document["provider"]["x-licence"] = "EMI 123"
    document["prices"][1]["x-rank"] = Decimal(3)
    assert _parse(document) == _parse(_valid())


def test_a_later_minor_version_is_read_ignoring_the_fields_it_adds():
    document = _valid()
    document["version"] = "1.3"
    document["prices"][0]["corridor_note"] = "a field of 1.3"
    document["loyalty_programme"] = {"name": "Sample Stars"}
    assert _parse(document) == _parse(_valid())


def test_a_later_minor_version_still_obeys_the_rules_of_1_0():
    document = _valid()
    document["version"] = "1.3"
    document["prices"][0]["fee"] = "free"
    assert "price 0 (RU->TJ 10000.00 RUB): fee: must be a decimal string" in _error(document)


@pytest.mark.parametrize("version", ["0.9", "2.0", "10.1"])
def test_other_major_versions_fail(version):
    document = _valid()
    document["version"] = version
    assert _error(document) == (f"feed: version '{version}' is not supported: "
                                "this reader reads version 1.x feeds")


def test_promotion_and_transparency_flags():
    by_ref = {o.source_ref: o for o in _parse(_valid())}
    assert by_ref["it-md-account-300"].promotional
    assert not by_ref["es-ma-cash-500"].promotional
    assert by_ref["ru-kg-cash-20000"].transparent is False
    assert all(o.transparent for ref, o in by_ref.items() if ref != "ru-kg-cash-20000")
    assert all(o.collected_at == COLLECTED and not o.indicative for o in by_ref.values())


def test_parse_is_pure():
    # Pure: the same body and the same collected_at give the same answer, later too.
    body = (FIXTURES / "valid.json").read_bytes()
    assert feed.parse(body, None, COLLECTED) == feed.parse(body, None, COLLECTED)
    later = COLLECTED + timedelta(hours=1)
    assert {o.collected_at for o in feed.parse(body, None, later)} == {later}
