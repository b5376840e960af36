"""Loading an RPW file into the database: one transaction, idempotent, every rejection told.

Each RPW row becomes up to two quotes (the cc1 and cc2 amounts), keyed ``<id>:cc1`` and
``<id>:cc2`` under source ``rpw``, so importing the same file again adds nothing. The file
itself is archived by content and its sha256 is kept on the run and on every quote.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, insert
from sqlmodel import Session, select

from .. import archive
from ..catalog import alpha2, ensure_country, ensure_currency, local_currency, slugify
from ..models import CollectionRun, Corridor, Country, Provider, Quote, Service
from ..types import utcnow
from ..vocab import CollectionMethod, FeeMode, RunStatus
from .parse import RowError, RpwRecord, parse_row
from .read import RpwFileError, read_rows

SOURCE = "rpw"
BATCH_SIZE = 2000


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

    def service_id(self, record: RpwRecord) -> int:
        corridor_id = self._corridor_id(record)
        provider_id = self._provider_id(record)
        key = (provider_id, corridor_id, record.payment_instrument, record.access_point,
               record.pickup_method, record.speed)
        if key not in self.services:
            service = Service(provider_id=provider_id, corridor_id=corridor_id,
                              payment_instrument=record.payment_instrument,
                              access_point=record.access_point,
                              pickup_method=record.pickup_method, speed=record.speed,
                              receiving_network_coverage=record.receiving_network_coverage)
            self.session.add(service)
            self.session.flush()
            self.services[key] = service.id
            self.report.created["service"] += 1
        return self.services[key]

    def _country(self, iso3: str, name: str) -> None:
        if iso3 not in self.countries:
            if self.session.get(Country, iso3) is None:
                ensure_country(self.session, iso3, fallback_name=name)
                self.report.created["country"] += 1
            self.countries.add(iso3)

    def _corridor_id(self, record: RpwRecord) -> int:
        key = (record.source_iso3, record.destination_iso3)
        if key not in self.corridors:
            for iso3, name in ((record.source_iso3, record.source_name),
                               (record.destination_iso3, record.destination_name)):
                self._country(iso3, name)
            send_currency = record.tiers[0].send_currency
            receive_currency = local_currency(alpha2(record.destination_iso3)) or "USD"
            for code in (send_currency, receive_currency):
                ensure_currency(self.session, code)
            corridor = Corridor(source_country=key[0], destination_country=key[1],
                                send_currency=send_currency, receive_currency=receive_currency)
            self.session.add(corridor)
            self.session.flush()
            self.corridors[key] = corridor.id
            self.report.created["corridor"] += 1
        return self.corridors[key]

    def _provider_id(self, record: RpwRecord) -> int:
        slug = slugify(record.firm)
        if slug not in self.providers:
            provider = Provider(slug=slug, name=record.firm, firm_type=record.firm_type)
            self.session.add(provider)
            self.session.flush()
            self.providers[slug] = provider.id
            self.report.created["provider"] += 1
        return self.providers[slug]


def _quote_rows(record: RpwRecord, service_id: int, run_id: int | None, sha: str) -> list[dict]:
    return [{
        "service_id": service_id, "run_id": run_id, "source": SOURCE,
        "source_ref": f"{record.rpw_id}:{tier.column}", "reported_provider": record.firm,
        "collection_method": CollectionMethod.RPW_IMPORT.value,
        "collected_at": record.collected_at, "source_dated_at": record.collected_at,
        "period": record.period, "send_amount": tier.send_amount,
        "send_currency": tier.send_currency, "amount_tier": tier.amount_tier, "fee": tier.fee,
        "fee_currency": tier.send_currency, "fee_mode": FeeMode.UNKNOWN.value,
        "receiving_fee": None, "exchange_rate": tier.exchange_rate, "received_amount": None,
        "receive_currency": tier.receive_currency,
        "reference_rate": record.reference_rate if tier.exchange_rate is not None else None,
        "reference_rate_source": SOURCE if record.reference_rate is not None else None,
        "reference_rate_date": record.collected_at.date() if record.reference_rate is not None else None,
        "transparent": record.transparent, "promotional": False, "indicative": False,
        "raw_sha256": sha,
    } for tier in record.tiers]


def _insert_new(session: Session, batch: list[dict], report: ImportReport) -> None:
    refs = [row["source_ref"] for row in batch]
    present = set(session.exec(select(Quote.source_ref).where(
        Quote.source == SOURCE, Quote.source_ref.in_(refs))))
    fresh = [row for row in batch if row["source_ref"] not in present]
    if fresh:
        session.connection().execute(insert(Quote), fresh)
    report.quotes_added += len(fresh)
    report.quotes_already_present += len(present)


def _load(session: Session, rows: Iterable, report: ImportReport, run_id: int | None) -> None:
    resolver = _Resolver(session, report)
    seen: dict[str, str] = {}
    batch: list[dict] = []
    for raw in rows:
        report.rows += 1
        try:
            record = parse_row(raw.values)
            if record.rpw_id in seen:
                raise RowError(f"id {record.rpw_id} appears twice (first at {seen[record.rpw_id]})")
        except RowError as error:
            report.rejected.append((raw.location, str(error)))
            continue
        seen[record.rpw_id] = raw.location
        batch += _quote_rows(record, resolver.service_id(record), run_id, report.raw_sha256)
        if len(batch) >= BATCH_SIZE:
            _insert_new(session, batch, report)
            batch = []
    if batch:
        _insert_new(session, batch, report)


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
