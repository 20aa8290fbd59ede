"""Count requests, events and deliveries in a Prometheus registry of the service's own."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    """The service's metrics; one registry per app so that tests can run several apps."""

    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        self.http_requests = Counter(
            "http_requests_total",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        ).labels
        self.http_latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency",
            ["route"],
            registry=self.registry,
        ).labels
        self.events_consumed = Counter(
            "events_consumed_total",
            "Events taken from queues by outcome",
            ["queue", "outcome"],
            registry=self.registry,
        ).labels
        self.custom = Counter(
            "service_operations_total",
            "Domain operations by name and outcome",
            ["operation", "outcome"],
            registry=self.registry,
        ).labels
        self.fast_path_requests = Counter(
            "http_fast_path_total",
            "Requests the fast path answered from memory or handed to aiohttp",
            ["outcome"],
            registry=self.registry,
        ).labels
        # prometheus_client's .labels() validates and locks on every call (a tenth of a
        # cached feed request's time); children never change, so each is looked up once.
        # Keys are bounded like the series themselves: route templates, methods, statuses.
        self._children: dict[tuple[str, ...], Any] = {}

    def _child(self, key: tuple[str, ...], make: Any) -> Any:
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = make()
        return child

    def http_request(self, method: str, route: str, status: int) -> Any:
        """Return the counter of one (method, route template, status); never pass a path."""
        return self._child(
            ("requests", method, route, str(status)),
            lambda: self.http_requests(method=method, route=route, status=str(status)),
        )

    def http_latency_of(self, route: str) -> Any:
        return self._child(("latency", route), lambda: self.http_latency(route=route))

    def fast_path(self, outcome: str) -> Any:
        return self._child(("fast", outcome), lambda: self.fast_path_requests(outcome=outcome))

    def consumed(self, queue: str, outcome: str) -> None:
        self.events_consumed(queue=queue, outcome=outcome).inc()

    def count(self, operation: str, outcome: str = "ok", amount: int = 1) -> None:
        self.custom(operation=operation, outcome=outcome).inc(amount)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
