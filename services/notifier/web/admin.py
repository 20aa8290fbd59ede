"""Admin JSON endpoints: deliveries of an event, subscribers (find, export, erase), and the
platform's outbox and dead letters. `python -m shared.ops` and the staff console call them."""

from __future__ import annotations

import logging

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from services.notifier.service.outcomes import delivery_report, resend_failed
from services.notifier.service.subscriber_data import (
    erase_subscriber,
    export_deliveries,
    export_subscriber,
    find_subscriber,
)
from services.notifier.web.runtime import context_of
from shared.auth import ROLE_ADMIN, ROLE_SECRETARIAT, requires
from shared.errors import Problem
from shared.ops.service_api import ADMIN_PREFIX, add_platform_routes, who
from shared.text import CleanText
from shared.web import json_response, read_model, read_query

log = logging.getLogger(__name__)

Id = CleanText


class ResendBody(BaseModel):
    """Which failed deliveries to send again; all of the event's when absent."""

    model_config = ConfigDict(extra="forbid", strict=True)

    delivery_ids: list[Id] | None = Field(None, min_length=1, max_length=1000)


class FindBody(BaseModel):
    """The address to look up: in a body, so it stays out of URLs and access logs."""

    model_config = ConfigDict(extra="forbid", strict=True)

    email: CleanText = Field(max_length=320)


class EraseBody(BaseModel):
    """Why the subscriber is erased (a request reference), for the log; optional."""

    model_config = ConfigDict(extra="forbid", strict=True)

    reason: CleanText | None = Field(None, max_length=300)


class DeliveriesQuery(BaseModel):
    """A page of a subscriber's deliveries: after the last id of the previous page."""

    model_config = ConfigDict(extra="forbid")

    after: CleanText | None = Field(None, max_length=64)
    limit: int = Field(500, ge=1, le=1000)


def _not_found(what: str) -> Problem:
    return Problem(404, "Not Found", what)


@requires(ROLE_SECRETARIAT)
async def deliveries_view(request: web.Request) -> web.Response:
    source = request.match_info["event_id"]
    report = await delivery_report(context_of(request), source)
    if report is None:
        raise _not_found("No deliveries of this event (or reminder, or digest).")
    return json_response(report.as_json())


@requires(ROLE_SECRETARIAT)
async def resend_view(request: web.Request) -> web.Response:
    source = request.match_info["event_id"]
    body = await read_model(request, ResendBody)
    only = None if body.delivery_ids is None else set(body.delivery_ids)
    resent = await resend_failed(context_of(request), source, only, who(request))
    if resent is None:
        raise _not_found("No deliveries of this event (or reminder, or digest).")
    return json_response({"source": source, "resent": resent}, status=202)


@requires(ROLE_ADMIN)
async def find_view(request: web.Request) -> web.Response:
    body = await read_model(request, FindBody)
    found = await find_subscriber(context_of(request), body.email)
    subscription = found.subscription
    return json_response(
        {
            "email": found.email,
            "suppressed": found.suppressed,
            "subscribers": []
            if subscription is None
            else [
                {
                    "id": subscription.id,
                    "status": subscription.status.value,
                    "topics": sorted(subscription.topics),
                    "digest": subscription.digest.value,
                    "created_at": subscription.created_at,
                }
            ],
        }
    )


@requires(ROLE_ADMIN)
async def export_view(request: web.Request) -> web.Response:
    subscription_id = request.match_info["subscription_id"]
    exported = await export_subscriber(context_of(request), subscription_id)
    if exported is None:
        raise _not_found("No such subscriber.")
    log.info("%s exported subscriber %s", who(request), subscription_id)
    return json_response(exported)


@requires(ROLE_ADMIN)
async def export_deliveries_view(request: web.Request) -> web.Response:
    subscription_id = request.match_info["subscription_id"]
    query = read_query(request, DeliveriesQuery)
    page, after = await export_deliveries(
        context_of(request), subscription_id, query.after, query.limit
    )
    return json_response({"deliveries": page, "next": after})


@requires(ROLE_ADMIN)
async def erase_view(request: web.Request) -> web.Response:
    subscription_id = request.match_info["subscription_id"]
    body = await read_model(request, EraseBody)
    erased = await erase_subscriber(context_of(request), subscription_id)
    if erased is None:
        raise _not_found("No such subscriber (already erased?).")
    log.info(
        "%s erased subscriber %s (%s)", who(request), subscription_id, body.reason or "no reason"
    )
    return json_response(
        {
            "erased": erased.subscription_id,
            "deliveries_pseudonymised": erased.deliveries_pseudonymised,
            "digest_items_removed": erased.digest_items_removed,
        }
    )


def add_routes(app: web.Application) -> None:
    add_platform_routes(app)
    router = app.router
    events = f"{ADMIN_PREFIX}/events/{{event_id}}/deliveries"
    router.add_get(events, deliveries_view)
    router.add_post(f"{events}/resend", resend_view)
    subscribers = f"{ADMIN_PREFIX}/subscribers"
    router.add_post(f"{subscribers}/find", find_view)
    router.add_get(f"{subscribers}/{{subscription_id}}", export_view)
    router.add_get(f"{subscribers}/{{subscription_id}}/deliveries", export_deliveries_view)
    router.add_post(f"{subscribers}/{{subscription_id}}/erase", erase_view)
