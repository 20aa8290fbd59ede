"""Atom feed of register changes, built with xml.etree (never string formatting)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from aiohttp import web

from services.registry.domain.models import Modification
from services.registry.service.register import ModificationQuery
from services.registry.web.http import registry_of
from shared.text import strip_forbidden

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    # XML 1.0 cannot carry most control characters: strip what the API now refuses, so an
    # entry stored before that check still leaves the feed well-formed (shared/text.py).
    clean = {name: strip_forbidden(value) for name, value in attributes.items()}
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", clean)
    element.text = strip_forbidden(text)
    return element


def _link(parent: ET.Element, rel: str, href: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", {"rel": rel, "href": strip_forbidden(href)})


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
    _link(feed, "self", self_url)
    _link(feed, "alternate", f"{base}/modifications")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "SECAS")
    for mod in mods:
        url = f"{base}/modifications/{mod.ref}"
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", url)
        _text(entry, "title", f"{mod.ref}: {mod.title} ({mod.status.label})")
        _text(entry, "updated", mod.updated_at.isoformat())
        _link(entry, "alternate", url)
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
