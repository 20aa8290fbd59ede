"""Atom feed of register changes, built with xml.etree (never string formatting)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from aiohttp import web

from services.registry.domain.models import Modification
from services.registry.service.register import ModificationQuery
from services.registry.web.http import registry_of

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    element.text = text
    return element


def atom_feed(mods: list[Modification], base_url: str, self_url: str) -> bytes:
    """Return an Atom document: one entry per modification, newest change first.

    An entry's id is the modification's page; `updated` moves with every change,
    so feed readers show a changed modification again.
    """
    base = base_url.rstrip("/")
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "title", "SEC Modifications Register: changes")
    _text(feed, "id", f"{base}/modifications")
    updated = mods[0].updated_at if mods else datetime(2016, 1, 1, tzinfo=UTC)
    _text(feed, "updated", updated.isoformat())
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": self_url})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "href": f"{base}/modifications"})
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "SECAS")
    for mod in mods:
        url = f"{base}/modifications/{mod.ref}"
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", url)
        _text(entry, "title", f"{mod.ref}: {mod.title} ({mod.status.label})")
        _text(entry, "updated", mod.updated_at.isoformat())
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "href": url})
        _text(entry, "category", "", term=mod.status.value, label=mod.status.label)
        _text(entry, "summary", mod.summary or mod.title)
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document


async def feed_view(request: web.Request) -> web.Response:
    registry = registry_of(request)
    register = await registry.register.current()
    page = register.page(ModificationQuery(sort="-updated_at", limit=FEED_SIZE, public_only=True))
    self_url = f"{registry.base_url.rstrip('/')}/modifications/feed.atom"
    body = atom_feed(page.items, registry.base_url, self_url)
    return web.Response(body=body, content_type="application/atom+xml", charset="utf-8")
