"""Build the signed links that emails and pages carry."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from services.notifier.domain.mail import Links
from services.notifier.domain.subscriptions import (
    PENDING_LIFETIME,
    Subscription,
    private_feed_token,
)
from services.notifier.domain.tokens import TOKEN_LIFETIMES, TokenPurpose, make_token
from services.notifier.service.context import NotifierContext


def _token(
    context: NotifierContext, purpose: TokenPurpose, subscription: Subscription, now: datetime
) -> str:
    return make_token(context.secret, purpose, subscription.id, now + TOKEN_LIFETIMES[purpose])


def manage_url(context: NotifierContext, subscription: Subscription, now: datetime) -> str:
    base = context.settings.public_base_url_notifier.rstrip("/")
    token = _token(context, TokenPurpose.MANAGE, subscription, now)
    return f"{base}/subscriptions/manage?token={token}"


def links_for(context: NotifierContext, subscription: Subscription, now: datetime) -> Links:
    """Return the manage and unsubscribe links of one email."""
    base = context.settings.public_base_url_notifier.rstrip("/")
    unsubscribe = _token(context, TokenPurpose.UNSUBSCRIBE, subscription, now)
    return Links(
        manage_url=manage_url(context, subscription, now),
        unsubscribe_url=f"{base}/unsubscribe?token={unsubscribe}",
        unsubscribe_mailto=(
            f"mailto:unsubscribe@{context.settings.list_id_domain}"
            f"?subject={quote('unsubscribe ' + unsubscribe)}"
        ),
    )


def confirm_expiry(subscription: Subscription) -> datetime | None:
    """Return when the current confirmation link stops working, or None if nothing waits."""
    if subscription.confirm_nonce is None:
        return None
    if subscription.pending_change is not None:
        return subscription.pending_change.requested_at + PENDING_LIFETIME
    return subscription.expires_at


def confirm_url(context: NotifierContext, subscription: Subscription, expires_at: datetime) -> str:
    assert subscription.confirm_nonce is not None
    token = make_token(
        context.secret,
        TokenPurpose.CONFIRM,
        subscription.id,
        expires_at,
        nonce=subscription.confirm_nonce,
    )
    base = context.settings.public_base_url_notifier.rstrip("/")
    return f"{base}/subscriptions/confirm?token={token}"


def private_feed_url(context: NotifierContext, subscription: Subscription) -> str:
    token = private_feed_token(subscription, feed_secret=context.secret)
    return f"{context.settings.public_base_url_calendar.rstrip('/')}/feeds/private/{token}.ics"
