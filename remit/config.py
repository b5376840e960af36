"""Every setting of remit, once, with its default and what it is for.

Precedence, highest first: the mapping given to ``create_app(config)``, the environment
variable ``REMIT_<NAME>``, the default below. Values are parsed and checked at start-up so
that a typo fails loudly at once instead of at the first request that needs the setting.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV_PREFIX = "REMIT_"


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names it."""


def parse_bool(text: str) -> bool:
    """Read the usual spellings of yes and no."""
    value = text.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true or false, got {text!r}")


def parse_positive_int(text: str) -> int:
    """An integer greater than zero."""
    value = int(text)
    if value <= 0:
        raise ValueError(f"expected a positive integer, got {text!r}")
    return value


def parse_non_negative_int(text: str) -> int:
    """An integer of zero or more."""
    value = int(text)
    if value < 0:
        raise ValueError(f"expected zero or more, got {text!r}")
    return value


def parse_non_negative_float(text: str) -> float:
    """A finite number of zero or more."""
    value = float(text)
    if not (value >= 0 and value != float("inf")):
        raise ValueError(f"expected a finite number of zero or more, got {text!r}")
    return value


def parse_url_list(text: str) -> tuple[str, ...]:
    """Comma-separated https URLs."""
    urls = tuple(part.strip() for part in text.split(",") if part.strip())
    for url in urls:
        if not url.startswith("https://"):
            raise ValueError(f"{url!r} is not an https URL")
    return urls


@dataclass(frozen=True)
class Setting:
    """One setting: its name (without prefix), default, parser and one line of help."""

    name: str
    default: Any
    parse: Callable[[str], Any]
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", None, str,
            "SQLAlchemy URL of the database; default: SQLite file remit.db in the instance folder"),
    Setting("SECRET_KEY", None, str,
            "signs sessions; generated once into the instance folder when unset (not in production)"),
    Setting("PRODUCTION", False, parse_bool,
            "production mode: refuse to start without an explicit SECRET_KEY"),
    Setting("SQLITE_BUSY_TIMEOUT_MS", 5000, parse_positive_int,
            "how long SQLite waits for a lock held by another process before failing"),
    Setting("ARCHIVE_PATH", None, str,
            "folder for raw responses and imported files, content-addressed; default: instance/archive"),
    Setting("QUOTE_MAX_AGE_DAYS", 14, parse_positive_int,
            "quotes older than this many days are left out of rankings"),
    Setting("SEND_MIN_USD", 5, parse_positive_int,
            "smallest amount the comparison accepts, in US dollars (converted to the user's currency)"),
    Setting("SEND_MAX_USD", 10000, parse_positive_int,
            "largest amount the comparison accepts, in US dollars: about what transfer services take at once"),
    Setting("API_RATE_LIMIT", "120/minute", str,
            "requests per client address to /api/v1 (Flask-Limiter syntax, e.g. 120/minute;1000/hour)"),
    Setting("RATELIMIT_STORAGE", "memory://", str,
            "where rate-limit counters live: memory:// (per worker) or redis://host:6379 (shared)"),
    Setting("DATASET_PATH", None, str,
            "folder of the published bulk downloads (CSV + datapackage.json); default: instance/dataset"),
    Setting("CORRIDOR_WEIGHTS", None, str,
            "TOML file of corridor remittance volumes for weighted averages; default: remit/data/corridor_weights.toml"),
    Setting("SMTP_HOST", "", str, "mail server for invitations and password resets; empty: the email is logged"),
    Setting("SMTP_PORT", 587, parse_positive_int, "mail server port"),
    Setting("SMTP_STARTTLS", True, parse_bool, "upgrade the SMTP connection with STARTTLS"),
    Setting("SMTP_USER", "", str, "SMTP login, if the server needs one"),
    Setting("SMTP_PASSWORD", "", str, "SMTP password (keep it in the environment, never in the repository)"),
    Setting("MAIL_FROM", "remit <no-reply@localhost>", str, "sender of remit's emails"),
    Setting("INVITATION_DAYS", 7, parse_positive_int, "how long an invitation link stays valid"),
    Setting("RESET_HOURS", 2, parse_positive_int, "how long a password-reset link stays valid"),
    Setting("LOGIN_FAILURES_PER_ACCOUNT", 5, parse_positive_int,
            "failed sign-ins to one account within the window before it answers 429"),
    Setting("LOGIN_FAILURES_PER_ADDRESS", 20, parse_positive_int,
            "failed sign-ins from one address within the window before it answers 429"),
    Setting("LOGIN_WINDOW_MINUTES", 15, parse_positive_int, "the window failed sign-ins are counted over"),
    Setting("SQL_ECHO", False, parse_bool,
            "log every SQL statement (debugging only)"),
    Setting("CONTACT_URL", "", str,
            "how site owners reach whoever runs this collector (URL or mailto:); required to collect live"),
    Setting("BAM_API_KEY", "", str,
            "Bank Al-Maghrib subscription key (free, apihelpdesk.centralbankofmorocco.ma); bam is skipped without it"),
    Setting("HTTP_PER_HOST_INTERVAL_S", 1.0, parse_non_negative_float,
            "minimum seconds between two requests to the same host"),
    Setting("HTTP_PER_HOST_CONCURRENCY", 2, parse_positive_int,
            "requests in flight at once to one host"),
    Setting("HTTP_CONCURRENCY", 8, parse_positive_int,
            "requests in flight at once in a collection run"),
    Setting("HTTP_RETRIES", 3, parse_non_negative_int,
            "retries after a failed request (connection error, timeout, 5xx, 429)"),
    Setting("RATE_MAX_CHANGE_PCT", 25.0, parse_non_negative_float,
            "a reference rate moving more than this from the source's previous value is quarantined"),
    Setting("QUOTE_RATE_BAND_PCT", 15.0, parse_non_negative_float,
            "a quoted rate further than this from the reference rate is quarantined as implausible"),
    Setting("BENCHMARK_MAX_AGE_DAYS", 7, parse_positive_int,
            "a reference rate older than this at the time of a quote is flagged stale"),
    Setting("FEED_URLS", (), parse_url_list,
            "providers' published price feeds (docs/price-feed.md) to pull with the quotes, comma-separated https URLs"),
    Setting("QUOTES_EVERY_HOURS", 6, parse_positive_int,
            "how often the scheduler collects quotes from every price source"),
    Setting("COLLECT_REPLAY_INDEX", "", str,
            "answer the scheduler's requests from these recordings instead of the network (demo, tests)"),
    Setting("ARCHIVE_RETENTION_DAYS", 400, parse_positive_int,
            "raw responses older than this are deleted from the archive by `remit archive prune`"),
)


def load_settings(instance_path: str, overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Resolve every setting to its final value, or raise ConfigError naming the bad one."""
    environ = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.name in overrides:
            values[setting.name] = overrides.pop(setting.name)
            continue
        raw = environ.get(ENV_PREFIX + setting.name)
        if raw is None:
            values[setting.name] = setting.default
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as error:
            raise ConfigError(f"{ENV_PREFIX}{setting.name}: {error}") from None
    values.update(overrides)  # extra keys (e.g. TESTING) pass through to Flask untouched
    _fill_derived_defaults(values, Path(instance_path))
    return values


def _fill_derived_defaults(values: dict[str, Any], instance: Path) -> None:
    """Defaults that depend on the instance folder, and the secret-key rule."""
    if not values.get("DATABASE_URL"):
        values["DATABASE_URL"] = f"sqlite:///{instance / 'remit.db'}"
    if not values.get("ARCHIVE_PATH"):
        values["ARCHIVE_PATH"] = str(instance / "archive")
    if not values.get("DATASET_PATH"):
        values["DATASET_PATH"] = str(instance / "dataset")
    if not values.get("SECRET_KEY"):
        if values["PRODUCTION"]:
            raise ConfigError(
                f"{ENV_PREFIX}SECRET_KEY must be set in production "
                f"({ENV_PREFIX}PRODUCTION is on); refusing to start with a generated key")
        values["SECRET_KEY"] = instance_secret_key(instance)


def instance_secret_key(instance: Path) -> str:
    """Read the key kept in the instance folder, creating it (mode 0600) on first use."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def default_instance_path() -> str | None:
    """REMIT_INSTANCE_PATH when set; otherwise Flask's own default is used."""
    return os.environ.get(ENV_PREFIX + "INSTANCE_PATH") or None
