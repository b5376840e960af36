"""The shipped demo data: loaded through the real pipeline, complete, and true to its generator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from remit.catalog import sync_catalog
from remit.demo import DEMO_DAY, INDEX, load_demo
from remit.models import Corridor, Quarantine, Quote, ReferenceRate, Service

ROOT = Path(__file__).resolve().parents[1]
# Pairs no source can price, so their quotes carry no reference rate:
# - EUR->BAM: no bank remit collects publishes the convertible mark (the ECB does not).
# - EUR->ALL: only the NBM publishes the lek, against the leu, and the resolver crosses
#   only through USD, EUR or RUB.
UNPRICED = {("EUR", "ALL")}  # no bank publishes ALL against USD, EUR or RUB (only NBM, vs MDL)


@pytest.fixture
def demo(app, engine):
    """The demo loaded into the test database, with the outcome of every source."""
    with Session(engine) as session, session.begin():
        sync_catalog(session)
    return {outcome.source: outcome for outcome in load_demo(engine, app.config)}


def _quotes(engine) -> list[tuple[Corridor, Quote]]:
    with Session(engine) as session:
        return list(session.exec(select(Corridor, Quote)
                                 .join(Service, Service.corridor_id == Corridor.id)
                                 .join(Quote, Quote.service_id == Service.id)))


def test_nbkr_fails_with_a_503_and_every_other_source_is_collected(demo, engine):
    assert demo["nbkr"].status == "failed" and "HTTP 503" in demo["nbkr"].error
    failed = {name: outcome.error for name, outcome in demo.items()
              if name != "nbkr" and outcome.status not in ("ok", "partial")}
    assert not failed, failed
    with Session(engine) as session:
        dates = set(session.exec(select(ReferenceRate.as_of)))
    assert max(dates) == DEMO_DAY


def test_every_catalogue_corridor_has_quotes_at_both_tiers(demo, engine):
    with Session(engine) as session:
        corridors = session.exec(select(Corridor).where(Corridor.enabled,
                                                         Corridor.in_catalog)).all()
    tiers = {(corridor.key, quote.amount_tier) for corridor, quote in _quotes(engine)}
    missing = [(corridor.key, tier) for corridor in corridors for tier in (200, 500)
               if (corridor.key, tier) not in tiers]
    assert len(corridors) == 21 and not missing


def test_promotions_are_there_and_nothing_is_quarantined(demo, engine):
    quotes = [quote for _, quote in _quotes(engine)]
    assert any(quote.promotional and quote.source == "remitly" for quote in quotes)
    assert any(quote.promotional and quote.source == "koronapay" for quote in quotes)
    with Session(engine) as session:
        assert session.exec(select(Quarantine)).all() == []


def test_exactly_one_service_does_not_disclose_its_rate(demo, engine):
    """The demo partner's feed says, as only a feed can, that one price has no stated rate."""
    hidden = {quote.service_id for _, quote in _quotes(engine) if not quote.transparent}
    assert len(hidden) == 1


def test_quotes_carry_a_reference_rate_and_its_path_where_a_source_prices_the_pair(demo, engine):
    for corridor, quote in _quotes(engine):
        pair = (corridor.send_currency, corridor.receive_currency)
        if pair in UNPRICED:
            assert quote.reference_rate is None and quote.reference_rate_path is None, pair
        else:
            assert quote.reference_rate and quote.reference_rate_path, (corridor.key, quote.source)


def test_the_recordings_replay_byte_for_byte():
    entries = json.loads(INDEX.read_text(encoding="utf-8"))
    files = {str(path.relative_to(INDEX.parent)) for path in INDEX.parent.rglob("*")
             if path.is_file()} - {INDEX.name}
    assert {entry["file"] for entry in entries} == files   # nothing unlisted, nothing missing
    for entry in entries:
        assert (INDEX.parent / entry["file"]).stat().st_size == entry["bytes"], entry["file"]


def test_the_shipped_recordings_are_what_the_generator_writes():
    environment = {key: value for key, value in os.environ.items() if not key.startswith("REMIT_")}
    result = subprocess.run([sys.executable, "-W", "error", "-m", "remit.demo.build", "--check"],
                            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
