"""The HTTP client: retries, Retry-After, pacing, robots.txt, errors; and the replay transport."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from scrapers.base import FetchError, Request
from scrapers.http import HttpClient, HttpSettings, retry_after_seconds, user_agent
from scrapers.replay import ReplayTransport

SHARED = Path(__file__).resolve().parents[3] / "shared" / "reference-rates"
UA = user_agent("0.1", "https://remit.example/contact")


class FakeTime:
    """A clock that only moves when the client sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


def make_client(handler, fake: FakeTime, **overrides) -> HttpClient:
    settings = HttpSettings(user_agent=UA, **({"per_host_interval": 0.0} | overrides))
    return HttpClient(settings, transport=httpx.MockTransport(handler), sleep=fake.sleep,
                      clock=fake.clock, jitter=lambda: 0.0)


def robots_allow_all(request: httpx.Request) -> httpx.Response | None:
    if request.url.path == "/robots.txt":
        return httpx.Response(404)
    return None


def run(coroutine):
    return asyncio.run(coroutine)


async def send(client: HttpClient, url: str = "https://bank.example/rates") -> object:
    try:
        return await client.send(Request("GET", url))
    finally:
        await client.aclose()


def test_sends_an_honest_user_agent_and_counts():
    seen = {}

    def handler(request):
        seen["ua"] = request.headers["user-agent"]
        return robots_allow_all(request) or httpx.Response(200, content=b"12345",
                                                           headers={"content-type": "text/xml"})

    client = make_client(handler, FakeTime())
    response = run(send(client))
    assert response.body == b"12345" and response.content_type == "text/xml"
    assert seen["ua"] == "remit/0.1 (+https://remit.example/contact; remittance price comparison)"
    assert (client.calls, client.bytes) == (2, 5)  # robots.txt and the request


def test_retries_server_errors_with_backoff_then_succeeds():
    answers = iter([500, 503, 200])

    def handler(request):
        return robots_allow_all(request) or httpx.Response(next(answers), content=b"ok")

    fake = FakeTime()
    response = run(send(make_client(handler, fake)))
    assert response.status == 200
    assert fake.sleeps == [0.25, 0.5]  # 0.5 s doubled, halved by zero jitter


def test_429_waits_what_retry_after_asks():
    answers = iter([httpx.Response(429, headers={"retry-after": "7"}), httpx.Response(200)])

    def handler(request):
        return robots_allow_all(request) or next(answers)

    fake = FakeTime()
    run(send(make_client(handler, fake)))
    assert fake.sleeps == [7.0]


def test_too_long_retry_after_fails_at_once():
    def handler(request):
        return robots_allow_all(request) or httpx.Response(429, headers={"retry-after": "3600"})

    with pytest.raises(FetchError, match=r"GET https://bank.example/rates: HTTP 429"):
        run(send(make_client(handler, FakeTime())))


def test_client_errors_are_not_retried():
    calls = []

    def handler(request):
        calls.append(request.url.path)
        return robots_allow_all(request) or httpx.Response(404)

    with pytest.raises(FetchError, match="https://bank.example/rates: HTTP 404$"):
        run(send(make_client(handler, FakeTime())))
    assert calls == ["/robots.txt", "/rates"]


@pytest.mark.parametrize("error, message", [
    (httpx.ConnectError("refused"), "connection failed"),
    (httpx.ReadTimeout("slow"), "timed out"),
])
def test_network_failures_retry_then_fail_naming_the_url(error, message):
    def handler(request):
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        raise error

    fake = FakeTime()
    with pytest.raises(FetchError, match=f"https://bank.example/rates: {message}.*after 4 attempts"):
        run(send(make_client(handler, fake)))
    assert len(fake.sleeps) == 3


def test_robots_txt_is_honoured_and_fetched_once_per_host():
    robots_fetches = []

    def handler(request):
        if request.url.path == "/robots.txt":
            robots_fetches.append(request.url.host)
            return httpx.Response(200, text="User-agent: *\nDisallow: /private\n")
        return httpx.Response(200)

    async def scenario():
        client = make_client(handler, FakeTime())
        try:
            await client.send(Request("GET", "https://bank.example/rates"))
            await client.send(Request("GET", "https://bank.example/rates?x=1"))
            with pytest.raises(FetchError, match="disallowed by robots.txt"):
                await client.send(Request("GET", "https://bank.example/private/x"))
        finally:
            await client.aclose()

    run(scenario())
    assert robots_fetches == ["bank.example"]


def test_unavailable_robots_txt_means_do_not_fetch():
    def handler(request):
        return httpx.Response(503) if request.url.path == "/robots.txt" else httpx.Response(200)

    with pytest.raises(FetchError, match=r"robots.txt answered 503, so not fetching"):
        run(send(make_client(handler, FakeTime())))


def test_minimum_interval_between_requests_to_one_host():
    def handler(request):
        return robots_allow_all(request) or httpx.Response(200)

    fake = FakeTime()

    async def scenario():
        client = make_client(handler, fake, per_host_interval=2.0, respect_robots=False)
        try:
            await client.send(Request("GET", "https://a.example/1"))
            await client.send(Request("GET", "https://a.example/2"))
            await client.send(Request("GET", "https://b.example/1"))
        finally:
            await client.aclose()

    run(scenario())
    assert fake.sleeps == [2.0]  # only the second request to a.example waited


def test_concurrency_limits_per_host_and_overall():
    in_flight = {"now": 0, "most": 0, "a.example": 0, "most a": 0}

    async def handler(request):
        in_flight["now"] += 1
        in_flight[request.url.host] = in_flight.get(request.url.host, 0) + 1
        in_flight["most"] = max(in_flight["most"], in_flight["now"])
        in_flight["most a"] = max(in_flight["most a"], in_flight.get("a.example", 0))
        await asyncio.sleep(0.01)
        in_flight["now"] -= 1
        in_flight[request.url.host] -= 1
        return httpx.Response(200)

    async def scenario():
        settings = HttpSettings(user_agent=UA, per_host_interval=0.0, per_host_concurrency=2,
                                global_concurrency=3, respect_robots=False)
        client = HttpClient(settings, transport=httpx.MockTransport(handler))
        try:
            urls = [f"https://{host}.example/{n}" for host in "abcd" for n in range(4)]
            await asyncio.gather(*(client.send(Request("GET", url)) for url in urls))
        finally:
            await client.aclose()

    run(scenario())
    assert in_flight["most"] == 3 and in_flight["most a"] == 2


def test_retry_after_http_date():
    now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("Sun, 01 Mar 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


# --- replay ------------------------------------------------------------------------------


def _index(tmp_path: Path, entries: list[dict]) -> Path:
    for entry in entries:
        (tmp_path / entry["file"]).write_bytes(entry.pop("content"))
    index = tmp_path / "index.json"
    index.write_text(json.dumps(entries), encoding="utf-8")
    return index


def _replay_client(index: Path) -> HttpClient:
    settings = HttpSettings(user_agent=UA, per_host_interval=0.0, respect_robots=False, retries=0)
    return HttpClient(settings, transport=ReplayTransport(index))


def test_replay_matches_query_in_any_order_and_post_bodies(tmp_path):
    index = _index(tmp_path, [
        {"file": "a.json", "method": "GET", "url": "https://x.example/r?b=2&a=1", "status": 200,
         "content_type": "application/json", "content": b'{"a": 1}'},
        {"file": "b.xml", "method": "POST", "url": "https://x.example/soap", "status": 200,
         "content_type": "text/xml", "request_body": "<q>1</q>", "content": b"<r/>"},
    ])

    async def scenario():
        client = _replay_client(index)
        try:
            first = await client.send(Request("GET", "https://x.example/r?a=1&b=2"))
            second = await client.send(Request("POST", "https://x.example/soap", body=b"<q>1</q>"))
            with pytest.raises(FetchError, match="no recording for this request"):
                await client.send(Request("POST", "https://x.example/soap", body=b"<q>2</q>"))
            with pytest.raises(FetchError, match=r"https://x.example/r\?a=1: no recording"):
                await client.send(Request("GET", "https://x.example/r?a=1"))
            return first, second
        finally:
            await client.aclose()

    first, second = run(scenario())
    assert first.body == b'{"a": 1}' and first.content_type == "application/json"
    assert second.body == b"<r/>"


def test_replay_serves_the_shared_recordings_byte_for_byte():
    if not SHARED.exists():
        pytest.skip("../shared/reference-rates is not present")
    client = _replay_client(SHARED / "index.json")
    response = run(send(client, "https://www.cbr.ru/scripts/XML_daily.asp"))
    assert response.body == (SHARED / "cbr" / "00.xml").read_bytes()
    assert "windows-1251" in response.content_type


def test_malformed_index_is_named(tmp_path):
    (tmp_path / "index.json").write_text('[{"file": "x"}]', encoding="utf-8")
    with pytest.raises(ValueError, match="entry 1 is malformed"):
        ReplayTransport(tmp_path / "index.json")
