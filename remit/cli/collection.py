"""Commands for collection: collect, rates export, runs."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import select

from scrapers.registry import QUOTE_SOURCES, RATE_SOURCES

from ..db import get_engine, get_session
from ..export import dict_cells, write_csv, write_json
from ..models import CollectionRun, ReferenceRate
from ..vocab import RunStatus
from .data import corridor_option

DATE = click.DateTime(formats=["%Y-%m-%d"])
RATE_COLUMNS = ("source", "base", "quote", "rate", "as_of")
ALL_SOURCES = RATE_SOURCES + QUOTE_SOURCES


@click.command("collect")
@click.option("--source", "sources", multiple=True, metavar="NAME",
              help=f"Only this source (repeatable): {', '.join(ALL_SOURCES)}.")
@click.option("--corridor", "corridors", multiple=True, metavar="RUS-TJK",
              help="Only quotes in this corridor (repeatable), as an ISO3 pair.")
@click.option("--date", "day", type=DATE, help="Reference rates of this day (YYYY-MM-DD); default: latest.")
@click.option("--replay", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              metavar="INDEX.json", help="Answer every request from these recordings, not the network.")
@with_appcontext
def collect(sources: tuple[str, ...], corridors: tuple[str, ...], day, replay: Path | None) -> None:
    """Collect reference rates, then quotes; exit non-zero if a source failed."""
    from ..collect import CollectError, Plan, collect as run_collection

    plan = Plan(corridors=_corridor_keys(corridors), day=day.date() if day else None)
    if sources:
        unknown = [name for name in sources if name not in ALL_SOURCES]
        if unknown:
            raise click.BadParameter(f"unknown source {unknown[0]!r}; known: {', '.join(ALL_SOURCES)}",
                                     param_hint="--source")
        plan.rate_sources = [name for name in RATE_SOURCES if name in sources]
        plan.quote_sources = [name for name in QUOTE_SOURCES if name in sources]
    total = len(plan.rate_sources) + len(plan.quote_sources)
    click.echo(f"collecting from {total} source{'s' if total != 1 else ''}"
               + (f", replaying {replay}" if replay else "") + " ...", err=True)
    try:
        with click.progressbar(length=total, label="sources done", file=sys.stderr) as bar:
            outcomes = run_collection(get_engine(), current_app.config, plan, replay_index=replay,
                                      on_stored=lambda _outcome: bar.update(1))
    except (CollectError, ValueError) as error:  # configuration, or a malformed replay index
        raise click.ClickException(str(error)) from None
    _print_summary(outcomes)
    failed = [outcome.source for outcome in outcomes if outcome.status == RunStatus.FAILED]
    if failed:
        raise click.ClickException(f"failed: {', '.join(failed)}")


def _corridor_keys(corridors: tuple[str, ...]) -> list[str] | None:
    """Checked corridor keys, or None for every corridor."""
    if not corridors:
        return None
    return [corridor_option(get_session(), key, catalog_only=True).key for key in corridors]


def _print_summary(outcomes) -> None:
    click.echo(f"{'source':<10} {'status':<8} {'stored':>6} {'known':>6} {'quar.':>5} "
               f"{'calls':>5} {'bytes':>9}  error")
    for outcome in outcomes:
        counts = outcome.counts
        error = (outcome.error or "")[:120]
        click.echo(f"{outcome.source:<10} {outcome.status:<8} {counts.stored:>6} "
                   f"{counts.already_stored:>6} {counts.quarantined:>5} {outcome.calls:>5} "
                   f"{outcome.size:>9,}  {error}")


@click.group("rates")
def rates_group() -> None:
    """Stored reference rates."""


@rates_group.command("export")
@click.option("--source", help="Only this source.")
@click.option("--date", "day", type=DATE, help="Only rates as of this day (YYYY-MM-DD).")
@click.option("--format", "output_format", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True)
@with_appcontext
def rates_export(source: str | None, day, output_format: str) -> None:
    """Print stored rates as 'source, base, quote, rate, as_of' (1 base = rate quote)."""
    if source is not None and source not in RATE_SOURCES:
        raise click.BadParameter(f"unknown source {source!r}; known: {', '.join(RATE_SOURCES)}",
                                 param_hint="--source")
    statement = select(ReferenceRate).order_by(ReferenceRate.source, ReferenceRate.as_of,
                                               ReferenceRate.base, ReferenceRate.quote)
    if source:
        statement = statement.where(ReferenceRate.source == source)
    if day:
        statement = statement.where(ReferenceRate.as_of == day.date())
    rows = ({"source": rate.source, "base": rate.base, "quote": rate.quote, "rate": rate.rate,
             "as_of": rate.as_of.isoformat()}
            for rate in get_session().exec(statement.execution_options(yield_per=1000)))
    if output_format == "csv":
        write_csv(dict_cells(rows, RATE_COLUMNS), sys.stdout, RATE_COLUMNS)
    else:
        write_json(rows, sys.stdout, RATE_COLUMNS)


@click.command("runs")
@click.option("--source", help="Only this source.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@with_appcontext
def runs(source: str | None, limit: int) -> None:
    """List recent collection and import runs, newest first."""
    statement = select(CollectionRun).order_by(CollectionRun.id.desc()).limit(limit)
    if source:
        statement = statement.where(CollectionRun.source == source)
    click.echo(f"{'id':>5} {'source':<8} {'kind':<7} {'started (UTC)':<19} {'status':<8} "
               f"{'stored':>7} {'quar.':>5} {'calls':>5}  error")
    for run in get_session().exec(statement):
        click.echo(f"{run.id:>5} {run.source:<8} {run.kind:<7} "
                   f"{run.started_at.strftime('%Y-%m-%d %H:%M:%S')} {run.status:<8} "
                   f"{run.stored:>7} {run.quarantined:>5} {run.http_calls:>5}  {(run.error or '')[:100]}")


@click.command("scheduler")
@click.option("--wait", is_flag=True, help="If another scheduler runs, wait for it to stop.")
@click.option("--run-now", is_flag=True, help="Also run every job once at start.")
@with_appcontext
def scheduler(wait: bool, run_now: bool) -> None:
    """Run the collection timetable in this process (exactly one per database)."""
    import logging
    import time

    from ..scheduler import AlreadyRunning, serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    while True:
        try:
            serve(current_app._get_current_object(), get_engine(), run_now=run_now)
            return
        except AlreadyRunning as error:
            if not wait:
                raise click.ClickException(f"{error}; not starting a second one (--wait to wait)") from None
            click.echo(f"{error}; waiting ...", err=True)
            time.sleep(30)


@click.group("archive")
def archive_group() -> None:
    """The archive of raw responses and imported files."""


@archive_group.command("prune")
@click.option("--older-than-days", type=click.IntRange(1), default=None,
              help="Default: REMIT_ARCHIVE_RETENTION_DAYS.")
@with_appcontext
def archive_prune(older_than_days: int | None) -> None:
    """Delete raw responses older than the retention period."""
    from .. import archive

    days = older_than_days or current_app.config["ARCHIVE_RETENTION_DAYS"]
    files, size = archive.prune(Path(current_app.config["ARCHIVE_PATH"]), days)
    click.echo(f"deleted {files} archived files ({size:,} bytes) older than {days} days")


@click.command("stats")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Recompute the periods from this day's quarter on (default: all).")
@with_appcontext
def stats(since) -> None:
    """Recompute corridor statistics per month and quarter from the stored quotes."""
    from .. import stats as corridor_statistics
    from ..db import transaction

    with transaction() as session:
        written = corridor_statistics.compute(session, since=since.date() if since else None)
    click.echo(f"{written} corridor-period-tier statistics computed")


@click.group("dataset")
def dataset_group() -> None:
    """The bulk downloads served at /data/."""


@dataset_group.command("build")
@with_appcontext
def dataset_build() -> None:
    """Write every dataset as gzipped CSV with datapackage.json into REMIT_DATASET_PATH."""
    from ..bulk import build

    package = build(get_engine(), Path(current_app.config["DATASET_PATH"]))
    for resource in package["resources"]:
        click.echo(f"{resource['path']:<24} {resource['rows']:>10} rows {resource['bytes']:>12} bytes")
    click.echo(f"data package {package['version']} written to {current_app.config['DATASET_PATH']}")
