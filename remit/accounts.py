"""Accounts of the partner portal and the admin: passwords, one-time links, throttling,
second factor, and the audit log. No Flask here: the views call these.

- Passwords are hashed with argon2 (argon2-cffi's defaults, rehashed when they change).
- Invitations and password resets are random secrets sent as links; only their sha256 is
  stored; each works once, before it expires.
- Failed sign-ins are counted per account and per address over a window; past a limit the
  login answers 429 until the window has moved on.
- TOTP (RFC 6238) as a second factor, required for admins.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func
from sqlmodel import Session, select

from .models import AuditEvent, LoginFailure, OneTimeToken, Provider, User
from .types import utcnow

ROLES = ("admin", "partner")
MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why."""


# --- passwords -------------------------------------------------------------------------------


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")


def hash_password(password: str) -> str:
    check_password_strength(password)
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    """Whether the password is the user's; upgrades the hash when argon2's settings changed."""
    if not user.password_hash:
        return False
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True


@cache
def _dummy_hash() -> str:
    """Made on first use, not at import: argon2 costs 64 MiB and a fraction of a second."""
    return _hasher.hash("not a real password, only for equal timing")


def spend_verification_time() -> None:
    """Verify against a dummy hash, so that an unknown email takes as long as a wrong password."""
    try:
        _hasher.verify(_dummy_hash(), "something else")
    except VerificationError:
        pass


# --- users ------------------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254 or any(ch.isspace() for ch in email):
        raise AccountError(f"{email!r} is not an email address")
    return email


def find_user(session: Session, email: str) -> User | None:
    try:
        email = normalise_email(email)
    except AccountError:
        return None
    return session.exec(select(User).where(User.email == email)).first()


def provider_by_slug(session: Session, slug: str | None) -> Provider | None:
    if slug is None:
        return None
    provider = session.exec(select(Provider).where(Provider.slug == slug)).first()
    if provider is None:
        raise AccountError(f"no provider {slug!r}")
    return provider


def add_user(session: Session, email: str, role: str, *, provider: Provider | None = None,
             password: str | None = None, by: User | None = None) -> User:
    """Create a user; a partner belongs to exactly one provider, an admin to none."""
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if (role == "partner") != (provider is not None):
        raise AccountError("a partner needs --provider; an admin has none")
    email = normalise_email(email)
    if find_user(session, email):
        raise AccountError(f"{email} already has an account")
    user = User(email=email, role=role, provider_id=provider.id if provider else None,
                password_hash=hash_password(password) if password is not None else None)
    session.add(user)
    session.flush()
    audit(session, by, "user.created", user, email=email, role=role,
          provider=provider.slug if provider else None)
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """A new password ends every existing session of the user."""
    user.password_hash = hash_password(password)
    user.session_version += 1
    session.add(user)


# --- one-time links ---------------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(session: Session, purpose: str, email: str, *, valid_for: timedelta,
                 role: str | None = None, provider_id: int | None = None,
                 user_id: int | None = None, by: User | None = None) -> str:
    """A new secret for a link; only its hash is stored. Returns the secret."""
    secret = secrets.token_urlsafe(32)
    session.add(OneTimeToken(purpose=purpose, token_hash=_digest(secret), email=normalise_email(email),
                             role=role, provider_id=provider_id, user_id=user_id,
                             created_by=by.id if by else None, expires_at=utcnow() + valid_for))
    session.flush()
    return secret


def find_token(session: Session, purpose: str, secret: str) -> OneTimeToken:
    """The unused, unexpired token for a secret, or AccountError (the same for every case)."""
    token = session.exec(select(OneTimeToken).where(OneTimeToken.token_hash == _digest(secret),
                                                    OneTimeToken.purpose == purpose)).first()
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        raise AccountError("this link is not valid: it was used already, has expired, or is wrong")
    return token


def accept_invitation(session: Session, secret: str, password: str) -> User:
    token = find_token(session, "invite", secret)
    provider = session.get(Provider, token.provider_id) if token.provider_id else None
    user = add_user(session, token.email, token.role or "partner", provider=provider, password=password)
    token.used_at = utcnow()
    session.add(token)
    return user


def reset_password(session: Session, secret: str, password: str) -> User:
    token = find_token(session, "reset", secret)
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        raise AccountError("this link is not valid: it was used already, has expired, or is wrong")
    set_password(session, user, password)
    token.used_at = utcnow()
    session.add(token)
    audit(session, user, "user.password_reset", user)
    return user


# --- throttling -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Throttle:
    per_account: int
    per_address: int
    window: timedelta


def throttled(session: Session, email: str, address: str, limits: Throttle) -> bool:
    """Whether sign-in is blocked for this account or this address right now."""
    since = utcnow() - limits.window
    by_email = session.exec(select(func.count(LoginFailure.id)).where(
        LoginFailure.email == email.strip().lower(), LoginFailure.at >= since)).one()
    by_address = session.exec(select(func.count(LoginFailure.id)).where(
        LoginFailure.address == address, LoginFailure.at >= since)).one()
    return by_email >= limits.per_account or by_address >= limits.per_address


def record_failure(session: Session, email: str, address: str) -> None:
    session.add(LoginFailure(email=email.strip().lower()[:254], address=address[:64]))


def clear_failures(session: Session, email: str, older_than: datetime | None = None) -> None:
    """Forget an account's failures after a successful sign-in (and very old ones)."""
    session.exec(delete(LoginFailure).where(LoginFailure.email == email))
    if older_than is not None:
        session.exec(delete(LoginFailure).where(LoginFailure.at < older_than))


# --- second factor ----------------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="remit")


def check_totp(secret: str, code: str) -> bool:
    """A 6-digit code of this or the neighbouring 30-second window."""
    code = code.strip().replace(" ", "")
    return len(code) == 6 and code.isdigit() and pyotp.TOTP(secret).verify(code, valid_window=1)


# --- audit ------------------------------------------------------------------------------------


def audit(session: Session, user: User | None, action: str, obj, **detail) -> None:
    """Record a change: who, what, on which object, with details as JSON text."""
    session.add(AuditEvent(user_id=user.id if user else None, action=action,
                           object_type=type(obj).__name__.lower(), object_id=getattr(obj, "id", None),
                           detail=json.dumps({k: None if v is None else str(v) for k, v in detail.items()},
                                             ensure_ascii=False, sort_keys=True)))
