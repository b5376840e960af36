"""remit's own version, as installed (for caches that must change with a release)."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version


@cache
def remit_version() -> str:
    try:
        return version("remit")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0+unknown"
