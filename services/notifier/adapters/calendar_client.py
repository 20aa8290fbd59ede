"""Fetch a meeting's single-event .ics from the calendar service."""

from __future__ import annotations

from shared.http_client import ServiceCallFailed, ServiceClient


class CalendarUnavailable(Exception):
    """The .ics could not be fetched or is not what an invitation needs; retry later."""


class CalendarClient:
    """Read `.ics` files over the service client (credential, correlation id, retries)."""

    def __init__(self, http: ServiceClient, public_base_url: str, internal_base_url: str) -> None:
        self._http = http
        self._public = public_base_url.rstrip("/")
        self._internal = internal_base_url.rstrip("/")

    def internal_url(self, ics_url: str) -> str:
        """Reach the calendar directly when the event names it by its public address."""
        if ics_url.startswith(self._public + "/"):
            return self._internal + ics_url[len(self._public) :]
        return ics_url

    async def fetch_ics(self, ics_url: str) -> bytes:
        """Return the .ics; raise CalendarUnavailable unless it is a METHOD:PUBLISH calendar."""
        try:
            response = await self._http.request("GET", self.internal_url(ics_url))
        except ServiceCallFailed as exc:
            raise CalendarUnavailable(str(exc)) from exc
        body = response.body
        if not body.startswith(b"BEGIN:VCALENDAR") or b"METHOD:PUBLISH" not in body:
            raise CalendarUnavailable(f"{ics_url} did not return a METHOD:PUBLISH calendar")
        return body
