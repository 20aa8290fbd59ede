"""Who sees what: every kind of item, mark and surface, before and after reclassifying.

The rule (docs/events.md, Classification): the public sees White; a verified SEC Party
sees White and Green (its private feed, its emails and their attachments); Amber and Red
never leave the secretariat, whose staff see everything through the API.

Every item carries a token of its own (tests/security/world.py). A surface leaks when it
shows the token of an item its reader may not see, and is broken when it hides the token
of an item it should show. The matrix is complete by construction: the GET routes of the
three services and the event catalogue are enumerated from the code
(`test_every_route_is_placed`, `test_every_event_type_is_placed`), so a new surface or a
new kind of event fails until it is placed here.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from services.calendar.web.app import create_app as calendar_app
from services.notifier.web.app import create_app as notifier_app
from services.registry.web.app import create_app as registry_app
from shared.auth import ROLE_SECRETARIAT, issue_token
from shared.contracts.classification import Classification
from shared.contracts.events import EventName
from shared.settings import CalendarSettings, NotifierSettings, RegistrySettings
from tests.conftest import TEST_SIGNER
from tests.security.world import (
    MARKS,
    PARTY,
    PUBLIC,
    Kind,
    World,
    build_world,
    decision_host,
    messages_to,
    modification_ref,
    readable,
    settle,
    token,
    unfold,
)
from tests.support.system import System

WHITE, GREEN, AMBER, RED = MARKS
READERS = ("anonymous", "public", "party")


def text_of(kind: Kind, mark: Classification) -> str:
    """Return what shows an item: its token; a derived entry shows its source's words."""
    match kind:
        case Kind.RELEASE:
            return modification_ref(mark)  # a release names the modification
        case Kind.DEADLINE:
            return token(Kind.CONSULTATION, mark)  # "… closes: <consultation title>"
        case Kind.VOTE:
            return token(Kind.DECISION, mark)  # the vote's description quotes the decision
        case _:
            return token(kind, mark)


def may_see(mark: Classification, reader: str) -> bool:
    return mark is WHITE or (mark is GREEN and reader == "party")


def shown_to(kind: Kind, mark: Classification, reader: str) -> bool:
    """Tell whether a surface of `kind` shows an item of `mark` to `reader`.

    A release names only its White modifications, to parties as well: a Green
    reference reaches a party through the modification itself, never a release.
    """
    return mark is WHITE if kind is Kind.RELEASE else may_see(mark, reader)


@dataclass(frozen=True)
class Surface:
    """One place a reader looks, and the kinds of item it shows when the reader may see them.

    A surface of one item (`about` its mark) shows that item only; a listing shows them all.
    """

    service: str
    route: str  # the route template, as the router names it
    path: str
    kinds: frozenset[Kind]
    about: Classification | None = None


CALENDAR_FEED = frozenset({Kind.MEETING, Kind.PAPER, Kind.DEADLINE, Kind.VOTE, Kind.RELEASE})
# The routes whose answer holds nothing classified, and why.
WITHOUT_CLASSIFIED_DATA = {
    "/healthz": "process liveness",
    "/readyz": "dependencies reachable",
    "/metrics": "counters by route template, never by item",
    "/subscribe": "the empty form",
    "/unsubscribe": "a page about the caller's own subscription, by its token",
    "/subscriptions/confirm": "a page about the caller's own subscription, by its token",
    "/subscriptions/manage": "the caller's own topics; the private feed is surveyed itself",
    "/feeds/private/{token}.ics": "surveyed per subscriber below",
    "/": "registry home: a redirect to /modifications",
    "/api/v1/openapi.json": "the API's description, the same for every caller",
    "/api/v1/docs": "the API's description as a page",
    "/api/v1/committees": "the committees' names and aliases",
    "/api/v1/event-types": "the entry types' names and aliases",
    # Staff only: 401 without a token, 403 to other roles (tests/integration/test_ops_access.py).
    "/api/v1/admin/outbox": "admin only: a count and a time",
    "/api/v1/admin/dead-letters": "admin only: queue names and counts",
    "/api/v1/admin/dead-letters/{queue}": "admin only: dead events of every mark",
    "/api/v1/admin/dead-letters/{queue}/{letter_id}": "admin only: a dead event of any mark",
    "/api/v1/admin/events/{event_id}/deliveries": "secretariat and admin: counts, failed addresses",
    "/api/v1/admin/subscribers/{subscription_id}": "admin only: one subscriber's own data",
    "/api/v1/admin/subscribers/{subscription_id}/deliveries": "admin only: the same, paged",
    "/static/site.css": "the shared stylesheet, the same bytes for everyone",
    "/static/site.js": "the shared copy-button script, the same bytes for everyone",
}


def surfaces(world: World) -> Iterator[Surface]:
    """Yield every public surface of the three services, at the items this world created."""

    def at(
        service: str,
        route: str,
        kinds: set[Kind],
        about: Classification | None = None,
        query: str = "",
        **names: str,
    ) -> Surface:
        return Surface(service, route, route.format(**names) + query, frozenset(kinds), about)

    everything = f"?from={world.today.isoformat()}&limit=100"

    yield at("calendar", "/feeds/all.ics", set(CALENDAR_FEED))
    yield at("calendar", "/", {Kind.MEETING})
    yield at("calendar", "/api/v1/events", set(CALENDAR_FEED), query=everything)
    yield at(
        "calendar",
        "/feeds/committees/{slug}.ics",
        {Kind.MEETING, Kind.PAPER, Kind.VOTE},
        slug="change-board",
    )
    for event_type, kinds in (
        ("meeting", {Kind.MEETING, Kind.PAPER}),
        ("consultation-deadline", {Kind.DEADLINE}),
        ("change-board-vote", {Kind.VOTE}),
        ("release-go-live", {Kind.RELEASE, Kind.GO_LIVE}),
    ):
        yield at("calendar", "/feeds/types/{type}.ics", kinds, type=event_type)
    for mark in MARKS:
        ref, host = modification_ref(mark), decision_host(mark)
        yield at("calendar", "/feeds/modifications/{ref}.ics", {Kind.RELEASE}, mark, ref=ref)
        yield at("calendar", "/feeds/modifications/{ref}.ics", {Kind.VOTE}, mark, ref=host)
        for entry, kinds in (
            (world.meetings[mark], {Kind.MEETING}),
            (world.paper_hosts[mark], {Kind.PAPER}),
            (f"consultation-{world.consultations[mark]}", {Kind.DEADLINE}),
            (f"decision-{world.decisions[mark]}", {Kind.VOTE}),
        ):
            for route in ("/events/{id}", "/events/{id}.ics", "/api/v1/events/{id}"):
                yield at("calendar", route, kinds, mark, id=entry)
        for route in ("/modifications/{ref}", "/api/v1/modifications/{ref}"):
            yield at("registry", route, {Kind.MODIFICATION}, mark, ref=ref)
        yield at("registry", "/modifications/{ref}", {Kind.DECISION}, mark, ref=host)
        yield at(
            "registry", "/api/v1/modifications/{ref}/decisions", {Kind.DECISION}, mark, ref=host
        )
        for history_of in (ref, host):
            yield at("registry", "/api/v1/modifications/{ref}/history", set(), mark, ref=history_of)
        for route in ("/consultations/{id}", "/api/v1/consultations/{id}"):
            yield at("registry", route, {Kind.CONSULTATION}, mark, id=world.consultations[mark])
    yield at("registry", "/modifications", {Kind.MODIFICATION})
    yield at("registry", "/modifications/feed.atom", {Kind.MODIFICATION})
    # Newest first: this world's modifications lead the listing (the seed is older).
    newest = "?sort=-updated_at&limit=200"
    yield at("registry", "/api/v1/modifications", {Kind.MODIFICATION}, query=newest)
    yield at("registry", "/api/v1/consultations", {Kind.CONSULTATION})
    # The list of releases counts their modifications: the count is of White ones only.
    yield at("registry", "/releases", {Kind.GO_LIVE})
    for route in ("/releases/{id}", "/api/v1/releases", "/api/v1/releases/{id}"):
        yield at("registry", route, {Kind.RELEASE, Kind.GO_LIVE}, id=world.release_id)


@dataclass
class Findings:
    """Every violation found, so that one does not hide the others."""

    leaks: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def look(
        self,
        where: str,
        body: str,
        reader: str,
        marks: dict[Classification, Classification],
        shows: frozenset[Kind],
        *,
        about: Classification | None = None,
        asked_for: str = "",
    ) -> None:
        """Check `body` for every item; `marks` maps each item's created mark to its mark now.

        Every item the reader may not see must be absent; an item of a kind in `shows`
        (of the mark `about`, for a surface of one item) must be there if the reader may.
        """
        for kind in Kind:
            for created, now in marks.items():
                if kind is Kind.GO_LIVE:
                    # A release is public by nature; only the go-live of the world exists.
                    if created is not WHITE:
                        continue
                    now = WHITE
                text = text_of(kind, created)
                # A page asked for by a reference may say that reference ("No modification MP830").
                if text in asked_for:
                    continue
                if not may_see(now, reader) and text in body:
                    self.leaks.append(
                        f"{where}: {reader} sees {kind.value} now {now.value} ({text})"
                    )
                expected = kind in shows and about in (None, created)
                if expected and shown_to(kind, now, reader) and text not in body:
                    self.missing.append(
                        f"{where}: {reader} misses {kind.value} {now.value} ({text})"
                    )

    def assert_clean(self) -> None:
        report = [f"{len(self.leaks)} leaks:", *self.leaks]
        report += [f"{len(self.missing)} not shown:", *self.missing]
        assert [*self.leaks, *self.missing] == [], "\n".join(report)


SUBSCRIBER_FEED = frozenset({Kind.MEETING, Kind.PAPER, Kind.DEADLINE, Kind.VOTE, Kind.RELEASE})
EMAILED = frozenset(
    {Kind.MEETING, Kind.PAPER, Kind.MODIFICATION, Kind.CONSULTATION, Kind.DECISION, Kind.RELEASE}
)


async def survey_public(
    world: World, findings: Findings, phase: str, marks: dict[Classification, Classification]
) -> None:
    for surface in surfaces(world):
        body = unfold(await world.get(surface.service, surface.path)).decode("utf-8", "replace")
        where = f"{phase}: {surface.service} {surface.path}"
        findings.look(
            where,
            body,
            "anonymous",
            marks,
            surface.kinds,
            about=surface.about,
            asked_for=surface.path,
        )


async def survey_subscribers(
    world: World,
    findings: Findings,
    phase: str,
    marks: dict[Classification, Classification],
    seen_before: dict[str, set[str]],
    emailed: frozenset[Kind],
) -> None:
    """Check each subscriber's private feed and the emails received since `seen_before`."""
    for reader, address in (("public", PUBLIC), ("party", PARTY)):
        feed_path = world.feeds[address].removeprefix(world.system.url("calendar"))
        feed = unfold(await world.get("calendar", feed_path)).decode("utf-8", "replace")
        findings.look(f"{phase}: {reader}'s private feed", feed, reader, marks, SUBSCRIBER_FEED)
        mail = [m for m in await messages_to(world, address) if _id(m) not in seen_before[address]]
        text = "\n".join(readable(m) for m in mail)
        findings.look(f"{phase}: {reader}'s email", text, reader, marks, emailed)


def _id(message: EmailMessage) -> str:
    return str(message["Message-ID"])


async def survey_staff(world: World, findings: Findings, phase: str) -> None:
    """Staff see every item through the API, whatever its mark."""
    for mark in MARKS:
        for service, path, text in (
            ("calendar", f"/api/v1/events/{world.meetings[mark]}", token(Kind.MEETING, mark)),
            ("calendar", f"/api/v1/events/{world.paper_hosts[mark]}", token(Kind.PAPER, mark)),
            (
                "registry",
                f"/api/v1/modifications/{modification_ref(mark)}",
                token(Kind.MODIFICATION, mark),
            ),
            (
                "registry",
                f"/api/v1/consultations/{world.consultations[mark]}",
                token(Kind.CONSULTATION, mark),
            ),
            (
                "registry",
                f"/api/v1/modifications/{decision_host(mark)}/decisions",
                token(Kind.DECISION, mark),
            ),
            (
                "calendar",
                f"/api/v1/events/decision-{world.decisions[mark]}",
                token(Kind.DECISION, mark),
            ),
        ):
            body = (await world.get(service, path, world.staff)).decode("utf-8", "replace")
            if text not in body:
                findings.missing.append(f"{phase}: staff miss {text} at {service} {path}")


@pytest.fixture
async def world(system: System) -> AsyncIterator[World]:
    async with aiohttp.ClientSession() as http:
        built = World(system, http)
        await build_world(built)
        yield built


async def test_each_reader_sees_exactly_what_its_entitlement_allows_before_and_after_reclassifying(
    world: World,
) -> None:
    findings = Findings()
    as_created = {mark: mark for mark in MARKS}
    nothing_seen: dict[str, set[str]] = {PUBLIC: set(), PARTY: set()}
    await survey_public(world, findings, "as created", as_created)
    await survey_subscribers(world, findings, "as created", as_created, nothing_seen, EMAILED)
    await survey_staff(world, findings, "as created")

    # White becomes Red and Red becomes White, every kind at once; then each item is
    # touched again so that it would cause an email if anyone may still hear of it.
    seen = {
        address: {_id(m) for m in await messages_to(world, address)} for address in (PUBLIC, PARTY)
    }
    await reclassify(world, {WHITE: RED, RED: WHITE})
    await touch(world)
    await settle(world, "flipped")
    flipped = {WHITE: RED, GREEN: GREEN, AMBER: AMBER, RED: WHITE}
    await survey_public(world, findings, "after White<->Red", flipped)
    touched = frozenset({Kind.MEETING, Kind.CONSULTATION})
    await survey_subscribers(world, findings, "after White<->Red", flipped, seen, touched)
    await survey_staff(world, findings, "after White<->Red")
    findings.assert_clean()


async def reclassify(world: World, moves: dict[Classification, Classification]) -> None:
    """Reclassify the items of each mark in `moves`, each through its own service's API."""
    for before, after in moves.items():
        meeting = await world.call("GET", "calendar", f"/api/v1/events/{world.meetings[before]}")
        await world.call(
            "PATCH",
            "calendar",
            f"/api/v1/events/{meeting['id']}",
            {"classification": after.value},
            **{"If-Match": f'"{meeting["version"]}"'},
        )
        host = await world.call("GET", "calendar", f"/api/v1/events/{world.paper_hosts[before]}")
        papers = [{**paper, "classification": after.value} for paper in host["documents"]]
        await world.call(
            "PATCH",
            "calendar",
            f"/api/v1/events/{host['id']}",
            {"documents": papers},
            **{"If-Match": f'"{host["version"]}"'},
        )
        ref = modification_ref(before)
        mod = await world.call("GET", "registry", f"/api/v1/modifications/{ref}")
        await world.call(
            "PATCH",
            "registry",
            f"/api/v1/modifications/{ref}",
            {"classification": after.value},
            **{"If-Match": f'"{mod["version"]}"'},
        )
        await world.call(
            "PATCH",
            "registry",
            f"/api/v1/consultations/{world.consultations[before]}",
            {"classification": after.value},
        )
        await world.call(
            "PATCH",
            "registry",
            f"/api/v1/modifications/{decision_host(before)}/decisions/{world.decisions[before]}",
            {"classification": after.value},
        )


async def touch(world: World) -> None:
    """Change every meeting and consultation, so that each causes an alert to whoever may see it."""
    for mark in MARKS:
        meeting = await world.call("GET", "calendar", f"/api/v1/events/{world.meetings[mark]}")
        await world.call(
            "PATCH",
            "calendar",
            f"/api/v1/events/{meeting['id']}",
            {"location": "Room 2, 8 Fenchurch Place"},
            **{"If-Match": f'"{meeting["version"]}"'},
        )
        closes = datetime.now(UTC).replace(microsecond=0) + timedelta(days=12)
        await world.call(
            "POST",
            "registry",
            f"/api/v1/consultations/{world.consultations[mark]}/move",
            {"closes_at": closes.isoformat()},
        )


# Every GET route of every service is a surface here or says why it holds nothing classified.
def _routes(app: web.Application) -> set[str]:
    return {
        route.resource.canonical
        for route in app.router.routes()
        if route.method == "GET" and route.resource is not None
    }


def test_every_route_is_placed(make_settings: object) -> None:
    build = make_settings  # a factory: settings for each service, pointing at the test servers
    apps = {
        "registry": registry_app(build(RegistrySettings)),  # type: ignore[operator]
        "calendar": calendar_app(build(CalendarSettings)),  # type: ignore[operator]
        "notifier": notifier_app(build(NotifierSettings)),  # type: ignore[operator]
    }
    placed = {(s.service, s.route) for s in surfaces(_world_for_routes())}
    unplaced = sorted(
        f"{service} GET {route}"
        for service, app in apps.items()
        for route in _routes(app)
        if (service, route) not in placed
        and route not in WITHOUT_CLASSIFIED_DATA
        and not (service == "registry" and staff_only(route))
    )
    assert not unplaced, "place these routes in the matrix: " + ", ".join(unplaced)


def staff_only(route: str) -> bool:
    """Tell whether `route` is a page of the staff console (registry, /console/...).

    Console pages show items of every mark, to signed-in staff only: anyone else, with or
    without a bearer token, is sent to the sign-in page (test_console_pages_are_staff_only).
    """
    return route == "/console" or route.startswith("/console/")


async def test_console_pages_are_staff_only(
    aiohttp_client: Any, make_settings: Callable[..., Any]
) -> None:
    app = registry_app(make_settings(RegistrySettings, seed=True))
    client = await aiohttp_client(app)
    # A staff bearer token opens the API, never the console: that takes a signed-in session.
    bearer = "Bearer " + issue_token(TEST_SIGNER, "alice", {ROLE_SECRETARIAT})
    pages = sorted(route for route in _routes(app) if staff_only(route))
    assert len(pages) > 10
    for route in pages:
        path = re.sub(r"\{(\w+)\}", lambda m: {"ref": "MP192"}.get(m[1], "some-id"), route)
        for headers in ({}, {"Authorization": bearer}):
            response = await client.get(path, headers=headers, allow_redirects=False)
            body = await response.text()
            if route == "/console/sign-in":
                assert response.status == 200, route
                assert "MP192" not in body
                continue
            assert response.status == 303, (route, response.status)
            location = response.headers["Location"]
            assert location.startswith(("/console/sign-in?", "/console/")), (route, location)
            assert "MP192" not in body


def _world_for_routes() -> World:
    ids = {mark: f"id-{mark.value}" for mark in MARKS}
    return World(
        system=None,  # type: ignore[arg-type]
        http=None,  # type: ignore[arg-type]
        meetings=ids,
        paper_hosts=ids,
        consultations=ids,
        decisions=ids,
    )


# How each event type reaches a reader, and which kind of item in the matrix stands for it.
EVENT_KINDS: dict[EventName, frozenset[Kind]] = {
    EventName.MODIFICATION_CREATED: frozenset({Kind.MODIFICATION}),
    EventName.MODIFICATION_UPDATED: frozenset({Kind.MODIFICATION}),
    EventName.MODIFICATION_STATUS_CHANGED: frozenset({Kind.MODIFICATION, Kind.DECISION}),
    EventName.CONSULTATION_OPENED: frozenset({Kind.CONSULTATION, Kind.DEADLINE}),
    EventName.CONSULTATION_CLOSING: frozenset({Kind.CONSULTATION, Kind.DEADLINE}),
    EventName.CONSULTATION_CLOSED: frozenset({Kind.CONSULTATION, Kind.DEADLINE}),
    EventName.CONSULTATION_RECLASSIFIED: frozenset({Kind.CONSULTATION, Kind.DEADLINE}),
    EventName.DECISION_RECORDED: frozenset({Kind.DECISION, Kind.VOTE}),
    EventName.DECISION_RECLASSIFIED: frozenset({Kind.DECISION, Kind.VOTE}),
    EventName.RELEASE_SCHEDULED: frozenset({Kind.RELEASE, Kind.GO_LIVE}),
    EventName.RELEASE_UPDATED: frozenset({Kind.RELEASE, Kind.GO_LIVE}),
    EventName.RELEASE_PUBLISHED: frozenset({Kind.RELEASE, Kind.GO_LIVE}),
    EventName.CALENDAR_EVENT_CREATED: frozenset({Kind.MEETING, Kind.PAPER}),
    EventName.CALENDAR_EVENT_UPDATED: frozenset({Kind.MEETING, Kind.PAPER}),
    EventName.CALENDAR_EVENT_CANCELLED: frozenset({Kind.MEETING}),
    # The notifier's own work item names a batch, never content.
    EventName.DELIVERY_BATCH: frozenset(),
}


def test_every_event_type_is_placed() -> None:
    assert set(EVENT_KINDS) == set(EventName), "place new event types in EVENT_KINDS"
    covered = {kind for kinds in EVENT_KINDS.values() for kind in kinds}
    # Go-lives are public by nature: a release names only its White modifications.
    assert covered == set(Kind), f"kinds no event reaches: {set(Kind) - covered}"
