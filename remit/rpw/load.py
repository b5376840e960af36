"""Loading an RPW file into the database: one transaction, idempotent, every rejection told.

Each RPW row becomes up to two quotes (the cc1 and cc2 amounts), keyed ``<id>:cc1`` and
``<id>:cc2`` under source ``rpw``, so importing the same file again adds nothing. The file
itself is archived by content and its sha256 is kept on the run and on every quote.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from .. import archive
from ..catalog import alpha2, ensure_country, ensure_currency, local_currency, slugify
from ..models import CollectionRun, Corridor, Country, Provider, Service
from ..quote_costs import QuoteInserter
from ..types import utcnow
from ..vocab import CollectionMethod, FeeMode, RunStatus
from .parse import RowError, RpwRecord, ServiceAttributes, parse_row
from .read import RawRow, RpwFileError, read_rows

SOURCE = "rpw"
BATCH_SIZE = 5000
_RPW_IMPORT = CollectionMethod.RPW_IMPORT.value
_FEE_MODE = FeeMode.UNKNOWN.value  # RPW does not record whether the fee is on top or deducted


@dataclass
class ImportReport:
    """What an import did; ``rejected`` holds (location, reason) for every refused row."""

    raw_sha256: str = ""
    rows: int = 0
    quotes_added: int = 0
    quotes_already_present: int = 0
    created: dict[str, int] = field(default_factory=lambda: {
        "country": 0, "corridor": 0, "provider": 0, "service": 0})
    rejected: list[tuple[str, str]] = field(default_factory=list)
    run_id: int | None = None
    committed: bool = False


class _Resolver:
    """Finds or creates the catalogue rows a record refers to, with in-memory caches."""

    def __init__(self, session: Session, report: ImportReport) -> None:
        self.session = session
        self.report = report
        self.corridors = {(c.source_country, c.destination_country): c.id
                          for c in session.exec(select(Corridor))}
        self.providers = {p.slug: p.id for p in session.exec(select(Provider))}
        self.services = {
            (s.provider_id, s.corridor_id, s.payment_instrument, s.access_point,
             s.pickup_method, s.speed): s.id
            for s in session.exec(select(Service))}
        self.countries: set[str] = set()
        self.by_attributes: dict[ServiceAttributes, int] = {}

    def service_id(self, attributes: ServiceAttributes, send_currency: str) -> int:
        """The service's id, creating it (and its corridor and provider) on first sight."""
        if attributes in self.by_attributes:
            return self.by_attributes[attributes]
        corridor_id = self._corridor_id(attributes, send_currency)
        provider_id = self._provider_id(attributes)
        key = (provider_id, corridor_id, attributes.payment_instrument, attributes.access_point,
               attributes.pickup_method, attributes.speed)
        if key not in self.services:
            service = Service(provider_id=provider_id, corridor_id=corridor_id,
                              payment_instrument=attributes.payment_instrument,
                              access_point=attributes.access_point,
                              pickup_method=attributes.pickup_method, speed=attributes.speed,
                              receiving_network_coverage=attributes.receiving_network_coverage)
            self.session.add(service)
            self.session.flush()
            self.services[key] = service.id
            self.report.created["service"] += 1
        self.by_attributes[attributes] = self.services[key]
        return self.services[key]

    def _country(self, iso3: str, name: str) -> None:
        if iso3 not in self.countries:
            if self.session.get(Country, iso3) is None:
                ensure_country(self.session, iso3, fallback_name=name)
                self.report.created["country"] += 1
            self.countries.add(iso3)

    def _corridor_id(self, attributes: ServiceAttributes, send_currency: str) -> int:
        key = (attributes.source_iso3, attributes.destination_iso3)
        if key not in self.corridors:
            for iso3, name in ((attributes.source_iso3, attributes.source_name),
                               (attributes.destination_iso3, attributes.destination_name)):
                self._country(iso3, name)
            receive_currency = local_currency(alpha2(attributes.destination_iso3)) or "USD"
            for code in (send_currency, receive_currency):
                ensure_currency(self.session, code)
            corridor = Corridor(source_country=key[0], destination_country=key[1],
                                send_currency=send_currency, receive_currency=receive_currency)
            self.session.add(corridor)
            self.session.flush()
            self.corridors[key] = corridor.id
            self.report.created["corridor"] += 1
        return self.corridors[key]

    def _provider_id(self, attributes: ServiceAttributes) -> int:
        slug = slugify(attributes.firm)
        if slug not in self.providers:
            provider = Provider(slug=slug, name=attributes.firm, firm_type=attributes.firm_type)
            self.session.add(provider)
            self.session.flush()
            self.providers[slug] = provider.id
            self.report.created["provider"] += 1
        return self.providers[slug]


QUOTE_COLUMNS = (
    "service_id", "run_id", "source", "source_ref", "reported_provider", "collection_method",
    "collected_at", "source_dated_at", "period", "send_amount", "send_currency", "amount_tier",
    "fee", "fee_currency", "fee_mode", "exchange_rate", "receive_currency", "reference_rate",
    "reference_rate_source", "reference_rate_date", "transparent", "promotional", "indicative",
    "raw_sha256",
)


def _quote_rows(record: RpwRecord, service_id: int, run_id: int | None, sha: str) -> list[tuple]:
    """The record's quotes as tuples in QUOTE_COLUMNS order."""
    reference = record.reference_rate
    has_reference = reference is not None
    survey_day = record.collected_at.date() if has_reference else None
    return [(
        service_id, run_id, SOURCE, f"{record.rpw_id}:{tier.column}", record.service.firm,
        _RPW_IMPORT, record.collected_at, record.collected_at, record.period, tier.send_amount,
        tier.send_currency, tier.amount_tier, tier.fee, tier.send_currency, _FEE_MODE,
        tier.exchange_rate, tier.receive_currency,
        reference if tier.exchange_rate is not None else None,
        SOURCE if has_reference else None, survey_day, record.transparent, False, False, sha,
    ) for tier in record.tiers]


def _insert_new(inserter: QuoteInserter, batch: list[tuple], report: ImportReport) -> None:
    added = inserter.insert(batch)  # quotes already stored (same source_ref) are skipped
    report.quotes_added += added
    report.quotes_already_present += len(batch) - added


def _load(session: Session, rows: Iterable, report: ImportReport, run_id: int | None) -> None:
    resolver = _Resolver(session, report)
    inserter = QuoteInserter(session.connection(), QUOTE_COLUMNS,
                             skip_duplicates_of=("source", "source_ref"))
    seen: dict[str, tuple[int, str | None]] = {}  # id -> where it was first seen
    batch: list[dict] = []
    for raw in rows:
        report.rows += 1
        try:
            record = parse_row(raw.values)
            if record.rpw_id in seen:
                first = RawRow(*seen[record.rpw_id], values={})
                raise RowError(f"id {record.rpw_id} appears twice (first at {first.location})")
        except RowError as error:
            report.rejected.append((raw.location, str(error)))
            continue
        seen[record.rpw_id] = (raw.line, raw.sheet)
        service_id = resolver.service_id(record.service, record.tiers[0].send_currency)
        batch += _quote_rows(record, service_id, run_id, report.raw_sha256)
        if len(batch) >= BATCH_SIZE:
            _insert_new(inserter, batch, report)
            batch = []
    if batch:
        _insert_new(inserter, batch, report)


def import_rpw(engine: Engine, path: Path, archive_dir: Path, *, encoding: str = "utf-8-sig",
               dry_run: bool = False, strict: bool = False) -> ImportReport:
    """Import an RPW .xlsx or .csv file in one transaction.

    Raises ``RpwFileError`` (nothing written, the run recorded as failed) when the file is
    not in the layout, truncated or damaged. With ``dry_run`` everything is checked and
    counted, then rolled back, and nothing is archived or recorded; with ``strict`` a single
    rejected row rolls back the whole file. ``report.committed`` tells which happened.
    """
    report = ImportReport()
    if not path.is_file():
        raise RpwFileError("no such file")
    if dry_run:
        report.raw_sha256 = archive.sha256_of_file(path)
    else:
        report.raw_sha256 = archive.store_file(archive_dir, path)
        report.run_id = _start_run(engine, report.raw_sha256)
    try:
        with Session(engine, expire_on_commit=False) as session:
            _load(session, read_rows(path, encoding), report, report.run_id)
            report.committed = not dry_run and not (strict and report.rejected)
            if report.committed:
                _finish_run(session, report, RunStatus.OK, None)
                session.commit()
            else:
                session.rollback()
    except RpwFileError as error:
        _record_failure(engine, report, str(error))
        raise
    except BaseException as error:
        _record_failure(engine, report, f"{type(error).__name__}: {error}")
        raise
    if strict and report.rejected and not dry_run:
        _record_failure(engine, report, f"{len(report.rejected)} rows rejected (strict import)")
    return report


def _start_run(engine: Engine, sha: str) -> int:
    with Session(engine) as session, session.begin():
        run = CollectionRun(source=SOURCE, kind="import", raw_sha256=sha)
        session.add(run)
        session.flush()
        return run.id


def _finish_run(session: Session, report: ImportReport, status: RunStatus, error: str | None) -> None:
    run = session.get(CollectionRun, report.run_id)
    run.status = status
    run.finished_at = utcnow()
    run.stored = report.quotes_added
    run.rejected = len(report.rejected)
    run.error = error
    session.add(run)


def _record_failure(engine: Engine, report: ImportReport, error: str) -> None:
    if report.run_id is None:
        return
    with Session(engine) as session, session.begin():
        report.quotes_added = 0
        report.committed = False
        _finish_run(session, report, RunStatus.FAILED, error)
