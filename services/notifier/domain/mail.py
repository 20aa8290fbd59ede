"""Compose alert, reminder, confirmation and digest emails from the Jinja2 templates."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email import policy as email_policy
from email.headerregistry import Address, BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime as rfc5322_date
from typing import Any, Final, TypeVar, cast

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from services.notifier.domain.alerts import AlertContent, EmailKind, alert_content
from services.notifier.domain.digests import Digest
from services.notifier.domain.display import (
    format_date,
    format_datetime,
    format_day_date,
    format_time,
    one_line,
)
from services.notifier.domain.errors import NotEntitled
from services.notifier.domain.matching import is_entitled, topics_of
from services.notifier.domain.reminders import Reminder, ReminderKind
from services.notifier.domain.subscriptions import DigestFrequency, Subscription
from services.notifier.domain.topic_labels import topic_label
from services.notifier.domain.views import consultation_view, event_view
from shared.contracts.classification import Classification
from shared.contracts.events import disclosed_classification
from shared.contracts.topics import Topic

# RFC 5322 2.1.1: a line MUST be at most 998 octets and SHOULD be at most 78.
MAX_LINE_OCTETS: Final = 998
PRINTABLE_ASCII: Final = re.compile(r"[\x20-\x7e]*")


class StructuredHeaderError(ValueError):
    """A structured header value that cannot go on the wire as it is."""


class WhitespaceFoldedHeader(UnstructuredHeader):
    """A structured header folded only where it has whitespace, never as RFC 2047 words.

    The email package folds a long unstructured header into encoded-words when it finds
    no whitespace to fold at (a URL with a long token). That is legal in Subject but
    not in List-Unsubscribe (RFC 2369), List-Id or Message-ID: mail providers then see
    no URI at all. These values are ASCII by construction, so they are written as they
    are and folded at their own spaces; a single word too long for a line is refused.
    """

    # The registry mixes this class with BaseHeader, which provides the name.
    name: str

    @classmethod
    def parse(cls, value: str, kwds: dict[str, Any]) -> None:
        text = str(value)
        if PRINTABLE_ASCII.fullmatch(text) is None:
            raise StructuredHeaderError(f"not printable ASCII on one line: {text!r}")
        super().parse(text, kwds)

    def fold(self, *, policy: email_policy.EmailPolicy) -> str:
        soft_limit = policy.max_line_length or MAX_LINE_OCTETS
        label = f"{self.name}:"
        line, lines = label, []
        for word in str(self).split():
            if len(line) + 1 + len(word) > soft_limit and line != label:
                lines.append(line)
                line = ""
            line += f" {word}"
        lines.append(line)
        if any(len(folded) > MAX_LINE_OCTETS - 2 for folded in lines):
            raise StructuredHeaderError(f"{self.name} has a word too long for one line")
        return policy.linesep.join(lines) + policy.linesep


STRUCTURED_HEADERS: Final = (
    "message-id",
    "list-id",
    "list-unsubscribe",
    "list-unsubscribe-post",
    "auto-submitted",
    "x-auto-response-suppress",
)


class _FoldOnceHeader(BaseHeader):
    """A header that folds itself once per way of folding, not once per message it is in.

    The registry below hands the same parsed header to every message of a fan-out, and
    the generator folds each header of each message again. The generator flattens each
    part with a fresh clone of the policy, so the folds are kept by what folding reads
    of a policy, not by the policy object.
    """

    def fold(self, *, policy: email_policy.Policy) -> str:
        # What the stdlib's folding reads of its policy.
        key = (policy.linesep, policy.max_line_length, getattr(policy, "utf8", False))
        folds: dict[tuple[object, ...], str] = self.__dict__.setdefault("_folds", {})
        folded = folds.get(key)
        if folded is None:
            folded = folds[key] = super().fold(policy=policy)
        return folded


class _ReusingHeaderRegistry(HeaderRegistry):
    """The stdlib registry without the three costs per header that a fan-out repeats.

    The stdlib builds a new header class on every lookup, parses again a value it
    parsed for the previous subscriber (From, Date, Subject, the MIME headers), and
    the generator folds it again. A parsed header is immutable, so one object may stand
    in many messages, folded once; the per-subscriber values (To, Message-ID,
    List-Unsubscribe) only pass through the small cache.
    """

    def __init__(self) -> None:
        super().__init__(base_class=_FoldOnceHeader)
        self._classes: dict[str, type[BaseHeader]] = {}
        self._parsed = functools.lru_cache(maxsize=256)(super().__call__)

    def map_to_type(self, name: str, cls: type[BaseHeader]) -> None:
        super().map_to_type(name, cls)
        self._classes.clear()

    def __getitem__(self, name: str) -> type[BaseHeader]:
        cls = self._classes.get(name)
        if cls is None:
            cls = self._classes[name] = super().__getitem__(name)
        return cls

    def __call__(self, name: str, value: Any) -> BaseHeader:
        if isinstance(value, str):
            return self._parsed(name, value)
        return super().__call__(name, value)  # an Address cannot be a cache key


def _header_registry() -> HeaderRegistry:
    registry = _ReusingHeaderRegistry()
    for name in STRUCTURED_HEADERS:
        registry.map_to_type(name, cast(type[BaseHeader], WhitespaceFoldedHeader))
    return registry


# 7bit: every non-ASCII body is quoted-printable or base64, so a relay never has to
# re-encode it (which would break the DKIM body hash).
MAIL_POLICY: Final = email_policy.default.clone(header_factory=_header_registry(), cte_type="7bit")
# CRLF: the bytes that are signed are the bytes that are sent.
WIRE_POLICY: Final = MAIL_POLICY.clone(linesep="\r\n")


def wire_bytes(message: EmailMessage) -> bytes:
    """Return the message exactly as it goes over SMTP (CRLF, 7bit, headers folded)."""
    return message.as_bytes(policy=WIRE_POLICY)


@dataclass(frozen=True, slots=True)
class Sender:
    """The From of every email and the domain of its List-Id and Message-ID."""

    address: str
    name: str = "SEC alerts"


@dataclass(frozen=True, slots=True)
class Links:
    """Per-subscriber signed links the service layer builds from tokens."""

    manage_url: str
    unsubscribe_url: str  # https, answers the RFC 8058 one-click POST
    unsubscribe_mailto: str  # mailto: URI, for clients without one-click


@functools.cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("services.notifier", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The templates are package files: looking for changes cost two stat calls a render,
        # and the bounded cache's bookkeeping a tenth of rendering an alert.
        auto_reload=False,
        cache_size=-1,
    )


def render_parts(kind: EmailKind, context: Mapping[str, Any]) -> tuple[str, str]:
    """Return the (plain text, HTML) bodies of one email kind."""
    env = _environment()
    text = env.get_template(f"{kind.value}.txt").render(context)
    html = env.get_template(f"{kind.value}.html").render(context)
    return text, html


def message_id(source_key: str, subscription_id: str, domain: str) -> str:
    """Return the Message-ID of one delivery, the same on every retry of it."""
    digest = hashlib.sha256(f"{source_key}\x00{subscription_id}".encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def _reasons(subscription: Subscription, topics: frozenset[Topic]) -> list[str]:
    return [topic_label(topic) for topic in sorted(subscription.topics & topics)]


def _check_allowed(subscription: Subscription, classification: Classification) -> None:
    # The matcher already decided; this guards the last step before content leaves.
    if not subscription.is_confirmed:
        raise NotEntitled("only the confirmation email may go to an unconfirmed address")
    if not is_entitled(subscription, classification):
        raise NotEntitled(f"{classification.value} content is not for this subscriber")


class _Boundaries:
    """Multipart boundaries, one for each nesting level, kept while no body contains them.

    A boundary needs only to be absent from the parts it separates, so the messages of
    a fan-out share one instead of each parsing and folding a Content-Type of its own.
    The two levels never share one: an inner delimiter line must not end the outer part.
    """

    def __init__(self) -> None:
        self._current: dict[str, str] = {}

    def for_parts(self, level: str, *bodies: str) -> str:
        boundary = self._current.get(level)
        while boundary is None or any(boundary in body for body in bodies):
            boundary = self._current[level] = "=_" + secrets.token_hex(16)
        return boundary


_BOUNDARIES: Final = _Boundaries()


_Part = TypeVar("_Part", bound=MIMEPart)


@functools.cache
def _from_header(sender: Sender) -> str:
    """Return the From of `sender`'s emails, as text: the parsed header is then reused."""
    return str(Address(display_name=sender.name, addr_spec=sender.address))


def _check_one_address(header: Any, addr_spec: str) -> None:
    """Refuse a To that is not exactly `addr_spec`, well formed (as Address would)."""
    addresses = header.addresses
    if header.defects or len(addresses) != 1 or addresses[0].addr_spec != addr_spec:
        raise ValueError(f"not one well-formed address: {addr_spec!r}")


def _transfer_encoding(body: str) -> str | None:
    """Return 7bit for an ASCII body whose lines fit (RFC 5322's 998 octets), else None.

    None leaves the choice to the email package (quoted-printable or base64). Left to
    it, an ASCII body with one line over 78 characters (a link) was encoded too: a
    tenth of the CPU of composing an alert, and a body no one can read in the raw.
    """
    if body.isascii() and max(map(len, body.splitlines()), default=0) <= MAX_LINE_OCTETS:
        return "7bit"
    return None


def _text_part(body: str, subtype: str) -> MIMEPart:
    part = MIMEPart(policy=MAIL_POLICY)
    part.set_content(body, subtype=subtype, cte=_transfer_encoding(body))
    return part


def _multipart(container: _Part, subtype: str, boundary: str, *parts: MIMEPart) -> _Part:
    """Make `container` a multipart/`subtype` of `parts` and return it."""
    container.add_header("Content-Type", f"multipart/{subtype}", boundary=boundary)
    container.set_payload(list(parts))
    return container


def _calendar_part(ics: bytes) -> MIMEPart:
    part = MIMEPart(policy=MAIL_POLICY)
    part.set_content(
        ics,
        maintype="text",
        subtype="calendar",
        filename="event.ics",
        params={"method": "PUBLISH", "charset": "utf-8"},
    )
    return part


def _build(
    *,
    subject: str,
    text: str,
    html: str,
    subscription: Subscription,
    sender: Sender,
    sent_at: datetime,
    source_key: str,
    message_id_domain: str,
    links: Links | None,
    ics: bytes | None = None,
) -> EmailMessage:
    if sent_at.tzinfo is None:
        raise ValueError("sent_at must be timezone-aware")
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = _from_header(sender)
    # As text, parsed once by the header itself (an Address parses its addr-spec first).
    message["To"] = subscription.email
    _check_one_address(message["To"], subscription.email)
    message["Subject"] = one_line(subject, 180)
    message["Date"] = rfc5322_date(sent_at)
    message["Message-ID"] = message_id(source_key, subscription.id, message_id_domain)
    message["List-Id"] = f"SEC alerts <sec-alerts.{message_id_domain}>"
    if links is not None:
        # RFC 8058: the https URI answers the one-click POST; mailto is for older clients.
        message["List-Unsubscribe"] = f"<{links.unsubscribe_url}>, <{links.unsubscribe_mailto}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message["MIME-Version"] = "1.0"
    # The MIME tree is put together from its parts, not grown with make_alternative and
    # make_mixed: those parse and rewrite the Content-Type of each part on every call.
    alternatives = (_text_part(text, "plain"), _text_part(html, "html"))
    boundary = _BOUNDARIES.for_parts("alternative", text, html)
    if ics is None:
        return _multipart(message, "alternative", boundary, *alternatives)
    body = _multipart(MIMEPart(policy=MAIL_POLICY), "alternative", boundary, *alternatives)
    outer = _BOUNDARIES.for_parts("mixed", text, html, ics.decode("utf-8", "replace"))
    return _multipart(message, "mixed", outer, body, _calendar_part(ics))


@dataclass(frozen=True, slots=True)
class PreparedAlert:
    """What an event's alert says to every subscriber, worked out once for its fan-out."""

    event_id: str
    classification: Classification
    topics: frozenset[Topic]
    content: AlertContent


def prepare_alert(cloud_event_type: str, data: Mapping[str, Any], event_id: str) -> PreparedAlert:
    """Read an event once for all its alerts (each reading validates its payload anew)."""
    return PreparedAlert(
        event_id,
        disclosed_classification(cloud_event_type, data),
        topics_of(cloud_event_type, data),
        alert_content(cloud_event_type, data),
    )


def render_prepared_alert(
    alert: PreparedAlert,
    subscription: Subscription,
    links: Links,
    ics: bytes | None,
    *,
    sender: Sender,
    sent_at: datetime,
    message_id_domain: str,
) -> EmailMessage:
    """Return the alert email of a prepared event for one confirmed, entitled subscriber."""
    _check_allowed(subscription, alert.classification)
    content = alert.content
    context = {
        **content.context,
        "subject": content.subject,
        "links": links,
        "classification": alert.classification,
        "reasons": _reasons(subscription, alert.topics),
        "has_ics": ics is not None,
    }
    text, html = render_parts(content.kind, context)
    return _build(
        subject=content.subject,
        text=text,
        html=html,
        subscription=subscription,
        sender=sender,
        sent_at=sent_at,
        source_key=alert.event_id,
        message_id_domain=message_id_domain,
        links=links,
        ics=ics,
    )


def render_alert(
    cloud_event_type: str,
    data: Mapping[str, Any],
    subscription: Subscription,
    links: Links,
    ics: bytes | None,
    *,
    event_id: str,
    sender: Sender,
    sent_at: datetime,
    message_id_domain: str,
) -> EmailMessage:
    """Return the alert email of one event for one confirmed, entitled subscriber."""
    return render_prepared_alert(
        prepare_alert(cloud_event_type, data, event_id),
        subscription,
        links,
        ics,
        sender=sender,
        sent_at=sent_at,
        message_id_domain=message_id_domain,
    )


def render_reminder(
    reminder: Reminder,
    subscription: Subscription,
    links: Links,
    ics: bytes | None,
    *,
    sender: Sender,
    sent_at: datetime,
    message_id_domain: str,
) -> EmailMessage:
    """Return the reminder email (consultation closing, meeting tomorrow) for one subscriber."""
    _check_allowed(subscription, reminder.classification)
    context: dict[str, Any] = {
        "links": links,
        "classification": reminder.classification,
        "reasons": _reasons(subscription, reminder.topics),
        "has_ics": ics is not None,
    }
    if reminder.kind is ReminderKind.MEETING_TOMORROW:
        event = event_view(reminder.data["event"])
        all_day = bool(reminder.data["event"].get("all_day"))
        subject = f"Tomorrow: {event.title}" + (
            "" if all_day else f", {format_time(event.starts_at)}"
        )
        kind = EmailKind.MEETING_REMINDER
        context["event"] = event
    else:
        consultation = consultation_view(reminder.data["consultation"])
        remaining = "3 days" if reminder.kind is ReminderKind.CONSULTATION_3D else "1 day"
        subject = f"Consultation closing in {remaining}: {consultation.title}"
        kind = EmailKind.CONSULTATION_REMINDER
        context |= {"consultation": consultation, "remaining": remaining}
        ics = None  # a deadline reminder carries no calendar entry
    context["subject"] = one_line(subject, 180)
    text, html = render_parts(kind, context)
    return _build(
        subject=subject,
        text=text,
        html=html,
        subscription=subscription,
        sender=sender,
        sent_at=sent_at,
        source_key=reminder.key,
        message_id_domain=message_id_domain,
        links=links,
        ics=ics,
    )


_DIGEST_LABELS = {
    DigestFrequency.NONE: "each alert as it happens",
    DigestFrequency.DAILY: "one daily digest",
    DigestFrequency.WEEKLY: "one weekly digest",
}


def render_confirmation(
    subscription: Subscription,
    confirm_url: str,
    confirm_expires_at: datetime,
    *,
    sender: Sender,
    sent_at: datetime,
    message_id_domain: str,
) -> EmailMessage:
    """Return the double opt-in email for a new subscription or a change to a confirmed one."""
    change = subscription.pending_change
    is_change = subscription.is_confirmed and change is not None
    topics = change.topics if is_change and change is not None else subscription.topics
    digest = change.digest if is_change and change is not None else subscription.digest
    subject = (
        "Confirm the changes to your SEC alerts"
        if is_change
        else "Confirm your subscription to SEC alerts"
    )
    context = {
        "subject": subject,
        "is_change": is_change,
        "confirm_url": confirm_url,
        "expires": format_datetime(confirm_expires_at),
        "topics": [topic_label(topic) for topic in sorted(topics)],
        "delivery": _DIGEST_LABELS[digest],
        "classification": Classification.WHITE,
    }
    text, html = render_parts(EmailKind.CONFIRMATION, context)
    return _build(
        subject=subject,
        text=text,
        html=html,
        subscription=subscription,
        sender=sender,
        sent_at=sent_at,
        # A repeated subscribe bumps the version, so each request is its own email.
        source_key=f"confirm:{subscription.version}",
        message_id_domain=message_id_domain,
        links=None,
    )


def render_digest(
    digest: Digest,
    subscription: Subscription,
    links: Links,
    *,
    sender: Sender,
    sent_at: datetime,
    message_id_domain: str,
) -> EmailMessage:
    """Return the daily or weekly digest email."""
    _check_allowed(subscription, digest.classification)
    if digest.frequency is DigestFrequency.WEEKLY:
        subject = (
            f"Your weekly SEC digest: {format_date(digest.period_start)} "
            f"to {format_date(digest.period_end)}"
        )
    else:
        subject = f"Your daily SEC digest: {format_day_date(digest.period_end)}"
    context = {
        "subject": subject,
        "digest": digest,
        "links": links,
        "classification": digest.classification,
        "reasons": [topic_label(topic) for topic in sorted(subscription.topics)],
    }
    text, html = render_parts(EmailKind.DIGEST, context)
    return _build(
        subject=subject,
        text=text,
        html=html,
        subscription=subscription,
        sender=sender,
        sent_at=sent_at,
        source_key=digest.key,
        message_id_domain=message_id_domain,
        links=links,
    )
