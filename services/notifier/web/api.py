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
from services.notifier.web.models import SubscribeBody, VerifyPartyBody
from services.notifier.web.runtime import context_of
from shared.auth import ROLE_ADMIN, ROLE_SECRETARIAT, requires
from shared.errors import Problem
from shared.web import json_response, read_model

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


async def create_subscription(request: web.Request) -> web.Response:
    body = await read_model(request, SubscribeBody)
    subscription_request = body.to_request()  # domain validation before anything is written
    context = context_of(request)
    await check_rate(
        context, client_address(request, context.settings.trusted_proxies), subscription_request
    )
    await subscribing.subscribe(context, subscription_request)
    return json_response(ACCEPTED, status=202)


@requires(ROLE_ADMIN, ROLE_SECRETARIAT)
async def verify_party(request: web.Request) -> web.Response:
    body = await read_model(request, VerifyPartyBody)
    subscription_id = request.match_info["subscription_id"]
    if not await subscribing.verify_party(context_of(request), subscription_id, body.verified):
        raise Problem(404, "Not Found", "No such subscription.")
    return json_response({"id": subscription_id, "verified_party": body.verified})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/subscriptions", create_subscription)
    app.router.add_post("/api/v1/subscriptions/{subscription_id}/verify-party", verify_party)
