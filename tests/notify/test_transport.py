"""The SMTP transport's own MAIL/RCPT/DATA exchange sends what aiosmtplib's sendmail sends."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.config import Settings, load_settings
from monitor.errors import PermanentDeliveryError, TransientDeliveryError
from monitor.notify.transport import SmtpTransport, crlf_message, data_payload
from monitor.services.smtp_sink import SmtpSink

PIECES = st.sampled_from([b"a", b"\r", b"\n", b"\r\n", b".", b"..", b"\r\n.", b"=", b"\xc3\xa9"])


@settings(max_examples=500, deadline=None)
@given(raw=st.one_of(st.lists(PIECES, max_size=40).map(b"".join), st.binary(max_size=200)))
def test_the_payload_is_what_aiosmtplib_would_send(raw: bytes) -> None:
    expected = PERIOD_REGEX.sub(b"..", normalize_message_line_endings(raw)) + b".\r\n"
    assert crlf_message(raw) == normalize_message_line_endings(raw)
    assert data_payload(crlf_message(raw)) == expected


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


def smtp_settings(tmp_path: Path, port: int) -> Settings:
    return load_settings(
        var_dir=tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none"
    )


MESSAGES = [
    b"Subject: one\r\nMessage-ID: <1@x.example>\r\n\r\nplain body\r\n",
    b"Subject: two\r\nMessage-ID: <2@x.example>\r\n\r\n.a line starting with a dot\r\n..two\r\n",
    b"Subject: three\r\nMessage-ID: <3@x.example>\r\n\r\n=3D quoted\r\n.\r\nend",
]


def send_all(transport: SmtpTransport, messages: list[tuple[bytes, str]]) -> list[object]:
    """Send each (raw, recipient) on one transport; the reply or the error, in order."""

    async def main() -> list[object]:
        out: list[object] = []
        for raw, recipient in messages:
            try:
                out.append(
                    await transport.send(
                        raw, sender="alerts@monitor.example", recipient=recipient, message_id="x"
                    )
                )
            except (PermanentDeliveryError, TransientDeliveryError) as exc:
                out.append(exc)
        await transport.close()
        return out

    return asyncio.run(main())


@pytest.mark.parametrize("fast", [True, False])
def test_messages_after_the_first_arrive_byte_for_byte(
    sink: SmtpSink, tmp_path: Path, fast: bool
) -> None:
    transport = SmtpTransport(smtp_settings(tmp_path, sink.port), fast=fast)
    replies = send_all(transport, [(raw, "ana@example.org") for raw in MESSAGES])
    assert all(isinstance(reply, str) for reply in replies)
    # The server undoes the dot-stuffing; a message not ending in CRLF gets one.
    assert [r.data for r in sink.received] == [crlf_message(raw) for raw in MESSAGES]
    assert all(r.rcpt_tos == ["ana@example.org"] for r in sink.received)


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        ("451 4.3.0 try again later", TransientDeliveryError),
        ("554 5.6.0 message refused", PermanentDeliveryError),
    ],
)
def test_refusals_on_a_greeted_connection_are_sorted_as_before(
    sink: SmtpSink, tmp_path: Path, reply: str, error: type[Exception]
) -> None:
    sink.handler.reject_rcpt.add("nobody@example.org")
    transport = SmtpTransport(smtp_settings(tmp_path, sink.port))

    async def attempt(raw: bytes, recipient: str) -> object:
        try:
            return await transport.send(raw, **envelope(recipient))
        except (PermanentDeliveryError, TransientDeliveryError) as exc:
            return exc

    async def main() -> list[object]:
        # Each refusal drops the connection; the message before it greets the server, so
        # the refused one goes on a greeted connection.
        out = [await attempt(MESSAGES[0], "ana@example.org")]
        out.append(await attempt(MESSAGES[1], "nobody@example.org"))
        out.append(await attempt(MESSAGES[0], "ana@example.org"))
        sink.handler.reject_with = reply
        out.append(await attempt(MESSAGES[2], "ana@example.org"))
        await transport.close()
        return out

    replies = asyncio.run(main())
    assert isinstance(replies[0], str) and isinstance(replies[2], str)
    assert isinstance(replies[1], PermanentDeliveryError) and "550" in str(replies[1])
    assert isinstance(replies[3], error) and reply[:3] in str(replies[3])
    assert len(sink.received) == 2


def envelope(recipient: str) -> dict[str, str]:
    return {"sender": "alerts@monitor.example", "recipient": recipient, "message_id": "x"}


def test_messages_sent_at_once_share_at_most_the_configured_connections(
    sink: SmtpSink, tmp_path: Path
) -> None:
    """Ten messages handed over together: each arrives once, byte for byte, over no more
    than three connections (one message per connection at a time), and the next batch
    reuses them."""
    transport = SmtpTransport(smtp_settings(tmp_path, sink.port), connections=3)
    raws = [MESSAGES[n % 3].replace(b"Subject: ", b"Subject: %d " % n) for n in range(10)]

    async def main() -> list[str]:
        replies: list[str] = []
        for _ in range(2):
            replies += await asyncio.gather(
                *(transport.send(raw, **envelope("ana@example.org")) for raw in raws)
            )
        await transport.close()
        return replies

    replies = asyncio.run(main())
    assert len(replies) == 20 and all(reply.startswith("Message accepted") for reply in replies)
    assert sorted(r.data for r in sink.received) == sorted(crlf_message(raw) for raw in raws * 2)
    peers = {r.peer for r in sink.received}
    assert len(peers) == 3 and "" not in peers
