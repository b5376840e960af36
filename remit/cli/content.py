"""Checking the literacy modules: remit content check."""

from __future__ import annotations

import click

from ..content import check as check_content


@click.group("content")
def content_group() -> None:
    """The financial literacy modules under content/."""


@content_group.command("check")
def check() -> None:
    """Report missing, stale and broken modules per language; fail on any (CI runs this)."""
    report = check_content()
    failed = False
    for lang, problems in report.items():
        status = "ok" if not problems else f"{len(problems)} problem(s)"
        click.echo(f"{lang}: {status}")
        for problem in problems:
            click.echo(f"  {problem}")
        failed |= bool(problems)
    if failed:
        raise SystemExit(1)
