"""The development mail sink shows one message in Chromium: HTML (sandboxed), text, headers, raw."""

from __future__ import annotations

from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiohttp
import aiosmtplib
import pytest

from shared.mailsink import MailSink, start_mailsink

HOSTILE_HTML = (
    "<html><body><h1 id='inside'>Hello from the email</h1>"
    "<script>parent.document.body.dataset.pwned = '1'</script>"
    "<img src='https://tracker.example/pixel.gif'></body></html>"
)


@pytest.fixture
async def sink(tmp_path: Path) -> AsyncIterator[MailSink]:
    running = await start_mailsink(
        smtp_host="127.0.0.1", smtp_port=0, http_host="127.0.0.1", http_port=0, directory=tmp_path
    )
    yield running
    await running.close()


def _message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "SECAS <notifications@sec.example.org>"
    message["To"] = "party@example.org"
    message["Subject"] = "MP192 moved to Report Phase"
    message["List-Unsubscribe"] = "<https://alerts.example.org/unsubscribe?token=abc>"
    message.set_content("Plain words about MP192.\nSecond line.")
    message.add_alternative(HOSTILE_HTML, subtype="html")
    return message


async def test_message_page_shows_html_text_headers_and_raw(sink: MailSink, page: Any) -> None:
    await aiosmtplib.send(_message(), hostname="127.0.0.1", port=sink.smtp_port)
    base = f"http://127.0.0.1:{sink.http_port}"
    await page.goto(f"{base}/")
    await page.get_by_role("link", name="MP192 moved to Report Phase").click()
    await page.wait_for_url("**/messages/*")
    assert await page.locator("h1").inner_text() == "MP192 moved to Report Phase"
    assert "Plain words about MP192." in await page.locator("#text-part").inner_text()
    headers = await page.locator("#header-table").inner_text()
    assert "List-Unsubscribe" in headers
    assert "alerts.example.org/unsubscribe?token=abc" in headers
    raw = await page.locator("#raw-message").inner_text()
    assert "Content-Type: multipart/alternative" in raw

    frame = page.frame_locator("iframe.message-html")
    assert await frame.locator("#inside").inner_text() == "Hello from the email"
    # The message's script ran nowhere: the frame is sandboxed and its policy allows none.
    assert await page.evaluate("document.body.dataset.pwned") is None
    assert await page.locator("iframe.message-html").get_attribute("sandbox") == ""

    async with aiohttp.ClientSession() as http:
        message_id = page.url.rsplit("/", 1)[1]
        async with http.get(f"{base}/messages/{message_id}/html") as framed:
            policy = framed.headers["Content-Security-Policy"]
    assert "sandbox" in policy
    assert "script-src" not in policy
    assert "default-src 'none'" in policy


async def test_unknown_message_is_a_404(sink: MailSink) -> None:
    async with aiohttp.ClientSession() as http:
        base = f"http://127.0.0.1:{sink.http_port}"
        async with http.get(f"{base}/messages/nope") as response:
            assert response.status == 404
