"""Accept SMTP transactions into the store, refusing chosen recipients on request."""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from shared.mailsink.store import MessageStore
from shared.mailsink.summary import Envelope

log = logging.getLogger(__name__)

_SPEC = re.compile(r"^(?P<code>[45]\d\d)(?:x(?P<times>\d+))?:(?P<pattern>.+)$")


@dataclass(frozen=True)
class RcptFault:
    """Reply `code` to RCPT for addresses matching the glob `pattern`.

    With `times`, only the first that many RCPTs of each matching address fail, so a
    delivery retry can be seen to succeed.
    """

    code: int
    pattern: str
    times: int | None = None

    @classmethod
    def parse(cls, spec: str) -> RcptFault:
        """Read "CODE[xTIMES]:GLOB", e.g. "550:*@bounce.example" or "451x2:*@flaky.example"."""
        match = _SPEC.match(spec.strip())
        if match is None:
            raise ValueError(f"fault {spec!r} is not CODE[xTIMES]:GLOB with CODE 4xx or 5xx")
        times = match["times"]
        return cls(int(match["code"]), match["pattern"].lower(), int(times) if times else None)

    def reply(self, address: str) -> str:
        """Return the SMTP reply line refusing address."""
        enhanced = "4.2.0" if self.code < 500 else "5.1.1"
        return f"{self.code} {enhanced} <{address}> refused by mailsink fault injection"


class SinkHandler:
    """aiosmtpd handler: every RCPT accepted unless a fault says otherwise."""

    def __init__(self, store: MessageStore, faults: list[RcptFault]) -> None:
        """Store into store; faults may be replaced at run time by tests."""
        self.store = store
        self.faults = faults
        self._refusals: Counter[tuple[RcptFault, str]] = Counter()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        """Accept address, or refuse it when a fault matches."""
        fault = self._fault_for(address)
        if fault is not None:
            return fault.reply(address)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Store the message exactly as received, with its envelope."""
        raw: bytes = envelope.original_content
        summary = await self.store.add(raw, Envelope(envelope.mail_from, list(envelope.rcpt_tos)))
        log.debug("stored %s for %s", summary.id, envelope.rcpt_tos)
        return f"250 2.0.0 Ok: queued as {summary.id}"

    def _fault_for(self, address: str) -> RcptFault | None:
        lowered = address.lower()
        for fault in self.faults:
            if not fnmatchcase(lowered, fault.pattern):
                continue
            if fault.times is None:
                return fault
            key = (fault, lowered)
            if self._refusals[key] < fault.times:
                self._refusals[key] += 1
                return fault
        return None
