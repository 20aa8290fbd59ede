"""Call another service over HTTP with timeouts, a credential and safe retries."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from shared.logs import CORRELATION_HEADER, current_correlation_id

log = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = frozenset({502, 503, 504})


class ServiceCallFailed(RuntimeError):
    """Another service did not answer as expected."""

    def __init__(self, method: str, url: str, status: int | None, detail: str) -> None:
        super().__init__(f"{method} {url} failed ({status}): {detail}")
        self.status = status


@dataclass(frozen=True)
class ServiceResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class ServiceClient:
    """Calls to other services; retries only idempotent methods, with back-off."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        token: str,
        attempts: int = 3,
        backoff_seconds: float = 0.2,
    ) -> None:
        self._session = session
        self._token = token
        self._attempts = attempts
        self._backoff = backoff_seconds

    async def request(
        self,
        method: str,
        url: str,
        *,
        json_body: Any = None,
        expect: frozenset[int] = frozenset(),
        headers: Mapping[str, str] | None = None,
    ) -> ServiceResponse:
        """Send the request (plus `headers`, e.g. If-Match); 2xx or `expect` return, else raise."""
        method = method.upper()
        attempts = self._attempts if method in IDEMPOTENT_METHODS else 1
        headers = {
            **(headers or {}),
            "Authorization": f"Bearer {self._token}",
            "Accept": "application/json",
        }
        correlation_id = current_correlation_id()
        if correlation_id:
            headers[CORRELATION_HEADER] = correlation_id
        last_error = "no attempt"
        last_status: int | None = None
        for attempt in range(1, attempts + 1):
            try:
                async with self._session.request(
                    method, url, json=json_body, headers=headers
                ) as response:
                    body = await response.read()
                    last_status = response.status
                    if response.status < 300 or response.status in expect:
                        return ServiceResponse(response.status, dict(response.headers), body)
                    last_error = body[:300].decode(errors="replace")
                    if response.status not in RETRY_STATUSES:
                        break
            except (aiohttp.ClientError, TimeoutError) as exc:
                last_error, last_status = repr(exc), None
            if attempt < attempts:
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
        raise ServiceCallFailed(method, url, last_status, last_error)

    async def get_json(self, url: str) -> Any:
        return (await self.request("GET", url)).json()


def client_session(timeout_seconds: float = 5.0) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=timeout_seconds, connect=2.0),
        raise_for_status=False,
    )
