"""JSON endpoints: subscribe, and the admin's verify-party."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from aiohttp import web

from services.notifier.adapters.rate_limits import Limit
from services.notifier.domain.addresses import email_hash
from services.notifier.domain.subscriptions import SubscriptionRequest
from services.notifier.service import subscribing
from services.notifier.service.context import NotifierContext
from services.notifier.web.models import SubscribeBody, VerifyPartyBody
from services.notifier.web.runtime import context_of
from shared.auth import ROLE_ADMIN, ROLE_SECRETARIAT, requires
from shared.errors import Problem
from shared.web import json_response, read_model

PER_CLIENT: Final = Limit("client", 20, timedelta(hours=1))
PER_ADDRESS: Final = Limit("address", 3, timedelta(hours=1))
PER_ADDRESS_DAY: Final = Limit("address-day", 6, timedelta(days=1))

ACCEPTED: Final = {
    "status": "accepted",
    "detail": "If this address can receive email, a message with a confirmation link is on "
    "its way. Nothing is sent to it until the link is followed.",
}


async def check_rate(context: NotifierContext, client: str, request: SubscriptionRequest) -> None:
    """Raise 429 when the client or the target address has asked too often."""
    now = context.clock()
    address = email_hash(request.email)
    for limit, key in ((PER_CLIENT, client), (PER_ADDRESS, address), (PER_ADDRESS_DAY, address)):
        retry_after = await context.rate_limiter.hit(limit, key, now)
        if retry_after is not None:
            raise Problem(
                429,
                "Too Many Requests",
                "Too many subscribe requests; try again later.",
                headers={"Retry-After": str(retry_after)},
                extensions={"retry_after": retry_after},
            )


def client_address(request: web.Request) -> str:
    # The platform runs behind its own ingress; without a trusted proxy header the peer counts.
    return request.remote or "unknown"


async def create_subscription(request: web.Request) -> web.Response:
    body = await read_model(request, SubscribeBody)
    subscription_request = body.to_request()  # domain validation before anything is written
    context = context_of(request)
    await check_rate(context, client_address(request), subscription_request)
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
