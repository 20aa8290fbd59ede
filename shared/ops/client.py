"""Reach the services' admin API over HTTP with a token, and turn its answers into exit codes.

The command finds the services as they find each other (REGISTRY_URL, CALENDAR_URL,
NOTIFIER_URL) and speaks for whoever holds the token: SERVICE_TOKEN, `--token` or
`--token-file` (e.g. var/dev-token from `make run`).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from enum import IntEnum
from pathlib import Path
from typing import Any, Final

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from yarl import URL

from shared.auth import SERVICES
from shared.http_client import ServiceCallFailed, ServiceClient, client_session
from shared.settings import ServiceSettings


class Exit(IntEnum):
    """The command's exit codes (docs/operations.md)."""

    OK = 0
    ATTENTION = 1  # it ran, and found something an operator should look at
    USAGE = 2  # bad arguments, no token (argparse exits 2 too)
    NOT_FOUND = 3
    DENIED = 4  # 401 or 403: no valid token, or not an admin
    UNAVAILABLE = 5  # unreachable, or a 5xx
    REFUSED = 6  # another 4xx: the request was not valid


def _default(name: str) -> str:
    return str(ServiceSettings.model_fields[name].default)


class OpsSettings(BaseSettings):
    """Where the services are and which token to send; the same variables the services read."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    registry_url: str = Field(_default("registry_url"))
    calendar_url: str = Field(_default("calendar_url"))
    notifier_url: str = Field(_default("notifier_url"))
    service_token: SecretStr | None = None

    def url_of(self, service: str) -> str:
        urls = {
            "registry": self.registry_url,
            "calendar": self.calendar_url,
            "notifier": self.notifier_url,
        }
        return urls[service].rstrip("/")


class OpsError(Exception):
    """What went wrong, said for an operator, with the exit code it ends the command with."""

    def __init__(self, code: Exit, message: str, problem: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.problem = dict(problem or {})


_EXITS: Final = {401: Exit.DENIED, 403: Exit.DENIED, 404: Exit.NOT_FOUND}
_EVERY_ERROR: Final = frozenset(range(400, 600))


def token_of(args: argparse.Namespace, settings: OpsSettings) -> str:
    """Return the token from --token, --token-file or SERVICE_TOKEN, in that order."""
    if args.token:
        return str(args.token)
    if args.token_file:
        try:
            return Path(args.token_file).read_text().strip()
        except OSError as exc:
            raise OpsError(Exit.USAGE, f"cannot read the token file: {exc}") from exc
    if settings.service_token is not None:
        return settings.service_token.get_secret_value()
    raise OpsError(
        Exit.USAGE,
        "give a token with an admin role: --token, --token-file (var/dev-token under make run) "
        "or SERVICE_TOKEN (python -m shared.tokens create --subject NAME --roles admin)",
    )


class AdminApi:
    """The admin endpoints of the three services, as JSON in and out."""

    def __init__(self, settings: OpsSettings, token: str, timeout_seconds: float) -> None:
        self._settings = settings
        self._session = client_session(timeout_seconds)
        self._http = ServiceClient(self._session, token)

    async def close(self) -> None:
        await self._session.close()

    async def get(self, service: str, path: str, query: Mapping[str, str] | None = None) -> Any:
        return await self._call("GET", service, path, query=query)

    async def post(self, service: str, path: str, body: Mapping[str, Any]) -> Any:
        return await self._call("POST", service, path, body=body)

    async def _call(
        self,
        method: str,
        service: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Any:
        if service not in SERVICES:
            raise OpsError(Exit.USAGE, f"no service {service!r}; the services: {SERVICES}")
        url = URL(self._settings.url_of(service) + path)
        if query:
            url = url.with_query(query)
        try:
            response = await self._http.request(
                method, str(url), json_body=body, expect=_EVERY_ERROR
            )
        except ServiceCallFailed as exc:
            # Only a 502-504 after retries, or no connection at all, ends up here.
            what = "is not reachable" if exc.status is None else f"answered {exc.status}"
            raise OpsError(Exit.UNAVAILABLE, f"{service} {what} at {url.origin()}") from exc
        try:
            answer = response.json()
        except ValueError:
            answer = {"detail": response.body[:300].decode(errors="replace")}
        if response.status < 400:
            return answer
        problem = answer if isinstance(answer, dict) else {"detail": str(answer)}
        code = _EXITS.get(response.status)
        if code is None:
            code = Exit.UNAVAILABLE if response.status >= 500 else Exit.REFUSED
        detail = problem.get("detail") or problem.get("title") or response.status
        raise OpsError(code, f"{service} answered {response.status}: {detail}", problem)


def as_json(data: Any) -> str:
    """Return data as the command prints it under --json: indented, dates as ISO strings."""
    return json.dumps(data, indent=2, default=str, ensure_ascii=False)
