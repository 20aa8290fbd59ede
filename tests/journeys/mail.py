"""Read the development mail sink of `make run` through its Mailpit-style API."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

import aiohttp

LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Mail:
    id: str
    subject: str
    text: str
    headers: dict[str, list[str]]

    def links(self, containing: str) -> list[str]:
        return [url for url in LINK.findall(self.text) if containing in url]


async def _get(url: str) -> Any:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        response.raise_for_status()
        return await response.json()


async def mails_to(api: str, address: str) -> list[Mail]:
    """Every message to `address`, oldest first, with its text and headers."""
    found = await _get(f"{api}/search?query=to:{address}&limit=200")
    mails = []
    for summary in reversed(found["messages"]):
        body = await _get(f"{api}/message/{summary['ID']}")
        headers = await _get(f"{api}/message/{summary['ID']}/headers")
        mails.append(Mail(summary["ID"], body["Subject"], body["Text"], headers))
    return mails


async def wait_for_mail(api: str, address: str, count: int, seconds: float = 60) -> list[Mail]:
    """Wait until `address` has received at least `count` messages; return them all."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        mails = await mails_to(api, address)
        if len(mails) >= count:
            return mails
        if loop.time() > deadline:
            subjects = [mail.subject for mail in mails]
            raise AssertionError(f"{address} got {len(mails)} of {count} messages: {subjects}")
        await asyncio.sleep(0.3)
