"""Call the calendar and notifier as the signed-in person, with a token minted for the call.

The console holds its own signing key (CONSOLE_SIGNING_KEY); the other services trust
its public half. Each call carries a token for the person, their staff roles, the one
service called and five minutes, so what those services record names the person
(docs/decisions/console-in-the-registry.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import aiohttp
from aiohttp import web

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
    calendar: str
    notifier: str

    def base(self, service: str) -> str:
        return {"calendar": self.calendar, "notifier": self.notifier}[service].rstrip("/")

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
