"""Killing a collection at any moment leaves only whole runs: each run's data is all there."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, func
from sqlmodel import Session, select

from remit.demo import INDEX
from remit.demo.feed import URL
from remit.models import CollectionRun, Quote, ReferenceRate


def _runs_stored(database) -> int:
    try:
        with sqlite3.connect(database, timeout=0.1) as connection:
            return connection.execute("SELECT count(*) FROM collectionrun").fetchone()[0]
    except sqlite3.OperationalError:  # locked by the writer for a moment
        return 0


@pytest.mark.parametrize("after_runs", [1, 6, 13, 15])
def test_a_killed_collection_leaves_no_partial_run(tmp_path, after_runs):
    """Killed (SIGKILL) once ``after_runs`` runs are stored: mid-way through rates or quotes."""
    if "REMIT_TEST_DATABASE_URL" in os.environ:
        pytest.skip("the SQLite file is what is checked here")
    environment = {key: value for key, value in os.environ.items() if not key.startswith("REMIT_")}
    environment |= {"REMIT_INSTANCE_PATH": str(tmp_path), "REMIT_BAM_API_KEY": "demo",
                    "REMIT_FEED_URLS": URL, "REMIT_HTTP_PER_HOST_INTERVAL_S": "0"}
    remit = [sys.executable, "-m", "remit"]
    subprocess.run(remit + ["db", "upgrade"], env=environment, check=True, capture_output=True)
    subprocess.run(remit + ["catalog", "sync"], env=environment, check=True, capture_output=True)
    worker = subprocess.Popen(remit + ["collect", "--date", "2026-11-20", "--replay", str(INDEX)],
                              env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while _runs_stored(tmp_path / "remit.db") < after_runs and worker.poll() is None:
        assert time.monotonic() < deadline, "the collection stored nothing within a minute"
        time.sleep(0.005)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert worker.returncode == -signal.SIGKILL, "it finished before it could be killed"
    engine = create_engine(f"sqlite:///{tmp_path / 'remit.db'}")
    with Session(engine) as session:
        runs = session.exec(select(CollectionRun)).all()
        assert after_runs <= len(runs) < 17  # killed part-way: some runs stored, not all
        for run in runs:
            table = ReferenceRate if run.kind == "rates" else Quote
            kept = session.exec(select(func.count()).select_from(table).where(table.run_id == run.id)).one()
            assert run.status != "running" and kept == run.stored, (run.source, run.status)
        orphans = session.exec(select(func.count()).select_from(Quote).where(Quote.run_id.is_(None))).one()
        assert orphans == 0
    engine.dispose()
