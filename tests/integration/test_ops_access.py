"""Every admin route of every service refuses anyone but staff of the right role.

The routes come from the services' routers, so a new admin route is checked by default.
Only the deliveries of an event are open to the secretariat as well as to admins
(docs/decisions/ops-admin-api.md); everything else holds personal data or event payloads
of every mark and is for admins alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from services.calendar.web.app import create_app as calendar_app
from services.notifier.web.app import create_app as notifier_app
from services.registry.web.app import create_app as registry_app
from shared.auth import ROLE_ADMIN, ROLE_SECRETARIAT, ROLE_SERVICE, issue_token
from shared.ops.service_api import ADMIN_PREFIX
from shared.settings import CalendarSettings, NotifierSettings, RegistrySettings, ServiceSettings
from tests.conftest import TEST_SIGNER

SERVICES: dict[str, tuple[Callable[[Any], Any], type[ServiceSettings]]] = {
    "registry": (registry_app, RegistrySettings),
    "calendar": (calendar_app, CalendarSettings),
    "notifier": (notifier_app, NotifierSettings),
}
OPEN_TO_THE_SECRETARIAT = {
    f"{ADMIN_PREFIX}/events/{{event_id}}/deliveries",
    f"{ADMIN_PREFIX}/events/{{event_id}}/deliveries/resend",
}


def bearer(*roles: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + issue_token(TEST_SIGNER, "someone", set(roles))}


def admin_routes(client: TestClient[Any, Any]) -> list[tuple[str, str]]:
    return sorted(
        {
            (route.method, route.resource.canonical)
            for route in client.app.router.routes()
            if route.resource is not None
            and route.resource.canonical.startswith(ADMIN_PREFIX + "/")
            and route.method != "HEAD"
        }
    )


@pytest.mark.parametrize("service", list(SERVICES))
async def test_admin_routes_refuse_callers_without_the_role(
    aiohttp_client: Any, make_settings: Callable[..., ServiceSettings], service: str
) -> None:
    create, settings_type = SERVICES[service]
    client: TestClient[Any, Any] = await aiohttp_client(
        create(make_settings(settings_type, roles=["api"]))
    )
    routes = admin_routes(client)
    assert ("GET", f"{ADMIN_PREFIX}/outbox") in routes
    assert len(routes) >= 6
    for method, route in routes:
        path = re.sub(r"\{\w+\}", "x", route)
        secretariat = 200 if route in OPEN_TO_THE_SECRETARIAT else 403
        for headers, refused in (
            ({}, 401),
            (bearer(ROLE_SERVICE), 403),
            (bearer(ROLE_SECRETARIAT), secretariat),
        ):
            response = await client.request(method, path, headers=headers, json={})
            if refused == 200:
                assert response.status not in (401, 403), (method, route, headers)
            else:
                assert response.status == refused, (method, route, headers)
                assert response.content_type == "application/problem+json"
        answer = await client.request(method, path, headers=bearer(ROLE_ADMIN), json={})
        assert answer.status not in (401, 403), (method, route)
        assert answer.status < 500, (method, route, await answer.text())
