"""Price quotes into the database: checked, priced against a benchmark, append-only.

A quote is refused (quarantined with the reason) when its numbers contradict each other,
when its rate is implausibly far from the reference rate, when a coded attribute is not
one remit knows, or when its corridor is not in the catalogue. Every stored quote records
the benchmark it was priced against: source, date, path and whether it was stale.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from scrapers.base import QuoteObservation

from ..catalog import alpha3, slugify
from ..models import Corridor, Provider, Service
from ..quote_costs import QuoteInserter
from ..reference import Benchmark, resolve
from ..rpw.parse import quarter_of
from ..vocab import AccessPoint, CollectionMethod, FeeMode, PaymentInstrument, PickupMethod, Speed
from .common import StoreCounts, quarantine

CURRENCY = re.compile(r"[A-Z]{3}")
CONSISTENCY_TOLERANCE = Decimal("0.01")  # received amount vs fee and rate: 1% apart at most
VOCABULARY = {"fee_mode": FeeMode, "payment_instrument": PaymentInstrument,
              "access_point": AccessPoint, "pickup_method": PickupMethod, "speed": Speed,
              "collection_method": CollectionMethod}


@dataclass(frozen=True)
class QuoteItem:
    """An observation with the raw response it came from and the RPW tier it was asked at."""

    observation: QuoteObservation
    raw_sha256: str | None
    amount_tier: int | None = None


def expected_received(observation: QuoteObservation) -> Decimal | None:
    """What the fee, fee mode and rate say the recipient gets; None when they cannot say."""
    if observation.exchange_rate is None or observation.fee_mode == FeeMode.UNKNOWN:
        return None
    converted = observation.send_amount
    if observation.fee_mode == FeeMode.DEDUCTED:
        converted -= observation.fee
    return converted * observation.exchange_rate - (observation.receiving_fee or 0)


def check_quote(observation: QuoteObservation, benchmark: Benchmark | None, *, now: datetime,
                band_pct: Decimal) -> str | None:
    """Why a quote must not be published, or None when it is consistent and plausible."""
    for name in ("send_currency", "receive_currency"):
        if not CURRENCY.fullmatch(getattr(observation, name)):
            return f"{name} {getattr(observation, name)!r} is not a currency code"
    for name, vocabulary in VOCABULARY.items():
        if getattr(observation, name) not in set(vocabulary):
            return f"{name} {getattr(observation, name)!r} is not one of remit's codes"
    if observation.send_amount <= 0 or observation.fee < 0:
        return f"send amount {observation.send_amount} and fee {observation.fee} must be positive"
    if observation.fee_mode == FeeMode.DEDUCTED and observation.fee >= observation.send_amount:
        return f"a deducted fee of {observation.fee} leaves nothing of {observation.send_amount}"
    if observation.exchange_rate is not None and observation.exchange_rate <= 0:
        return f"exchange rate {observation.exchange_rate} is not positive"
    if observation.collected_at > now + timedelta(minutes=5):
        return f"collected at {observation.collected_at:%Y-%m-%d %H:%M}, in the future"
    return _inconsistency(observation) or _implausibility(observation, benchmark, band_pct)


def _inconsistency(observation: QuoteObservation) -> str | None:
    expected = expected_received(observation)
    received = observation.received_amount
    if expected is None or received is None or expected <= 0:
        return None
    if abs(received - expected) / expected > CONSISTENCY_TOLERANCE:
        return (f"received amount {received} contradicts the fee and rate, which give "
                f"{expected.quantize(Decimal('0.01'))} ({observation.fee_mode})")
    return None


def _implausibility(observation: QuoteObservation, benchmark: Benchmark | None,
                    band_pct: Decimal) -> str | None:
    if observation.exchange_rate is None or benchmark is None:
        return None
    off = abs(observation.exchange_rate / benchmark.rate - 1) * 100
    if off > band_pct:
        return (f"rate {observation.exchange_rate} is {off:.1f}% from the reference "
                f"{benchmark.rate:.6g} ({benchmark.path} on {benchmark.as_of}); more than {band_pct}%")
    return None


class _Catalogue:
    """Corridors, providers and services of one run, found or created once each."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.corridors = {(c.source_country, c.destination_country): c
                          for c in session.exec(select(Corridor))}
        self.providers = {p.slug: p for p in session.exec(select(Provider))}
        # the catalogue corridors' services in one query (RPW imports add many elsewhere)
        self.services: dict[tuple, Service] = {
            (s.provider_id, s.corridor_id, s.payment_instrument, s.access_point, s.pickup_method,
             s.speed): s
            for s in session.exec(select(Service).join(Corridor).where(Corridor.in_catalog))}

    def corridor(self, observation: QuoteObservation) -> Corridor | None:
        key = (alpha3(observation.source_country) or "", alpha3(observation.destination_country) or "")
        corridor = self.corridors.get(key)
        return corridor if corridor is not None and corridor.enabled else None

    def service(self, observation: QuoteObservation, corridor: Corridor) -> Service:
        """The service the quote belongs to; a new one is added to the session, not flushed."""
        provider = self._provider(observation)
        key = (provider.id, corridor.id, observation.payment_instrument, observation.access_point,
               observation.pickup_method, observation.speed)
        if key not in self.services:
            self.services[key] = Service(provider_id=provider.id, corridor_id=corridor.id,
                                         payment_instrument=key[2], access_point=key[3],
                                         pickup_method=key[4], speed=key[5])
            self.session.add(self.services[key])
        return self.services[key]

    def _provider(self, observation: QuoteObservation) -> Provider:
        slug = slugify(observation.provider)
        if slug not in self.providers:
            provider = Provider(slug=slug, name=observation.provider_name, firm_type="unknown")
            self.session.add(provider)
            self.session.flush()
            self.providers[slug] = provider
        return self.providers[slug]


QUOTE_COLUMNS = (
    "service_id", "run_id", "source", "source_ref", "reported_provider", "collection_method",
    "collected_at", "source_dated_at", "period", "send_amount", "send_currency", "amount_tier",
    "fee", "fee_currency", "fee_mode", "receiving_fee", "exchange_rate", "received_amount",
    "receive_currency", "reference_rate", "reference_rate_source", "reference_rate_date",
    "reference_rate_path", "reference_rate_stale", "transparent", "promotional", "indicative",
    "raw_sha256",
)


def store_quotes(session: Session, run_id: int, items: Iterable[QuoteItem], *, now: datetime,
                 band_pct: Decimal, max_age_days: int,
                 benchmarks: dict[tuple, Benchmark | None] | None = None) -> StoreCounts:
    """Check, price and store one source run's quotes; return the counts.

    ``benchmarks`` caches the benchmark per (send, receive, day); pass the same dict to
    every source of one collection so that each pair is resolved once. A quote whose
    source reference is already stored (this run or earlier) counts as already stored.
    """
    counts = StoreCounts()
    catalogue = _Catalogue(session)
    benchmarks = {} if benchmarks is None else benchmarks
    accepted: list[tuple[QuoteItem, Service, Benchmark | None]] = []
    for item in items:
        observation = item.observation
        pair = (observation.send_currency, observation.receive_currency, observation.collected_at.date())
        if pair not in benchmarks:
            benchmarks[pair] = resolve(session, *pair, max_age_days=max_age_days)
        corridor = catalogue.corridor(observation)
        reason = check_quote(observation, benchmarks[pair], now=now, band_pct=band_pct)
        if corridor is None and reason is None:
            reason = (f"corridor {observation.source_country}-{observation.destination_country} "
                      "is not an enabled corridor of the catalogue")
        if reason:
            quarantine(session, run_id, "quote", observation, reason, item.raw_sha256)
            counts.quarantined += 1
        else:
            accepted.append((item, catalogue.service(observation, corridor), benchmarks[pair]))
    session.flush()  # new services get their ids, all in one go
    rows = [_quote_row(item.observation, item, service.id, run_id, benchmark)
            for item, service, benchmark in accepted]
    inserter = QuoteInserter(session.connection(), QUOTE_COLUMNS,
                             skip_duplicates_of=("source", "source_ref"))
    counts.stored = inserter.insert(rows)
    counts.already_stored = len(rows) - counts.stored
    return counts


def _quote_row(observation: QuoteObservation, item: QuoteItem, service_id: int, run_id: int,
               benchmark: Benchmark | None) -> tuple:
    """The quote as a tuple in QUOTE_COLUMNS order."""
    return (
        service_id, run_id, observation.source, observation.source_ref, observation.provider_name,
        observation.collection_method, observation.collected_at, observation.source_dated_at,
        quarter_of(observation.collected_at), observation.send_amount, observation.send_currency,
        item.amount_tier, observation.fee, observation.send_currency, observation.fee_mode,
        observation.receiving_fee, observation.exchange_rate, observation.received_amount,
        observation.receive_currency,
        benchmark.rate if benchmark else None, benchmark.source if benchmark else None,
        benchmark.as_of if benchmark else None, benchmark.path if benchmark else None,
        bool(benchmark and benchmark.stale),
        observation.transparent and observation.exchange_rate is not None,
        observation.promotional, observation.indicative, item.raw_sha256,
    )
