"""Admin JSON endpoints: rebuild the feeds, and the platform's outbox and dead letters."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict

from services.calendar.service.rebuilding import rebuild_feeds
from services.calendar.web.keys import CONTEXT, FEEDS
from shared.auth import ROLE_ADMIN, requires
from shared.ops.service_api import ADMIN_PREFIX, add_platform_routes, who
from shared.web import json_response, read_model


class RebuildBody(BaseModel):
    """No options yet: every feed is rebuilt. An object, so options can come later."""

    model_config = ConfigDict(extra="forbid", strict=True)


@requires(ROLE_ADMIN)
async def rebuild_view(request: web.Request) -> web.Response:
    await read_model(request, RebuildBody)
    rebuilt = await rebuild_feeds(request.app[CONTEXT], request.app[FEEDS], who(request))
    return json_response(
        {"entries": rebuilt.entries, "version": rebuilt.version, "feeds": rebuilt.feeds}
    )


def add_routes(app: web.Application) -> None:
    add_platform_routes(app)
    app.router.add_post(f"{ADMIN_PREFIX}/feeds/rebuild", rebuild_view)
