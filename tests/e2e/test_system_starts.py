"""The whole system, started as processes, answers its health and metrics endpoints."""

from __future__ import annotations

import aiohttp

from shared.auth import ROLE_SERVICE, issue_token
from tests.conftest import TEST_SIGNER
from tests.support.system import SERVICES, System

SCRAPER = {"Authorization": "Bearer " + issue_token(TEST_SIGNER, "prometheus", {ROLE_SERVICE})}


async def test_every_service_is_ready_serves_metrics_and_echoes_the_correlation_id(
    system: System,
) -> None:
    async with aiohttp.ClientSession() as http:
        for name in SERVICES:
            async with http.get(system.url(name, "/readyz")) as response:
                assert response.status == 200, name
                assert (await response.json())["checks"] == {"mongodb": "ok", "rabbitmq": "ok"}
            async with http.get(system.url(name, "/metrics")) as response:
                assert response.status == 401, name  # counters are for the scraper only
            async with http.get(system.url(name, "/metrics"), headers=SCRAPER) as response:
                assert "http_requests_total" in await response.text()
            async with http.get(
                system.url(name, "/api/v1/nothing-here"), headers={"X-Correlation-ID": "e2e-1"}
            ) as response:
                assert response.status == 404
                assert response.headers["X-Correlation-ID"] == "e2e-1"
                assert (await response.json())["correlation_id"] == "e2e-1"


async def test_the_calendar_process_answers_a_polled_feed_from_its_fast_path(
    system: System,
) -> None:
    """As calendar clients poll: a new connection each time, the ETag sent back."""
    feed = system.url("calendar", "/feeds/all.ics")
    etag = ""
    for _ in range(3):
        async with (
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http,
            http.get(feed, headers={"If-None-Match": etag} if etag else {}) as response,
        ):
            assert response.status in {200, 304}
            etag = response.headers["ETag"]
    async with (
        aiohttp.ClientSession() as http,
        http.get(system.url("calendar", "/metrics"), headers=SCRAPER) as response,
    ):
        text = await response.text()
    served = [line for line in text.splitlines() if line.startswith("http_fast_path_total")]
    assert any('outcome="served"' in line and float(line.split()[-1]) >= 1 for line in served)
    assert 'route="/feeds/all.ics",status="304"' in text
