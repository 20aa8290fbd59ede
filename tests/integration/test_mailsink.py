"""Specify the development mail sink over real SMTP and HTTP connections."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiohttp
import aiosmtplib
import pytest

from shared.mailsink import MailSink, RcptFault, start_mailsink

LIST_FIELDS = {
    "ID",
    "MessageID",
    "Read",
    "From",
    "To",
    "Cc",
    "Bcc",
    "ReplyTo",
    "Subject",
    "Created",
    "Tags",
    "Size",
    "Attachments",
    "Snippet",
}
REPO = Path(__file__).resolve().parents[2]


async def open_sink(directory: Path, faults: list[RcptFault] | None = None) -> MailSink:
    return await start_mailsink(
        smtp_host="127.0.0.1",
        smtp_port=0,
        http_host="127.0.0.1",
        http_port=0,
        directory=directory,
        faults=faults or [],
    )


@pytest.fixture
async def sink(tmp_path: Path) -> AsyncIterator[MailSink]:
    running = await open_sink(tmp_path / "mail")
    yield running
    await running.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def email(subject: str, to: str = "alice@example.org", **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "SECAS Notifications <notifications@sec.example.org>"
    message["To"] = to
    message["Subject"] = subject
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(f"Plain text of {subject}.\n")
    message.add_alternative(f"<p>HTML of <b>{subject}</b></p>", subtype="html")
    return message


async def send(sink: MailSink, message: EmailMessage, **kwargs: Any) -> Any:
    return await aiosmtplib.send(message, hostname="127.0.0.1", port=sink.smtp_port, **kwargs)


async def get_json(http: aiohttp.ClientSession, sink: MailSink, path: str) -> Any:
    async with http.get(f"http://127.0.0.1:{sink.http_port}{path}") as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def test_messages_are_listed_newest_first_with_mailpit_field_names(
    sink: MailSink, http: aiohttp.ClientSession
) -> None:
    for n in range(3):
        await send(sink, email(f"Change Board {n}"))

    listing = await get_json(http, sink, "/api/v1/messages")

    assert {k: listing[k] for k in ("total", "unread", "count", "messages_count", "start")} == {
        "total": 3,
        "unread": 3,
        "count": 3,
        "messages_count": 3,
        "start": 0,
    }
    assert listing["tags"] == []
    newest = listing["messages"][0]
    assert newest.keys() >= LIST_FIELDS
    assert [m["Subject"] for m in listing["messages"]] == [f"Change Board {n}" for n in (2, 1, 0)]
    assert newest["From"] == {
        "Name": "SECAS Notifications",
        "Address": "notifications@sec.example.org",
    }
    assert newest["To"] == [{"Name": "", "Address": "alice@example.org"}]
    assert newest["Read"] is False
    assert newest["Snippet"] == "Plain text of Change Board 2."
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", newest["Created"])


async def test_start_and_limit_page_through_the_list(
    sink: MailSink, http: aiohttp.ClientSession
) -> None:
    for n in range(5):
        await send(sink, email(f"Meeting {n}"))

    page = await get_json(http, sink, "/api/v1/messages?start=1&limit=2")

    assert [m["Subject"] for m in page["messages"]] == ["Meeting 3", "Meeting 2"]
    assert (page["total"], page["count"], page["start"]) == (5, 2, 1)


async def test_envelope_recipients_are_kept_and_blind_copies_shown_as_bcc(
    sink: MailSink, http: aiohttp.ClientSession
) -> None:
    await send(
        sink,
        email("Release R1"),
        sender="bounces@sec.example.org",
        recipients=["alice@example.org", "hidden@example.org"],
    )

    [listed] = (await get_json(http, sink, "/api/v1/messages"))["messages"]

    assert listed["Envelope"] == {
        "MailFrom": "bounces@sec.example.org",
        "RcptTo": ["alice@example.org", "hidden@example.org"],
    }
    assert listed["Bcc"] == [{"Name": "", "Address": "hidden@example.org"}]


async def test_raw_returns_exactly_the_bytes_received(
    sink: MailSink, http: aiohttp.ClientSession
) -> None:
    raw = (
        "From: a@example.org\r\nTo: b@example.org\r\nSubject: =?utf-8?q?Caf=C3=A9?=\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
        ".a line that SMTP dot-stuffs\r\nCafé ☕\r\n"
    ).encode()
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=sink.smtp_port) as client:
        await client.sendmail("a@example.org", ["b@example.org"], raw)
    [listed] = (await get_json(http, sink, "/api/v1/messages"))["messages"]

    url = f"http://127.0.0.1:{sink.http_port}/api/v1/message/{listed['ID']}/raw"
    async with http.get(url) as response:
        assert response.content_type == "text/plain"
        assert await response.read() == raw
    assert listed["Subject"] == "Café"
    assert listed["Size"] == len(raw)


async def test_message_view_has_text_html_and_headers_and_marks_it_read(
    sink: MailSink, http: aiohttp.ClientSession
) -> None:
    unsubscribe = "<https://notify.example.org/unsubscribe?token=t1>"
    await send(
        sink,
        email(
            "Consultation opened",
            List_Unsubscribe=unsubscribe,
            List_Unsubscribe_Post="List-Unsubscribe=One-Click",
        ),
    )

    message = await get_json(http, sink, "/api/v1/message/latest")
    headers = await get_json(http, sink, f"/api/v1/message/{message['ID']}/headers")
    listing = await get_json(http, sink, "/api/v1/messages")

    assert message["Text"] == "Plain text of Consultation opened.\n"
    assert "<b>Consultation opened</b>" in message["HTML"]
    assert message["ListUnsubscribe"]["Links"] == [
        "https://notify.example.org/unsubscribe?token=t1"
    ]
    assert message["ListUnsubscribe"]["HeaderPost"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"] == [unsubscribe]
    assert listing["unread"] == 0
    assert listing["messages"][0]["Read"] is True


async def test_unknown_message_is_404(sink: MailSink, http: aiohttp.ClientSession) -> None:
    async with http.get(f"http://127.0.0.1:{sink.http_port}/api/v1/message/nope/raw") as response:
        assert response.status == 404


async def test_search_finds_messages_by_recipient_and_subject(
    sink: MailSink, http: aiohttp.ClientSession
) -> None:
    await send(sink, email("Weekly digest", to="bob@example.org"))
    await send(sink, email("Meeting moved", to="carol@example.org"))

    by_recipient = await get_json(http, sink, "/api/v1/search?query=to:bob@example.org")
    by_subject = await get_json(http, sink, '/api/v1/search?query=subject:"meeting moved"')

    assert [m["Subject"] for m in by_recipient["messages"]] == ["Weekly digest"]
    assert [m["Subject"] for m in by_subject["messages"]] == ["Meeting moved"]
    assert by_subject["messages_count"] == 1
    assert by_subject["total"] == 2


async def test_delete_with_ids_removes_only_those_and_without_body_removes_all(
    sink: MailSink, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    for n in range(3):
        await send(sink, email(f"Message {n}"))
    listing = await get_json(http, sink, "/api/v1/messages")
    doomed = listing["messages"][0]["ID"]
    url = f"http://127.0.0.1:{sink.http_port}/api/v1/messages"

    async with http.delete(url, json={"IDs": [doomed]}) as response:
        assert response.status == 200
    remaining = await get_json(http, sink, "/api/v1/messages")
    assert remaining["total"] == 2
    assert doomed not in {m["ID"] for m in remaining["messages"]}
    assert not (tmp_path / "mail" / f"{doomed}.eml").exists()

    async with http.delete(url) as response:
        assert response.status == 200
    assert (await get_json(http, sink, "/api/v1/messages"))["total"] == 0
    assert list((tmp_path / "mail").glob("*.eml")) == []


async def test_every_message_is_one_eml_file_and_the_index_survives_a_restart(
    tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    first = await open_sink(tmp_path / "mail")
    for n in range(3):
        await send(first, email(f"Release {n}"), recipients=["alice@example.org", "x@example.org"])
    before = await get_json(http, first, "/api/v1/messages")
    raws = {m["ID"]: first.store.raw(first.store.get(m["ID"])) for m in before["messages"]}
    await first.close()
    assert {p.stem for p in (tmp_path / "mail").glob("*.eml")} == set(raws)

    second = await open_sink(tmp_path / "mail")
    try:
        after = await get_json(http, second, "/api/v1/messages")
        assert [m["ID"] for m in after["messages"]] == [m["ID"] for m in before["messages"]]
        assert after["messages"][0]["Envelope"]["RcptTo"] == ["alice@example.org", "x@example.org"]
        for message_id, raw in raws.items():
            url = f"http://127.0.0.1:{second.http_port}/api/v1/message/{message_id}/raw"
            async with http.get(url) as response:
                assert await response.read() == raw
        await send(second, email("After restart"))
        newest = (await get_json(http, second, "/api/v1/messages"))["messages"][0]
        assert newest["Subject"] == "After restart"
    finally:
        await second.close()


async def test_permanent_fault_refuses_matching_recipients_with_550(
    tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    sink = await open_sink(tmp_path / "mail", [RcptFault.parse("550:*@bounce.example")])
    try:
        errors, _ = await send(
            sink, email("Digest"), recipients=["alice@example.org", "gone@bounce.example"]
        )
        with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
            await send(sink, email("Digest"), recipients=["GONE@bounce.example"])

        assert errors["gone@bounce.example"].code == 550
        assert refused.value.recipients[0].code == 550
        [stored] = (await get_json(http, sink, "/api/v1/messages"))["messages"]
        assert stored["Envelope"]["RcptTo"] == ["alice@example.org"]
    finally:
        await sink.close()


async def test_temporary_fault_with_times_gives_451_then_accepts_the_retry(
    tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    sink = await open_sink(tmp_path / "mail", [RcptFault.parse("451x1:*@flaky.example")])
    try:
        with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
            await send(sink, email("Retry me", to="bob@flaky.example"))
        await send(sink, email("Retry me", to="bob@flaky.example"))

        assert refused.value.recipients[0].code == 451
        assert (await get_json(http, sink, "/api/v1/messages"))["total"] == 1
    finally:
        await sink.close()


async def test_faults_can_be_changed_while_running(sink: MailSink) -> None:
    sink.faults = [RcptFault(451, "*")]
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
        await send(sink, email("Nope"))
    sink.faults = []
    await send(sink, email("Yes"))
    assert len(sink.store) == 1


@pytest.mark.parametrize("spec", ["250:*", "451", "45:x", "5xx:*@a"])
def test_malformed_fault_specs_are_rejected(spec: str) -> None:
    with pytest.raises(ValueError, match="CODE"):
        RcptFault.parse(spec)


async def test_html_page_lists_messages_with_subjects_escaped(
    sink: MailSink, http: aiohttp.ClientSession
) -> None:
    await send(sink, email("<script>alert(1)</script>"))

    async with http.get(f"http://127.0.0.1:{sink.http_port}/") as response:
        page = await response.text()

    assert response.content_type == "text/html"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page


async def test_command_line_sink_serves_and_stops_cleanly_on_sigterm(
    tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "shared.mailsink",
        "--smtp-port",
        "0",
        "--http-port",
        "0",
        "--dir",
        str(tmp_path / "cli"),
        "--fail-rcpt",
        "550:*@bounce.example",
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        banner = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        ports = re.search(r"SMTP [\d.]+:(\d+), HTTP http://[\d.]+:(\d+)/", banner)
        assert ports, banner
        smtp_port, http_port = int(ports[1]), int(ports[2])
        await aiosmtplib.send(email("From the CLI"), hostname="127.0.0.1", port=smtp_port)
        with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
            await aiosmtplib.send(
                email("Bounce", to="x@bounce.example"), hostname="127.0.0.1", port=smtp_port
            )
        async with http.get(f"http://127.0.0.1:{http_port}/api/v1/messages") as response:
            assert (await response.json())["total"] == 1
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
