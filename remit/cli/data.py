"""Commands for the database and datasets: db, catalog, import, export."""

from __future__ import annotations

import re
import sys
from datetime import UTC
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import get_engine, transaction


# --- remit db ---------------------------------------------------------------------------


@click.group("db")
def db_group() -> None:
    """Build and upgrade the database schema."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Create or upgrade the schema (SQLite or PostgreSQL)."""
    from ..migrate import current_revision, upgrade

    upgrade(get_engine(), revision)
    click.echo(f"database at revision {current_revision(get_engine())}")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Show the schema revision of the database and of this remit."""
    from ..migrate import current_revision, head_revision

    click.echo(f"database: {current_revision(get_engine()) or 'empty'}; newest: {head_revision()}")


@db_group.command("recompute-costs")
@with_appcontext
def db_recompute_costs() -> None:
    """Work out every quote's stored cost columns again (after a change to remit.costs)."""
    from ..quote_costs import recompute

    with get_engine().begin() as connection:
        count = recompute(connection)
    click.echo(f"recomputed the costs of {count} quotes")


# --- remit catalog ------------------------------------------------------------------------


@click.group("catalog")
def catalog_group() -> None:
    """The corridors and providers remit covers."""


@catalog_group.command("sync")
@with_appcontext
def catalog_sync() -> None:
    """Load corridors and providers from the package's data files (idempotent)."""
    from ..catalog import CatalogError, sync_catalog

    try:
        with transaction() as session:
            report = sync_catalog(session)
    except CatalogError as error:
        raise click.ClickException(f"catalogue: {error}") from None
    kinds = sorted(set(report.created) | set(report.updated))
    summary = ", ".join(f"{kind}: {report.created.get(kind, 0)} new, "
                        f"{report.updated.get(kind, 0)} updated" for kind in kinds)
    click.echo(f"catalogue in sync ({summary or 'nothing changed'})")


# --- remit import ---------------------------------------------------------------------------


@click.group("import")
def import_group() -> None:
    """Import external datasets."""


@import_group.command("rpw-averages")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and count everything, then write nothing.")
@with_appcontext
def import_averages_command(file: Path, dry_run: bool) -> None:
    """Import the World Bank's published corridor averages (DataBank CSV, USD 200)."""
    from ..rpw.averages import AveragesFileError, import_corridor_averages

    try:
        report = import_corridor_averages(get_engine(), file, Path(current_app.config["ARCHIVE_PATH"]),
                                          dry_run=dry_run)
    except AveragesFileError as error:
        raise click.ClickException(f"{file}: {error}") from None
    for location, reason in report.rejected:
        click.echo(f"rejected {location}: {reason}", err=True)
    click.echo(f"{report.rows} rows: {report.added} added, {report.revised} revised, "
               f"{report.unchanged} already present, {len(report.rejected)} rejected"
               + (" (dry run: nothing written)" if dry_run else f"; archived as {report.raw_sha256[:12]}"))


@import_group.command("rpw")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--encoding", default="utf-8-sig", show_default=True, help="Text encoding of a CSV file.")
@click.option("--dry-run", is_flag=True, help="Check and count everything, then write nothing.")
@click.option("--strict", is_flag=True, help="Refuse the whole file if any row is rejected.")
@with_appcontext
def import_rpw_command(file: Path, encoding: str, dry_run: bool, strict: bool) -> None:
    """Import the World Bank RPW dataset (.xlsx workbook or CSV in its layout)."""
    from ..rpw import RpwFileError, import_rpw

    try:
        report = import_rpw(get_engine(), file, Path(current_app.config["ARCHIVE_PATH"]),
                            encoding=encoding, dry_run=dry_run, strict=strict)
    except (RpwFileError, LookupError) as error:
        raise click.ClickException(f"{file}: {error}") from None
    for location, reason in report.rejected:
        click.echo(f"rejected {location}: {reason}", err=True)
    if strict and report.rejected:
        raise click.ClickException(f"{len(report.rejected)} rows rejected; nothing imported (--strict)")
    created = ", ".join(f"{count} {kind}{'s' if count != 1 else ''}"
                        for kind, count in report.created.items() if count)
    click.echo(f"{'checked' if dry_run else 'imported'} {file.name} (sha256 {report.raw_sha256[:12]}): "
               f"{report.rows} rows, {report.quotes_added} quotes added, "
               f"{report.quotes_already_present} already present, {len(report.rejected)} rejected"
               + (f"; created {created}" if created else ""))


# --- remit export ------------------------------------------------------------------------------


@click.group("export")
def export_group() -> None:
    """Export data for research."""


@export_group.command("quotes")
@click.option("--corridor", help="Only this corridor, as ISO3 pair: RUS-TJK.")
@click.option("--source", help="Only quotes from this source, e.g. rpw.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Collected on or after YYYY-MM-DD.")
@click.option("--format", "output_format", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True)
@with_appcontext
def export_quotes(corridor: str | None, source: str | None, since, output_format: str) -> None:
    """Stream quotes to standard output, one row per quote and amount."""
    from ..db import get_session
    from ..export import QuoteFilter, export_cells, export_rows, write_csv, write_json
    from ..queries import quote_sources

    session = get_session()
    corridor_row = corridor_option(session, corridor) if corridor is not None else None
    if source is not None and source not in quote_sources(session):
        known = ", ".join(quote_sources(session)) or "none yet"
        raise click.BadParameter(f"unknown source {source!r} (sources with quotes: {known})",
                                 param_hint="--source")
    filters = QuoteFilter(corridor_id=corridor_row.id if corridor_row else None, source=source,
                          since=since.replace(tzinfo=UTC) if since else None)
    if output_format == "csv":
        write_csv(export_cells(session, filters), sys.stdout)
    else:
        write_json(export_rows(session, filters), sys.stdout)


def corridor_option(session, key: str, *, catalog_only: bool = False):
    """The corridor a --corridor value names (e.g. RUS-TJK), or a usage error saying why."""
    from ..queries import find_corridor

    if not re.fullmatch(r"[A-Za-z]{3}-[A-Za-z]{3}", key):
        raise click.BadParameter(f"{key!r} is not an ISO3 pair such as RUS-TJK", param_hint="--corridor")
    corridor = find_corridor(session, key)
    if corridor is None or (catalog_only and not corridor.in_catalog):
        raise click.BadParameter(f"unknown corridor {key.upper()}", param_hint="--corridor")
    return corridor
