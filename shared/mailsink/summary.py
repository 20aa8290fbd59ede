"""Turn raw RFC 5322 bytes into the JSON shapes of Mailpit's API v1."""

from __future__ import annotations

import email.policy
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses
from typing import Any

Json = dict[str, Any]

# compat32 header parsing is several times faster than the default policy's, which matters
# at arrival and at reload; encoded words (=?utf-8?...?=) are decoded by _decoded().
_HEADER_PARSER = BytesHeaderParser(policy=email.policy.compat32)
_FULL_PARSER = BytesParser(policy=email.policy.default)
_SNIPPET_LENGTH = 250
_TAGS = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def addresses(values: list[str]) -> list[Json]:
    """Return Mailpit {"Name", "Address"} objects for the given header values."""
    return [
        {"Name": _decoded(name), "Address": addr} for name, addr in getaddresses(values) if addr
    ]


@dataclass
class Envelope:
    """The SMTP envelope, which Mailpit does not show but delivery tests need."""

    mail_from: str
    rcpt_tos: list[str] = field(default_factory=list)

    def to_json(self) -> Json:
        """Return the extra "Envelope" field served next to Mailpit's own."""
        return {"MailFrom": self.mail_from, "RcptTo": list(self.rcpt_tos)}


@dataclass
class Summary:
    """What the list view needs, parsed once from the headers at arrival."""

    id: str
    created: datetime
    size: int
    envelope: Envelope
    message_id: str
    subject: str
    sender: Json | None
    to: list[Json]
    cc: list[Json]
    bcc: list[Json]
    reply_to: list[Json]
    read: bool = False
    # Parsing bodies costs far more than headers: do it on first view, then keep it.
    body: Body | None = None

    def list_json(self, body: Body) -> Json:
        """Return one entry of GET /api/v1/messages."""
        return {
            "ID": self.id,
            "MessageID": self.message_id,
            "Read": self.read,
            "From": self.sender,
            "To": self.to,
            "Cc": self.cc,
            "Bcc": self.bcc,
            "ReplyTo": self.reply_to,
            "Subject": self.subject,
            "Created": rfc3339(self.created),
            "Username": "",
            "Tags": [],
            "Size": self.size,
            "Attachments": len(body.attachments),
            "Snippet": body.snippet,
            "Envelope": self.envelope.to_json(),
        }

    def message_json(self, body: Body) -> Json:
        """Return GET /api/v1/message/{ID}."""
        return {
            "ID": self.id,
            "MessageID": self.message_id,
            "From": self.sender,
            "To": self.to,
            "Cc": self.cc,
            "Bcc": self.bcc,
            "ReplyTo": self.reply_to,
            "ReturnPath": self.envelope.mail_from,
            "Subject": self.subject,
            "ListUnsubscribe": body.list_unsubscribe,
            "Date": rfc3339(body.date or self.created),
            "Tags": [],
            "Username": "",
            "Text": body.text,
            "HTML": body.html,
            "Size": self.size,
            "Inline": body.inline,
            "Attachments": body.attachments,
            "Envelope": self.envelope.to_json(),
        }

    def matches(self, terms: list[tuple[str, str]]) -> bool:
        """Tell whether every (field, needle) term of a search query matches."""
        return all(needle in self._haystack(name) for name, needle in terms)

    def _haystack(self, name: str) -> str:
        people = self.to + self.cc + self.bcc
        if name == "to":
            return " ".join([p["Address"] for p in people] + self.envelope.rcpt_tos).lower()
        sender = str(self.sender["Address"]) if self.sender else ""
        if name == "from":
            return f"{sender} {self.envelope.mail_from}".lower()
        if name == "subject":
            return self.subject.lower()
        if name == "message-id":
            return self.message_id.lower()
        return " ".join([self.subject, sender, *(p["Address"] for p in people)]).lower()


@dataclass
class Body:
    """What the message view needs beyond the headers."""

    text: str
    html: str
    snippet: str
    date: datetime | None
    attachments: list[Json]
    inline: list[Json]
    list_unsubscribe: Json


def summarise(message_id: str, created: datetime, raw: bytes, envelope: Envelope) -> Summary:
    """Parse the headers of raw into a Summary; bodies wait until someone looks."""
    headers = _HEADER_PARSER.parsebytes(raw)
    to = addresses(_all(headers, "To"))
    cc = addresses(_all(headers, "Cc"))
    bcc = addresses(_all(headers, "Bcc"))
    # Like Mailpit: envelope recipients not named in To or Cc were blind copies.
    named = {p["Address"].lower() for p in to + cc + bcc}
    bcc += [{"Name": "", "Address": r} for r in envelope.rcpt_tos if r.lower() not in named]
    senders = addresses(_all(headers, "From"))
    return Summary(
        id=message_id,
        created=created,
        size=len(raw),
        envelope=envelope,
        message_id=str(headers.get("Message-ID", "")).strip().strip("<>"),
        subject=_decoded(str(headers.get("Subject", ""))),
        sender=senders[0] if senders else None,
        to=to,
        cc=cc,
        bcc=bcc,
        reply_to=addresses(_all(headers, "Reply-To")),
    )


def parse_body(raw: bytes) -> Body:
    """Parse the whole message for its text and HTML parts and its attachments."""
    message = _FULL_PARSER.parsebytes(raw)
    assert isinstance(message, EmailMessage)  # the default policy builds EmailMessage
    text = _content(message.get_body(preferencelist=("plain",)))
    html = _content(message.get_body(preferencelist=("html",)))
    attachments: list[Json] = []
    inline: list[Json] = []
    for number, part in enumerate(message.walk()):
        if part.is_multipart() or part.get_content_disposition() not in ("attachment", "inline"):
            continue
        payload = part.get_payload(decode=True)
        entry = {
            "PartID": str(number),
            "FileName": part.get_filename() or "",
            "ContentType": part.get_content_type(),
            "ContentID": str(part.get("Content-ID", "")).strip("<>"),
            "Size": len(payload) if isinstance(payload, bytes) else 0,
        }
        (inline if part.get_content_disposition() == "inline" else attachments).append(entry)
    plain = text or _TAGS.sub(" ", html)
    date = message["Date"]
    return Body(
        text=text,
        html=html,
        snippet=_SPACE.sub(" ", plain).strip()[:_SNIPPET_LENGTH],
        date=getattr(date, "datetime", None),
        attachments=attachments,
        inline=inline,
        list_unsubscribe={
            "Header": str(message.get("List-Unsubscribe", "")),
            "Links": re.findall(r"<([^>]+)>", str(message.get("List-Unsubscribe", ""))),
            "Errors": "",
            "HeaderPost": str(message.get("List-Unsubscribe-Post", "")),
        },
    )


def header_map(raw: bytes) -> dict[str, list[str]]:
    """Return GET /api/v1/message/{ID}/headers: each header name with all its values."""
    headers = _HEADER_PARSER.parsebytes(raw)
    result: dict[str, list[str]] = {}
    for name, value in headers.items():
        result.setdefault(name, []).append(_decoded(str(value)))
    return result


def rfc3339(moment: datetime) -> str:
    """Format a time as Mailpit does, in UTC with milliseconds."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _decoded(value: str) -> str:
    if "=?" not in value:
        return _SPACE.sub(" ", value).strip()  # unfolds continuation lines
    try:
        return str(make_header(decode_header(value)))
    except (HeaderParseError, LookupError, UnicodeDecodeError):
        return value


def _all(headers: Message, name: str) -> list[str]:
    return [str(value) for value in headers.get_all(name, [])]


def _content(part: Message | None) -> str:
    if part is None:
        return ""
    assert isinstance(part, EmailMessage)
    content = part.get_content()
    # Lines arrive CRLF-terminated on the wire; readers of the API expect plain newlines.
    return content.replace("\r\n", "\n") if isinstance(content, str) else ""
