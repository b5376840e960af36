"""Words for coded values and request errors, in the reader's language.

Lazy strings, so that each is translated when a page is rendered, in that page's locale.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..vocab import FirmType, PaymentInstrument, PickupMethod, Speed

PICKUP = {
    PickupMethod.CASH: _l("Cash pickup"),
    PickupMethod.BANK_ACCOUNT: _l("To a bank account"),
    PickupMethod.OWN_BANK_ACCOUNT: _l("To an account at the provider's partner bank"),
    PickupMethod.MOBILE_WALLET: _l("To a mobile wallet"),
    PickupMethod.CARD: _l("To a card"),
    PickupMethod.HOME_DELIVERY: _l("Home delivery"),
    PickupMethod.UNKNOWN: _l("Pickup not stated"),
}

SPEED = {
    Speed.LESS_THAN_ONE_HOUR: _l("Within an hour"),
    Speed.SAME_DAY: _l("Same day"),
    Speed.NEXT_DAY: _l("Next day"),
    Speed.TWO_DAYS: _l("2 days"),
    Speed.THREE_TO_FIVE_DAYS: _l("3 to 5 days"),
    Speed.SIX_DAYS_OR_MORE: _l("6 days or more"),
    Speed.UNKNOWN: _l("Speed not stated"),
}

# the speed filter: "arrives within" this many days
MAX_DAYS = {
    "0": _l("Today"),
    "1": _l("By tomorrow"),
    "2": _l("Within 2 days"),
    "5": _l("Within 5 days"),
}

FIRM_TYPE = {
    FirmType.BANK: _l("Bank"),
    FirmType.MTO: _l("Money transfer operator"),
    FirmType.POST_OFFICE: _l("Post office"),
    FirmType.MOBILE_OPERATOR: _l("Mobile operator"),
    FirmType.DIGITAL: _l("Online service"),
    FirmType.NON_BANK_FI: _l("Non-bank financial institution"),
    FirmType.UNKNOWN: _l("Type not stated"),
}

PAYMENT = {
    PaymentInstrument.CASH: _l("Pay in cash"),
    PaymentInstrument.BANK_ACCOUNT: _l("Pay from a bank account"),
    PaymentInstrument.DEBIT_CARD: _l("Pay by debit card"),
    PaymentInstrument.CREDIT_CARD: _l("Pay by credit card"),
    PaymentInstrument.MOBILE_MONEY: _l("Pay by mobile money"),
    PaymentInstrument.UNKNOWN: _l("Payment method not stated"),
}

ERRORS = {
    "bad_pair": _l("This address does not name two countries."),
    "unknown_country": _l("We do not know one of these countries."),
    "same_country": _l("Choose two different countries: the one you send from and the one you send to."),
    "not_covered": _l("We do not compare transfers between these countries yet."),
    "amount_missing": _l("Enter the amount you want to send."),
    "amount_not_number": _l("Enter the amount as a number, for example 10000."),
    "amount_not_positive": _l("Enter an amount greater than zero."),
    "amount_too_large": _l("This amount is too large."),
    # i18n: {low} and {high} are amounts with their currency, e.g. "800 RUB"; keep the braces
    "amount_out_of_range": _l("Enter an amount between {low} and {high}."),
    # i18n: {send} and {receive} are currency codes, e.g. RUB and TJS; keep the braces
    "wrong_currency": _l("Choose {send} or {receive}."),
    "bad_filter": _l("This filter does not exist. Choose one from the list."),
    "missing_country": _l("Choose the country you send from and the country you send to."),
    "unknown_provider": _l("We do not know this provider."),
    "unknown_language": _l("We do not have the site in this language."),
    "not_found": _l("There is no page at this address."),
    "unknown_module": _l("We do not have this lesson."),
    "form_expired": _l("This form has expired. Please open the page again and try once more."),
    "unknown_calculator": _l("We do not have this calculator."),
    "bad_count": _l("Enter how many times a month, from 1 to 31."),
    "choose_corridor": _l("Choose where you send money from and to."),
    "no_reference_rate": _l("We have no official exchange rate for these currencies yet."),
    "bad_numbers": _l("These numbers do not work together: the fee must be smaller than the amount."),
}


def label(table: dict, value: str) -> str:
    """The words for a coded value, or the code itself if the table lacks it."""
    try:
        return str(table[value])
    except KeyError:
        return value

# reference-rate sources (remit.reference names them by these keys)
RATE_SOURCES = {
    "cbr": _l("Bank of Russia"),
    "nbm": _l("National Bank of Moldova"),
    "nbt": _l("National Bank of Tajikistan"),
    "nbkr": _l("National Bank of the Kyrgyz Republic"),
    "cbu": _l("Central Bank of Uzbekistan"),
    "nbg": _l("National Bank of Georgia"),
    "cba": _l("Central Bank of Armenia"),
    "nbu": _l("National Bank of Ukraine"),
    "ecb": _l("European Central Bank"),
    "tcmb": _l("Central Bank of the Republic of Türkiye"),
    "bct": _l("Central Bank of Tunisia"),
    "bam": _l("Bank Al-Maghrib"),
    "peg": _l("rate fixed by law"),
}
