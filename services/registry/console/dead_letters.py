"""Console screens of dead letters (admin only): each queue's, one in full, replay, drop.

Every consumer queue (shared/topology.py) belongs to one service, whose admin API
(shared/ops/service_api.py, docs/operations.md) is called as the signed-in admin: the
same use cases as `sec-ops dead-letters`, never a second reading of the broker here.
"""

from __future__ import annotations

import json
from typing import Any, Final
from urllib.parse import quote, urlencode

from aiohttp import web

from services.registry.console.calls import CONSOLE_CALLS
from services.registry.console.forms import Form
from services.registry.console.rendering import page, see_other
from shared.auth import ROLE_ADMIN
from shared.errors import Problem
from shared.staff.web import FORM, STAFF_AUTH, staff_page
from shared.topology import CONSUMER_QUEUES

API: Final = "/api/v1/admin/dead-letters"
LISTED: Final = 100
OWNER: Final = {queue.name: queue.service for queue in CONSUMER_QUEUES}


def _queue(request: web.Request) -> str:
    queue = request.match_info["queue"]
    if queue not in OWNER:
        raise Problem(404, "Not Found", f"No consumer queue {queue[:100]!r}.")
    return queue


def _letter_path(queue: str, letter_id: str) -> str:
    return f"{API}/{quote(queue, safe='')}/{quote(letter_id, safe='')}"


def _list_url(request: web.Request, **notice: str) -> str:
    return f"{request.app[STAFF_AUTH].path}/dead-letters?{urlencode(notice)}"


@staff_page(ROLE_ADMIN)
async def list_page(request: web.Request) -> web.StreamResponse:
    calls = request.app[CONSOLE_CALLS]
    listings = []
    for queue, service in OWNER.items():
        # One service down must not hide the others' letters: it is shown as unreachable.
        try:
            answer = await calls.call(request, service, "GET", f"{API}/{queue}?limit={LISTED}")
        except Problem as exc:
            listings.append({"service": service, "queue": queue, "unreachable": exc.detail})
            continue
        listings.append({"service": service, "unreachable": None, **answer.json()})
    notice = {key: request.query.get(key, "")[:200] for key in ("replayed", "dropped", "queue")}
    return page(request, "dead_letters.html", listings=listings, notice=notice)


async def _letter(request: web.Request, queue: str) -> dict[str, Any]:
    letter_id = request.match_info["id"]
    answer = await request.app[CONSOLE_CALLS].call(
        request, OWNER[queue], "GET", _letter_path(queue, letter_id)
    )
    if answer.status != 200:
        raise Problem(404, "Not Found", f"No dead letter {letter_id[:100]!r} in {queue}.dlq.")
    letter: dict[str, Any] = answer.json()
    return letter


def _detail(
    request: web.Request, letter: dict[str, Any], drop: Form[Any], status: int = 200
) -> web.Response:
    payload = letter["payload"]
    shown = (
        json.dumps(payload, indent=2, ensure_ascii=False)
        if letter["payload_encoding"] == "json"
        else str(payload)
    )
    return page(
        request,
        "dead_letter.html",
        status=status,
        letter=letter,
        headers=json.dumps(letter["headers"], indent=2, ensure_ascii=False, default=str),
        payload=shown,
        drop=drop,
        problem_form=drop if drop.errors else None,
    )


@staff_page(ROLE_ADMIN)
async def detail_page(request: web.Request) -> web.StreamResponse:
    letter = await _letter(request, _queue(request))
    return _detail(request, letter, Form({"confirm": ""}, prefix="drop-"))


async def _act(request: web.Request, queue: str, verb: str) -> list[str]:
    """Replay or drop the letter named in the path; return the ids it was done to."""
    answer = await request.app[CONSOLE_CALLS].call(
        request,
        OWNER[queue],
        "POST",
        f"{API}/{quote(queue, safe='')}/{verb}",
        json_body={"ids": [request.match_info["id"]]},
    )
    done: list[str] = answer.json()[{"replay": "replayed", "drop": "dropped"}[verb]]
    return done


@staff_page(ROLE_ADMIN)
async def replay(request: web.Request) -> web.StreamResponse:
    queue = _queue(request)
    done = await _act(request, queue, "replay")
    return see_other(_list_url(request, replayed=" ".join(done) or "none", queue=queue))


@staff_page(ROLE_ADMIN)
async def drop(request: web.Request) -> web.StreamResponse:
    queue = _queue(request)
    form: Form[Any] = Form({"confirm": str(request[FORM].get("confirm", ""))}, prefix="drop-")
    if not form.values["confirm"]:
        form.fail("confirm", "Tick this to confirm: a dropped message is gone for good.")
        return _detail(request, await _letter(request, queue), form, status=422)
    done = await _act(request, queue, "drop")
    return see_other(_list_url(request, dropped=" ".join(done) or "none", queue=queue))


def add_routes(app: web.Application, console: str) -> None:
    base = f"{console}/dead-letters"
    app.router.add_get(base, list_page)
    app.router.add_get(f"{base}/{{queue}}/{{id}}", detail_page)
    app.router.add_post(f"{base}/{{queue}}/{{id}}/replay", replay)
    app.router.add_post(f"{base}/{{queue}}/{{id}}/drop", drop)
