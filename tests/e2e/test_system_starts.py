"""The whole system, started as processes, answers its health and metrics endpoints."""

from __future__ import annotations

import aiohttp

from tests.e2e.conftest import SERVICES, System


async def test_every_service_is_ready_serves_metrics_and_echoes_the_correlation_id(
    system: System,
) -> None:
    async with aiohttp.ClientSession() as http:
        for name in SERVICES:
            async with http.get(system.url(name, "/readyz")) as response:
                assert response.status == 200, name
                assert (await response.json())["checks"] == {"mongodb": "ok", "rabbitmq": "ok"}
            async with http.get(system.url(name, "/metrics")) as response:
                assert "http_requests_total" in await response.text()
            async with http.get(
                system.url(name, "/api/v1/nothing-here"), headers={"X-Correlation-ID": "e2e-1"}
            ) as response:
                assert response.status == 404
                assert response.headers["X-Correlation-ID"] == "e2e-1"
                assert (await response.json())["correlation_id"] == "e2e-1"
