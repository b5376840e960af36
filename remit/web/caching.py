"""Pages cached until the next collection: rendered once, then served with an ETag.

A page's key holds the data version (the newest quote and reference rate), so a new
collection changes every key; the hour is in it too, so that "checked 3 hours ago" and
what counts as too old stay true. The cache lives on the app, one per worker process.
Each page is compressed once, when cached (brotli and gzip), not on every request: a
cached page then costs one small query and a dictionary lookup.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

import brotli
from flask import current_app, g, make_response, request
from sqlmodel import Session

from ..db import get_session
from ..types import utcnow

MAX_PAGES = 512
MAX_AGE_SECONDS = 300  # browsers revalidate after this; the ETag makes that cheap


# Content-Encoding -> compressor; the client's preference decides, brotli first
ENCODINGS: dict[str, Callable[[bytes], bytes]] = {
    "br": lambda body: brotli.compress(body, quality=6),
    "gzip": lambda body: gzip.compress(body, compresslevel=6, mtime=0),
}


@dataclass(frozen=True)
class Page:
    """A rendered page, with its ETag and its compressed forms."""

    body: bytes
    etag: str
    encoded: dict[str, bytes]

    @classmethod
    def of(cls, html: str) -> Page:
        body = html.encode("utf-8")
        return cls(body, hashlib.sha256(body).hexdigest()[:32],
                   {name: compress(body) for name, compress in ENCODINGS.items()})


class PageCache:
    """A small LRU of rendered pages, safe across threads."""

    def __init__(self, size: int = MAX_PAGES) -> None:
        self.size = size
        self.pages: OrderedDict[tuple, Page] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> Page | None:
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key: tuple, html: str) -> Page:
        page = Page.of(html)
        with self.lock:
            self.pages[key] = page
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)
        return page


def data_version(session: Session) -> tuple:
    """Changes whenever a collection stores something, a dispute is decided or a corridor
    switched: one plain query, no ORM objects, on the request's own connection."""
    return tuple(session.connection().exec_driver_sql(
        "SELECT (SELECT max(id) FROM quote), (SELECT max(id) FROM referencerate), "
        "(SELECT max(decided_at) FROM dispute), (SELECT count(*) FROM corridor WHERE enabled)").one())


def cached_page(view: Callable[..., str]) -> Callable:
    """Serve a view's HTML from the page cache, compressed, with ETag and Cache-Control."""
    @wraps(view)
    def wrapper(**kwargs):
        cache = current_app.extensions.setdefault("remit.pages", PageCache())
        key = (data_version(get_session()), utcnow().strftime("%Y%m%d%H"),
               g.language.code, request.full_path)
        page = cache.get(key) or cache.put(key, view(**kwargs))
        return _response(page)
    return wrapper


def _response(page: Page):
    encoding = next((name for name in ENCODINGS if request.accept_encodings[name]), None)
    response = make_response(page.encoded[encoding] if encoding else page.body)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    response.set_etag(f"{page.etag}-{encoding}" if encoding else page.etag)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE_SECONDS
    return response.make_conditional(request)
