"""Managing accounts from the command line: remit users add|list."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlmodel import select

from ..accounts import ROLES, AccountError, add_user, provider_by_slug
from ..db import get_session, transaction
from ..models import Provider, User


@click.group("users")
def users_group() -> None:
    """Accounts of the partner portal and the admin pages."""


@users_group.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--provider", "provider_slug", help="The provider a partner account belongs to (its slug).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def add(email: str, role: str, provider_slug: str | None, password_stdin: bool) -> None:
    """Create an account. Without a password, it is asked for (twice) at the terminal."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with transaction() as session:
            user = add_user(session, email, role, provider=provider_by_slug(session, provider_slug),
                            password=password)
            click.echo(f"{user.email}: {role} account created"
                       + (f" for {provider_slug}" if provider_slug else ""))
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    if role == "admin":
        click.echo("admins set up a second factor (TOTP) at their first sign-in")


@users_group.command("list")
@with_appcontext
def list_users() -> None:
    """Every account with its role, provider and state."""
    session = get_session()
    providers = {p.id: p.slug for p in session.exec(select(Provider))}
    for user in session.exec(select(User).order_by(User.email)):
        click.echo(f"{user.email:<40} {user.role:<8} {providers.get(user.provider_id, '-'):<20} "
                   f"{'active' if user.active else 'disabled'}{'  2FA' if user.totp_secret else ''}")
