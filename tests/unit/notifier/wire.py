"""Read an email as mail providers do: raw bytes, headers undecoded, lines counted in octets.

Nothing here parses a header with the `email` package's decoding policy: that would
turn RFC 2047 encoded-words back into text and hide exactly what providers choke on.
"""

from __future__ import annotations

import re
from email import message_from_bytes
from email import policy as email_policy
from email.message import Message
from html.parser import HTMLParser

MAX_LINE_OCTETS = 998
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
DATE = re.compile(rf"^{_DAY}, \d{{1,2}} {_MONTH} \d{{4}} \d\d:\d\d:\d\d [+-]\d{{4}}$")
DOT_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
MESSAGE_ID = re.compile(rf"^<{DOT_ATOM}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+>$")
LIST_ID = re.compile(r"^(?:[^<>]*\s)?<[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+>$")
URI = r"[!#-;=?-~]+"  # printable ASCII but space, '<', '>' and '"'
LIST_UNSUBSCRIBE = re.compile(rf"^<(https://{URI})>, ?<(mailto:{URI})>$")
FOLD = re.compile(rb"\r\n(?=[ \t])")


def split(raw: bytes) -> tuple[bytes, bytes]:
    """Return the header block and the body of a CRLF message."""
    head, separator, body = raw.partition(b"\r\n\r\n")
    assert separator, "no blank line ends the header block"
    return head, body


def raw_headers(raw: bytes) -> dict[str, list[bytes]]:
    """Map each lowercase header name to its raw values, folding CRLFs kept."""
    head, _ = split(raw)
    fields: dict[str, list[bytes]] = {}
    for field in re.split(rb"\r\n(?![ \t])", head):
        name, colon, value = field.partition(b":")
        assert colon, f"not a header field: {field[:80]!r}"
        fields.setdefault(name.decode("ascii").lower(), []).append(value)
    return fields


def unfolded(value: bytes) -> str:
    """Return a raw header value unfolded (RFC 5322 3.2.2) and stripped, still undecoded."""
    return FOLD.sub(b"", value).decode("ascii").strip()


def header(raw: bytes, name: str) -> str:
    """Return the one raw value of `name`; fail if it is missing or repeated."""
    values = raw_headers(raw).get(name.lower(), [])
    assert len(values) == 1, f"{name}: expected once, found {len(values)} times"
    return unfolded(values[0])


def long_lines(raw: bytes) -> list[int]:
    """Return the numbers of lines over 998 octets (CRLF excluded)."""
    return [n for n, line in enumerate(raw.split(b"\r\n")) if len(line) > MAX_LINE_OCTETS]


def check_wire_rules(raw: bytes, *, with_unsubscribe: bool = True) -> None:
    """Assert what RFC 5322, 2369 and 8058 ask of the bytes of one of our emails."""
    assert b"\n" not in raw.replace(b"\r\n", b""), "a bare LF"
    assert not long_lines(raw), f"lines over {MAX_LINE_OCTETS} octets: {long_lines(raw)}"
    head, _ = split(raw)
    assert head.isascii(), "non-ASCII header bytes"
    assert DATE.match(header(raw, "Date")), header(raw, "Date")
    assert MESSAGE_ID.match(header(raw, "Message-ID")), header(raw, "Message-ID")
    assert header(raw, "Auto-Submitted") == "auto-generated"
    assert header(raw, "MIME-Version") == "1.0"
    if not with_unsubscribe:
        assert "list-unsubscribe" not in raw_headers(raw)
        return
    assert LIST_ID.match(header(raw, "List-Id")), header(raw, "List-Id")
    for name in ("List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Message-ID"):
        assert b"=?" not in raw_headers(raw)[name.lower()][0], f"{name} has encoded-words"
    assert LIST_UNSUBSCRIBE.match(header(raw, "List-Unsubscribe")), header(raw, "List-Unsubscribe")
    assert header(raw, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"


def unsubscribe_uris(raw: bytes) -> tuple[str, str]:
    """Return the (https, mailto) URIs of List-Unsubscribe as a provider reads them."""
    found = LIST_UNSUBSCRIBE.match(header(raw, "List-Unsubscribe"))
    assert found is not None
    return found.group(1), found.group(2)


def parts(raw: bytes) -> dict[str, Message]:
    """Map each leaf part's content type to the part (compat32: no header decoding)."""
    message = message_from_bytes(raw, policy=email_policy.compat32)
    leaves: dict[str, Message] = {}
    for part in message.walk():
        if not part.is_multipart():
            leaves.setdefault(part.get_content_type(), part)
    return leaves


def structure(raw: bytes) -> list[str]:
    """Return every part's content type, depth first."""
    message = message_from_bytes(raw, policy=email_policy.compat32)
    return [part.get_content_type() for part in message.walk()]


def decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(part.get_content_charset() or "ascii")


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.hrefs: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"head", "style", "script"}:
            self._hidden += 1
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"head", "style", "script"}:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.texts.append(data)


def visible_html(html: str) -> tuple[str, list[str]]:
    """Return the text a reader sees in `html` and the links it carries."""
    reader = _Visible()
    reader.feed(html)
    return " ".join(" ".join(reader.texts).split()), reader.hrefs


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


# Words of the HTML's banner, link labels and button that the text part says with a URL.
PRESENTATION_WORDS = frozenset(
    {"smart", "energy", "code", "sec", "view", "on", "the", "in", "register", "read"}
    | {"copy", "into", "browser", "button", "does", "work", "my", "date", "join"}
)


def text_says_what_html_says(text: str, html: str) -> None:
    """Assert every link and every word of substance in the HTML is in the text part."""
    seen, hrefs = visible_html(html)
    flat_text = "".join(text.split())
    for href in hrefs:
        assert "".join(href.split()) in flat_text, f"the text part lacks the link {href}"
    missing = words(seen) - words(text) - PRESENTATION_WORDS
    assert not missing, f"the HTML says what the text part does not: {sorted(missing)}"
