"""Running collection: fetch every source concurrently, then store each in its own transaction.

Fetching knows nothing of the database and storing nothing of HTTP. A source that fails
fails alone: the others carry on, and its run is recorded with the reason. Raw responses
are archived as they arrive, so even a response that could not be parsed is kept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlmodel import Session

from scrapers.base import FetchError, FormatError, NotConfigured, RateObservation
from scrapers.http import HttpClient, HttpSettings, TransferStats, user_agent
from scrapers.registry import RATE_SOURCES, rate_source
from scrapers.replay import ReplayTransport

from . import archive
from .ingest import StoreCounts, finish_run, start_run, store_rates
from .types import utcnow
from .vocab import RunStatus

VERSION = "0.1"


class CollectError(RuntimeError):
    """Collection cannot start at all (configuration); the message says what to set."""


@dataclass
class Fetched:
    """What one source returned, before anything is stored."""

    source: str
    started_at: datetime
    observations: list[tuple[RateObservation, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: str | None = None
    stats: TransferStats = field(default_factory=TransferStats)


@dataclass(frozen=True)
class Outcome:
    """How one source's run ended, for the summary and the exit code."""

    source: str
    status: RunStatus
    counts: StoreCounts
    calls: int
    size: int
    error: str | None


def http_settings(config: Mapping[str, Any], *, replay: bool) -> HttpSettings:
    """The HTTP client's settings from remit's; live collection needs a contact URL."""
    contact = config["CONTACT_URL"]
    if not contact and not replay:
        raise CollectError("set REMIT_CONTACT_URL (a URL or mailto: where site owners can "
                           "reach you): collectors identify themselves honestly")
    return HttpSettings(
        user_agent=user_agent(VERSION, contact or "replay"),
        retries=config["HTTP_RETRIES"], per_host_interval=config["HTTP_PER_HOST_INTERVAL_S"],
        per_host_concurrency=config["HTTP_PER_HOST_CONCURRENCY"],
        global_concurrency=config["HTTP_CONCURRENCY"],
        respect_robots=not replay)  # recordings hold no robots.txt: there is no live site


async def fetch_rates(client: HttpClient, name: str, day: date | None,
                      settings: Mapping[str, str], archive_dir: Path) -> Fetched:
    """Fetch and parse one reference-rate source; failures are collected, not raised."""
    module = rate_source(name)
    fetched = Fetched(name, utcnow())
    try:
        requests = module.requests(day, settings)
    except NotConfigured as error:
        fetched.skipped = str(error)
        return fetched
    for request in requests:
        try:
            response = await client.send(request, fetched.stats)
        except FetchError as error:
            fetched.errors.append(str(error))
            continue
        sha = archive.store_bytes(archive_dir, response.body)
        try:
            observations = module.parse(response.body, request)
        except FormatError as error:
            fetched.errors.append(f"{request.method} {request.url}: {error}")
            continue
        fetched.observations += [(observation, sha) for observation in observations]
    return fetched


async def _fetch_all(names: list[str], day: date | None, config: Mapping[str, Any],
                     transport, archive_dir: Path) -> list[Fetched]:
    settings = {"BAM_API_KEY": config["BAM_API_KEY"]}
    offline = transport is not None  # recordings or a test double: no live site to be polite to
    async with HttpClient(http_settings(config, replay=offline), transport=transport) as client:
        return await asyncio.gather(*(fetch_rates(client, name, day, settings, archive_dir)
                                      for name in names))


def store_fetched(engine: Engine, fetched: Fetched, *, today: date, max_change_pct: float) -> Outcome:
    """Store one source's observations and its run record in one transaction."""
    counts = StoreCounts()
    error = "; ".join(fetched.errors) or fetched.skipped
    try:
        with Session(engine) as session, session.begin():
            run_id = start_run(session, fetched.source, "rates", fetched.started_at)
            counts = store_rates(session, run_id, fetched.observations, today=today,
                                 max_change_pct=max_change_pct)
            status = run_status(fetched, counts)
            finish_run(session, run_id, status=status, counts=counts, calls=fetched.stats.calls,
                       size=fetched.stats.bytes, error=error)
    except Exception as failure:  # noqa: BLE001 - recorded and reported, never lost silently
        error = f"storing failed, nothing kept: {type(failure).__name__}: {failure}"
        status, counts = RunStatus.FAILED, StoreCounts()
        with Session(engine) as session, session.begin():
            run_id = start_run(session, fetched.source, "rates", fetched.started_at)
            finish_run(session, run_id, status=status, counts=counts, calls=fetched.stats.calls,
                       size=fetched.stats.bytes, error=error)
    return Outcome(fetched.source, status, counts, fetched.stats.calls, fetched.stats.bytes, error)


def run_status(fetched: Fetched, counts: StoreCounts) -> RunStatus:
    """ok, partial (some requests failed or observations were quarantined), failed, skipped."""
    if fetched.skipped:
        return RunStatus.SKIPPED
    if fetched.errors and not fetched.observations:
        return RunStatus.FAILED
    if fetched.errors or counts.quarantined:
        return RunStatus.PARTIAL
    return RunStatus.OK


def collect_rates(engine: Engine, config: Mapping[str, Any], names: list[str] | None = None, *,
                  day: date | None = None, replay_index: Path | None = None,
                  transport: httpx.AsyncBaseTransport | None = None,
                  on_stored: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Collect reference rates from the named sources (all by default); one run each.

    ``replay_index`` answers every request from recordings; ``transport`` replaces the
    network altogether (tests).
    """
    names = list(names or RATE_SOURCES)
    if replay_index:
        transport = ReplayTransport(replay_index)
    archive_dir = Path(config["ARCHIVE_PATH"])
    fetched = asyncio.run(_fetch_all(names, day, config, transport, archive_dir))
    outcomes = []
    today = datetime.now(UTC).date()
    for result in fetched:
        outcome = store_fetched(engine, result, today=today,
                                max_change_pct=config["RATE_MAX_CHANGE_PCT"])
        outcomes.append(outcome)
        if on_stored:
            on_stored(outcome)
    return outcomes
