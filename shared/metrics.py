"""Count requests, events and deliveries in a Prometheus registry of the service's own."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    """The service's metrics; one registry per app so that tests can run several apps."""

    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        labels = {"service": service}
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
        self._labels = labels

    def consumed(self, queue: str, outcome: str) -> None:
        self.events_consumed(queue=queue, outcome=outcome).inc()

    def count(self, operation: str, outcome: str = "ok", amount: int = 1) -> None:
        self.custom(operation=operation, outcome=outcome).inc(amount)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
