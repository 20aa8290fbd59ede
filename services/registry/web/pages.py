"""Server-rendered register pages in the shared look: plain HTML, White items only."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path as FilePath
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from services.registry.domain.models import Modification
from services.registry.domain.times import LONDON
from services.registry.domain.workflow import allowed_transitions
from services.registry.service.disclosure import consultation_mark, decision_mark, public_release
from services.registry.web.api_modifications import visible_modification
from services.registry.web.http import modification_query, path_ref, registry_of
from services.registry.web.schemas import ModificationListQuery
from shared.contracts.statuses import Path, Status
from shared.contracts.topics import modification_topic
from shared.errors import Problem
from shared.settings import ServiceSettings
from shared.web_templates import SITE, install_look, page_environment, read_page_query, render_page

TEMPLATES = FilePath(__file__).resolve().parent.parent / "templates"


def _london(value: datetime | None) -> str:
    return "—" if value is None else value.astimezone(LONDON).strftime("%-d %b %Y %H:%M")


def _london_date(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(LONDON).strftime("%-d %b %Y")


def _yes_no(value: bool | None) -> str:
    return "—" if value is None else ("Yes" if value else "No")


environment = page_environment(TEMPLATES)
environment.filters.update(london=_london, london_date=_london_date, yes_no=_yes_no)


def render(request: web.Request, name: str, section: str, **context: Any) -> web.Response:
    return render_page(request, environment, name, section=section, **context)


async def register_page(request: web.Request) -> web.Response:
    params = read_page_query(request, ModificationListQuery)
    try:
        # Pages are public: never above White, whatever the request carries.
        query = dataclasses.replace(modification_query(request, params), public_only=True)
    except Problem as exc:
        # A filter value the register does not know is a bad address, not bad content.
        raise Problem(400, "Bad Request", exc.detail) from exc
    registry = registry_of(request)
    page = (await registry.register.current()).page(query)
    next_url = None
    if page.next_cursor is not None:
        values = {k: v for k, v in request.query.items() if k != "cursor" and v}
        next_url = str(request.rel_url.with_query({**values, "cursor": page.next_cursor}))
    return render(
        request,
        "register.html",
        "register",
        page=page,
        filters=params,
        statuses=list(Status),
        paths=list(Path),
        releases=await registry.repos.releases.all(),
        next_url=next_url,
    )


async def _public_modification(request: web.Request) -> Modification:
    mod = await visible_modification(request, path_ref(request))
    if not mod.classification.is_public:
        raise Problem(404, "Not Found", f"No modification {mod.ref}.")
    return mod


async def modification_page(request: web.Request) -> web.Response:
    mod = await _public_modification(request)
    registry = registry_of(request)
    repos = registry.repos
    register = await registry.register.current()
    refs = [str(mod.ref), *register.aliases(str(mod.ref))]
    consultations = await repos.consultations.find(modification_refs=refs)
    decisions = await repos.decisions.of(refs)
    site = request.app[SITE]
    return render(
        request,
        "modification.html",
        "register",
        calendar_feed=f"{site.calendar}/feeds/modifications/{mod.ref}.ics",
        follow_url=f"{site.notifier}/subscribe?"
        + urlencode({"topics": modification_topic(mod.ref)}),
        mod=mod,
        allowed=allowed_transitions(mod),
        history=await repos.history.of(refs),
        consultations=[c for c in consultations if consultation_mark(register, c).is_public],
        decisions=[d for d in decisions if decision_mark(register, d).is_public],
    )


async def releases_page(request: web.Request) -> web.Response:
    registry = registry_of(request)
    register = await registry.register.current()
    releases = [public_release(register, r) for r in await registry.repos.releases.all()]
    return render(request, "releases.html", "releases", releases=releases)


async def release_page(request: web.Request) -> web.Response:
    registry = registry_of(request)
    release = await registry.repos.releases.get(request.match_info["id"])
    if release is None:
        raise Problem(404, "Not Found", f"No release {request.match_info['id']!r}.")
    register = await registry.register.current()
    release = public_release(register, release)
    named = {str(ref): register.get(str(ref)) for ref in release.modification_refs}
    return render(request, "release.html", "releases", release=release, modifications=named)


async def consultation_page(request: web.Request) -> web.Response:
    registry = registry_of(request)
    consultation = await registry.repos.consultations.get(request.match_info["id"])
    if (
        consultation is None
        or not consultation_mark(await registry.register.current(), consultation).is_public
    ):
        raise Problem(404, "Not Found", f"No consultation {request.match_info['id']!r}.")
    return render(request, "consultation.html", "register", consultation=consultation)


async def home(request: web.Request) -> web.Response:
    raise web.HTTPFound("/modifications")


def add_routes(app: web.Application, settings: ServiceSettings) -> None:
    install_look(app, settings)
    app.router.add_get("/", home)
    app.router.add_get("/modifications", register_page)
    app.router.add_get("/modifications/{ref}", modification_page)
    app.router.add_get("/releases", releases_page)
    app.router.add_get("/releases/{id}", release_page)
    app.router.add_get("/consultations/{id}", consultation_page)
