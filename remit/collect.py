"""Running collection: fetch every source concurrently, then store each in its own transaction.

Reference rates come first, because quotes are checked and priced against them. Fetching
knows nothing of the database and storing nothing of HTTP. A source that fails fails
alone: the others carry on, and its run is recorded with the reason. Raw responses are
archived as they arrive, so even a response that could not be parsed is kept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select

from scrapers.base import FetchError, FormatError, NotConfigured, QuoteObservation, QuoteQuery, Request
from scrapers.http import HttpClient, HttpSettings, TransferStats, user_agent
from scrapers.registry import QUOTE_SOURCES, RATE_SOURCES, quote_source, rate_source
from scrapers.quotes import feed
from scrapers.replay import ReplayTransport

from . import archive
from .catalog import alpha2
from .ingest import QuoteItem, StoreCounts, finish_run, start_run, store_quotes, store_rates
from .models import Corridor
from .reference import resolve
from .types import utcnow
from .vocab import RunStatus

VERSION = "0.1"
TIERS_USD = (200, 500)  # the RPW amounts: USD 200 and USD 500 in the sender's currency


class CollectError(RuntimeError):
    """Collection cannot start at all (configuration); the message says what to set."""


@dataclass
class Fetched:
    """What one source returned, before anything is stored."""

    source: str
    kind: str                      # rates or quotes
    started_at: datetime
    items: list = field(default_factory=list)
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


@dataclass(frozen=True)
class TierQuery:
    """A question to price sources, with the RPW tier it stands for."""

    query: QuoteQuery
    tier: int | None


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


async def _exchange(client: HttpClient, fetched: Fetched, request: Request, archive_dir: Path,
                    parse: Callable[[bytes], list]) -> list:
    """Send, archive, parse; a failure is noted on ``fetched`` and yields nothing."""
    try:
        response = await client.send(request, fetched.stats)
    except FetchError as error:
        fetched.errors.append(str(error))
        return []
    sha = archive.store_bytes(archive_dir, response.body)
    try:
        return [(item, sha) for item in parse(response.body)]
    except FormatError as error:
        fetched.errors.append(f"{request.method} {request.url}: {error}")
        return []


async def fetch_rates(client: HttpClient, name: str, day: date | None,
                      settings: Mapping[str, str], archive_dir: Path) -> Fetched:
    """Fetch and parse one reference-rate source; failures are collected, not raised."""
    module = rate_source(name)
    fetched = Fetched(name, "rates", utcnow())
    try:
        requests = module.requests(day, settings)
    except NotConfigured as error:
        fetched.skipped = str(error)
        return fetched
    for request in requests:  # in order: a bank's requests are few and share one host
        fetched.items += await _exchange(client, fetched, request, archive_dir,
                                         lambda body, request=request: module.parse(body, request))
    return fetched


async def fetch_quotes(client: HttpClient, name: str, questions: list[TierQuery],
                       settings: Mapping[str, str], archive_dir: Path) -> Fetched:
    """Ask one price source every question it serves, concurrently; failures are collected."""
    module = quote_source(name)
    fetched = Fetched(name, "quotes", utcnow())
    exchanges = []
    try:
        for question in questions:
            if module.serves(question.query):
                exchanges += [(question, request)
                              for request in module.requests(question.query, settings)]
    except NotConfigured as error:
        fetched.skipped = str(error)
        return fetched

    async def ask(question: TierQuery, request: Request) -> list:
        pairs = await _exchange(client, fetched, request, archive_dir,
                                lambda body: module.parse(body, request, question.query))
        return [QuoteItem(observation, sha, question.tier) for observation, sha in pairs]

    for items in await asyncio.gather(*(ask(*exchange) for exchange in exchanges)):
        fetched.items += items
    return fetched


async def fetch_feeds(client: HttpClient, urls: list[str], archive_dir: Path) -> Fetched:
    """Pull providers' published price feeds; one run, named "feed", for all of them."""
    fetched = Fetched(feed.NAME, "quotes", utcnow())
    for url in urls:
        request = feed.requests(url)[0]
        pairs = await _exchange(client, fetched, request, archive_dir,
                                lambda body, request=request: feed.parse(body, request, fetched.started_at))
        fetched.items += [QuoteItem(feed_identity(observation), sha) for observation, sha in pairs]
    return fetched


def feed_identity(observation: QuoteObservation) -> QuoteObservation:
    """A feed price is the same observation only if provider, price id and publication agree.

    Providers choose their own ids and keep them when prices change, so the id alone would
    take a new price for one already stored.
    """
    published = observation.source_dated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return replace(observation, source_ref=f"{observation.provider}/{observation.source_ref}@{published}")


def tier_questions(session: Session, corridors: list[Corridor], *, now: datetime,
                   max_age_days: int) -> tuple[list[TierQuery], list[str]]:
    """USD 200 and 500 in each corridor's sending currency, at today's benchmark."""
    questions, problems = [], []
    for corridor in corridors:
        usd = resolve(session, "USD", corridor.send_currency, now.date(), max_age_days=max_age_days)
        if usd is None:
            problems.append(f"{corridor.key}: no USD/{corridor.send_currency} rate to set the amounts")
            continue
        for tier in TIERS_USD:
            amount = (usd.rate * tier).quantize(Decimal(1))
            query = QuoteQuery(alpha2(corridor.source_country), alpha2(corridor.destination_country),
                               corridor.send_currency, corridor.receive_currency, amount, now)
            questions.append(TierQuery(query, tier))
    return questions, problems


def store_fetched(engine: Engine, fetched: Fetched, config: Mapping[str, Any],
                  benchmarks: dict | None = None) -> Outcome:
    """Store one source's observations and its run record in one transaction.

    ``benchmarks``: a cache of benchmark rates shared by the sources of one collection.
    """
    error = "; ".join(fetched.errors) or fetched.skipped
    try:
        with Session(engine) as session, session.begin():
            run_id = start_run(session, fetched.source, fetched.kind, fetched.started_at)
            counts = _store(session, run_id, fetched, config, benchmarks)
            status = run_status(fetched, counts)
            finish_run(session, run_id, status=status, counts=counts, calls=fetched.stats.calls,
                       size=fetched.stats.bytes, error=error)
    except Exception as failure:  # noqa: BLE001 - recorded and reported, never lost silently
        error = f"storing failed, nothing kept: {type(failure).__name__}: {failure}"
        status, counts = RunStatus.FAILED, StoreCounts()
        with Session(engine) as session, session.begin():
            run_id = start_run(session, fetched.source, fetched.kind, fetched.started_at)
            finish_run(session, run_id, status=status, counts=counts, calls=fetched.stats.calls,
                       size=fetched.stats.bytes, error=error)
    return Outcome(fetched.source, status, counts, fetched.stats.calls, fetched.stats.bytes, error)


def _store(session: Session, run_id: int, fetched: Fetched, config: Mapping[str, Any],
           benchmarks: dict | None) -> StoreCounts:
    now = datetime.now(UTC)
    if fetched.kind == "rates":
        return store_rates(session, run_id, fetched.items, today=now.date(),
                           max_change_pct=config["RATE_MAX_CHANGE_PCT"])
    return store_quotes(session, run_id, fetched.items, now=now,
                        band_pct=Decimal(str(config["QUOTE_RATE_BAND_PCT"])),
                        max_age_days=config["BENCHMARK_MAX_AGE_DAYS"], benchmarks=benchmarks)


def run_status(fetched: Fetched, counts: StoreCounts) -> RunStatus:
    """ok, partial (some requests failed or observations were quarantined), failed, skipped."""
    if fetched.skipped:
        return RunStatus.SKIPPED
    if fetched.errors and not fetched.items:
        return RunStatus.FAILED
    if fetched.errors or counts.quarantined:
        return RunStatus.PARTIAL
    return RunStatus.OK


@dataclass
class Plan:
    """What one collection does: which sources, for which corridors and day."""

    rate_sources: list[str] = field(default_factory=lambda: list(RATE_SOURCES))
    quote_sources: list[str] = field(default_factory=lambda: list(QUOTE_SOURCES))
    corridors: list[str] | None = None   # keys like RUS-TJK; None: every enabled catalogue corridor
    day: date | None = None               # reference rates of this day; None: the latest
    feeds: list[str] | None = None        # price feed URLs; None: REMIT_FEED_URLS (with quote sources)


def collect(engine: Engine, config: Mapping[str, Any], plan: Plan, *,
            replay_index: Path | None = None, transport: httpx.AsyncBaseTransport | None = None,
            on_stored: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Collect reference rates, then quotes at the RPW tiers; one run per source.

    ``replay_index`` answers every request from recordings; ``transport`` replaces the
    network altogether (tests, benchmarks).
    """
    if replay_index:
        transport = ReplayTransport(replay_index)
    outcomes = []
    archive_dir = Path(config["ARCHIVE_PATH"])
    settings = {"BAM_API_KEY": config["BAM_API_KEY"]}

    benchmarks: dict = {}  # resolved once per pair and day for the whole collection

    def store_all(results: list[Fetched]) -> None:
        for result in results:
            outcomes.append(store_fetched(engine, result, config, benchmarks))
            if on_stored:
                on_stored(outcomes[-1])

    async def rates(client: HttpClient) -> list[Fetched]:
        return await asyncio.gather(*(fetch_rates(client, name, plan.day, settings, archive_dir)
                                      for name in plan.rate_sources))

    async def quotes(client: HttpClient, questions: list[TierQuery]) -> list[Fetched]:
        return await asyncio.gather(*(fetch_quotes(client, name, questions, settings, archive_dir)
                                      for name in plan.quote_sources))

    async def run() -> None:
        offline = transport is not None  # recordings or a test double: no live site to be polite to
        async with HttpClient(http_settings(config, replay=offline), transport=transport) as client:
            store_all(await rates(client))
            feeds = plan.feeds if plan.feeds is not None else (
                list(config["FEED_URLS"]) if plan.quote_sources else [])
            if plan.quote_sources:
                questions, problems = _questions(engine, config, plan)
                results = await quotes(client, questions)
                for result in results:
                    result.errors += problems  # corridors no source could be asked about
                store_all(results)
            if feeds:
                store_all([await fetch_feeds(client, feeds, archive_dir)])

    asyncio.run(run())
    return outcomes


def _questions(engine: Engine, config: Mapping[str, Any], plan: Plan) -> tuple[list[TierQuery], list[str]]:
    with Session(engine) as session:
        statement = select(Corridor).where(Corridor.enabled, Corridor.in_catalog)
        corridors = [corridor for corridor in session.exec(statement)
                     if plan.corridors is None or corridor.key in plan.corridors]
        return tier_questions(session, corridors, now=utcnow(),
                              max_age_days=config["BENCHMARK_MAX_AGE_DAYS"])
