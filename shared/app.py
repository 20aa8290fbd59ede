"""Build a service's aiohttp application: platform resources, middlewares, health and metrics."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from aiohttp import web
from pymongo import IndexModel

from shared.auth import (
    ROLE_SERVICE,
    SERVICES,
    SigningKey,
    auth_middleware,
    issue_token,
    public_keys,
    require_role,
)
from shared.browser import harden_response, hide_server_version
from shared.consumer import (
    EventHandler,
    IdempotentConsumer,
    JobHandler,
    QueueConsumer,
    processed_indexes,
)
from shared.db import Mongo, connect_mongo, ensure_indexes
from shared.errors import ErrorMap, error_middleware
from shared.http_client import ServiceClient, client_session
from shared.idempotency import idempotency_indexes, idempotency_middleware
from shared.lease import holder_id
from shared.logs import (
    CORRELATION_HEADER,
    bind_correlation_id,
    new_correlation_id,
    reset_correlation_id,
)
from shared.messaging import Broker, RetryPolicy, connect_broker
from shared.metrics import CONTENT_TYPE, Metrics
from shared.outbox import Outbox, OutboxRelay, outbox_indexes
from shared.readers.tokens import RevokedTokens
from shared.settings import ServiceSettings
from shared.topology import consumer_definition, declare_topology

log = logging.getLogger(__name__)


@dataclass
class Platform:
    """What every service gets from the platform; handed to use cases explicitly."""

    service: str
    settings: ServiceSettings
    metrics: Metrics
    mongo: Mongo
    broker: Broker
    outbox: Outbox
    http: ServiceClient
    instance: str = field(default_factory=holder_id)


PLATFORM = web.AppKey("platform", Platform)
# Each step of a service's shutdown (closing channels, connections, clients) at most.
SHUTDOWN_STEP_SECONDS = 10.0


@dataclass(frozen=True)
class Subscription:
    """A consumer whose handler runs in a transaction and is applied once per event."""

    name: str
    bindings: Sequence[str]
    handler: EventHandler


@dataclass(frozen=True)
class JobSubscription:
    """A consumer whose job runs outside a transaction and is idempotent by its own key."""

    name: str
    bindings: Sequence[str]
    job: JobHandler
    prefetch: int | None = None


@dataclass
class ServiceSpec:
    """What a service adds to the platform: indexes, consumers, background jobs, errors."""

    name: str
    indexes: dict[str, Sequence[IndexModel]] = field(default_factory=dict)
    error_map: ErrorMap = field(default_factory=dict)
    subscriptions: Sequence[Subscription | JobSubscription] = ()
    # Jobs run while the process lives, restarted after a failure; keyed by role.
    background: Sequence[tuple[str, Callable[[Platform], Awaitable[None]]]] = ()
    on_startup: Sequence[Callable[[Platform], Awaitable[None]]] = ()


async def supervise(name: str, job: Callable[[], Awaitable[None]], pause: float = 1.0) -> None:
    """Run `job` until cancelled, restarting it after a failure."""
    while True:
        try:
            await job()
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("background job %s failed; restarting in %.1fs", name, pause)
            await asyncio.sleep(pause)


@web.middleware
async def correlation_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    correlation_id = request.headers.get(CORRELATION_HEADER, "")[:64] or new_correlation_id()
    token = bind_correlation_id(correlation_id)
    try:
        response: web.StreamResponse = await handler(request)
        response.headers[CORRELATION_HEADER] = correlation_id
        return response
    finally:
        reset_correlation_id(token)


def metrics_middleware(metrics: Metrics) -> Any:
    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        started = time.perf_counter()
        # The route template, never the path: private feed tokens must not reach metrics.
        route = request.match_info.route.resource
        name = route.canonical if route is not None else "unmatched"
        status = 500
        try:
            response: web.StreamResponse = await handler(request)
            status = response.status
            return response
        finally:
            metrics.http_request(request.method, name, status).inc()
            metrics.http_latency_of(name).observe(time.perf_counter() - started)

    return middleware


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "service": request.app[PLATFORM].service})


async def readyz(request: web.Request) -> web.Response:
    platform = request.app[PLATFORM]
    checks: dict[str, str] = {}
    try:
        await platform.mongo.ping(seconds=1.5)
        checks["mongodb"] = "ok"
    except Exception as exc:
        checks["mongodb"] = f"unreachable: {type(exc).__name__}"
    checks["rabbitmq"] = "ok" if platform.broker.is_connected else "unreachable"
    ready = all(value == "ok" for value in checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    if ready:
        return web.json_response(body)
    return web.json_response(body, status=503, content_type="application/problem+json")


async def metrics_view(request: web.Request) -> web.Response:
    # Counters by route say how the service is used: for the scraper's service token
    # (`python -m shared.tokens create --subject prometheus --roles service`), not the public.
    require_role(request, ROLE_SERVICE)
    body = request.app[PLATFORM].metrics.exposition()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


async def _bounded(step: Awaitable[object], what: str) -> None:
    """Run one shutdown step for SHUTDOWN_STEP_SECONDS at most, whatever it waits on.

    A channel or connection that is reconnecting can wait forever to close (seen as a
    test teardown that never ended); a service must still stop when asked.
    """
    try:
        async with asyncio.timeout(SHUTDOWN_STEP_SECONDS):
            await step
    except TimeoutError:
        log.warning("gave up %s after %.0f s at shutdown", what, SHUTDOWN_STEP_SECONDS)
    except Exception as exc:
        log.warning("%s failed at shutdown: %r", what, exc)


def token_setup(settings: ServiceSettings, service: str) -> tuple[dict[str, Any], str]:
    """Return the public keys tokens are checked with, and this service's own token.

    In production a service holds public keys and a token minted for it; only in
    development (TOKEN_SIGNING_KEY) does it hold the key and mint its own.
    """
    keys = public_keys(settings.token_public_keys)
    signer = (
        None
        if settings.token_signing_key is None
        else SigningKey.from_pem(settings.token_signing_key.get_secret_value())
    )
    if signer is not None:
        keys.setdefault(signer.kid, signer.private.public_key())
        log.warning("%s holds the token signing key: development only", service)
    if not keys:
        raise ValueError("Set TOKEN_PUBLIC_KEYS (python -m shared.tokens keygen).")
    if settings.service_token is not None:
        return keys, settings.service_token.get_secret_value()
    if signer is None:
        raise ValueError("Set SERVICE_TOKEN (python -m shared.tokens create --service NAME).")
    others = [name for name in SERVICES if name != service] or list(SERVICES)
    return keys, issue_token(signer, service, {ROLE_SERVICE}, audience=others)


def create_service_app(
    settings: ServiceSettings, spec: ServiceSpec, metrics: Metrics | None = None
) -> web.Application:
    """Build the application; resources open on start-up and close on clean-up."""
    metrics = metrics or Metrics(spec.name)
    keys, service_token = token_setup(settings, spec.name)
    hide_server_version()
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[
            correlation_middleware,
            metrics_middleware(metrics),
            error_middleware(spec.error_map),
            auth_middleware(
                keys,
                spec.name,
                RevokedTokens(
                    lambda: app[PLATFORM].mongo, settings.token_revocation_refresh_seconds
                ),
            ),
            idempotency_middleware(spec.name, lambda app: app[PLATFORM].mongo),
        ],
    )
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_view)
    app.on_response_prepare.append(harden_response)

    async def platform_ctx(app: web.Application) -> AsyncIterator[None]:
        mongo = connect_mongo(settings.mongodb_url, settings.mongodb_db, spec.name)
        broker = await connect_broker(settings.amqp_url, spec.name)
        session = client_session()
        platform = Platform(
            service=spec.name,
            settings=settings,
            metrics=metrics,
            mongo=mongo,
            broker=broker,
            outbox=Outbox(mongo, spec.name),
            http=ServiceClient(session, service_token),
        )
        app[PLATFORM] = platform
        tasks: list[asyncio.Task[None]] = []
        consumers: list[QueueConsumer] = []
        policy = RetryPolicy(settings.consumer_max_attempts, settings.consumer_retry_base_ms)
        # Every queue of every service exists before this relay publishes anything, so an
        # event is never dropped for want of a queue (the relay declares again after a
        # return, in case an operator deleted one).
        declare = partial(declare_topology, broker.channel, policy)
        relay = OutboxRelay(
            mongo, platform.outbox, broker, settings.outbox_poll_seconds, declare=declare
        )
        try:
            for subscription in spec.subscriptions:
                consumer_definition(spec.name, subscription.name, subscription.bindings)
            await declare()
            await ensure_indexes(
                mongo,
                {
                    **outbox_indexes(spec.name),
                    **processed_indexes(spec.name),
                    **idempotency_indexes(spec.name),
                    **spec.indexes,
                },
            )
            for hook in spec.on_startup:
                await hook(platform)
            tasks.append(asyncio.create_task(supervise("outbox-relay", relay.run)))
            if "worker" in settings.roles:
                for subscription in spec.subscriptions:
                    if isinstance(subscription, JobSubscription):
                        apply = subscription.job
                        prefetch = subscription.prefetch or settings.consumer_prefetch
                    else:
                        apply = IdempotentConsumer(
                            mongo, spec.name, subscription.name, subscription.handler
                        ).apply
                        prefetch = settings.consumer_prefetch
                    consumer = QueueConsumer(
                        broker,
                        spec.name,
                        subscription.name,
                        apply,
                        subscription.bindings,
                        policy,
                        prefetch,
                        metrics,
                    )
                    await consumer.start()
                    consumers.append(consumer)
            for role, job in spec.background:
                if role in settings.roles:
                    tasks.append(
                        asyncio.create_task(supervise(job.__name__, partial(job, platform)))
                    )
            yield
        finally:
            for consumer in consumers:
                await _bounded(consumer.stop(), f"closing {consumer.queue_name}'s channel")
            for task in tasks:
                task.cancel()
            await _bounded(
                asyncio.gather(*tasks, return_exceptions=True), "stopping the background jobs"
            )
            await _bounded(relay.stop(), "releasing the relay lease")
            await _bounded(session.close(), "closing the HTTP client")
            await _bounded(broker.close(), "closing the broker connection")
            await _bounded(mongo.close(), "closing the database client")

    app.cleanup_ctx.append(platform_ctx)
    return app
