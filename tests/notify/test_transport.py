"""The SMTP transport's own MAIL/RCPT/DATA exchange sends what aiosmtplib's sendmail sends,
pipelined when the server offers PIPELINING, and sorts failures as aiosmtplib's replies would."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtplib import SMTPResponseException
from aiosmtplib.protocol import PERIOD_REGEX, SMTPProtocol, normalize_message_line_endings
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.config import Settings, load_settings
from monitor.errors import PermanentDeliveryError, TransientDeliveryError
from monitor.notify.smtp_exchange import parse_replies
from monitor.notify.transport import SmtpTransport, crlf_message, data_payload
from monitor.services.smtp_sink import SmtpSink

PIECES = st.sampled_from([b"a", b"\r", b"\n", b"\r\n", b".", b"..", b"\r\n.", b"=", b"\xc3\xa9"])


@settings(max_examples=500, deadline=None)
@given(raw=st.one_of(st.lists(PIECES, max_size=40).map(b"".join), st.binary(max_size=200)))
def test_the_payload_is_what_aiosmtplib_would_send(raw: bytes) -> None:
    expected = PERIOD_REGEX.sub(b"..", normalize_message_line_endings(raw)) + b".\r\n"
    assert crlf_message(raw) == normalize_message_line_endings(raw)
    assert data_payload(crlf_message(raw)) == expected


@pytest.fixture(params=[False, True], ids=["plain server", "PIPELINING server"])
def sink(request: pytest.FixtureRequest) -> Iterator[SmtpSink]:
    with SmtpSink(pipelining=request.param) as server:
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


# --- the transaction's own reply reading (notify/smtp_exchange.py) ------------------------

REPLY_LINES = st.tuples(
    st.integers(min_value=0, max_value=999),
    st.lists(
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF), max_size=30),
        min_size=1,
        max_size=3,
    ),
)


def reply_bytes(code: int, texts: list[str]) -> bytes:
    lines = [b"%03d-%s\r\n" % (code, t.encode()) for t in texts[:-1]]
    return b"".join(lines) + b"%03d %s\r\n" % (code, texts[-1].encode())


@settings(max_examples=300, deadline=None)
@given(replies=st.lists(REPLY_LINES, min_size=1, max_size=4), tail=st.binary(max_size=20))
def test_replies_are_parsed_as_aiosmtplib_parses_them(
    replies: list[tuple[int, list[str]]], tail: bytes
) -> None:
    """Several replies in one buffer (as pipelined commands get them) parse one by one
    exactly as aiosmtplib's protocol parses each, and an incomplete last reply stays."""
    data = b"".join(reply_bytes(code, texts) for code, texts in replies)
    tail = tail.replace(b"\n", b"")  # no line end: an unfinished line
    loop = asyncio.new_event_loop()
    try:
        reference = SMTPProtocol(loop=loop)
        reference._buffer = bytearray(data)
        expected = []
        while (reply := reference._read_response_from_buffer()) is not None:
            expected.append(reply)
    finally:
        loop.close()
    buffer = bytearray(data + tail)
    assert parse_replies(buffer) == expected
    assert buffer == tail


def test_a_malformed_reply_line_is_refused_as_aiosmtplib_refuses_it() -> None:
    with pytest.raises(SMTPResponseException) as caught:
        parse_replies(bytearray(b"250 OK\r\nhello there\r\n"))
    assert caught.value.code == -1 and "Malformed" in caught.value.message


class ScriptedServer:
    """A real SMTP server on loopback, written out here so that it can misbehave on cue in
    the second transaction of a connection (the first greets it through ``sendmail``);
    it notes whether RCPT arrived before it answered MAIL (the client pipelined)."""

    def __init__(self, *, pipelining: bool, fault: str = "") -> None:
        self.pipelining = pipelining
        self.fault = fault
        self.envelope_together: list[bool] = []
        self.messages: list[bytes] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self.converse(reader, writer)
        finally:  # also when cancelled at the end of the test
            writer.close()

    async def converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 scripted ready\r\n")
        mails, pending = 0, b""
        while True:
            line, pending = pending or await reader.readline(), b""
            verb = line[:4].upper()
            fault = self.fault if mails == 2 else ""
            if not line or verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                break
            if verb == b"EHLO":
                offers = b"250-PIPELINING\r\n" if self.pipelining else b""
                writer.write(b"250-scripted\r\n" + offers + b"250 SIZE 1000000\r\n")
            elif verb == b"MAIL":
                mails += 1
                if mails == 2:
                    try:
                        pending = await asyncio.wait_for(reader.readline(), 0.3)
                    except TimeoutError:
                        self.envelope_together.append(False)
                    else:
                        self.envelope_together.append(True)
                if mails == 2 and self.fault == "drop after MAIL":
                    writer.write(b"250 ok\r\n")
                    await writer.drain()
                    break
                replies = {
                    "refuse MAIL 550": b"550 5.7.1 sender refused\r\n",
                    "refuse MAIL 451": b"451 4.3.0 try later\r\n",
                    "malformed": b"hello there\r\n",
                }
                writer.write(replies.get(self.fault if mails == 2 else "", b"250 ok\r\n"))
            elif verb == b"RCPT":
                refused = fault.startswith("refuse") or fault == "malformed"
                writer.write(
                    b"550 5.1.1 no such user\r\n"
                    if fault == "refuse RCPT 550"
                    else b"503 5.5.1 bad sequence\r\n"
                    if refused
                    else b"250 ok\r\n"
                )
            elif verb == b"DATA":
                if fault.startswith("refuse") or fault == "malformed":
                    writer.write(b"554 5.5.1 no valid recipients\r\n")
                    continue
                writer.write(b"354 go ahead\r\n")
                message = await reader.readuntil(b"\r\n.\r\n")
                self.messages.append(message)
                if fault == "silent after the message":
                    await asyncio.sleep(3)
                    break
                writer.write(b"250 2.0.0 queued as %d\r\n" % len(self.messages))
            else:
                writer.write(b"502 5.5.2 not implemented\r\n")


def scripted_run(tmp_path: Path, server: ScriptedServer, recipients: list[str]) -> list[object]:
    """Send MESSAGES[0] to each recipient on one transport against ``server``."""

    async def main() -> list[object]:
        listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        port = listening.sockets[0].getsockname()[1]
        settings = load_settings(
            var_dir=tmp_path,
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_security="none",
            smtp_timeout=1.0,
        )
        transport = SmtpTransport(settings)
        out: list[object] = []
        for recipient in recipients:
            try:
                out.append(await transport.send(MESSAGES[0], **envelope(recipient)))
            except (PermanentDeliveryError, TransientDeliveryError) as exc:
                out.append(exc)
        await transport.close()
        listening.close()
        await listening.wait_closed()
        return out

    return asyncio.run(main())


@pytest.mark.parametrize("pipelining", [True, False])
def test_the_envelope_is_pipelined_only_when_the_server_offers_it(
    tmp_path: Path, pipelining: bool
) -> None:
    server = ScriptedServer(pipelining=pipelining)
    replies = scripted_run(tmp_path, server, ["ana@example.org"] * 3)
    assert replies == ["2.0.0 queued as 1", "2.0.0 queued as 2", "2.0.0 queued as 3"]
    # The second message is the first on the greeted connection: RCPT came with MAIL
    # only when PIPELINING was offered.
    assert server.envelope_together == [pipelining]
    assert server.messages == [data_payload(crlf_message(MESSAGES[0]))] * 3


@pytest.mark.parametrize("pipelining", [True, False])
@pytest.mark.parametrize(
    ("fault", "error", "words"),
    [
        ("refuse MAIL 550", PermanentDeliveryError, "550"),
        ("refuse MAIL 451", TransientDeliveryError, "451"),
        ("refuse RCPT 550", PermanentDeliveryError, "550"),
        ("drop after MAIL", TransientDeliveryError, "SMTP 127.0.0.1"),
        ("silent after the message", TransientDeliveryError, "Timed out"),
        ("malformed", TransientDeliveryError, "Malformed"),
    ],
)
def test_failures_on_a_greeted_connection_are_sorted_as_before(
    tmp_path: Path, pipelining: bool, fault: str, error: type[Exception], words: str
) -> None:
    """Each failure of the transaction is permanent (5xx) or transient (4xx, dropped
    connection, timeout, garbled reply) as with aiosmtplib's one reply at a time; nothing
    is sent after a refused envelope, and the next message goes on a fresh connection."""
    server = ScriptedServer(pipelining=pipelining, fault=fault)
    replies = scripted_run(tmp_path, server, ["ana@example.org"] * 3)
    assert isinstance(replies[0], str) and isinstance(replies[2], str)
    assert isinstance(replies[1], error) and words in str(replies[1])
    sent = 3 if fault == "silent after the message" else 2
    assert len(server.messages) == sent
