"""The data model in one place.

Catalogue: currencies, countries, corridors, providers and their services. Observations:
quotes (append-only price observations) and reference rates, each traceable to its source
and to the raw response archived under its sha256. Operations: collection runs.

Conventions: money and rates are ``Decimal`` (``remit.types.Money`` / ``Rate``), times are
aware UTC (``UTCDateTime``); coded attributes hold the values of ``remit.vocab``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Index, Text, UniqueConstraint, event, false
from sqlmodel import Field, SQLModel

from .types import ExactDecimal, Money, Percent, Rate, UTCDateTime, utcnow
from .vocab import FeeMode, RunStatus, Speed


class Currency(SQLModel, table=True):
    """An ISO 4217 currency; names come from Babel in the reader's language."""

    code: str = Field(primary_key=True, max_length=3)
    minor_units: int = Field(default=2)


class Country(SQLModel, table=True):
    """A country by ISO 3166 alpha-3 (as RPW codes it), with alpha-2 for URLs and Babel."""

    iso3: str = Field(primary_key=True, max_length=3)
    iso2: str | None = Field(default=None, max_length=2, unique=True)
    name: str = Field(max_length=120)  # English fallback where Babel has no name
    currency_code: str | None = Field(default=None, foreign_key="currency.code", max_length=3)


class Corridor(SQLModel, table=True):
    """A sending country to a receiving country, with the usual currencies of each side."""

    __table_args__ = (UniqueConstraint("source_country", "destination_country"),)

    id: int | None = Field(default=None, primary_key=True)
    source_country: str = Field(foreign_key="country.iso3", max_length=3)
    destination_country: str = Field(foreign_key="country.iso3", max_length=3)
    send_currency: str = Field(foreign_key="currency.code", max_length=3)
    receive_currency: str = Field(foreign_key="currency.code", max_length=3)
    in_catalog: bool = Field(default=False)  # one of remit's own corridors, not only imported
    enabled: bool = Field(default=True)

    @property
    def key(self) -> str:
        """The corridor as researchers write it: ISO3 pair with a hyphen, e.g. RUS-TJK."""
        return f"{self.source_country}-{self.destination_country}"


class Provider(SQLModel, table=True):
    """A bank, money transfer operator, post office, mobile operator or digital service."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, max_length=80)
    name: str = Field(max_length=200)
    firm_type: str = Field(max_length=32)
    website: str | None = Field(default=None, max_length=300)
    in_catalog: bool = Field(default=False)


class Service(SQLModel, table=True):
    """One way of sending with one provider in one corridor, as RPW distinguishes them."""

    __table_args__ = (
        UniqueConstraint("provider_id", "corridor_id", "payment_instrument", "access_point",
                         "pickup_method", "speed", name="uq_service_attributes"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    corridor_id: int = Field(foreign_key="corridor.id", index=True)
    payment_instrument: str = Field(max_length=32)
    access_point: str = Field(max_length=32)
    pickup_method: str = Field(max_length=32)
    speed: str = Field(default=Speed.UNKNOWN, max_length=32)
    receiving_network_coverage: str | None = Field(default=None, max_length=80)


class CollectionRun(SQLModel, table=True):
    """One run of one source (a collector or an import): what it did and how it ended."""

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=40, index=True)
    kind: str = Field(max_length=16)  # rates, quotes or import
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = Field(default=RunStatus.RUNNING, max_length=16)
    stored: int = Field(default=0)
    quarantined: int = Field(default=0)
    rejected: int = Field(default=0)
    http_calls: int = Field(default=0)
    bytes: int = Field(default=0)
    error: str | None = Field(default=None, sa_type=Text)
    raw_sha256: str | None = Field(default=None, max_length=64)


class Quote(SQLModel, table=True):
    """One observed price for one send amount: append-only, never updated in place.

    ``exchange_rate`` and ``reference_rate`` are both "units of receive_currency per unit
    of send_currency". A missing ``exchange_rate`` means the provider did not disclose it.
    """

    __table_args__ = (
        UniqueConstraint("source", "source_ref", name="uq_quote_source_ref"),
        Index("ix_quote_service_collected", "service_id", "collected_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="service.id")
    run_id: int | None = Field(default=None, foreign_key="collectionrun.id", index=True)
    source: str = Field(max_length=40)
    source_ref: str | None = Field(default=None, max_length=200)
    reported_provider: str | None = Field(default=None, max_length=200)  # firm name as the source writes it
    collection_method: str = Field(max_length=32)
    collected_at: datetime = Field(sa_type=UTCDateTime, index=True)
    source_dated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    period: str = Field(max_length=6, index=True)  # calendar quarter, e.g. 2025Q3
    send_amount: Decimal = Field(sa_type=Money())
    send_currency: str = Field(max_length=3)
    amount_tier: int | None = Field(default=None)  # 200 or 500 (USD equivalent), else empty
    fee: Decimal = Field(sa_type=Money())
    fee_currency: str = Field(max_length=3)
    fee_mode: str = Field(default=FeeMode.UNKNOWN, max_length=16)
    receiving_fee: Decimal | None = Field(default=None, sa_type=Money())
    exchange_rate: Decimal | None = Field(default=None, sa_type=Rate())
    received_amount: Decimal | None = Field(default=None, sa_type=Money())  # as stated by the source
    receive_currency: str = Field(max_length=3)
    reference_rate: Decimal | None = Field(default=None, sa_type=Rate())
    reference_rate_source: str | None = Field(default=None, max_length=40)
    reference_rate_date: date | None = Field(default=None)
    reference_rate_path: str | None = Field(default=None, max_length=120)  # e.g. EUR>RUB (cbr), RUB>RSD (cbr)
    reference_rate_stale: bool = Field(  # older than BENCHMARK_MAX_AGE_DAYS when used
        default=False, sa_column_kwargs={"server_default": false()})
    transparent: bool = Field(default=True)
    promotional: bool = Field(default=False)
    indicative: bool = Field(default=False)
    raw_sha256: str | None = Field(default=None, max_length=64)
    # Derived when stored, by remit.quote_costs through remit.costs, from the fields above,
    # rounded as the exports give them: an export of millions of quotes is then text the
    # database hands out. Rankings and statistics compute from the fields above instead.
    fx_margin_pct: Decimal | None = Field(default=None, sa_type=Percent())
    total_cost_pct: Decimal | None = Field(default=None, sa_type=Percent())
    computed_received_amount: Decimal | None = Field(default=None, sa_type=ExactDecimal(48, 6))


# what a quote's cost is worked out from (remit.queries.breakdown_of)
COST_INPUTS = ("send_amount", "send_currency", "fee", "fee_currency", "fee_mode",
               "exchange_rate", "reference_rate", "receiving_fee")


@event.listens_for(Quote, "before_insert")
def _derive_costs(_mapper, _connection, quote: Quote) -> None:
    """Quotes added one by one through the ORM; bulk inserts derive in their rows."""
    from .quote_costs import derived_costs  # it reads this module
    quote.fx_margin_pct, quote.total_cost_pct, quote.computed_received_amount = derived_costs(
        **{name: getattr(quote, name) for name in COST_INPUTS})


class ReferenceRate(SQLModel, table=True):
    """An official or market rate: 1 ``base`` = ``rate`` ``quote``, as of a date."""

    __table_args__ = (UniqueConstraint("source", "base", "quote", "as_of", name="uq_rate"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=40)
    base: str = Field(max_length=3)
    quote: str = Field(max_length=3)
    rate: Decimal = Field(sa_type=Rate())
    as_of: date = Field(index=True)
    fetched_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    raw_sha256: str | None = Field(default=None, max_length=64)
    run_id: int | None = Field(default=None, foreign_key="collectionrun.id")


class CorridorAverage(SQLModel, table=True):
    """The World Bank's own published average total cost of a corridor in a quarter.

    From the DataBank series "Average total cost to remit in corridor" (RPW, USD 200),
    shown beside remit's own series; never mixed into remit's statistics.
    """

    __table_args__ = (UniqueConstraint("source_country", "destination_country", "period",
                                       "amount_tier", name="uq_corridor_average"),)

    id: int | None = Field(default=None, primary_key=True)
    source_country: str = Field(max_length=3)       # ISO alpha-3, as RPW codes it
    destination_country: str = Field(max_length=3)
    period: str = Field(max_length=6)               # calendar quarter, e.g. 2020Q3
    amount_tier: int = Field(default=200)
    total_cost_pct: Decimal = Field(sa_type=Rate())
    raw_sha256: str | None = Field(default=None, max_length=64)
    run_id: int | None = Field(default=None, foreign_key="collectionrun.id")


class CorridorStat(SQLModel, table=True):
    """Statistics of one corridor in one period (month or quarter) and amount tier.

    Computed by ``remit.stats`` with the functions of ``remit.costs`` only, from remit's
    own collected quotes; percentages of the amount sent. Recomputed, never edited.
    """

    __table_args__ = (UniqueConstraint("corridor_id", "period", "amount_tier", name="uq_corridor_stat"),)

    id: int | None = Field(default=None, primary_key=True)
    corridor_id: int = Field(foreign_key="corridor.id", index=True)
    period: str = Field(max_length=7)          # 2026-11 (month) or 2026Q4 (quarter)
    period_kind: str = Field(max_length=8)     # month or quarter
    amount_tier: int
    services: int                               # services with a known total cost
    unknown_cost: int                           # services whose rate is not disclosed
    quotes: int                                 # quotes the figures rest on
    average: Decimal | None = Field(default=None, sa_type=Rate())
    median: Decimal | None = Field(default=None, sa_type=Rate())
    minimum: Decimal | None = Field(default=None, sa_type=Rate())
    smart: Decimal | None = Field(default=None, sa_type=Rate())
    smart_services: int = Field(default=0)
    share_under_3_pct: Decimal | None = Field(default=None, sa_type=Rate())
    share_under_5_pct: Decimal | None = Field(default=None, sa_type=Rate())
    computed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Quarantine(SQLModel, table=True):
    """An observation that failed validation: kept with the reason, never published."""

    id: int | None = Field(default=None, primary_key=True)
    run_id: int | None = Field(default=None, foreign_key="collectionrun.id", index=True)
    source: str = Field(max_length=40)
    kind: str = Field(max_length=16)  # rate or quote
    observation: str = Field(sa_type=Text)  # the observation as JSON, values as text
    reason: str = Field(sa_type=Text)
    raw_sha256: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SchedulerLease(SQLModel, table=True):
    """Who runs the scheduler, until when: exactly one scheduler at a time on SQLite."""

    name: str = Field(primary_key=True, max_length=40)
    holder: str = Field(max_length=200)      # host and process id
    expires_at: datetime = Field(sa_type=UTCDateTime)


# --- partners and the operator (remit.accounts, remit.partners) ------------------------------


class User(SQLModel, table=True):
    """A person who signs in: an admin (the operator) or a partner of one provider."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)          # stored lowercased
    password_hash: str | None = Field(default=None, max_length=200)   # argon2; None until set
    role: str = Field(max_length=16)                          # admin or partner
    provider_id: int | None = Field(default=None, foreign_key="provider.id", index=True)
    totp_secret: str | None = Field(default=None, max_length=64)      # second factor, once set up
    active: bool = Field(default=True)
    session_version: int = Field(default=1)   # bumped to end every session of the user
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OneTimeToken(SQLModel, table=True):
    """An invitation or a password reset: a secret link, stored hashed, used once."""

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=16)                       # invite or reset
    token_hash: str = Field(max_length=64, unique=True)       # sha256 of the secret
    email: str = Field(max_length=254)
    role: str | None = Field(default=None, max_length=16)     # invitations: the role granted
    provider_id: int | None = Field(default=None, foreign_key="provider.id")
    user_id: int | None = Field(default=None, foreign_key="user.id")   # resets: whose password
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginFailure(SQLModel, table=True):
    """A failed sign-in, for throttling per account and per address."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    address: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class Dispute(SQLModel, table=True):
    """A provider says a collected price is wrong; the operator decides. Never deleted."""

    id: int | None = Field(default=None, primary_key=True)
    quote_id: int = Field(foreign_key="quote.id", index=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    raised_by: int = Field(foreign_key="user.id")
    reason: str = Field(max_length=32)        # wrong_fee, wrong_rate, discontinued, other
    comment: str = Field(sa_type=Text)
    status: str = Field(default="open", max_length=16)        # open, upheld, rejected
    decision_note: str | None = Field(default=None, sa_type=Text)   # shown publicly when upheld
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiKey(SQLModel, table=True):
    """A provider's key for submitting prices; the secret is shown once and kept hashed."""

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    name: str = Field(max_length=80)
    prefix: str = Field(max_length=12)                        # shown, to tell keys apart
    key_hash: str = Field(max_length=64, unique=True)         # sha256 of the whole key
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ProviderFeed(SQLModel, table=True):
    """A price-feed URL a provider registered; the scheduler pulls it with the quotes."""

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    url: str = Field(max_length=500)
    added_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    active: bool = Field(default=True)


class AuditEvent(SQLModel, table=True):
    """Every change made through the portal, the admin pages or the user commands."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")   # None: the command line
    action: str = Field(max_length=60)                        # e.g. dispute.upheld
    object_type: str = Field(max_length=40)
    object_id: int | None = None
    detail: str = Field(default="", sa_type=Text)             # JSON, values as text
