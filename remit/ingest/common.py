"""What every ingest shares: counts, the quarantine, run records."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlmodel import Session

from ..models import CollectionRun, Quarantine
from ..types import utcnow
from ..vocab import RunStatus


@dataclass
class StoreCounts:
    """What a run stored, found already stored, or quarantined."""

    stored: int = 0
    already_stored: int = 0
    quarantined: int = 0


def quarantine(session: Session, run_id: int | None, kind: str, observation, reason: str,
               sha: str | None) -> None:
    """Keep a refused observation with its reason."""
    values = {name: str(value) if value is not None else None
              for name, value in asdict(observation).items()}
    session.add(Quarantine(run_id=run_id, source=getattr(observation, "source", ""), kind=kind,
                           observation=json.dumps(values, ensure_ascii=False), reason=reason,
                           raw_sha256=sha))


def start_run(session: Session, source: str, kind: str, started_at: datetime | None = None) -> int:
    """Create the run record in the caller's transaction and return its id."""
    run = CollectionRun(source=source, kind=kind, started_at=started_at or utcnow())
    session.add(run)
    session.flush()
    return run.id


def finish_run(session: Session, run_id: int, *, status: RunStatus, counts: StoreCounts,
               calls: int, size: int, error: str | None) -> None:
    """Record how a run ended."""
    run = session.get(CollectionRun, run_id)
    run.status = status
    run.finished_at = utcnow()
    run.stored = counts.stored
    run.quarantined = counts.quarantined
    run.http_calls = calls
    run.bytes = size
    run.error = error
    session.add(run)
