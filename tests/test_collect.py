"""Collecting reference rates end to end: replayed recordings, faults, the CLI."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, func, select

from remit.collect import CollectError, Plan, collect, http_settings
from remit.models import CollectionRun, Quarantine, ReferenceRate
from scrapers.registry import rate_source

SHARED_INDEX = Path(__file__).resolve().parents[2] / "shared" / "reference-rates" / "index.json"
RECORDED_DAYS = {"cbr": None, "nbkr": None, "cba": None, "nbm": date(2026, 4, 6),
                 "nbt": date(2026, 5, 18), "cbu": date(2026, 4, 1), "nbg": date(2026, 3, 2),
                 "bct": date(2026, 5, 18)}


@pytest.fixture
def shared_index():
    if not SHARED_INDEX.exists():
        pytest.skip("../shared/reference-rates is not present")
    return SHARED_INDEX


def collect_rates(engine, config, names, *, day=None, replay_index=None, transport=None):
    plan = Plan(rate_sources=names, quote_sources=[], day=day)
    return collect(engine, config, plan, replay_index=replay_index, transport=transport)


def config(app, **overrides):
    return dict(app.config) | {"HTTP_RETRIES": 0, "HTTP_PER_HOST_INTERVAL_S": 0.0} | overrides


def rates(engine, source=None):
    with Session(engine) as session:
        statement = select(ReferenceRate)
        if source:
            statement = statement.where(ReferenceRate.source == source)
        return session.exec(statement).all()


def test_recorded_sources_collect_through_the_whole_pipeline(app, engine, shared_index):
    for name, day in RECORDED_DAYS.items():
        [outcome] = collect_rates(engine, config(app), [name], day=day, replay_index=shared_index)
        assert outcome.status == "ok", (name, outcome.error)
        assert outcome.counts.stored > 5 and outcome.calls >= 1 and outcome.size > 0
    stored = rates(engine)
    assert {rate.source for rate in stored} == set(RECORDED_DAYS)
    assert all(isinstance(rate.rate, Decimal) and rate.raw_sha256 for rate in stored)
    archive = Path(app.config["ARCHIVE_PATH"])
    assert all((archive / "sha256" / r.raw_sha256[:2] / r.raw_sha256).exists() for r in stored)
    again = collect_rates(engine, config(app), ["cbr"], replay_index=shared_index)
    assert again[0].counts.stored == 0 and again[0].counts.already_stored > 5


def test_a_missing_recording_fails_that_source_only(app, engine, shared_index):
    outcomes = collect_rates(engine, config(app), ["cbr", "nbm"], day=date(2020, 1, 1),
                             replay_index=shared_index)
    by_source = {outcome.source: outcome for outcome in outcomes}
    assert by_source["nbm"].status == "failed"
    assert "no recording for this request" in by_source["nbm"].error
    with Session(engine) as session:
        runs = session.exec(select(CollectionRun)).all()
    assert {run.source: run.status for run in runs}["nbm"] == "failed"


def test_bam_without_a_key_is_skipped_with_a_message(app, engine, shared_index):
    [outcome] = collect_rates(engine, config(app, BAM_API_KEY=""), ["bam"], replay_index=shared_index)
    assert outcome.status == "skipped" and "REMIT_BAM_API_KEY" in outcome.error


def _fake_index(tmp_path: Path, name: str, day, status: int, body: bytes) -> Path:
    [request] = rate_source(name).requests(day, {})
    (tmp_path / "body").write_bytes(body)
    entry = {"file": "body", "method": request.method, "url": request.url, "status": status,
             "content_type": "text/xml"}
    if request.body:
        entry["request_body"] = request.body.decode()
    (tmp_path / "index.json").write_text(json.dumps([entry]), encoding="utf-8")
    return tmp_path / "index.json"


@pytest.mark.parametrize("status, body, message", [
    (500, b"oops", "HTTP 500"),
    (429, b"slow down", "HTTP 429"),
    (200, b"<?xml version='1.0'?><ValCurs Date='06.04.2026'><Valute", "nbm"),
    (200, b"<html><body>Service unavailable</body></html>", "nbm"),
])
def test_faults_fail_the_run_with_the_reason_and_keep_earlier_data(app, engine, tmp_path, status,
                                                                    body, message):
    with Session(engine) as session:
        session.add(ReferenceRate(source="nbm", base="EUR", quote="MDL", rate=Decimal("19.9"),
                                  as_of=date(2026, 4, 1)))
        session.commit()
    index = _fake_index(tmp_path, "nbm", date(2026, 4, 6), status, body)
    [outcome] = collect_rates(engine, config(app), ["nbm"], day=date(2026, 4, 6), replay_index=index)
    assert outcome.status == "failed" and message in outcome.error
    assert [(r.base, r.rate) for r in rates(engine, "nbm")] == [("EUR", Decimal("19.9"))]


def test_implausible_rate_is_quarantined_and_the_run_is_partial(app, engine, shared_index):
    with Session(engine) as session:
        session.add(ReferenceRate(source="cbr", base="USD", quote="RUB", rate=Decimal("8.0"),
                                  as_of=date(2026, 4, 20)))  # the recording is of 25.04.2026
        session.commit()
    [outcome] = collect_rates(engine, config(app), ["cbr"], replay_index=shared_index)
    assert outcome.status == "partial" and outcome.counts.quarantined == 1
    with Session(engine) as session:
        held = session.exec(select(Quarantine)).one()
        usd = session.exec(select(func.count()).select_from(ReferenceRate).where(
            ReferenceRate.source == "cbr", ReferenceRate.base == "USD")).one()
    assert held.kind == "rate" and "moved" in held.reason and '"base": "USD"' in held.observation
    assert usd == 1  # only the earlier value: the implausible one is never published


@pytest.mark.parametrize("error", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow")])
def test_network_failures_are_recorded(app, engine, error):
    def handler(request):
        raise error

    [outcome] = collect_rates(engine, config(app), ["nbg"], day=date(2026, 3, 2),
                              transport=httpx.MockTransport(handler))
    assert outcome.status == "failed"
    assert "nbg.gov.ge" in outcome.error


def test_live_collection_needs_a_contact_url(app):
    with pytest.raises(CollectError, match="REMIT_CONTACT_URL"):
        http_settings(config(app, CONTACT_URL=""), replay=False)


def test_cli_collect_rates_export_and_runs(app, runner, shared_index):
    result = runner.invoke(args=["collect", "--source", "cbr", "--source", "nbkr",
                                 "--replay", str(shared_index)])
    assert result.exit_code == 0, result.output
    assert "cbr        ok" in result.output and "nbkr       ok" in result.output
    exported = runner.invoke(args=["rates", "export", "--source", "cbr", "--format", "json"])
    rows = json.loads(exported.output)
    assert rows and set(rows[0]) == {"source", "base", "quote", "rate", "as_of"}
    assert all(row["quote"] == "RUB" for row in rows)
    csv_out = runner.invoke(args=["rates", "export", "--source", "nbkr"]).output
    assert csv_out.splitlines()[0] == "source,base,quote,rate,as_of"
    listing = runner.invoke(args=["runs"]).output
    assert "cbr" in listing and "nbkr" in listing and "ok" in listing
    failed = runner.invoke(args=["collect", "--source", "nbm", "--date", "2020-01-01",
                                 "--replay", str(shared_index)])
    assert failed.exit_code == 1 and "failed: nbm" in failed.output
    unknown = runner.invoke(args=["collect", "--source", "nope"])
    assert unknown.exit_code == 2 and "unknown source 'nope'" in unknown.output


def test_feed_prices_are_identified_by_provider_id_and_publication():
    from datetime import UTC, datetime

    from remit.collect import feed_identity
    from scrapers.base import QuoteObservation

    observation = QuoteObservation(
        source="feed", provider="demo-partner", provider_name="Demo", source_country="RU",
        destination_country="TJ", send_amount=Decimal("10000"), send_currency="RUB",
        fee=Decimal("0"), fee_mode="on_top", exchange_rate=None, received_amount=None,
        receive_currency="TJS", collected_at=datetime(2026, 11, 23, tzinfo=UTC),
        source_dated_at=datetime(2026, 11, 20, 11, 0, tzinfo=UTC), source_ref="ru-tj-cash")
    assert feed_identity(observation).source_ref == "demo-partner/ru-tj-cash@2026-11-20T11:00:00Z"
