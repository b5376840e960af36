"""The demo's partner price feed (docs/price-feed.md): one provider publishing its own prices.

It carries the demo's one service that does not disclose its exchange rate: a feed can
say so explicitly, which no scraped source can.
"""

from __future__ import annotations

import json
from decimal import Decimal

from scrapers.quotes import feed

from .market import Recording, down, mid_rate, significant

URL = "https://demo.remit.invalid/feeds/demo-partner-transfer.json"  # .invalid: never a real host
PUBLISHED_AT = "2026-11-20T08:00:00+00:00"


def _price(ident: str, origin: str, destination: str, send: str, receive: str, amount: str,
           fee: str, margin: str | None, **codes: str) -> dict:
    """One price point; ``margin`` None: the rate is not disclosed."""
    point = {"id": ident, "from": origin, "to": destination, "send_currency": send,
             "receive_currency": receive, "send_amount": amount, "fee": fee, "fee_mode": "on_top"}
    if margin is None:
        point |= {"exchange_rate": None, "rate_disclosed": False}
    else:
        rate = significant(mid_rate(send, receive) * (1 - Decimal(margin) / 100), 6)
        point |= {"exchange_rate": str(rate), "received_amount": str(down(Decimal(amount) * rate))}
    return point | codes


def recording() -> Recording:
    """The feed as its URL answers it."""
    document = {
        "format": "remit-price-feed", "version": feed.FORMAT_VERSION,
        "provider": {"slug": "demo-partner-transfer", "name": "Demo Partner Transfer"},
        "published_at": PUBLISHED_AT,
        "prices": [
            _price("ru-tj-cash-10000", "RU", "TJ", "RUB", "TJS", "10000.00", "0.00", None,
                   payment_instrument="cash", access_point="agent", pickup_method="cash",
                   speed="same_day"),
            _price("ru-tj-card-10000", "RU", "TJ", "RUB", "TJS", "10000.00", "60.00", "1.2",
                   payment_instrument="debit_card", access_point="mobile_app", pickup_method="card",
                   speed="less_than_1_hour"),
            _price("it-md-account-300", "IT", "MD", "EUR", "MDL", "300.00", "2.50", "1.1",
                   payment_instrument="bank_account", access_point="internet",
                   pickup_method="bank_account", speed="next_day"),
        ],
    }
    body = json.dumps(document, indent=1, ensure_ascii=False).encode("utf-8")
    [request] = feed.requests(URL)
    return Recording("feed", request, 200, "application/json", body, "json")
