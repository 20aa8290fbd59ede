"""JSON endpoints: subscribe, and the admin's verify-party."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from ipaddress import ip_address, ip_network
from typing import Final

from aiohttp import web

from services.notifier.adapters.rate_limits import Limit
from services.notifier.domain.addresses import mailbox_key
from services.notifier.domain.subscriptions import SubscriptionRequest
from services.notifier.service import subscribing
from services.notifier.service.context import NotifierContext
from services.notifier.web.models import (
    SubscribeAccepted,
    SubscribeBody,
    VerifiedParty,
    VerifyPartyBody,
)
from services.notifier.web.runtime import context_of
from shared.auth import ROLE_ADMIN, ROLE_SECRETARIAT
from shared.errors import Problem
from shared.openapi import Operations, PathParam, Reply, publish
from shared.web import json_response, read_model

SUBSCRIPTIONS = Operations("subscriptions")

ACCEPTED: Final = {
    "status": "accepted",
    "detail": "If this address can receive email, a message with a confirmation link is on "
    "its way. Nothing is sent to it until the link is followed.",
}


async def check_rate(context: NotifierContext, client: str, request: SubscriptionRequest) -> None:
    """Raise 429, saying when to try again, when the client or the mailbox asked too often.

    The limited request changes nothing: the last confirmation link sent to the mailbox
    stays valid, so its owner can always subscribe from it, whoever else asked since.
    """
    settings = context.settings
    now = context.clock()
    mailbox = mailbox_key(request.email)
    limits = (
        (Limit("client", settings.subscribe_limit_per_client, timedelta(hours=1)), client),
        (Limit("address", settings.subscribe_limit_per_mailbox, timedelta(hours=1)), mailbox),
        (
            Limit("address-day", settings.subscribe_limit_per_mailbox_day, timedelta(days=1)),
            mailbox,
        ),
    )
    for limit, key in limits:
        retry_after = await context.rate_limiter.hit(limit, key, now)
        if retry_after is not None:
            raise Problem(
                429,
                "Too Many Requests",
                f"Too many subscribe requests; try again in {_wait(retry_after)}. A "
                "confirmation link already sent to this address still works.",
                headers={"Retry-After": str(retry_after)},
                extensions={"retry_after": retry_after},
            )


def _wait(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return (
        f"{minutes} minute{'s' if minutes != 1 else ''}"
        if minutes < 120
        else (f"{-(-minutes // 60)} hours")
    )


def client_address(request: web.Request, trusted: Sequence[str]) -> str:
    """Return the client's address: the socket peer, or what trusted proxies say it was.

    X-Forwarded-For is read right to left, skipping the trusted proxies that appended
    to it; the first address that is not one of them is the client. Anyone else's
    X-Forwarded-For is ignored: it would let a client pick its own rate-limit key.
    """
    networks = [ip_network(entry, strict=False) for entry in trusted]

    def is_trusted(address: str) -> bool:
        try:
            return any(ip_address(address) in network for network in networks)
        except ValueError:
            return False

    peer = request.remote or "unknown"
    if not is_trusted(peer):
        return peer
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not is_trusted(hop):
            return hop
    return peer


@SUBSCRIPTIONS.add(
    "POST",
    "/api/v1/subscriptions",
    summary="Ask for email alerts: a confirmation link is sent, nothing else until it is used",
    description="Topics: all, committee:<slug>, type:<entry type>, consultations, releases, "
    "draft-proposals, modification:<REF>. The answer is the same whether or not the "
    "address is known, so it reveals nothing.",
    body=SubscribeBody,
    replies={202: Reply("Accepted; the confirmation email is on its way.", SubscribeAccepted)},
    problems={
        422: "An address that cannot receive mail, or an unknown topic.",
        429: "Too many requests from this client or for this address (Retry-After).",
    },
    example={"email": "analyst@example.org", "topics": ["committee:sec-panel"], "digest": "weekly"},
)
async def create_subscription(request: web.Request) -> web.Response:
    body = await read_model(request, SubscribeBody)
    subscription_request = body.to_request()  # domain validation before anything is written
    context = context_of(request)
    await check_rate(
        context, client_address(request, context.settings.trusted_proxies), subscription_request
    )
    await subscribing.subscribe(context, subscription_request)
    return json_response(ACCEPTED, status=202)


@SUBSCRIPTIONS.add(
    "POST",
    "/api/v1/subscriptions/{subscription_id}/verify-party",
    summary="Mark a subscriber as a verified SEC Party (it may then receive Green items)",
    body=VerifyPartyBody,
    path_params={"subscription_id": PathParam("A subscription's id.", "sub-1a2b3c")},
    roles=(ROLE_ADMIN, ROLE_SECRETARIAT),
    replies={200: Reply("The subscriber's new standing.", VerifiedParty)},
    problems={404: "No such subscription."},
    example={"verified": True},
)
async def verify_party(request: web.Request) -> web.Response:
    body = await read_model(request, VerifyPartyBody)
    subscription_id = request.match_info["subscription_id"]
    if not await subscribing.verify_party(context_of(request), subscription_id, body.verified):
        raise Problem(404, "Not Found", "No such subscription.")
    return json_response({"id": subscription_id, "verified_party": body.verified})


def add_routes(app: web.Application) -> None:
    publish(app, SUBSCRIPTIONS)
