"""A running notifier on the real servers, a mail sink, a calendar stub and an event publisher."""

from __future__ import annotations

import asyncio
import email
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import aio_pika
from aiohttp import web
from aiohttp.test_utils import TestClient

from services.calendar.domain.changes import create_event
from services.calendar.domain.domain_events import event_shape
from services.calendar.domain.model import CalendarEvent, EventDraft
from services.calendar.domain.rendering import render_single
from services.notifier.adapters import names
from services.notifier.service.context import BatchRequested, NotifierContext
from services.notifier.web.runtime import NOTIFIER
from shared.app import PLATFORM
from shared.constants import EVENTS_EXCHANGE, consumer_queue, processed_collection
from shared.contracts.classification import Classification
from shared.contracts.vocabulary import EventType
from shared.db import Mongo
from shared.events import CloudEvent
from shared.mailsink import MailSink
from tests.unit.notifier.wire import header

CONFIRM_LINK = re.compile(r"/subscriptions/confirm\?token=([A-Za-z0-9._-]+)")
MANAGE_LINK = re.compile(r"/subscriptions/manage\?token=([A-Za-z0-9._-]+)")
UNSUBSCRIBE_LINK = re.compile(r"/unsubscribe\?token=([A-Za-z0-9._-]+)")
# How a message taken from a queue ends; "retried" is not an end: the copy comes back.
FINAL_OUTCOMES = ("applied", "duplicate", "dead_lettered")


@dataclass
class Clock:
    """The notifier's clock: real time shifted by `offset`, so tests can jump ahead."""

    offset: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class CalendarStub:
    """Serves single-event .ics rendered by the calendar's own domain code.

    The calendar service's web layer is being built alongside; this stub serves the
    bytes its `render_single` produces, so UIDs and METHOD are the real ones.
    """

    base_url: str = ""
    events: dict[str, CalendarEvent] = field(default_factory=dict)
    down: bool = False
    hits: int = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/events/{name}", self._ics)
        return app

    async def _ics(self, request: web.Request) -> web.Response:
        self.hits += 1
        if self.down:
            return web.Response(status=503, text="calendar down")
        event = self.events.get(request.match_info["name"].removesuffix(".ics"))
        if event is None:
            return web.Response(status=404)
        body = render_single(event, base_url=self.base_url)
        return web.Response(body=body, content_type="text/calendar")

    def meeting(self, **overrides: Any) -> dict[str, Any]:
        """Create a Change Board meeting next week; return its catalogue shape."""
        starts = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)
        values: dict[str, Any] = {
            "id": f"cb-{len(self.events) + 62}",
            "title": "Change Board Meeting 62",
            "type": EventType.MEETING,
            "committee": "change-board",
            "meeting_number": "62",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=2),
            "location": "8 Fenchurch Place, London EC3M 4AJ",
            "classification": Classification.WHITE,
        }
        values.update(overrides)
        event = create_event(EventDraft(**values), datetime.now(UTC), base_url=self.base_url).event
        self.events[event.id] = event
        return event_shape(event, self.base_url)


@dataclass
class Rig:
    client: TestClient[Any, Any]
    sink: MailSink
    calendar: CalendarStub
    clock: Clock
    exchange: aio_pika.abc.AbstractExchange
    amqp: aio_pika.abc.AbstractConnection
    published: Counter[str] = field(default_factory=Counter)  # by event type

    @property
    def context(self) -> NotifierContext:
        return self.client.app[NOTIFIER].context

    @property
    def mongo(self) -> Mongo:
        return self.context.mongo

    async def publish(self, event_type: str, data: dict[str, Any], **fields: Any) -> CloudEvent:
        """Publish as the other services' relays do: persistent, message_id = id."""
        event = fields.pop("event", None) or CloudEvent(
            source=f"/{event_type.split('.')[0]}", type=event_type, data=data, **fields
        )
        await self.exchange.publish(
            aio_pika.Message(
                body=event.model_dump_json().encode(),
                content_type="application/cloudevents+json",
                message_id=event.id,
                type=event.type,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=event.type,
        )
        self.published[event.type] += 1
        return event

    async def applied(self, event: CloudEvent, seconds: float = 10.0) -> None:
        """Wait until the notifier's event consumer has committed `event`."""
        processed = self.mongo.collection(processed_collection("notifier"))
        await until(
            lambda: processed.find_one({"_id": f"events:{event.id}"}), seconds, "event applied"
        )

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        store = self.sink.store
        found = []
        for summary in reversed(store.newest_first(0, len(store) or 1)):
            message = email.message_from_bytes(store.raw(summary), policy=default_policy)
            assert isinstance(message, EmailMessage)
            if to is None or to in {address.addr_spec for address in message["To"].addresses}:
                found.append(message)
        return found

    def raw_messages(self, to: str | None = None) -> list[bytes]:
        """Return the messages as the sink received them, oldest first, undecoded."""
        store = self.sink.store
        found = []
        for summary in reversed(store.newest_first(0, len(store) or 1)):
            raw = store.raw(summary)
            if to is None or header(raw, "To").strip("<>").lower() == to.lower():
                found.append(raw)
        return found

    async def wait_mail(
        self, count: int, to: str | None = None, seconds: float = 10.0
    ) -> list[EmailMessage]:
        """Wait until `count` messages (to `to`) are in the sink and the notifier has settled.

        Callers assert on the number returned: a duplicate would already be in the sink.
        """
        deadline = asyncio.get_running_loop().time() + seconds
        while len(self.messages(to)) < count:
            assert asyncio.get_running_loop().time() < deadline, (
                f"expected {count} messages, have {len(self.messages(to))}"
            )
            await asyncio.sleep(0.05)
        await self.settled(seconds)
        return self.messages(to)

    async def settled(self, seconds: float = 10.0) -> None:
        """Wait until every message sent to the notifier's queues has ended there.

        Sent: the events this rig published and the batch jobs the notifier's relay
        published (none left pending in its outbox, no fan-out still queueing). Ended:
        applied, found done already, or dead-lettered. Then no email is on its way: the
        sink holds all there is.
        """
        await until(self._settled, seconds, "the notifier to finish what it was sent")

    async def _settled(self) -> bool:
        platform = self.client.app[PLATFORM]

        def ended(consumer: str) -> float:
            labels = {"queue": consumer_queue("notifier", consumer)}
            return sum(
                platform.metrics.registry.get_sample_value(
                    "events_consumed_total", {**labels, "outcome": outcome}
                )
                or 0
                for outcome in FINAL_OUTCOMES
            )

        # What ended is read before what was sent: a job queued in between is still owed.
        events_ended, jobs_ended = ended("events"), ended("deliveries")
        outbox = platform.outbox.collection
        if await outbox.count_documents({"state": "pending"}):
            return False
        if await self.mongo.collection(names.FANOUTS).count_documents({}):
            return False  # an event's followers are still being queued
        jobs = BatchRequested.event_type
        jobs_sent = self.published[jobs] + await outbox.count_documents({"routing_key": jobs})
        events_sent = sum(
            n for kind, n in self.published.items() if kind.startswith(("registry.", "calendar."))
        )
        return events_ended >= events_sent and jobs_ended >= jobs_sent

    async def subscribe(
        self, address: str, topics: list[str], digest: str = "none"
    ) -> web.Response:
        return await self.client.post(
            "/api/v1/subscriptions", json={"email": address, "topics": topics, "digest": digest}
        )

    async def subscribe_confirmed(
        self, address: str, topics: list[str], digest: str = "none"
    ) -> str:
        """Subscribe, follow the emailed link; return the manage token the page links to."""
        before = len(self.messages(address))
        response = await self.subscribe(address, topics, digest)
        assert response.status == 202, await response.text()
        confirmation = (await self.wait_mail(before + 1, address))[-1]
        token = link(confirmation, CONFIRM_LINK)
        # The link opens a page; its button (a POST) confirms.
        page = await self.client.get("/subscriptions/confirm", params={"token": token})
        assert page.status == 200, await page.text()
        response = await self.client.post("/subscriptions/confirm", params={"token": token})
        assert response.status == 200, await response.text()
        found = MANAGE_LINK.search(await response.text())
        assert found is not None
        return found.group(1)


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def link(message: EmailMessage, pattern: re.Pattern[str]) -> str:
    found = pattern.search(body_text(message)) or pattern.search(str(message))
    assert found is not None, f"no {pattern.pattern} in the message"
    return found.group(1)


async def until(probe: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        result = await probe()
        if result:
            return result
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


__all__ = ["EVENTS_EXCHANGE", "Rig"]
