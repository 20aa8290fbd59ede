"""Which requests get an HTML error page: a browser's navigation, never a program or /api/."""

from __future__ import annotations

import pytest

from shared.web_templates import prefers_html

CHROMIUM = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (CHROMIUM, True),
        (FIREFOX, True),
        ("text/html", True),
        ("application/json, text/html;q=0.5", False),
        ("text/html;q=0.5, application/problem+json", False),
        ("*/*", False),  # curl, aiohttp, requests
        ("", False),
        ("application/json", False),
        ("text/html;q=0.9, */*;q=0.9", False),  # a tie keeps problem+json
        ("text/html;q=bogus, application/json;q=0.1", False),  # unreadable q: not wanted
        ("text/*", True),
    ],
)
def test_a_page_is_chosen_only_when_html_ranks_above_json(accept: str, html: bool) -> None:
    assert prefers_html(accept) is html
