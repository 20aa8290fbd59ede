"""Subscribe, confirm, manage, unsubscribe and erase: each one transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from pymongo.errors import DuplicateKeyError

from services.notifier.adapters.subscriptions import ConcurrentUpdate
from services.notifier.domain import subscriptions as model
from services.notifier.domain.addresses import email_hash
from services.notifier.domain.deliveries import ConfirmationRequest, DeliveryKind, new_delivery
from services.notifier.domain.errors import UsedToken
from services.notifier.domain.subscriptions import (
    DigestFrequency,
    PartyCategory,
    Subscription,
    SubscriptionRequest,
)
from services.notifier.domain.tokens import TokenPurpose, read_token
from services.notifier.service.composing import BOUNCED
from services.notifier.service.context import NotifierContext
from services.notifier.service.queueing import queue_once
from services.notifier.service.subscriber_data import erase_subscriber
from shared.contracts.topics import Topic
from shared.db import Session

ERASED = "erased"


async def _retrying(
    context: NotifierContext, work: Callable[[Session], Awaitable[Subscription]]
) -> Subscription:
    # Two requests for one address may race (insert or compare-and-set); the loser re-reads.
    for attempt in range(3):
        try:
            return await context.mongo.transaction(work)
        except (DuplicateKeyError, ConcurrentUpdate):
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def _queue_confirmation(
    context: NotifierContext, subscription: Subscription, session: Session
) -> None:
    assert subscription.confirm_nonce is not None
    delivery = new_delivery(
        DeliveryKind.CONFIRMATION,
        f"confirm:{subscription.version}",
        subscription.id,
        context.clock(),
        ConfirmationRequest(subscription.confirm_nonce, subscription.version),
    )
    await queue_once(context, delivery, session)


async def subscribe(context: NotifierContext, request: SubscriptionRequest) -> None:
    """Create or merge the subscription of an address and queue its confirmation email.

    The caller answers the same whatever happened here, so nothing reveals whether
    the address was known, confirmed or suppressed.
    """

    async def work(session: Session) -> Subscription:
        now = context.clock()
        existing = await context.subscriptions.by_email_hash(email_hash(request.email), session)
        if existing is None:
            subscription = model.new_subscription(request, now=now, feed_secret=context.secret)
            await context.subscriptions.insert(subscription, session)
        else:
            subscription = model.merge_subscription(existing, request, now=now)
            await context.subscriptions.replace(existing, subscription, session)
        reason = await context.subscriptions.suppression_reason(subscription.email_hash, session)
        if reason != BOUNCED:
            await _queue_confirmation(context, subscription, session)
        return subscription

    await _retrying(context, work)
    context.outbox.notify()


async def _change(
    context: NotifierContext,
    purpose: TokenPurpose,
    token: str,
    change: Callable[[Subscription, datetime], Subscription],
) -> Subscription:
    """Verify a link token, then apply `change` to its subscription in a transaction."""
    claims = read_token(context.secret, purpose, token, context.clock())

    async def work(session: Session) -> Subscription:
        current = await context.subscriptions.get(claims.subscription_id, session)
        if current is None:
            raise UsedToken("this link is no longer valid")
        updated = change(current, context.clock())
        if updated is not current:
            await context.subscriptions.replace(current, updated, session)
        return updated

    return await _retrying(context, work)


async def confirmable(context: NotifierContext, token: str) -> Subscription:
    """Return the subscription a confirmation link would confirm, raising as `confirm` would.

    Nothing changes: the page a link opens asks the person to press the button, because
    mail scanners follow links (GET) by themselves.
    """
    claims = read_token(context.secret, TokenPurpose.CONFIRM, token, context.clock())
    current = await context.subscriptions.get(claims.subscription_id)
    if current is None:
        raise UsedToken("this link is no longer valid")
    model.confirm(current, claims, now=context.clock())
    return current


async def confirm(context: NotifierContext, token: str) -> Subscription:
    """Apply a confirmation link (single use: the nonce is cleared)."""
    claims = read_token(context.secret, TokenPurpose.CONFIRM, token, context.clock())

    async def work(session: Session) -> Subscription:
        current = await context.subscriptions.get(claims.subscription_id, session)
        if current is None:
            raise UsedToken("this link is no longer valid")
        updated = model.confirm(current, claims, now=context.clock())
        await context.subscriptions.replace(current, updated, session)
        # Confirming again is the erased person's new consent.
        await context.subscriptions.lift_suppression(updated.email_hash, ERASED, session)
        return updated

    return await _retrying(context, work)


async def manage_view(context: NotifierContext, token: str) -> Subscription:
    """Return the subscription a manage link opens."""
    return await _change(context, TokenPurpose.MANAGE, token, lambda current, _: current)


async def update_preferences(
    context: NotifierContext,
    token: str,
    topics: frozenset[Topic],
    digest: DigestFrequency,
    party_category: PartyCategory,
) -> Subscription:
    return await _change(
        context,
        TokenPurpose.MANAGE,
        token,
        lambda current, _: model.update_preferences(
            current, topics=topics, digest=digest, party_category=party_category
        ),
    )


async def rotate_feed(context: NotifierContext, token: str) -> Subscription:
    return await _change(
        context,
        TokenPurpose.MANAGE,
        token,
        lambda current, _: model.rotate_feed_token(current, feed_secret=context.secret),
    )


async def leave(context: NotifierContext, purpose: TokenPurpose, token: str) -> Subscription:
    """Unsubscribe (idempotent: a repeated one-click POST changes nothing)."""
    return await _change(
        context, purpose, token, lambda current, now: model.unsubscribe(current, now=now)
    )


async def erase(context: NotifierContext, token: str) -> None:
    """Erase the person who holds a manage link, as an admin's erasure would."""
    claims = read_token(context.secret, TokenPurpose.MANAGE, token, context.clock())
    await erase_subscriber(context, claims.subscription_id)


async def verify_party(context: NotifierContext, subscription_id: str, verified: bool) -> bool:
    """Set whether the subscriber is a verified SEC Party (Green content); False if unknown."""
    return await context.subscriptions.set_verified_party(subscription_id, verified)
