"""Load the demonstration set through the running services' public APIs (make run, SEED=demo).

The set is dated relative to today and each item is marked "[Demo]". It goes through the
same HTTP APIs and use cases as real data, so its events flow: the demo subscriber gets
the alerts in the mail sink. Ids are derived from dates, so a second run the same week
finds everything there (409) and changes nothing (docs/decisions/demo-seed.md).
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

DEMO_PREFIX = "[Demo] "
# Answers that mean "an earlier run already did this": skipped without a word.
ALREADY = frozenset({409})
CONFIRM_LINK = re.compile(r"/subscriptions/confirm\?token=([A-Za-z0-9._-]+)")


@dataclass(frozen=True, slots=True)
class DemoCall:
    """One request of the demonstration set, sent to a service's public API."""

    service: str  # registry, calendar or notifier
    method: str
    path: str
    body: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class DemoReport:
    created: int = 0
    already: int = 0
    failed: list[str] = field(default_factory=list)


def _send(url: str, method: str, body: Mapping[str, Any] | None, token: str | None) -> int:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - our own URLs
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the dev sink
        return json.load(response)


def send_calls(
    calls: list[DemoCall], urls: Mapping[str, str], token: str, report: DemoReport
) -> None:
    """Send each call in order; a 409 is an earlier run's work, anything else >= 400 fails."""
    for call in calls:
        status = _send(f"{urls[call.service]}{call.path}", call.method, call.body, token)
        if status in ALREADY:
            report.already += 1
        elif status >= 400:
            report.failed.append(f"{call.method} {call.service}{call.path}: {status}")
        else:
            report.created += 1


def confirm_from_sink(
    sink_url: str, notifier_url: str, address: str, say: Callable[[str], None], seconds: float = 30
) -> bool:
    """Follow the confirmation link the sink received for `address`, as its reader would."""
    deadline = time.monotonic() + seconds
    query = urlencode({"query": f"to:{address}"})
    while time.monotonic() < deadline:
        for message in _get_json(f"{sink_url}/api/v1/search?{query}")["messages"]:
            text = _get_json(f"{sink_url}/api/v1/message/{quote(message['ID'])}")["Text"]
            found = CONFIRM_LINK.search(text)
            if found is None:
                continue
            url = f"{notifier_url}/subscriptions/confirm?token={found.group(1)}"
            status = _send(url, "POST", None, None)
            # 410: confirmed by an earlier run, whose link is used up.
            return status in {200, 410}
        time.sleep(0.5)
    say(f"demo: no confirmation mail for {address} arrived within {seconds:.0f}s")
    return False


def load_demo(
    subscriber: tuple[str, list[DemoCall]],
    then: list[DemoCall],
    urls: Mapping[str, str],
    token: str,
    sink_url: str | None,
    say: Callable[[str], None],
) -> DemoReport:
    """Subscribe and confirm the demo subscriber first, so the rest reaches their inbox
    (nothing is sent about what happened before a confirmation), then send `then`."""
    address, subscribe = subscriber
    report = DemoReport()
    send_calls(subscribe, urls, token, report)
    if sink_url is not None:
        confirm_from_sink(sink_url, urls["notifier"], address, say)
    send_calls(then, urls, token, report)
    return report
