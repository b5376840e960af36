"""The coded vocabulary of services and quotes, as the World Bank RPW survey codes it.

Stored as these short strings; ``UNKNOWN`` is a value of its own, never a guess.
"""

from __future__ import annotations

from enum import StrEnum


class FirmType(StrEnum):
    BANK = "bank"
    MTO = "money_transfer_operator"
    POST_OFFICE = "post_office"
    MOBILE_OPERATOR = "mobile_operator"
    DIGITAL = "digital_only"
    NON_BANK_FI = "non_bank_fi"
    UNKNOWN = "unknown"


class PaymentInstrument(StrEnum):
    CASH = "cash"
    BANK_ACCOUNT = "bank_account"
    DEBIT_CARD = "debit_card"
    CREDIT_CARD = "credit_card"
    MOBILE_MONEY = "mobile_money"
    UNKNOWN = "unknown"


class AccessPoint(StrEnum):
    AGENT = "agent"
    BRANCH = "branch"
    INTERNET = "internet"
    MOBILE_APP = "mobile_app"
    UNKNOWN = "unknown"


class PickupMethod(StrEnum):
    CASH = "cash"
    BANK_ACCOUNT = "bank_account"
    OWN_BANK_ACCOUNT = "own_bank_account"  # RPW "Own/partner Bank Account": the provider's network only
    MOBILE_WALLET = "mobile_wallet"
    CARD = "card"
    HOME_DELIVERY = "home_delivery"
    UNKNOWN = "unknown"


class Speed(StrEnum):
    LESS_THAN_ONE_HOUR = "less_than_1_hour"
    SAME_DAY = "same_day"
    NEXT_DAY = "next_day"
    TWO_DAYS = "2_days"
    THREE_TO_FIVE_DAYS = "3_5_days"
    SIX_DAYS_OR_MORE = "6_days_or_more"
    UNKNOWN = "unknown"


# Upper bound in days of each speed band, for criteria such as SmaRT's "within 5 days".
SPEED_MAX_DAYS: dict[Speed, int | None] = {
    Speed.LESS_THAN_ONE_HOUR: 0,
    Speed.SAME_DAY: 0,
    Speed.NEXT_DAY: 1,
    Speed.TWO_DAYS: 2,
    Speed.THREE_TO_FIVE_DAYS: 5,
    Speed.SIX_DAYS_OR_MORE: None,
    Speed.UNKNOWN: None,
}


class FeeMode(StrEnum):
    ON_TOP = "on_top"        # the sender pays amount + fee; the whole amount is converted
    DEDUCTED = "deducted"    # the fee comes out of the amount; amount - fee is converted
    UNKNOWN = "unknown"      # the source does not say: received amount is then not computed


class CollectionMethod(StrEnum):
    PROVIDER_API = "provider_api"
    AGGREGATOR = "aggregator"
    PARTNER_SUBMITTED = "partner_submitted"
    MANUAL_AUDIT = "manual_audit"
    RPW_IMPORT = "rpw_import"


class RunStatus(StrEnum):
    RUNNING = "running"
    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"
    SKIPPED = "skipped"      # not configured (e.g. an API key missing): nothing was tried
