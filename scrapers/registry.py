"""Every source remit can collect, by name."""

from __future__ import annotations

import importlib
from types import ModuleType

RATE_SOURCES = ("cbr", "nbm", "nbt", "nbkr", "cbu", "nbg", "cba", "nbu", "ecb", "tcmb", "bct", "bam")
QUOTE_SOURCES = ("wise", "koronapay", "unistream", "remitly")


def rate_source(name: str) -> ModuleType:
    """The module of a reference-rate source; KeyError for an unknown name."""
    if name not in RATE_SOURCES:
        raise KeyError(name)
    return importlib.import_module(f"scrapers.rates.{name}")


def quote_source(name: str) -> ModuleType:
    """The module of a price-quote source; KeyError for an unknown name."""
    if name not in QUOTE_SOURCES:
        raise KeyError(name)
    return importlib.import_module(f"scrapers.quotes.{name}")
