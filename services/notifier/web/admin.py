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
from services.notifier.web.responses import (
    DeliveriesPage,
    DeliveryReport,
    ErasedSubscriber,
    FoundSubscribers,
    Resent,
    SubscriberExport,
)
from services.notifier.web.runtime import context_of
from shared.auth import ROLE_ADMIN, ROLE_SECRETARIAT
from shared.errors import Problem
from shared.openapi import Operations, PathParam, Reply, publish
from shared.ops.responses import admin_json
from shared.ops.service_api import ADMIN_PREFIX, add_platform_routes, who
from shared.text import CleanText
from shared.web import read_model, read_query

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


NO_DELIVERIES = "No deliveries of this event (or reminder, or digest)."
NO_SUBSCRIBER = "No such subscriber."
ADMIN = Operations("admin")
EVENT = {
    "event_id": PathParam(
        "An event's id (the CloudEvent id), a reminder's key or a digest's key.",
        "0b6f1c52-6a4e-4a8f-9d3e-2f1c7a9b8e40",
    )
}
SUBSCRIBER = {"subscription_id": PathParam("A subscription's id.", "sub-1a2b3c")}


def _not_found(what: str) -> Problem:
    return Problem(404, "Not Found", what)


@ADMIN.add(
    "GET",
    f"{ADMIN_PREFIX}/events/{{event_id}}/deliveries",
    summary="Whether an event's emails reached people: counts by outcome and every failure",
    path_params=EVENT,
    roles=(ROLE_ADMIN, ROLE_SECRETARIAT),
    replies={200: Reply("The counts, and each failed delivery with its address.", DeliveryReport)},
    problems={404: NO_DELIVERIES},
)
async def show_event_deliveries(request: web.Request) -> web.Response:
    source = request.match_info["event_id"]
    report = await delivery_report(context_of(request), source)
    if report is None:
        raise _not_found(NO_DELIVERIES)
    return admin_json(DeliveryReport, report.as_json())


@ADMIN.add(
    "POST",
    f"{ADMIN_PREFIX}/events/{{event_id}}/deliveries/resend",
    summary="Send an event's failed emails again (all, or those named)",
    description="Each goes out with the same Message-ID as before, unless its subscriber "
    "has since unsubscribed or been suppressed, or the item was reclassified.",
    body=ResendBody,
    path_params=EVENT,
    roles=(ROLE_ADMIN, ROLE_SECRETARIAT),
    replies={202: Reply("The deliveries queued again.", Resent)},
    problems={404: NO_DELIVERIES},
    example={},
)
async def resend_event_failures(request: web.Request) -> web.Response:
    source = request.match_info["event_id"]
    body = await read_model(request, ResendBody)
    only = None if body.delivery_ids is None else set(body.delivery_ids)
    resent = await resend_failed(context_of(request), source, only, who(request))
    if resent is None:
        raise _not_found(NO_DELIVERIES)
    return admin_json(Resent, {"source": source, "resent": resent}, status=202)


@ADMIN.add(
    "POST",
    f"{ADMIN_PREFIX}/subscribers/find",
    summary="Find the subscriber of an email address",
    description="The address goes in the body, so it never sits in a URL or an access log.",
    body=FindBody,
    roles=(ROLE_ADMIN,),
    replies={200: Reply("Its subscription (none or one) and its suppression.", FoundSubscribers)},
    problems={422: "Not an email address."},
    example={"email": "analyst@example.org"},
)
async def find_subscribers(request: web.Request) -> web.Response:
    body = await read_model(request, FindBody)
    found = await find_subscriber(context_of(request), body.email)
    subscription = found.subscription
    return admin_json(
        FoundSubscribers,
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
        },
    )


@ADMIN.add(
    "GET",
    f"{ADMIN_PREFIX}/subscribers/{{subscription_id}}",
    summary="Export everything held about a subscriber but their deliveries",
    path_params=SUBSCRIBER,
    roles=(ROLE_ADMIN,),
    replies={200: Reply("The subscription, suppression, digest items, counts.", SubscriberExport)},
    problems={404: NO_SUBSCRIBER},
)
async def export_subscriber_data(request: web.Request) -> web.Response:
    subscription_id = request.match_info["subscription_id"]
    exported = await export_subscriber(context_of(request), subscription_id)
    if exported is None:
        raise _not_found(NO_SUBSCRIBER)
    log.info("%s exported subscriber %s", who(request), subscription_id)
    return admin_json(SubscriberExport, exported)


@ADMIN.add(
    "GET",
    f"{ADMIN_PREFIX}/subscribers/{{subscription_id}}/deliveries",
    summary="Export a subscriber's deliveries, a page at a time",
    query=DeliveriesQuery,
    path_params=SUBSCRIBER,
    roles=(ROLE_ADMIN,),
    replies={200: Reply("A page of deliveries with their outcomes.", DeliveriesPage)},
)
async def export_subscriber_deliveries(request: web.Request) -> web.Response:
    subscription_id = request.match_info["subscription_id"]
    query = read_query(request, DeliveriesQuery)
    page, after = await export_deliveries(
        context_of(request), subscription_id, query.after, query.limit
    )
    return admin_json(DeliveriesPage, {"deliveries": page, "next": after})


@ADMIN.add(
    "POST",
    f"{ADMIN_PREFIX}/subscribers/{{subscription_id}}/erase",
    summary="Erase a subscriber (GDPR): nothing is mailed to the address again",
    description="Removes the subscription, its digest items and its count of hard failures; "
    "pseudonymises its deliveries; keeps the address's hash as a suppression until its "
    "owner subscribes and confirms anew.",
    body=EraseBody,
    path_params=SUBSCRIBER,
    roles=(ROLE_ADMIN,),
    replies={200: Reply("What the erasure removed and pseudonymised.", ErasedSubscriber)},
    problems={404: "No such subscriber (already erased?)."},
    example={"reason": "request 2026-114"},
)
async def erase_subscriber_data(request: web.Request) -> web.Response:
    subscription_id = request.match_info["subscription_id"]
    body = await read_model(request, EraseBody)
    erased = await erase_subscriber(context_of(request), subscription_id)
    if erased is None:
        raise _not_found("No such subscriber (already erased?).")
    log.info(
        "%s erased subscriber %s (%s)", who(request), subscription_id, body.reason or "no reason"
    )
    return admin_json(
        ErasedSubscriber,
        {
            "erased": erased.subscription_id,
            "deliveries_pseudonymised": erased.deliveries_pseudonymised,
            "digest_items_removed": erased.digest_items_removed,
        },
    )


def add_routes(app: web.Application) -> None:
    add_platform_routes(app)
    publish(app, ADMIN)
