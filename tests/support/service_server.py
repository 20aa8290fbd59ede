"""A test server that listens the way run_service does: through the app's fast path, if any."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
from yarl import URL

from shared.fastpath import FastPathSite
from shared.runner import service_site


class ServiceTestServer(TestServer):
    """aiohttp's TestServer with the production site (shared.runner.service_site)."""

    site: web.BaseSite | None = None

    async def start_server(self, loop: Any = None, **kwargs: Any) -> None:
        if self.runner:
            return
        runner = await self._make_runner(handler_cancellation=True, **kwargs)
        assert isinstance(runner, web.AppRunner)
        self.runner = runner
        await runner.setup()
        self.site = site = service_site(runner, self.host, 0)
        await site.start()
        assert isinstance(site, web.TCPSite | FastPathSite)
        self.port = site.port
        self.scheme = "http"
        self._root = URL(site.name)
