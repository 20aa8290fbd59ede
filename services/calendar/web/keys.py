"""Application keys of the calendar's resources, set once the platform has started."""

from __future__ import annotations

from aiohttp import web

from services.calendar.adapters.feed_cache import FeedCache
from services.calendar.domain.rendering import Organizer
from services.calendar.service.context import CalendarContext

CONTEXT = web.AppKey("calendar_context", CalendarContext)
FEEDS = web.AppKey("calendar_feeds", FeedCache)
ORGANIZER = web.AppKey("calendar_organizer", Organizer)
