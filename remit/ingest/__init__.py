"""Observations into the database: validate, quarantine what fails, store the rest.

Storage is append-only: an observation already stored is not stored again, a stored one is
never changed or deleted. Each source run is one transaction together with its run record,
so a run that fails leaves nothing half-written.
"""

from .common import StoreCounts, finish_run, quarantine, start_run
from .quotes import QuoteItem, check_quote, store_quotes
from .rates import check_rate, store_rates

__all__ = ["QuoteItem", "StoreCounts", "check_quote", "check_rate", "finish_run", "quarantine",
           "start_run", "store_quotes", "store_rates"]
