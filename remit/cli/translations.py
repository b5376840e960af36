"""Maintaining the translation catalogues: remit translations update|compile|check."""

from __future__ import annotations

import click

from .. import i18n_catalog


@click.group("translations")
def translations() -> None:
    """Extract, merge, compile and check the gettext catalogues under translations/."""


@translations.command("update")
def update() -> None:
    """Extract every UI string into messages.pot and merge it into each language."""
    i18n_catalog.update()
    click.echo("translations/messages.pot and every language's messages.po updated")


@translations.command("compile")
def compile_catalogues() -> None:
    """Compile each language's messages.po into the messages.mo the site loads."""
    i18n_catalog.compile_all()
    click.echo("every messages.mo compiled")


@translations.command("check")
def check() -> None:
    """Fail when messages.pot is stale or a language misses a string (CI runs this)."""
    found = i18n_catalog.problems()
    for problem in found:
        click.echo(problem, err=True)
    if found:
        raise SystemExit(1)
    click.echo("catalogues complete and current")
