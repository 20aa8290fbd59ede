"""Call the calendar and notifier as the signed-in person, with a token minted for the call.

The console holds its own signing key (CONSOLE_SIGNING_KEY); the other services trust
its public half. Each call carries a token for the person, their staff roles, the one
service called and five minutes, so what those services record names the person
(docs/decisions/console-in-the-registry.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import aiohttp
from aiohttp import web

from services.registry.console.forms import FORM_WIDE, Form
from shared.auth import SigningKey, issue_token
from shared.errors import Problem
from shared.http_client import ServiceCallFailed, ServiceClient, ServiceResponse
from shared.staff.accounts import STAFF_ROLES
from shared.staff.web import STAFF

CALL_TOKEN_SECONDS: Final = 300
# Answers about the request itself: shown on the form, not treated as a failure.
FORM_ANSWERS: Final = frozenset({400, 404, 409, 412, 422, 428})


@dataclass(frozen=True)
class ConsoleCalls:
    session: aiohttp.ClientSession
    signer: SigningKey | None
    registry: str  # its own admin endpoints, as any service's (dead letters of its queues)
    calendar: str
    notifier: str

    def base(self, service: str) -> str:
        urls = {"registry": self.registry, "calendar": self.calendar, "notifier": self.notifier}
        return urls[service].rstrip("/")

    async def call(
        self,
        request: web.Request,
        service: str,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> ServiceResponse:
        """Send one request to `service` as the signed-in person; 502 page if it fails."""
        if self.signer is None:
            raise Problem(
                503,
                "Service Unavailable",
                "This console cannot act on the calendar or notifier: CONSOLE_SIGNING_KEY "
                "is not set (docs/decisions/console-in-the-registry.md).",
            )
        staff = request[STAFF]
        token = issue_token(
            self.signer,
            staff.username,
            staff.account.roles & STAFF_ROLES,
            CALL_TOKEN_SECONDS,
            audience=[service],
        )
        client = ServiceClient(self.session, token)
        try:
            return await client.request(
                method,
                f"{self.base(service)}{path}",
                json_body=json_body,
                expect=FORM_ANSWERS,
                headers=headers,
            )
        except ServiceCallFailed as exc:
            raise Problem(
                502, "Bad Gateway", f"The {service} did not answer as expected ({exc.status})."
            ) from exc


CONSOLE_CALLS = web.AppKey("console_calls", ConsoleCalls)


def show_refusal(
    form: Form[Any],
    answer: ServiceResponse,
    renamed: Mapping[str, str] | None = None,
    unnamed: str = FORM_WIDE,
) -> None:
    """Put another service's refusal (problem+json) next to the fields it names.

    `renamed` maps the service's field names to the form's where they differ; a refusal
    naming no field goes to `unnamed` (above the form unless the form has one field).
    """
    names = renamed or {}
    try:
        problem = answer.json()
    except ValueError:
        problem = {}
    errors = problem.get("errors") if isinstance(problem, dict) else None
    if isinstance(errors, list) and errors:
        for error in errors:
            location = [str(part) for part in error.get("location", [])]
            name = location[1] if len(location) > 1 else unnamed
            where = ".".join(location[2:])
            message = str(error.get("message", "not valid"))
            form.fail(names.get(name, name), f"{where}: {message}" if where else message)
        return
    detail = str(problem.get("detail") or problem.get("title") or f"refused ({answer.status})")
    field = problem.get("field")
    form.fail(names.get(str(field), str(field)) if field else unnamed, detail)
