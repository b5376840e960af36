"""The scheduler: its timetable, exactly one instance, and a job running a collection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from remit import scheduler as remit_scheduler
from remit.models import CollectionRun, ReferenceRate, SchedulerLease
from remit.scheduler import AlreadyRunning, SingleInstance, build, run_job

SHARED_INDEX = Path(__file__).resolve().parents[2] / "shared" / "reference-rates" / "index.json"


def test_timetable_has_every_bank_and_the_quotes(app, engine):
    scheduler = build(app, engine)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {f"rates-{name}" for name in remit_scheduler.PUBLISHED_UTC} | {"quotes", "dataset"}
    assert str(jobs["dataset"].trigger).startswith("cron[hour='3', minute='30'")
    assert str(jobs["rates-cbr"].trigger).startswith("cron[day_of_week='mon-sat', hour='13', minute='0'")
    assert jobs["quotes"].trigger.interval == timedelta(hours=6)
    assert jobs["quotes"].trigger.jitter == 600
    assert jobs["quotes"].args == ("quotes",) and jobs["rates-ecb"].args == ("rates", "ecb")
    assert all(job.max_instances == 1 and job.coalesce for job in jobs.values())


def test_only_one_scheduler_at_a_time(engine):
    first, second = SingleInstance(engine), SingleInstance(engine)
    second.holder = "elsewhere:42"
    first.acquire()
    with pytest.raises(AlreadyRunning, match="another scheduler"):
        second.acquire()
    first.release()
    second.acquire()
    second.release()


@pytest.mark.skipif("REMIT_TEST_DATABASE_URL" in __import__("os").environ,
                    reason="leases are the SQLite mechanism; PostgreSQL uses an advisory lock")
def test_an_expired_lease_is_taken_over(engine):
    with Session(engine) as session:
        session.add(SchedulerLease(name="remit-scheduler", holder="crashed:1",
                                   expires_at=datetime.now(UTC) - timedelta(seconds=1)))
        session.commit()
    taker = SingleInstance(engine)
    taker.acquire()
    with Session(engine) as session:
        assert session.exec(select(SchedulerLease)).one().holder == taker.holder


def test_cli_refuses_a_second_scheduler(app, engine, runner):
    holder = SingleInstance(engine)
    holder.holder = "elsewhere:42"
    holder.acquire()
    try:
        result = runner.invoke(args=["scheduler"])
    finally:
        holder.release()
    assert result.exit_code == 1 and "not starting a second one" in result.output


def test_a_job_collects_and_records_its_run(app, engine):
    if not SHARED_INDEX.exists():
        pytest.skip("../shared/reference-rates is not present")
    app.config["COLLECT_REPLAY_INDEX"] = str(SHARED_INDEX)
    remit_scheduler._app = app
    run_job("rates", "cbr")
    with Session(engine) as session:
        run = session.exec(select(CollectionRun)).one()
        stored = session.exec(select(ReferenceRate)).all()
    assert (run.source, run.kind, run.status) == ("cbr", "rates", "ok")
    assert len(stored) == run.stored > 40


def test_statistics_and_dataset_jobs_keep_the_old_figures_when_they_fail(app, monkeypatch, caplog):
    remit_scheduler._app = app

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("remit.stats.compute", broken)
    monkeypatch.setattr("remit.bulk.build", broken)
    with app.app_context():
        remit_scheduler.refresh_stats()
    remit_scheduler.build_dataset()
    assert "statistics: recomputation failed" in caplog.text and "disk full" in caplog.text
    assert "dataset: build failed" in caplog.text
