"""Fixtures of the collector tests: the reference-rate recordings in ../shared, and helpers
of the price-quote tests (their hand-written answers, parsing one, expecting a FormatError)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from scrapers.base import FormatError, QuoteObservation, QuoteQuery, Request

RECORDINGS = Path(__file__).resolve().parents[3] / "shared" / "reference-rates"
QUOTE_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "quotes"


@dataclass(frozen=True)
class Recordings:
    """The recorded exchanges of ../shared/reference-rates, as its index.json lists them."""

    folder: Path
    index: list[dict]

    def entries(self, source: str) -> dict[str, dict]:
        """The index entries of one source's recordings, by file."""
        return {entry["file"]: entry for entry in self.index if entry["source"] == source}

    def entry(self, file: str) -> dict:
        """The index entry of one recording."""
        return next(entry for entry in self.index if entry["file"] == file)

    def body(self, file: str) -> bytes:
        """The recorded response body, byte for byte."""
        return (self.folder / file).read_bytes()

    def bodies(self, source: str) -> dict[str, tuple[dict, bytes]]:
        """(index entry, body) of each of one source's recordings, by file."""
        return {file: (entry, self.body(file)) for file, entry in self.entries(source).items()}

    def recorded(self, file: str) -> tuple[bytes, Request]:
        """The body of a recording and the request it answered (its method and URL)."""
        entry = self.entry(file)
        return self.body(file), Request(entry["method"], entry["url"])


@pytest.fixture(scope="session")
def recordings() -> Recordings:
    """The shared recordings; skips the test when ../shared/reference-rates is absent."""
    index = RECORDINGS / "index.json"
    if not index.exists():
        pytest.skip(f"no recordings at {RECORDINGS}")
    return Recordings(RECORDINGS, json.loads(index.read_text(encoding="utf-8")))


# ---- price quotes (import these: from .conftest import ...)


def quote_fixture(source: str, name: str) -> bytes:
    """A hand-written answer of a price source: tests/fixtures/quotes/<source>/<name>."""
    return (QUOTE_FIXTURES / source / name).read_bytes()


def answer(module: ModuleType, body: bytes, query: QuoteQuery) -> list[QuoteObservation]:
    """What a quote ``module`` parses from ``body``, as the answer to its one request."""
    [request] = module.requests(query, {})
    return module.parse(body, request, query)


@contextmanager
def format_error(source: str, reason: str | None = None) -> Iterator[pytest.ExceptionInfo[FormatError]]:
    """Expects a FormatError matching ``reason``: one line that starts with "<source>: "."""
    with pytest.raises(FormatError, match=reason) as caught:
        yield caught
    message = str(caught.value)
    assert message.startswith(f"{source}: ") and "\n" not in message, message
