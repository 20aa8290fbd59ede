"""Build the notifier service's aiohttp application."""

from __future__ import annotations

from aiohttp import web

from services.notifier.adapters.names import notifier_indexes
from services.notifier.service.context import BatchRequested
from services.notifier.web import admin, api, pages
from services.notifier.web.errors import ERROR_MAP
from services.notifier.web.runtime import NOTIFIER, NotifierRuntime
from shared.app import JobSubscription, ServiceSpec, Subscription, create_service_app
from shared.browser import same_origin_forms
from shared.clock import Clock, system_clock
from shared.settings import NotifierSettings


def create_app(settings: NotifierSettings, clock: Clock = system_clock) -> web.Application:
    """Wire the notifier: consumers (role worker), scheduler (role scheduler), routes (api).

    `clock` is injectable so tests can run the scheduler and tokens at a chosen time.
    """
    runtime = NotifierRuntime(settings, clock)
    spec = ServiceSpec(
        name="notifier",
        indexes=notifier_indexes(),
        error_map=ERROR_MAP,
        subscriptions=[
            Subscription("events", ["registry.#", "calendar.#"], runtime.handle_event),
            JobSubscription(
                "deliveries",
                [BatchRequested.event_type],
                runtime.send,
                # A batch alone fills the SMTP pool; a second one in hand overlaps its
                # reads with the first one's sends. More would hold claims idle.
                prefetch=2,
            ),
        ],
        # Fan-outs run where events are consumed: the consumer opens them, this queues them.
        background=[("scheduler", runtime.scheduler), ("worker", runtime.fanouts)],
        on_startup=[runtime.start],
    )
    app = create_service_app(settings, spec)
    # Its pages post forms (subscribe, confirm, manage, unsubscribe): same origin only.
    app.middlewares.append(same_origin_forms(settings.public_base_url_notifier))
    app[NOTIFIER] = runtime
    app.cleanup_ctx.append(runtime.smtp_ctx)
    api.add_routes(app)
    admin.add_routes(app)
    pages.add_routes(app, settings)
    return app
