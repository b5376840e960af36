"""Demo answers of the four price sources, in the shapes their parsers read.

Prices are made, not observed, but made the way the market makes them: each provider
applies its margin to the table's mid rate (``market.mid_rate``) and charges its fee, and
the amount received is what the rate, fee and fee mode give, so that every answer adds up.
Margins run from a few tenths of a percent (Wise) to about four percent (banks); cash
pickup costs more than a bank account or card; some offers charge no fee and take a wider
margin; there are promotions (a Remitly first-transfer rate, a KoronaPay discount).
Shapes follow ``tests/fixtures/quotes/<source>/``; the values are the demo's own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from urllib.parse import parse_qs, urlsplit

from scrapers.base import QuoteQuery, Request
from scrapers.registry import QUOTE_SOURCES, quote_source

from ..catalog import alpha3
from ..collect import TierQuery
from .market import NUMERIC, Recording, down, mid_rate, places, significant, to_json

FEE_SCALE = {"EUR": Decimal(1), "TRY": Decimal(50), "RUB": Decimal(90)}  # EUR fees elsewhere
COLLECTED = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)   # when Wise saw the first price


@dataclass(frozen=True)
class Offer:
    """How one provider prices a transfer: margin below the mid rate (%) and its fee."""

    margin: Decimal
    fee: Decimal = Decimal(0)          # fixed, in EUR (scaled by FEE_SCALE)
    fee_pct: Decimal = Decimal(0)      # on top of the fixed part, percent of the amount
    deducted: bool = False             # taken out of the amount, else paid on top

    def charge(self, amount: Decimal, currency: str) -> Decimal:
        """The fee for sending ``amount`` in ``currency``, to the cent."""
        return places(self.fee * FEE_SCALE[currency] + amount * self.fee_pct / 100, 2)

    def received(self, amount: Decimal, fee: Decimal, rate: Decimal) -> Decimal:
        """What reaches the recipient, rounded down as payouts are."""
        return down((amount - fee if self.deducted else amount) * rate)


def _rate(mid: Decimal, margin: Decimal, digits: int = 6) -> Decimal:
    """The mid rate less ``margin`` percent, cut to ``digits`` significant digits."""
    return significant(mid * (1 - margin / 100), digits, ROUND_DOWN)


def _extra(query: QuoteQuery) -> Decimal:
    """0 to 0.3 points more margin, by corridor: markets differ in how dear they are."""
    return Decimal(sum(f"{query.source_country}{query.destination_country}".encode()) % 4) / 10


# ---- Wise comparison: several providers per answer


@dataclass(frozen=True)
class Listed:
    """A provider as Wise lists it, with its offer and delivery estimate."""

    id: int
    alias: str
    name: str
    type: str
    offer: Offer
    duration: tuple[str | None, str | None]


MTO = "moneyTransferProvider"
WISE = Listed(1, "wise", "Wise", MTO, Offer(Decimal(0), Decimal("0.39"), Decimal("0.55"), True),
              ("PT20S", "PT50M"))
COMPETITORS = (
    Listed(2, "western-union", "Western Union", MTO, Offer(Decimal("1.7"), Decimal("1.90"),
                                                           deducted=True), ("PT10M", "PT45M")),
    Listed(3, "moneygram", "MoneyGram", MTO, Offer(Decimal("2.9")), ("PT1H", "P1D")),
    Listed(4, "ria", "Ria Money Transfer", MTO, Offer(Decimal("1.3"), Decimal("2.99")),
           ("P1D", "P2D")),
)
EXTRAS = {  # by destination: digital providers that price these corridors too
    "UA": Listed(5, "paysend", "Paysend", MTO, Offer(Decimal("1.0"), Decimal("1.50")),
                 ("PT30M", "PT1H")),
    "MD": Listed(5, "paysend", "Paysend", MTO, Offer(Decimal("1.0"), Decimal("1.50")),
                 ("PT30M", "PT1H")),
    "MA": Listed(6, "worldremit", "WorldRemit", MTO, Offer(Decimal("1.6"), Decimal("1.99")),
                 (None, None)),
    "TN": Listed(6, "worldremit", "WorldRemit", MTO, Offer(Decimal("1.6"), Decimal("1.99")),
                 (None, None)),
}
BANK_OFFER = Offer(Decimal("3.3"), Decimal("4.50"), Decimal("0.15"), True)
BANKS = {"IT": (11, "intesa-sanpaolo", "Intesa Sanpaolo"), "DE": (12, "sparkasse", "Sparkasse"),
         "ES": (13, "santander", "Santander"), "FR": (14, "bnp-paribas", "BNP Paribas"),
         "GR": (15, "piraeus-bank", "Piraeus Bank"), "TR": (16, "ziraat-bankasi", "Ziraat Bankası")}
WISE_BELOW_MID = Decimal("0.3")   # Wise's own mid-market feed against the official fixings


def _wise_quote(listed: Listed, question: TierQuery, mid: Decimal, stamp: datetime) -> dict:
    """One provider's quote; markup is against Wise's own mid rate, as Wise reports it."""
    query = question.query
    markup = Decimal(0) if listed is WISE else listed.offer.margin + _extra(query)
    rate = _rate(mid, markup)
    fee = listed.offer.charge(query.send_amount, query.send_currency)
    own = listed is WISE
    shortest, longest = listed.duration
    received = listed.offer.received(query.send_amount, fee, rate)
    return {"rate": rate, "fee": fee, "receivedAmount": received,
            "markup": places(markup, 4), "dateCollected": f"{stamp:%Y-%m-%dT%H:%M:%SZ}",
            "isConsideredMidMarketRate": own,
            "sourceCountry": None if own else query.source_country,
            "targetCountry": None if own else query.destination_country,
            "deliveryEstimation": {"duration": {"min": shortest, "max": longest},
                                   "providerGivesEstimate": longest is not None,
                                   "durationType": "CALENDAR"}}


def _wise(question: TierQuery, request: Request, number: int) -> bytes:
    """A comparison: Wise, the big MTOs, digital ones where they operate, a local bank."""
    query = question.query
    listed = [WISE, *COMPETITORS]
    if query.destination_country in EXTRAS:
        listed.append(EXTRAS[query.destination_country])
    bank_id, alias, name = BANKS[query.source_country]
    listed.append(Listed(bank_id, alias, name, "bank", BANK_OFFER, ("P1D", "P3D")))
    mid = mid_rate(query.send_currency, query.receive_currency) * (1 - WISE_BELOW_MID / 100)
    providers = []
    for position, provider in enumerate(listed):
        # Every price Wise shows was seen at its own moment: dateCollected tells them apart.
        stamp = COLLECTED + timedelta(seconds=97 * (number * 10 + position))
        logo = f"https://logos.example/{provider.alias}"
        providers.append({"id": provider.id, "alias": provider.alias, "name": provider.name,
                          "logos": {"normal": {"svgUrl": f"{logo}.svg", "pngUrl": f"{logo}.png"}},
                          "type": provider.type, "partner": False,
                          "quotes": [_wise_quote(provider, question, mid, stamp)]})
    return to_json({"sourceCurrency": query.send_currency, "targetCurrency": query.receive_currency,
                    "sourceCountry": query.source_country,
                    "targetCountry": query.destination_country,
                    "providerCountry": None, "providerTypes": ["bank", MTO],
                    "amount": query.send_amount, "amountType": "SEND",
                    "providers": providers}).encode("utf-8")


# ---- KoronaPay: one tariff per payout method, amounts in minor units

KORONA = {("TJ", "card"): Decimal("1.1"), ("TJ", "cash"): Decimal("1.7"),
          ("KG", "card"): Decimal("1.2"), ("KG", "cash"): Decimal("1.9"),
          ("UZ", "card"): Decimal("1.0"), ("UZ", "cash"): Decimal("1.6"),
          ("AM", "cash"): Decimal("2.3"), ("GE", "cash"): Decimal("2.6"),
          ("MD", "cash"): Decimal("1.8")}
KORONA_FEE = {"MD": Decimal("1.0")}           # percent, added on top; elsewhere no fee
KORONA_DISCOUNT = {("UZ", "card"): Decimal("0.4")}   # a better rate for a while, percent
RUSSIAN = {"RUB": "Российский рубль", "TJS": "Таджикский сомони", "KGS": "Киргизский сом",
           "UZS": "Узбекский сум", "AMD": "Армянский драм", "GEL": "Грузинский лари",
           "MDL": "Молдавский лей"}


def _minor(amount: Decimal) -> int:
    """Kopecks, dirams, tyiyns: KoronaPay writes amounts in minor units."""
    return int(amount.scaleb(2))


def _koronapay(question: TierQuery, request: Request, number: int) -> bytes:
    """The tariff for the payout method in the URL; a discount shows as a better rate."""
    query = question.query
    method = parse_qs(urlsplit(request.url).query)["receivingMethod"][0]
    key = (query.destination_country, method)
    standard = _rate(mid_rate("RUB", query.receive_currency), KORONA[key], 5)
    bonus = KORONA_DISCOUNT.get(key, Decimal(0))
    rate = significant(standard * (1 + bonus / 100), 5, ROUND_DOWN) if bonus else standard
    offer = Offer(KORONA[key], fee_pct=KORONA_FEE.get(query.destination_country, Decimal(0)))
    fee = offer.charge(query.send_amount, "RUB")
    sent = _minor(query.send_amount)
    return to_json([{
        "sendingCurrency": {"id": "810", "code": "RUB", "name": RUSSIAN["RUB"]},
        "sendingAmount": sent, "sendingAmountDiscount": 0, "sendingAmountWithoutCommission": sent,
        "sendingCommission": _minor(fee), "sendingCommissionDiscount": 0,
        "sendingTransferCommission": _minor(fee), "paidNotificationCommission": 0,
        "receivingCurrency": {"id": NUMERIC[query.receive_currency],
                              "code": query.receive_currency,
                              "name": RUSSIAN[query.receive_currency]},
        "receivingAmount": _minor(offer.received(query.send_amount, fee, rate)),
        "exchangeRate": rate, "exchangeRateType": "direct",
        "exchangeRateDiscount": rate - standard if bonus else 0, "profit": 0,
        "properties": {}}]).encode("utf-8")


# ---- Unistream: one entry per payout product

UNISTREAM_CASH = {"TJ": "в Таджикистане", "KG": "в Киргизии", "UZ": "в Узбекистане",
                  "AM": "в Армении", "GE": "в Грузии"}
UNISTREAM_CARDS = {"TJ": "Корти Милли", "KG": "Элкарт", "UZ": "Uzcard/Humo"}
CASH_OFFER = Offer(Decimal("1.4"), fee_pct=Decimal(1), deducted=True)
CAUCASUS_CASH = Offer(Decimal("1.8"), fee_pct=Decimal(1), deducted=True)  # thinner networks
UNISTREAM_CASH_OFFER = {"AM": CAUCASUS_CASH, "GE": CAUCASUS_CASH}
CARD_OFFER = Offer(Decimal("1.5"))


def _unistream_entry(query: QuoteQuery, name: str, offer: Offer) -> dict:
    """One payout product: Unistream quotes rates to four decimals (two above ten)."""
    mid = mid_rate("RUB", query.receive_currency)
    rate = down(mid * (1 - offer.margin / 100), 4 if mid < 10 else 2)
    fee = offer.charge(query.send_amount, "RUB")
    return {"name": name, "acceptedAmount": places(query.send_amount, 2), "acceptedCurrency": "RUB",
            "withdrawAmount": offer.received(query.send_amount, fee, rate),
            "withdrawCurrency": query.receive_currency, "rate": rate, "acceptedTotalFee": fee,
            "acceptedTotalFeeCurrency": "RUB"}


def _unistream(question: TierQuery, request: Request, number: int) -> bytes:
    """Cash pickup everywhere, card payout where Unistream credits local cards."""
    query = question.query
    country = query.destination_country
    fees = [_unistream_entry(query, f"Выдача наличных {UNISTREAM_CASH[country]}",
                             UNISTREAM_CASH_OFFER.get(country, CASH_OFFER))]
    if country in UNISTREAM_CARDS:
        fees.append(_unistream_entry(query, f"Зачисление на карту {UNISTREAM_CARDS[country]}",
                                     CARD_OFFER))
    return to_json({"message": None, "fees": fees}).encode("utf-8")


# ---- Remitly: the calculator's estimate, a first-transfer rate in some corridors

REMITLY = {  # destination: pay-in, payout, offer
    "MD": ("DEBIT_CARD", "CASH_PICKUP", Offer(Decimal("1.6"), Decimal("1.99"))),
    "AL": ("DEBIT_CARD", "CASH_PICKUP", Offer(Decimal("1.9"), Decimal("2.99"))),
    "MA": ("BANK_ACCOUNT", "BANK_DEPOSIT", Offer(Decimal("1.4"))),
    "UA": ("DEBIT_CARD", "BANK_DEPOSIT", Offer(Decimal("1.2"), Decimal("1.99"))),
    "RS": ("DEBIT_CARD", "BANK_DEPOSIT", Offer(Decimal("1.7"), Decimal("2.99"))),
    "BA": ("DEBIT_CARD", "CASH_PICKUP", Offer(Decimal("2.0"), Decimal("2.99"))),
    "XK": ("DEBIT_CARD", "CASH_PICKUP", Offer(Decimal(0), Decimal("3.99"))),
    "TR": ("BANK_ACCOUNT", "BANK_DEPOSIT", Offer(Decimal("1.5"))),
    "DZ": ("DEBIT_CARD", "CASH_PICKUP", Offer(Decimal("2.4"), Decimal("2.99"))),
    "TN": ("DEBIT_CARD", "BANK_DEPOSIT", Offer(Decimal("1.8"), Decimal("1.99"))),
}
# Corridor: (points better than the standard rate, send amount up to which it applies).
REMITLY_PROMOTIONS = {("IT", "MD"): (Decimal("2.0"), "1000.00"),
                      ("FR", "MA"): (Decimal("1.8"), "500.00")}
ARRIVES = {"CASH_PICKUP": "2026-11-20T18:15:00Z", "BANK_DEPOSIT": "2026-11-21T09:00:00Z"}


def _remitly(question: TierQuery, request: Request, number: int) -> bytes:
    """The estimate; where a promotion runs, the amount received is at the promotional rate."""
    query = question.query
    pay_in, payout, offer = REMITLY[query.destination_country]
    mid = mid_rate("EUR", query.receive_currency)
    # Paid out in euros (Kosovo) there is nothing to convert, hence no margin.
    base = places(_rate(mid, offer.margin + _extra(query)), 4) if mid != 1 else places(mid, 4)
    promotion = REMITLY_PROMOTIONS.get((query.source_country, query.destination_country))
    promo = places(base * (1 + promotion[0] / 100), 4) if promotion else None
    fee = offer.charge(query.send_amount, "EUR")
    received = offer.received(query.send_amount, fee, promo or base)  # new customers get the promo
    conduit = {"source_country": alpha3(query.source_country),
               "target_country": alpha3(query.destination_country),
               "source_currency": {"alpha3": "EUR"},
               "target_currency": {"alpha3": query.receive_currency}}
    return to_json({"estimate": {
        "conduit": conduit, "send_amount": str(places(query.send_amount, 2)),
        "receive_amount": str(received),
        "total_charge_amount": str(places(query.send_amount + fee, 2)),
        "fee": {"base_fee_amount": str(fee), "total_fee_amount": str(fee)},
        "exchange_rate": {"base_rate": str(base), "promotional_exchange_rate": promo and str(promo),
                          "capped_promotional_exchange_rate_amount": promotion and promotion[1]},
        "discount": {"fee_discount_amount": "0.00", "send_discount_amount": "0.00"},
        "pay_in_method": pay_in, "pay_out_method": payout,
        "delivery_date_estimate": ARRIVES[payout]},
        "pay_out_price_estimates": {"estimates": []}}).encode("utf-8")


WRITERS: dict[str, tuple[Callable[[TierQuery, Request, int], bytes], str]] = {
    "wise": (_wise, "application/json"),
    "koronapay": (_koronapay, "application/json"),
    "unistream": (_unistream, "application/json; charset=utf-8"),
    "remitly": (_remitly, "application/json"),
}


def recordings(questions: list[TierQuery]) -> list[tuple[Recording, TierQuery]]:
    """Every price source's requests for the questions it serves, with the demo's answers."""
    found = []
    for name in QUOTE_SOURCES:
        module = quote_source(name)
        writer, content_type = WRITERS[name]
        for number, question in enumerate(questions):
            if not module.serves(question.query):
                continue
            for request in module.requests(question.query, {}):
                body = writer(question, request, number)
                found.append((Recording(name, request, 200, content_type, body, "json"), question))
    return found
