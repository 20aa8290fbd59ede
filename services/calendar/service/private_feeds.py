"""Resolve a private feed token to the subscriber's FeedSpec through shared/readers."""

from __future__ import annotations

import logging

from services.calendar.domain.errors import UnknownFeed
from services.calendar.domain.feeds import FeedSpec
from shared.contracts.subscribers import feed_token_hash
from shared.contracts.topics import UnknownTopic, parse_topic
from shared.db import Mongo
from shared.readers.subscribers import find_feed_subscriber

log = logging.getLogger(__name__)


async def private_feed_spec(mongo: Mongo, token: str) -> FeedSpec:
    """Return what the token's subscriber sees, or raise UnknownFeed (404) for any other token.

    Every token, forged or real, takes the same path: hash it, then one indexed
    equality lookup; the token itself is never compared, stored or logged.
    """
    subscriber = await find_feed_subscriber(mongo, feed_token_hash(token))
    if subscriber is None or not subscriber.is_active:
        raise UnknownFeed("no such feed")
    topics = [topic for topic in sorted(subscriber.topics) if _known(topic)]
    return FeedSpec.private(topics, include_green=subscriber.verified_party)


def _known(topic: str) -> bool:
    # A topic the calendar cannot show (a newer notifier vocabulary) selects nothing,
    # rather than making the subscriber's whole feed disappear.
    try:
        parse_topic(topic)
    except UnknownTopic:
        log.warning("private feed: ignoring topic %r", topic)
        return False
    return True
