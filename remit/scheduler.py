"""The one scheduler process: collects on a timetable, never inside web workers.

APScheduler 3 (BlockingScheduler) with its jobs kept in the database, so a restart keeps
the timetable; each job at most one instance at a time, missed runs coalesced. Reference
rates are collected per bank shortly after it usually publishes; quotes every few hours
with jitter. Exactly one scheduler runs at a time: a PostgreSQL advisory lock, or on
SQLite a lease row renewed while the scheduler lives. SIGTERM lets the running job finish
(each source's data and run record are one transaction, so a kill loses only that run).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from scrapers.registry import QUOTE_SOURCES, RATE_SOURCES

from .collect import Plan, collect
from .models import SchedulerLease

log = logging.getLogger(__name__)
LOCK_NAME = "remit-scheduler"
ADVISORY_KEY = 0x72656D6974  # "remit"
LEASE = timedelta(seconds=90)
# one instance of a job at a time; missed runs (scheduler down) run once, within an hour
JOB_RULES = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}

# When each bank has usually published the day's rates (UTC, working days), plus a margin.
PUBLISHED_UTC = {
    "cbr": "13:00", "nbm": "12:30", "nbt": "06:30", "nbkr": "11:00", "cbu": "12:00",
    "nbg": "13:30", "cba": "12:00", "nbu": "14:00", "ecb": "15:30", "tcmb": "13:00",
    "bct": "11:00", "bam": "12:00",
}

_app: Flask | None = None  # the scheduler process's app, for the jobs


class AlreadyRunning(RuntimeError):
    """Another scheduler holds the lock."""


def run_job(kind: str, source: str | None = None) -> None:
    """A scheduled collection: the rates of one bank, or every quote source."""
    from .db import get_engine

    with _app.app_context():
        plan = (Plan(rate_sources=[source], quote_sources=[]) if kind == "rates"
                else Plan(rate_sources=[], quote_sources=list(QUOTE_SOURCES), feeds=feed_urls()))
        replay = _app.config["COLLECT_REPLAY_INDEX"]
        outcomes = collect(get_engine(), _app.config, plan,
                           replay_index=Path(replay) if replay else None)
        if kind == "quotes":
            refresh_stats()
    for outcome in outcomes:
        log.info("%s %s: %s stored, %s quarantined%s", kind, outcome.source, outcome.counts.stored,
                 outcome.counts.quarantined, f"; {outcome.error}" if outcome.error else "")


def feed_urls() -> list[str]:
    """The feeds of REMIT_FEED_URLS and those providers registered in the portal."""
    from .db import get_session
    from .partners import active_feed_urls

    return list(dict.fromkeys([*_app.config["FEED_URLS"], *active_feed_urls(get_session())]))


def refresh_stats() -> None:
    """Recompute the statistics of the current and the previous quarter after new quotes;
    a failure is logged and leaves the stored statistics as they were."""
    from .db import transaction
    from .stats import compute

    try:
        with transaction() as session:
            written = compute(session, since=date.today() - timedelta(days=92))
        log.info("statistics: %s corridor-period-tier rows recomputed", written)
    except Exception:  # noqa: BLE001 - the collection itself succeeded; say what failed
        log.exception("statistics: recomputation failed; the previous figures are kept")


def build_dataset() -> None:
    """The daily bulk downloads (remit.bulk); a failure keeps the published files."""
    from .bulk import build
    from .db import get_engine

    with _app.app_context():
        try:
            package = build(get_engine(), Path(_app.config["DATASET_PATH"]))
            log.info("dataset %s written", package["version"])
        except Exception:  # noqa: BLE001 - logged with its cause; the last package stays
            log.exception("dataset: build failed; the published files are unchanged")


def add_jobs(scheduler: BlockingScheduler, config) -> None:
    """The timetable, replacing whatever the job store held from an earlier version."""
    for source in RATE_SOURCES:
        hour, minute = PUBLISHED_UTC[source].split(":")
        scheduler.add_job("remit.scheduler:run_job", CronTrigger(
            day_of_week="mon-sat", hour=int(hour), minute=int(minute), timezone=UTC, jitter=300),
            args=["rates", source], id=f"rates-{source}", name=f"reference rates: {source}",
            replace_existing=True, **JOB_RULES)
    scheduler.add_job("remit.scheduler:run_job", IntervalTrigger(
        hours=config["QUOTES_EVERY_HOURS"], timezone=UTC, jitter=600),
        args=["quotes"], id="quotes", name="quotes: every source", replace_existing=True,
        **JOB_RULES)
    scheduler.add_job("remit.scheduler:build_dataset", CronTrigger(hour=3, minute=30, timezone=UTC),
                      id="dataset", name="bulk downloads", replace_existing=True, **JOB_RULES)


def build(app: Flask, engine: Engine) -> BlockingScheduler:
    """A scheduler with the persistent job store and the timetable."""
    scheduler = BlockingScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs"),
                   "process": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(2)},
        job_defaults=JOB_RULES,
        timezone=UTC)
    add_jobs(scheduler, app.config)
    return scheduler


class SingleInstance:
    """Exactly one scheduler: PostgreSQL advisory lock, or a lease row on SQLite."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.holder = f"{socket.gethostname()}:{os.getpid()}"
        self.connection = None

    def acquire(self) -> None:
        """Take the lock or raise AlreadyRunning saying who holds it."""
        if self.engine.dialect.name == "postgresql":
            self.connection = self.engine.connect()
            got = self.connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                          {"key": ADVISORY_KEY}).scalar()
            self.connection.commit()
            if not got:
                self.connection.close()
                self.connection = None
                raise AlreadyRunning("another scheduler holds the PostgreSQL advisory lock")
            return
        self.renew()

    def renew(self) -> None:
        """Extend the SQLite lease; raises AlreadyRunning if someone else holds a live one."""
        if self.connection is not None:
            return  # the advisory lock lives as long as its connection
        now = datetime.now(UTC)
        with Session(self.engine) as session, session.begin():
            lease = session.get(SchedulerLease, LOCK_NAME, with_for_update=True)
            if lease and lease.holder != self.holder and lease.expires_at > now:
                raise AlreadyRunning(f"another scheduler ({lease.holder}) holds the lease until "
                                     f"{lease.expires_at:%H:%M:%S} UTC")
            lease = lease or SchedulerLease(name=LOCK_NAME, holder=self.holder, expires_at=now)
            lease.holder, lease.expires_at = self.holder, now + LEASE
            session.add(lease)
            try:
                session.flush()
            except IntegrityError:  # another scheduler inserted the lease a moment before us
                raise AlreadyRunning("another scheduler took the lease just now") from None

    def release(self) -> None:
        """Give the lock up (also happens by itself when the process dies)."""
        if self.connection is not None:
            # the pool keeps connections open, and with them session-level locks: unlock first
            self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
            self.connection.commit()
            self.connection.close()
            self.connection = None
            return
        with Session(self.engine) as session, session.begin():
            lease = session.get(SchedulerLease, LOCK_NAME)
            if lease and lease.holder == self.holder:
                session.delete(lease)


def serve(app: Flask, engine: Engine, *, run_now: bool = False) -> None:
    """Run the scheduler in this process until SIGTERM or SIGINT; AlreadyRunning if another does."""
    global _app
    lock = SingleInstance(engine)
    lock.acquire()  # raises AlreadyRunning before anything else is set up
    _app = app
    scheduler = build(app, engine)

    def keep_lease() -> None:
        try:
            lock.renew()
        except AlreadyRunning as error:  # lost it (e.g. the database was unreachable too long)
            log.error("%s: stopping", error)
            scheduler.shutdown(wait=False)

    scheduler.add_job(keep_lease, IntervalTrigger(seconds=LEASE.total_seconds() / 3),
                      id="lease", jobstore="process", replace_existing=True)
    if run_now:
        for arguments in [["rates", source] for source in RATE_SOURCES] + [["quotes"]]:
            scheduler.add_job(run_job, args=arguments, jobstore="process")

    def stop(signum, _frame):
        log.info("signal %s: letting the running job finish, then stopping", signum)
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        scheduler.start()  # blocks until shutdown
    finally:
        lock.release()
