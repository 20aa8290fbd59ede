"""Console screens of subscribers (admin only): find by address, what is held, export, erase.

Personal data the notifier owns: every step is its admin API (docs/operations.md,
decision 0048) called as the signed-in admin, who is then named in its log. The address
travels in a POST body, never in a URL, as the API asks.
"""

from __future__ import annotations

import json
from typing import Any, Final
from urllib.parse import quote

from aiohttp import web

from services.registry.console.calls import CONSOLE_CALLS, show_refusal
from services.registry.console.forms import Form
from services.registry.console.rendering import invalid, page
from shared.auth import ROLE_ADMIN
from shared.errors import Problem
from shared.ops.export import every_delivery, export_document
from shared.staff.web import FORM, staff_page

API: Final = "/api/v1/admin/subscribers"
SHOWN_DELIVERIES: Final = 100  # on the page; the download holds them all
EXPORT_PAGE: Final = 500


def _subscriber_path(request: web.Request, suffix: str = "") -> str:
    return f"{API}/{quote(request.match_info['id'], safe='')}{suffix}"


async def _held(request: web.Request) -> dict[str, Any]:
    """Return the export of the subscriber named in the path, but its deliveries."""
    answer = await request.app[CONSOLE_CALLS].call(
        request, "notifier", "GET", _subscriber_path(request)
    )
    if answer.status != 200:
        raise Problem(404, "Not Found", "No such subscriber (erased already?).")
    held: dict[str, Any] = answer.json()
    return held


async def _deliveries(request: web.Request, limit: int, after: str | None = None) -> Any:
    query = f"?limit={limit}" + (f"&after={quote(after, safe='')}" if after else "")
    answer = await request.app[CONSOLE_CALLS].call(
        request, "notifier", "GET", _subscriber_path(request, f"/deliveries{query}")
    )
    return answer.json()


@staff_page(ROLE_ADMIN)
async def find_page(request: web.Request) -> web.StreamResponse:
    return page(request, "subscribers.html", form=Form({"email": ""}), found=None, erased=None)


@staff_page(ROLE_ADMIN)
async def find(request: web.Request) -> web.StreamResponse:
    form: Form[Any] = Form({"email": str(request[FORM].get("email", "")).strip()})
    if not form.values["email"]:
        form.fail("email", "Enter the address to look up.")
        return invalid(request, "subscribers.html", form, found=None, erased=None)
    answer = await request.app[CONSOLE_CALLS].call(
        request, "notifier", "POST", f"{API}/find", json_body=form.values
    )
    if answer.status != 200:
        show_refusal(form, answer, unnamed="email")
        return invalid(request, "subscribers.html", form, found=None, erased=None)
    return page(request, "subscribers.html", form=form, found=answer.json(), erased=None)


def _detail(
    request: web.Request, held: dict[str, Any], shown: Any, erase: Form[Any], status: int = 200
) -> web.Response:
    return page(
        request,
        "subscriber.html",
        status=status,
        held=held,
        deliveries=shown["deliveries"],
        erase=erase,
        problem_form=erase if erase.errors else None,
    )


@staff_page(ROLE_ADMIN)
async def detail_page(request: web.Request) -> web.StreamResponse:
    held = await _held(request)
    shown = await _deliveries(request, SHOWN_DELIVERIES)
    return _detail(request, held, shown, Form({"reason": "", "confirm": ""}, prefix="erase-"))


@staff_page(ROLE_ADMIN)
async def export(request: web.Request) -> web.StreamResponse:
    """Download everything held, as `sec-ops subscribers export` writes it."""
    held = await _held(request)
    deliveries = await every_delivery(lambda after: _deliveries(request, EXPORT_PAGE, after))
    document = export_document(held, deliveries)
    name = f"subscriber-{held['subscription']['id']}.json"
    return web.Response(
        text=json.dumps(document, indent=2, ensure_ascii=False),
        content_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{quote(name)}"',
            "Cache-Control": "no-store",
        },
    )


@staff_page(ROLE_ADMIN)
async def erase(request: web.Request) -> web.StreamResponse:
    posted = request[FORM]
    form: Form[Any] = Form(
        {name: str(posted.get(name, "")).strip() for name in ("reason", "confirm")},
        prefix="erase-",
    )
    if not form.values["reason"]:
        form.fail("reason", "Say why (e.g. the request's reference): it goes to the log.")
    if not form.values["confirm"]:
        form.fail("confirm", "Tick this to confirm: an erasure cannot be undone.")
    if form.errors:
        held = await _held(request)
        shown = await _deliveries(request, SHOWN_DELIVERIES)
        return _detail(request, held, shown, form, status=422)
    answer = await request.app[CONSOLE_CALLS].call(
        request,
        "notifier",
        "POST",
        _subscriber_path(request, "/erase"),
        json_body={"reason": form.values["reason"]},
    )
    if answer.status == 404:
        raise Problem(404, "Not Found", "No such subscriber (erased already?).")
    if answer.status != 200:
        show_refusal(form, answer, unnamed="reason")
        held = await _held(request)
        shown = await _deliveries(request, SHOWN_DELIVERIES)
        return _detail(request, held, shown, form, status=422)
    return page(
        request, "subscribers.html", form=Form({"email": ""}), found=None, erased=answer.json()
    )


def add_routes(app: web.Application, console: str) -> None:
    base = f"{console}/subscribers"
    app.router.add_get(base, find_page)
    app.router.add_post(f"{base}/find", find)
    app.router.add_get(f"{base}/{{id}}", detail_page)
    app.router.add_get(f"{base}/{{id}}/export.json", export)
    app.router.add_post(f"{base}/{{id}}/erase", erase)
