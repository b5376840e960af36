"""Pages cached until the next collection: rendered once, then served with an ETag.

A page's key holds the data version (the newest quote and reference rate), so a new
collection changes every key; the hour is in it too, so that "checked 3 hours ago" and
what counts as too old stay true. The cache lives on the app, one per worker process.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps

from flask import current_app, g, make_response, request
from sqlalchemy import func
from sqlmodel import Session, select

from ..db import get_session
from ..models import Quote, ReferenceRate
from ..types import utcnow

MAX_PAGES = 512
MAX_AGE_SECONDS = 300  # browsers revalidate after this; the ETag makes that cheap


class PageCache:
    """A small LRU of rendered pages, safe across threads."""

    def __init__(self, size: int = MAX_PAGES) -> None:
        self.size = size
        self.pages: OrderedDict[tuple, tuple[str, str]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> tuple[str, str] | None:
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key: tuple, body: str) -> tuple[str, str]:
        page = (body, hashlib.sha256(body.encode()).hexdigest()[:32])
        with self.lock:
            self.pages[key] = page
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)
        return page


def data_version(session: Session) -> tuple[int | None, int | None]:
    """Changes whenever a collection stores something."""
    return (session.exec(select(func.max(Quote.id))).one(),
            session.exec(select(func.max(ReferenceRate.id))).one())


def cached_page(view: Callable[..., str]) -> Callable:
    """Serve a view's HTML from the page cache, with ETag and Cache-Control."""
    @wraps(view)
    def wrapper(**kwargs):
        cache = current_app.extensions.setdefault("remit.pages", PageCache())
        key = (data_version(get_session()), utcnow().strftime("%Y%m%d%H"),
               g.language.code, request.full_path)
        page = cache.get(key)
        if page is None:
            page = cache.put(key, view(**kwargs))
        body, etag = page
        response = make_response(body)
        response.set_etag(etag)
        response.cache_control.public = True
        response.cache_control.max_age = MAX_AGE_SECONDS
        return response.make_conditional(request)
    return wrapper
