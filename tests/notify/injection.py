"""The header-injection corpus and the checks every email built from it must pass.

The corpus is a real feed, tests/feeds/hostile/header-injection.xml: each title (and the
channel and ``<source>`` names, which become outlets) tries to write a header or a body of
our emails, with RFC 2047 encoded words that decode to CR/LF, literal and bare line breaks,
Unicode line separators, NUL, nesting, unknown charsets and overlong words. Its golden file,
header-injection.subjects.json, holds the Subject a mail client must read for each item
(keyed by the item's guid).

The checks read the bytes the SMTP server received, as a mail client would, and split the
header block themselves (not with monitor's own code), on every line end a reader might
honour.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from email.message import EmailMessage

from monitor.models import FeedItem
from tests.feeds.feed_samples import HOSTILE, fixture_items

CORPUS = "header-injection.xml"
# A subscriber name (also the subscription's name, in List-Id and the footer) that tries the
# same: a Bcc and a header of its own.
HOSTILE_NAME = "=?utf-8?q?Desk=0D=0ABcc:_victim@evil.example=0D=0AX-Injected:_name?="
HOSTILE_NAME_READ = "Desk Bcc: victim@evil.example X-Injected: name"

# The headers we write, and nothing else: every email, then what list emails add.
EMAIL_HEADERS = [
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "auto-submitted",
    "x-auto-response-suppress",
    "x-monitor-delivery",
    "content-type",
    "mime-version",
]
ALERT_HEADERS = [*EMAIL_HEADERS, "list-id", "list-unsubscribe", "list-unsubscribe-post", "precedence"]
# What the email package writes on each alternative (the HTML part repeats MIME-Version).
_PART_HEADERS = {"content-type", "content-transfer-encoding", "mime-version"}
_LINE_END = re.compile(rb"\r\n|\r|\n")


def hostile_items() -> list[FeedItem]:
    """The corpus through the real parser and normalizer."""
    return list(fixture_items(CORPUS))


def expected_subjects() -> dict[str, str]:
    """Item guid → the Subject a reader must see."""
    golden = (HOSTILE / "header-injection.subjects.json").read_text(encoding="utf-8")
    subjects = json.loads(golden)
    assert isinstance(subjects, dict)
    return {str(key): str(value) for key, value in subjects.items()}


def item_key(item: FeedItem) -> str:
    assert item.guid is not None
    return item.guid


def subject_read(message: EmailMessage) -> str:
    """The Subject as a client shows it. Python 3.11 folds a value that fits on the next
    line as ``Subject:\\r\\n <value>``, and its own parser then keeps the folding space."""
    return str(message["Subject"]).strip()


def raw_header_names(data: bytes) -> list[str]:
    """Lower-cased names of the top-level header lines, up to the first empty line."""
    names = []
    for line in _LINE_END.split(data):
        if not line:
            break
        if not line.startswith((b" ", b"\t")):
            names.append(line.split(b":", 1)[0].decode("ascii", "replace").lower())
    return names


def read_clean_email(data: bytes, recipient: str, headers: list[str]) -> EmailMessage:
    """The received message, after checking that nothing was injected into it.

    Exactly ``headers``, each once (no Bcc, Reply-To or X-Injected), one recipient in To,
    and a multipart/alternative body of exactly one text/plain and one text/html part.
    """
    names = raw_header_names(data)
    assert sorted(names) == sorted(headers), names
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert sorted(name.lower() for name in message) == sorted(headers)
    (address,) = message["To"].addresses
    assert address.addr_spec == recipient
    assert message.get_content_type() == "multipart/alternative"
    leaves = [part.get_content_type() for part in message.walk() if not part.is_multipart()]
    assert leaves == ["text/plain", "text/html"], leaves
    for part in message.iter_parts():
        assert not part.is_multipart()
        assert {"content-type", "content-transfer-encoding"} <= {n.lower() for n in part}
        assert {n.lower() for n in part} <= _PART_HEADERS, part.keys()
    return message
