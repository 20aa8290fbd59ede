"""Admin JSON endpoints: rebuild the feeds, and the platform's outbox and dead letters."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict

from services.calendar.service.rebuilding import rebuild_feeds
from services.calendar.web.keys import CONTEXT, FEEDS
from shared.auth import ROLE_ADMIN
from shared.openapi import Operations, Reply, publish
from shared.ops.responses import admin_json
from shared.ops.service_api import ADMIN_PREFIX, add_platform_routes, who
from shared.web import read_model

FEEDS_ADMIN = Operations("admin")


class RebuildBody(BaseModel):
    """No options yet: every feed is rebuilt. An object, so options can come later."""

    model_config = ConfigDict(extra="forbid", strict=True)


class FeedsRebuilt(BaseModel):
    """What a rebuild read and rendered."""

    model_config = ConfigDict(extra="forbid")

    entries: int
    version: int
    # The public feeds' paths, and "private" once per subscriber topic set.
    feeds: list[str]


@FEEDS_ADMIN.add(
    "POST",
    f"{ADMIN_PREFIX}/feeds/rebuild",
    summary="Rebuild every feed from the stored entries",
    description="Records a change of every entry (a new feed version, so every replica "
    "reads them all again), then renders every public feed and each private topic set "
    "this process held. Other replicas render on their next request.",
    body=RebuildBody,
    roles=(ROLE_ADMIN,),
    replies={200: Reply("The entries read, the new feed version, the feeds.", FeedsRebuilt)},
    example={},
)
async def rebuild_all_feeds(request: web.Request) -> web.Response:
    await read_model(request, RebuildBody)
    rebuilt = await rebuild_feeds(request.app[CONTEXT], request.app[FEEDS], who(request))
    return admin_json(
        FeedsRebuilt,
        {"entries": rebuilt.entries, "version": rebuilt.version, "feeds": rebuilt.feeds},
    )


def add_routes(app: web.Application) -> None:
    add_platform_routes(app)
    publish(app, FEEDS_ADMIN)
