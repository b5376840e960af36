"""Answering HTTP requests from recordings instead of the network.

The index is a JSON list in the format of ``shared/reference-rates/index.json``: each
entry has ``file`` (relative to the index), ``method``, ``url``, ``status``,
``content_type`` and, for POST, ``request_body``. A request matches an entry on method,
scheme, host, path, the query parameters in any order, and for POST the body. A request
with no recording fails with ``FetchError`` naming it, so a source cannot quietly read
something other than what was recorded.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx

from .base import FetchError


@dataclass(frozen=True)
class Recording:
    key: tuple
    status: int
    content_type: str
    path: Path


def request_key(method: str, url: str, body: bytes | None) -> tuple:
    """What identifies a request for matching: query order and header case do not count."""
    parts = urlsplit(url)
    query = frozenset(Counter(parse_qsl(parts.query, keep_blank_values=True)).items())
    payload = body if method.upper() == "POST" else None
    return (method.upper(), parts.scheme, parts.netloc.lower(), parts.path, query, payload or None)


def load_index(index: Path) -> list[Recording]:
    """Read an index of recordings; a malformed index raises ValueError naming the entry."""
    try:
        entries = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"{index}: not a readable recordings index ({error})") from None
    if not isinstance(entries, list):
        raise ValueError(f"{index}: expected a JSON list of recordings")
    recordings = []
    for number, entry in enumerate(entries, start=1):
        try:
            body = entry.get("request_body")
            key = request_key(entry["method"], entry["url"], body.encode("utf-8") if body else None)
            recordings.append(Recording(key, int(entry["status"]), entry.get("content_type", ""),
                                        index.parent / entry["file"]))
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            raise ValueError(f"{index}: entry {number} is malformed ({error!r})") from None
    return recordings


class ReplayTransport(httpx.AsyncBaseTransport):
    """An httpx transport that serves recordings; counts what it served."""

    def __init__(self, index: Path) -> None:
        self.recordings = {recording.key: recording for recording in load_index(index)}
        self.served: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        key = request_key(request.method, str(request.url), body or None)
        recording = self.recordings.get(key)
        if recording is None:
            raise FetchError(f"{request.method} {request.url}: no recording for this request "
                             "in the replay index")
        try:
            content = recording.path.read_bytes()
        except OSError as error:
            raise FetchError(f"{request.method} {request.url}: recording unreadable ({error})") from None
        self.served.append(str(request.url))
        return httpx.Response(recording.status, headers={"content-type": recording.content_type},
                              content=content, request=request)
