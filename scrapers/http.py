"""The one HTTP client every collector uses: polite, patient, honest.

- identifies itself: a User-Agent naming remit and a contact URL;
- honours robots.txt (fetched once per host and cached; RFC 9309: a 4xx robots.txt allows
  everything, an unreachable or 5xx one disallows everything for this run);
- paces itself: at most N requests at once per host and overall, and a minimum interval
  between request starts to the same host;
- retries with exponential backoff and jitter on connection errors, timeouts, 5xx and
  429, waiting what ``Retry-After`` asks (up to a cap) instead of its own backoff;
- counts calls and bytes, for the run record.

Everything that can fail raises ``FetchError`` with the URL and what happened.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from datetime import UTC, datetime
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from .base import FetchError, Request, Response

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass
class TransferStats:
    """Requests sent (retries and robots.txt included) and bytes received, for one source."""

    calls: int = 0
    bytes: int = 0


@dataclass(frozen=True)
class HttpSettings:
    """How the client behaves; the defaults suit official APIs and provider sites."""

    user_agent: str
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    retries: int = 3                  # attempts after the first
    backoff_base: float = 0.5         # seconds before the first retry, doubled each time
    backoff_max: float = 30.0
    max_retry_after: float = 120.0    # a longer Retry-After fails the request instead
    per_host_concurrency: int = 2
    per_host_interval: float = 1.0    # seconds between request starts to one host
    global_concurrency: int = 8
    respect_robots: bool = True


def user_agent(version: str, contact_url: str) -> str:
    """The honest User-Agent: who we are and where to reach us."""
    return f"remit/{version} (+{contact_url}; remittance price comparison)"


class _Host:
    """Pacing state of one host."""

    def __init__(self, concurrency: int) -> None:
        self.slots = asyncio.Semaphore(concurrency)
        self.lock = asyncio.Lock()
        self.last_start = float("-inf")
        self.robots: RobotFileParser | None = None
        self.robots_error: str | None = None


class HttpClient:
    """Sends ``Request``s and returns ``Response``s; one per collection run."""

    def __init__(self, settings: HttpSettings, *, transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 jitter: Callable[[], float] = random.random) -> None:
        self.settings = settings
        self._client = httpx.AsyncClient(
            transport=transport, follow_redirects=True,
            headers={"User-Agent": settings.user_agent},
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout))
        self._sleep, self._clock, self._jitter = sleep, clock, jitter
        self._hosts: dict[str, _Host] = {}
        self._global = asyncio.Semaphore(settings.global_concurrency)
        self.calls = 0
        self.bytes = 0

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *_exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(self, request: Request, stats: TransferStats | None = None) -> Response:
        """Send with pacing and retries; a non-2xx final answer raises FetchError.

        ``stats`` (optional) counts this request's calls and bytes for its source.
        """
        stats = stats if stats is not None else TransferStats()
        host = self._host(request.url)
        if self.settings.respect_robots:
            await self._check_robots(request, host, stats)
        attempt = 0
        while True:
            outcome = await self._attempt(request, host, stats)
            if isinstance(outcome, Response) and outcome.status < 400:
                return outcome
            delay = self._retry_delay(outcome, attempt)
            if delay is None:
                raise FetchError(f"{request.method} {request.url}: {_describe(outcome)}"
                                 + (f" after {attempt + 1} attempts" if attempt else ""))
            attempt += 1
            await self._sleep(delay)

    async def _attempt(self, request: Request, host: _Host,
                       stats: TransferStats) -> Response | httpx.Response | Exception:
        # the host's slot first: a request waiting for its host must not hold a global slot
        async with host.slots, self._global:
            await self._pace(host)
            self.calls += 1
            stats.calls += 1
            try:
                reply = await self._client.request(request.method, request.url,
                                                   headers=dict(request.headers), content=request.body)
            except httpx.TransportError as error:
                return error
        self.bytes += len(reply.content)
        stats.bytes += len(reply.content)
        if reply.status_code >= 400:
            return reply
        return Response(request, reply.status_code, reply.headers.get("content-type", ""), reply.content)

    async def _pace(self, host: _Host) -> None:
        async with host.lock:
            wait = host.last_start + self.settings.per_host_interval - self._clock()
            if wait > 0:
                await self._sleep(wait)
            host.last_start = self._clock()

    def _retry_delay(self, outcome, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when this outcome is final."""
        if attempt >= self.settings.retries:
            return None
        if isinstance(outcome, httpx.Response):
            if outcome.status_code not in RETRY_STATUSES:
                return None
            asked = retry_after_seconds(outcome.headers.get("retry-after"))
            if asked is not None:
                return asked if asked <= self.settings.max_retry_after else None
        backoff = min(self.settings.backoff_max, self.settings.backoff_base * 2 ** attempt)
        return backoff * (0.5 + self._jitter() / 2)  # jitter: retries of many clients spread out

    def _host(self, url: str) -> _Host:
        key = urlsplit(url).netloc
        if key not in self._hosts:
            self._hosts[key] = _Host(self.settings.per_host_concurrency)
        return self._hosts[key]

    async def _check_robots(self, request: Request, host: _Host, stats: TransferStats) -> None:
        async with host.lock:
            if host.robots is None and host.robots_error is None:
                await self._load_robots(request.url, host)
                stats.calls += 1
        if host.robots_error:
            raise FetchError(f"{request.method} {request.url}: {host.robots_error}")
        if not host.robots.can_fetch(self.settings.user_agent, request.url):
            raise FetchError(f"{request.method} {request.url}: disallowed by robots.txt")

    async def _load_robots(self, url: str, host: _Host) -> None:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        parser = RobotFileParser(robots_url)
        try:
            self.calls += 1
            reply = await self._client.get(robots_url)
        except httpx.TransportError as error:
            host.robots_error = f"robots.txt unreachable ({_describe(error)}), so not fetching"
            return
        self.bytes += len(reply.content)
        if reply.status_code >= 500:
            host.robots_error = f"robots.txt answered {reply.status_code}, so not fetching"
            return
        parser.parse([] if reply.status_code >= 400 else reply.text.splitlines())
        host.robots = parser


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _describe(outcome) -> str:
    if isinstance(outcome, httpx.Response):
        return f"HTTP {outcome.status_code}"
    if isinstance(outcome, httpx.TimeoutException):
        return f"timed out ({type(outcome).__name__})"
    if isinstance(outcome, httpx.ConnectError):
        return f"connection failed ({outcome})"
    return f"{type(outcome).__name__}: {outcome}"
