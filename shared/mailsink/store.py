"""Keep every accepted message as one .eml file and index the lot in memory."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import secrets
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from shared.mailsink.summary import Body, Envelope, Summary, parse_body, summarise

# The envelope is not part of the .eml bytes (raw must stay exactly what was sent), so it
# goes to one append-only log keyed by message id; rewritten compactly at start-up.
ENVELOPES = "envelopes.jsonl"
SUFFIX = ".eml"


class MessageStore:
    """Messages on disk, newest last in an insertion-ordered dict for O(1) adds."""

    def __init__(self, directory: Path) -> None:
        """Remember where messages live; call load() before use."""
        self.directory = directory
        self._index: dict[str, Summary] = {}
        self._unread = 0
        self._last_ns = 0

    async def load(self) -> None:
        """Rebuild the index from the directory, oldest first."""
        self.directory.mkdir(parents=True, exist_ok=True)
        summaries = await asyncio.to_thread(self._scan)
        self._index = {s.id: s for s in summaries}
        self._unread = len(self._index)

    def __len__(self) -> int:
        """Return how many messages are stored."""
        return len(self._index)

    @property
    def unread(self) -> int:
        """Return how many messages nobody has opened through the API."""
        return self._unread

    async def add(self, raw: bytes, envelope: Envelope) -> Summary:
        """Write raw to its own file (atomically) and index it."""
        message_id = self._new_id()
        created = datetime.fromtimestamp(_ns_of(message_id) / 1e9, UTC)
        summary = summarise(message_id, created, raw, envelope)
        line = json.dumps({"ID": message_id, **envelope.to_json()}) + "\n"
        # A thread keeps a slow disk from stalling every SMTP and HTTP connection; no fsync
        # because a test sink trades crash durability for throughput.
        await asyncio.to_thread(self._write, message_id, raw, line.encode())
        self._index[message_id] = summary
        self._unread += 1
        return summary

    def get(self, message_id: str) -> Summary | None:
        """Return the summary of one message, "latest" meaning the newest."""
        if message_id == "latest":
            return next(reversed(self._index.values()), None)
        return self._index.get(message_id)

    def newest_first(self, start: int, limit: int) -> list[Summary]:
        """Return one page of summaries, newest first, touching only that page."""
        return list(itertools.islice(reversed(self._index.values()), start, start + limit))

    def search(self, terms: list[tuple[str, str]]) -> list[Summary]:
        """Return every summary matching all terms, newest first."""
        return [s for s in reversed(self._index.values()) if s.matches(terms)]

    def raw(self, summary: Summary) -> bytes:
        """Return the exact bytes received for a message."""
        return self._path(summary.id).read_bytes()

    def body(self, summary: Summary) -> Body:
        """Return the parsed body of a message, parsing it the first time only."""
        if summary.body is None:
            summary.body = parse_body(self.raw(summary))
        return summary.body

    def mark_read(self, summary: Summary) -> None:
        """Record that someone opened the message (in memory only, as a test sink may)."""
        if not summary.read:
            summary.read = True
            self._unread -= 1

    async def delete(self, message_ids: Iterable[str] | None = None) -> int:
        """Delete the given messages, or all of them when message_ids is None."""
        if message_ids is None:
            doomed = list(self._index)
            self._index = {}
            self._unread = 0
            await asyncio.to_thread(self._unlink, doomed, truncate=True)
            return len(doomed)
        doomed = [i for i in message_ids if i in self._index]
        for message_id in doomed:
            if not self._index.pop(message_id).read:
                self._unread -= 1
        await asyncio.to_thread(self._unlink, doomed, truncate=False)
        return len(doomed)

    def _new_id(self) -> str:
        # Time-ordered and fixed-width, so sorting file names restores arrival order.
        self._last_ns = max(time.time_ns(), self._last_ns + 1)
        return f"{self._last_ns:016x}-{secrets.token_hex(4)}"

    def _path(self, message_id: str) -> Path:
        return self.directory / f"{message_id}{SUFFIX}"

    def _write(self, message_id: str, raw: bytes, envelope_line: bytes) -> None:
        final = self._path(message_id)
        partial = final.with_name(f".{final.name}.tmp")
        partial.write_bytes(raw)
        os.replace(partial, final)
        _append(self.directory / ENVELOPES, envelope_line)

    def _unlink(self, message_ids: list[str], *, truncate: bool) -> None:
        for message_id in message_ids:
            self._path(message_id).unlink(missing_ok=True)
        if truncate:
            (self.directory / ENVELOPES).write_bytes(b"")

    def _scan(self) -> list[Summary]:
        for leftover in self.directory.glob(f".*{SUFFIX}.tmp"):
            leftover.unlink(missing_ok=True)
        envelopes = _read_envelopes(self.directory / ENVELOPES)
        summaries = []
        for path in sorted(self.directory.glob(f"*{SUFFIX}")):
            message_id = path.name.removesuffix(SUFFIX)
            try:
                created = datetime.fromtimestamp(_ns_of(message_id) / 1e9, UTC)
            except ValueError:
                # A file dropped in by hand: order it by when it was written.
                created = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            envelope = envelopes.get(message_id, Envelope(mail_from=""))
            summaries.append(summarise(message_id, created, path.read_bytes(), envelope))
        summaries.sort(key=lambda s: (s.created, s.id))
        kept = "".join(json.dumps({"ID": s.id, **s.envelope.to_json()}) + "\n" for s in summaries)
        compact = self.directory / f".{ENVELOPES}.tmp"
        compact.write_text(kept)
        os.replace(compact, self.directory / ENVELOPES)
        return summaries


def _ns_of(message_id: str) -> int:
    return int(message_id.split("-", 1)[0], 16)


def _append(path: Path, line: bytes) -> None:
    # O_APPEND makes each short write land whole even when threads write at once.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def _read_envelopes(path: Path) -> dict[str, Envelope]:
    envelopes: dict[str, Envelope] = {}
    if not path.exists():
        return envelopes
    for line in path.read_text().splitlines():
        try:
            record = json.loads(line)
            envelopes[record["ID"]] = Envelope(record["MailFrom"], list(record["RcptTo"]))
        except (ValueError, KeyError, TypeError):
            continue  # a line torn by a crash loses only that message's envelope
    return envelopes
