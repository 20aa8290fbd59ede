"""The feed fast path on the real servers: what aiohttp would answer, from memory, kept current.

Each request here opens a connection of its own, as a polling calendar client does:
a connection handed to aiohttp stays with aiohttp, so a shared one would test aiohttp.
"""

from __future__ import annotations

import aiohttp
from multidict import CIMultiDict
from yarl import URL

from shared.auth import ROLE_SERVICE, issue_token
from shared.fastpath import FastPathSite
from tests.conftest import TEST_SIGNER
from tests.integration.calendar.conftest import Client, eventually
from tests.integration.calendar.test_feeds import create

# Differ by nature between two responses: the clock, and what only aiohttp adds.
UNCOMPARED = {"date", "server", "x-correlation-id"}
SCRAPER = {"Authorization": "Bearer " + issue_token(TEST_SIGNER, "prometheus", {ROLE_SERVICE})}
# A header the fast path leaves to aiohttp (it echoes and logs correlation ids).
VIA_AIOHTTP = {"X-Correlation-ID": "fast-path-test"}


class Answer:
    def __init__(self, status: int, headers: CIMultiDict[str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def comparable(self) -> tuple[int, list[tuple[str, str]], bytes]:
        kept = sorted(
            (k.lower(), v) for k, v in self.headers.items() if k.lower() not in UNCOMPARED
        )
        return self.status, kept, self.body


def raw_url(calendar: Client, path: str) -> URL:
    # encoded=True: the path goes out exactly as written (yarl would turn %2D into -).
    return URL(str(calendar.make_url("/")).rstrip("/") + path, encoded=True)


async def ask(calendar: Client, path: str, headers: dict[str, str], method: str = "GET") -> Answer:
    connector = aiohttp.TCPConnector(force_close=True)
    async with (
        aiohttp.ClientSession(connector=connector, auto_decompress=False) as session,
        session.request(method, raw_url(calendar, path), headers=headers) as response,
    ):
        return Answer(response.status, response.headers.copy(), await response.read())


def site(calendar: Client) -> FastPathSite:
    found = calendar.server.site  # type: ignore[attr-defined]
    assert isinstance(found, FastPathSite)
    return found


async def warm(calendar: Client, path: str) -> Answer:
    """Request `path` until the fast path answers it (the first render is aiohttp's)."""

    async def served() -> Answer | None:
        before = site(calendar).stats.served
        answer = await ask(calendar, path, {"Accept-Encoding": "gzip"})
        return answer if site(calendar).stats.served > before else None

    answer: Answer = await eventually(served)
    return answer


async def test_fast_path_answers_exactly_what_aiohttp_answers(calendar: Client) -> None:
    path = "/feeds/committees/change-board.ics"
    zipped = await warm(calendar, path)
    plain = await ask(calendar, path, {"Accept-Encoding": "identity"})
    cases: list[tuple[str, dict[str, str]]] = [
        ("GET", {"Accept-Encoding": "gzip"}),
        ("GET", {"Accept-Encoding": "identity"}),
        ("GET", {"Accept-Encoding": "gzip;q=0, *"}),
        ("GET", {}),
        ("HEAD", {"Accept-Encoding": "gzip"}),
        ("GET", {"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}),
        ("GET", {"If-None-Match": f'"other", W/{plain.headers["ETag"]}'}),
        ("GET", {"If-None-Match": '"other"'}),
        ("GET", {"If-Modified-Since": zipped.headers["Last-Modified"]}),
        ("GET", {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}),
        ("GET", {"If-Modified-Since": "not a date"}),
    ]
    statuses = set()
    for method, headers in cases:
        stats = site(calendar).stats
        served, handed_off = stats.served, stats.handed_off
        fast = await ask(calendar, path, headers, method)
        assert (stats.served, stats.handed_off) == (served + 1, handed_off), (method, headers)
        slow = await ask(calendar, path, {**headers, **VIA_AIOHTTP}, method)
        assert stats.handed_off == handed_off + 1
        assert slow.headers["X-Correlation-ID"] == "fast-path-test"
        assert fast.comparable() == slow.comparable(), (method, headers)
        assert "Date" in fast.headers
        statuses.add(fast.status)
    assert statuses == {200, 304}


async def test_a_change_is_in_the_next_poll_on_the_same_kept_alive_connection(
    calendar: Client, staff: dict[str, str]
) -> None:
    """As through a proxy that keeps its upstream connections: one connection throughout."""
    path = "/feeds/all.ics"
    before = await warm(calendar, path)
    stats = site(calendar).stats
    connector = aiohttp.TCPConnector(limit=1)
    async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as poller:

        async def poll(etag: str) -> tuple[int, str, bytes]:
            headers = {"Accept-Encoding": "gzip", "If-None-Match": etag}
            async with poller.get(calendar.make_url(path), headers=headers) as response:
                return response.status, response.headers["ETag"], await response.read()

        await calendar.get("/healthz")  # the staff client's connection, before counting
        served, handed_off = stats.served, stats.handed_off
        assert (await poll(before.headers["ETag"]))[0] == 304
        await create(calendar, staff, title="Fast path meeting")
        # The very next poll renders and serves the change: the stale copy never goes out.
        status, etag, body = await poll(before.headers["ETag"])
        assert status == 200
        assert etag != before.headers["ETag"]
        assert (await poll(etag))[0] == 304
        assert (stats.served, stats.handed_off) == (served + 3, handed_off)
        assert len(connector._conns) == 1  # one connection, reused: nothing reconnected
    fresh = await ask(calendar, path, {"Accept-Encoding": "gzip"})
    assert (fresh.headers["ETag"], fresh.body) == (etag, body)


async def test_what_the_fast_path_cannot_answer_gets_aiohttps_answer(calendar: Client) -> None:
    await warm(calendar, "/feeds/all.ics")
    cases: list[tuple[str, dict[str, str], int]] = [
        ("/feeds/committees/no-such-board.ics", {}, 404),
        ("/feeds/private/forged-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.ics", {}, 404),
        ("/feeds/all.ics?x=1", {}, 200),
        ("/feeds/committees/change%2Dboard.ics", {}, 200),
        ("/feeds/all.ics", {"Authorization": "Basic dXNlcjpwYXNz"}, 401),
    ]
    for path, headers, status in cases:
        stats = site(calendar).stats
        served, handed_off = stats.served, stats.handed_off
        answer = await ask(calendar, path, headers)
        assert answer.status == status, (path, answer.body)
        assert (stats.served, stats.handed_off) == (served, handed_off + 1), path
        if status >= 400:
            assert answer.headers["Content-Type"] == "application/problem+json", path
        assert "X-Correlation-ID" in answer.headers


async def test_fast_path_requests_are_counted_under_the_route_template(calendar: Client) -> None:
    path = "/feeds/types/webinar.ics"
    series = 'http_requests_total{method="GET",route="/feeds/types/{type}.ics",status="200"}'

    async def count() -> float:
        text = (await ask(calendar, "/metrics", SCRAPER)).body.decode()
        lines = [line for line in text.splitlines() if line.startswith(series)]
        return float(lines[0].rsplit(" ", 1)[1]) if lines else 0.0

    await warm(calendar, path)
    before, served = await count(), site(calendar).stats.served
    await ask(calendar, path, {"Accept-Encoding": "gzip"})
    assert site(calendar).stats.served == served + 1
    assert await count() == before + 1
