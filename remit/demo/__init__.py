"""The offline demo: realistic data collected through the real pipeline from recordings.

``remit demo`` calls ``load_demo``: every source is asked as in a live run, and the
answers come from ``recordings/`` (written by ``python -m remit.demo.build``, never at
runtime). The reference rates there are dated ``DEMO_DAY``; quotes are stamped with the
time of loading, as any collection would stamp them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from ..collect import Outcome, Plan, collect

DEMO_DAY = date(2026, 11, 20)
INDEX = Path(__file__).parent / "recordings" / "index.json"


def demo_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` with what replaying needs: a BAM key (so bam is asked), the demo partner's
    feed, no pacing or retries."""
    from .feed import URL

    return dict(config) | {"BAM_API_KEY": "demo", "HTTP_PER_HOST_INTERVAL_S": 0.0,
                           "HTTP_RETRIES": 0, "FEED_URLS": (URL,)}


def load_demo(engine: Engine, config: Mapping[str, Any]) -> list[Outcome]:
    """Collect every source from the demo recordings into ``engine``'s database."""
    return collect(engine, demo_config(config), Plan(day=DEMO_DAY), replay_index=INDEX)
