"""Build, through the public APIs of the running system, one item of every kind at every mark.

Every item carries a token of its own (``ZQ<KIND><MARK>``) in the text a reader would see,
so that a surface can be searched for what it discloses.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from enum import StrEnum
from typing import Any

import aiohttp
from pymongo import MongoClient

from shared.auth import ROLE_ADMIN, issue_token
from shared.contracts.classification import Classification
from tests.conftest import TEST_SIGNER
from tests.support.system import System
from tests.support.system import messages_to as mail_of

MARKS = tuple(Classification)
PUBLIC = "public@matrix.example"
PARTY = "party@matrix.example"
TIMEOUT = 60


class Kind(StrEnum):
    """Every kind of item that carries a classification, directly or by inheritance."""

    MEETING = "meeting"
    PAPER = "paper"
    MODIFICATION = "modification"
    CONSULTATION = "consultation"
    DECISION = "decision"
    RELEASE = "release"  # a release naming a modification of the mark: the reference
    DEADLINE = "deadline"  # derived from a consultation
    VOTE = "vote"  # derived from a Change Board decision
    GO_LIVE = "go-live"  # derived from a release


def token(kind: Kind, mark: Classification) -> str:
    """Return the text only this item carries, e.g. ``ZQCONSULTATIONRED``."""
    return f"ZQ{kind.value.replace('-', '').upper()}{mark.value.upper()}"


def modification_ref(mark: Classification) -> str:
    """Return the reference of the modification of one mark (the one a release names)."""
    return f"MP8{MARKS.index(mark)}0"


def decision_host(mark: Classification) -> str:
    """Return the White modification whose Change Board decision has `mark`."""
    return f"MP8{MARKS.index(mark)}1"


@dataclass
class World:
    """What was created, and how to reach the system as staff, admin or anyone."""

    system: System
    http: aiohttp.ClientSession
    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    meetings: dict[Classification, str] = field(default_factory=dict)  # mark -> event id
    paper_hosts: dict[Classification, str] = field(default_factory=dict)  # mark -> event id
    consultations: dict[Classification, str] = field(default_factory=dict)  # mark -> id
    decisions: dict[Classification, str] = field(default_factory=dict)  # mark -> id
    release_id: str = "zq-release"
    feeds: dict[str, str] = field(default_factory=dict)  # subscriber -> private feed URL

    @property
    def staff(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.system.staff_token}"}

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(TEST_SIGNER, 'matrix', {ROLE_ADMIN})}"}

    def url(self, service: str, path: str) -> str:
        return self.system.url(service, path)

    async def call(
        self, method: str, service: str, path: str, body: Any = None, **headers: str
    ) -> dict[str, Any]:
        """Send a staff request and return its JSON; fail loudly on anything but 2xx."""
        async with self.http.request(
            method, self.url(service, path), json=body, headers={**self.staff, **headers}
        ) as response:
            text = await response.text()
            assert response.status < 300, f"{method} {path}: {response.status} {text}"
            return dict(await response.json()) if text else {}

    async def get(self, service: str, path: str, headers: dict[str, str] | None = None) -> bytes:
        async with self.http.get(self.url(service, path), headers=headers or {}) as response:
            return await response.read()

    async def status(self, service: str, path: str) -> int:
        async with self.http.get(self.url(service, path)) as response:
            return response.status


async def messages_to(world: World, address: str) -> list[EmailMessage]:
    return await mail_of(world.http, world.system, address)


def readable(message: EmailMessage) -> str:
    """Return everything a reader could see: subject, every text part and attachment."""
    parts = [str(message["Subject"])]
    for part in message.walk():
        if part.get_content_maintype() == "multipart":
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            parts.append(unfold(payload).decode("utf-8", errors="replace"))
    return "\n".join(parts)


def unfold(body: bytes) -> bytes:
    """Undo iCalendar line folding so a token split across a fold is found whole."""
    return body.replace(b"\r\n ", b"").replace(b"\r\n\t", b"")


async def wait_until(check: Any, what: str) -> Any:
    async with asyncio.timeout(TIMEOUT):
        while True:
            found = await check()
            if found:
                return found
            await asyncio.sleep(0.3)
    raise AssertionError(what)  # pragma: no cover - the timeout raises first


async def subscribe(world: World, address: str, *, verified: bool) -> None:
    """Subscribe `address` to everything, confirm through the emailed link, verify if asked."""
    async with world.http.post(
        world.url("notifier", "/api/v1/subscriptions"),
        json={"email": address, "topics": ["all"], "digest": "none"},
    ) as response:
        assert response.status == 202, await response.text()

    async def confirmation() -> str | None:
        for message in await messages_to(world, address):
            found = re.search(
                r"https?://\S+/subscriptions/confirm\?token=[\w.~-]+", readable(message)
            )
            if found:
                return found.group(0)
        return None

    link = await wait_until(confirmation, f"confirmation for {address}")
    async with world.http.get(link) as response:
        assert response.status == 200, await response.text()  # the page; the press confirms
    async with world.http.post(link) as response:
        page = await response.text()
        assert response.status == 200, page
    manage = re.search(r'href="([^"]*/subscriptions/manage\?token=[^"]+)"', page)
    assert manage is not None, page
    async with world.http.get(manage.group(1).replace("&amp;", "&")) as response:
        feed = re.search(r"https?://[^\s\"<]+/feeds/private/[^\s\"<]+\.ics", await response.text())
    assert feed is not None
    world.feeds[address] = feed.group(0)
    if verified:
        client: MongoClient[dict[str, Any]] = MongoClient(world.system.env["MONGODB_URL"])
        try:
            collection = client[world.system.env["MONGODB_DB"]]["notifier_subscriptions"]
            stored = collection.find_one({"email": address})
        finally:
            client.close()
        assert stored is not None
        async with world.http.post(
            world.url("notifier", f"/api/v1/subscriptions/{stored['_id']}/verify-party"),
            json={"verified": True},
            headers=world.admin,
        ) as response:
            assert response.status == 200, await response.text()


async def create_meeting(world: World, title: str, mark: Classification, **extra: Any) -> str:
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
    created = await world.call(
        "POST",
        "calendar",
        "/api/v1/events",
        {
            "title": title,
            "type": "meeting",
            "committee": "change-board",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "classification": mark.value,
            **extra,
        },
    )
    return str(created["id"])


async def walk_to_change_board_vote(world: World, ref: str) -> None:
    for status in (
        "refinement",
        "report-phase",
        "modification-report-consultation",
        "change-board-vote",
    ):
        await world.call(
            "POST",
            "registry",
            f"/api/v1/modifications/{ref}/transitions",
            {"to": status, "reason": "Matrix set-up"},
        )


async def build_world(world: World) -> None:
    """Create every kind of item at every mark, and the two subscribers, then settle."""
    await subscribe(world, PUBLIC, verified=False)
    await subscribe(world, PARTY, verified=True)
    closes = (datetime.now(UTC) + timedelta(days=10)).replace(microsecond=0)
    for mark in MARKS:
        world.meetings[mark] = await create_meeting(world, token(Kind.MEETING, mark), mark)
        world.paper_hosts[mark] = await create_meeting(
            world,
            f"Paper host {mark.value}",
            Classification.WHITE,
            documents=[
                {
                    "title": token(Kind.PAPER, mark),
                    "url": f"https://papers.example.org/{token(Kind.PAPER, mark)}.pdf",
                    "classification": mark.value,
                }
            ],
        )
        await world.call(
            "POST",
            "registry",
            "/api/v1/modifications",
            {
                "ref": modification_ref(mark),
                "title": token(Kind.MODIFICATION, mark),
                "classification": mark.value,
                "path": "path-3",
            },
        )
        consultation = await world.call(
            "POST",
            "registry",
            "/api/v1/consultations",
            {
                "title": token(Kind.CONSULTATION, mark),
                "kind": "industry",
                "closes_at": closes.isoformat(),
                "respond_to": "changeteam@secas.example.org",
                "classification": mark.value,
            },
        )
        world.consultations[mark] = str(consultation["id"])
        host = decision_host(mark)
        await world.call(
            "POST",
            "registry",
            "/api/v1/modifications",
            {"ref": host, "title": f"Decision host {mark.value}", "path": "path-3"},
        )
        await walk_to_change_board_vote(world, host)
        recorded = await world.call(
            "POST",
            "registry",
            f"/api/v1/modifications/{host}/decisions",
            {
                "body": "change_board",
                "outcome": "approve",
                "decided_on": world.today.isoformat(),
                "summary": token(Kind.DECISION, mark),
                "classification": mark.value,
            },
        )
        world.decisions[mark] = str(recorded["decision"]["id"])
    await world.call(
        "POST",
        "registry",
        "/api/v1/releases",
        {
            "id": world.release_id,
            "name": token(Kind.GO_LIVE, Classification.WHITE),
            "effective_date": (world.today + timedelta(days=30)).isoformat(),
            "kind": "ad-hoc",
            "modification_refs": [modification_ref(mark) for mark in MARKS],
        },
    )
    await settle(world, "built")


async def settle(world: World, name: str) -> None:
    """Wait until everything done before this call reached the calendar and both inboxes.

    A marker consultation goes registry -> calendar -> notifier and a marker meeting
    calendar -> notifier, behind everything before them on the same queues; once their
    alerts have arrived and the notifier holds no unsent delivery, the rest has too.
    """
    meeting_marker = f"ZQMARKERMEETING{name.upper()}"
    consultation_marker = f"ZQMARKERCONSULTATION{name.upper()}"
    await create_meeting(world, meeting_marker, Classification.WHITE)
    closes = (datetime.now(UTC) + timedelta(days=20)).replace(microsecond=0)
    consultation = await world.call(
        "POST",
        "registry",
        "/api/v1/consultations",
        {
            "title": consultation_marker,
            "kind": "industry",
            "closes_at": closes.isoformat(),
            "respond_to": "changeteam@secas.example.org",
            "classification": "white",
        },
    )

    async def arrived() -> bool:
        async with world.http.get(
            world.url("calendar", f"/api/v1/events/consultation-{consultation['id']}"),
            headers=world.staff,
        ) as response:
            if response.status != 200:
                return False
        for address in (PUBLIC, PARTY):
            texts = [readable(m) for m in await messages_to(world, address)]
            # The registry's alert and the calendar's, about its deadline.
            if sum(consultation_marker in text for text in texts) < 2:
                return False
            if not any(meeting_marker in text for text in texts):
                return False
        return unsent_deliveries(world) == 0

    await wait_until(arrived, f"settling after {name}")


def unsent_deliveries(world: World) -> int:
    """Return how many deliveries the notifier recorded but has not ended (sent, failed...)."""
    client: MongoClient[dict[str, Any]] = MongoClient(world.system.env["MONGODB_URL"])
    try:
        database = client[world.system.env["MONGODB_DB"]]
        held = database["notifier_batch_deliveries"].find({}, {"deliveries._id": 1})
        queued = sum(len(document["deliveries"]) for document in held)
        return queued - database["notifier_sent"].count_documents({})
    finally:
        client.close()
