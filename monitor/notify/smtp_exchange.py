"""One plain SMTP transaction (MAIL, RCPT, DATA, the message) on a greeted connection.

aiosmtplib reads one reply per command, each through ``asyncio.wait_for`` (a timer, a
waiter and several loop turns per reply), and its protocol cannot read the replies to
commands written together. For the transaction, :func:`transaction` lends the connection's
transport a small protocol of its own (:class:`_Replies`) that collects every complete
reply, and gives it back afterwards: one write and one wake-up for the envelope when the
server offers PIPELINING (RFC 2920), one deadline per phase instead of a timer per reply.
Replies are checked in the order of their commands and raise the exceptions aiosmtplib's
``sendmail`` raises, so refusals and failures are sorted exactly as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import cast

import aiosmtplib
from aiosmtplib import SMTPStatus
from aiosmtplib.response import SMTPResponse

MAX_LINE_LENGTH = 8192  # aiosmtplib's limits: a longer reply line or reply is refused
MAX_RESPONSE_LENGTH = MAX_LINE_LENGTH * 4


def parse_replies(buffer: bytearray) -> list[SMTPResponse]:
    """The complete replies at the start of ``buffer`` (removed from it), as aiosmtplib
    parses one: the code of the last line, the lines' texts joined by newlines (a newline
    only after some text, as aiosmtplib writes it).

    A malformed or too long line raises :class:`aiosmtplib.SMTPResponseException` with
    code -1, as aiosmtplib's protocol does.
    """
    replies: list[SMTPResponse] = []
    start = 0
    while True:
        offset, text = start, bytearray()
        code = -1
        while True:
            end = buffer.find(b"\n", offset)
            if end == -1:
                del buffer[:start]
                return replies
            line = bytes(buffer[offset : end + 1])
            if len(line) > MAX_LINE_LENGTH:
                raise aiosmtplib.SMTPResponseException(
                    SMTPStatus.invalid_response.value, "Response too long"
                )
            try:
                code = int(line[:3])
            except ValueError:
                shown = line.decode("utf-8", errors="ignore")
                raise aiosmtplib.SMTPResponseException(
                    SMTPStatus.invalid_response.value, f"Malformed SMTP response line: {shown}"
                ) from None
            offset = end + 1
            if text:
                text += b"\n"
            text += line[4:].strip(b" \t\r\n")
            if line[3:4] != b"-":
                break
        replies.append(SMTPResponse(code, text.decode("utf-8", "surrogateescape")))
        start = offset


class _Replies(asyncio.Protocol):
    """Collects the server's replies while it holds the transport; :meth:`wait` wakes
    once ``count`` replies (or a failure) have arrived."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._buffer = bytearray()
        self.replies: list[SMTPResponse] = []
        self.failure: BaseException | None = None
        self._wanted = 0
        self._waiter: asyncio.Future[None] | None = None

    def data_received(self, data: bytes) -> None:
        if self.failure is not None:
            return
        self._buffer.extend(data)
        if len(self._buffer) > MAX_RESPONSE_LENGTH:
            self._fail(
                aiosmtplib.SMTPResponseException(
                    SMTPStatus.invalid_response.value, "Response too long"
                )
            )
            return
        try:
            self.replies += parse_replies(self._buffer)
        except aiosmtplib.SMTPResponseException as exc:
            self._fail(exc)
            return
        if len(self.replies) >= self._wanted:
            self._wake()

    def eof_received(self) -> bool:
        self._fail(aiosmtplib.SMTPServerDisconnected("Unexpected EOF received"))
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        lost = aiosmtplib.SMTPServerDisconnected("Connection lost")
        lost.__cause__ = exc
        self._fail(lost)

    def _fail(self, exc: BaseException) -> None:
        if self.failure is None:
            self.failure = exc
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def wait(self, count: int) -> list[SMTPResponse]:
        """Until ``count`` replies have arrived in all, or the connection failed; the
        replies so far (fewer than ``count`` only after a failure, see :attr:`failure`)."""
        if len(self.replies) < count and self.failure is None:
            self._wanted = count
            self._waiter = self._loop.create_future()
            await self._waiter
        return self.replies


def check_envelope(replies: list[SMTPResponse], sender: str, recipient: str) -> None:
    """Raise for the first refused command among MAIL, RCPT and DATA (in that order), as
    ``sendmail`` would; replies missing after a failure are not checked."""
    if replies and replies[0].code != SMTPStatus.completed:
        raise aiosmtplib.SMTPSenderRefused(replies[0].code, replies[0].message, sender)
    if len(replies) > 1 and replies[1].code not in (
        SMTPStatus.completed,
        SMTPStatus.will_forward,
    ):
        refused = aiosmtplib.SMTPRecipientRefused(replies[1].code, replies[1].message, recipient)
        raise aiosmtplib.SMTPRecipientsRefused([refused])
    if len(replies) > 2 and replies[2].code != SMTPStatus.start_input:
        raise aiosmtplib.SMTPDataError(replies[2].code, replies[2].message)


async def transaction(
    client: aiosmtplib.SMTP, payload: bytes, size: int, sender: str, recipient: str
) -> str:
    """Send one message (``payload``: dot-stuffed and ending in ``.``, see
    ``transport.data_payload``; ``size``: its length before stuffing) on a greeted
    connection; return the server's acceptance. Any exception leaves the connection in an
    unknown state: the caller closes it."""
    protocol = client.protocol
    transport = cast(asyncio.WriteTransport | None, client.transport)
    if protocol is None or transport is None or transport.is_closing():
        raise aiosmtplib.SMTPServerDisconnected("Server not connected")
    loop = asyncio.get_running_loop()
    replies = _Replies(loop)
    transport.set_protocol(replies)
    try:
        await _exchange(client, transport, replies, payload, size, sender, recipient, loop.time)
    finally:
        transport.set_protocol(protocol)
    return replies.replies[3].message


async def _exchange(
    client: aiosmtplib.SMTP,
    transport: asyncio.WriteTransport,
    replies: _Replies,
    payload: bytes,
    size: int,
    sender: str,
    recipient: str,
    clock: Callable[[], float],
) -> None:
    options = b" SIZE=%d" % size if client.supports_extension("size") else b""
    commands = (
        b"MAIL FROM:<%s>%s\r\n" % (sender.encode(), options),
        b"RCPT TO:<%s>\r\n" % recipient.encode(),
        b"DATA\r\n",
    )
    limit = client.timeout
    try:
        async with asyncio.timeout(None) as deadline:
            if client.supports_extension("pipelining"):
                deadline.reschedule(None if limit is None else clock() + limit)
                transport.write(b"".join(commands))
                check_envelope(await replies.wait(3), sender, recipient)
                _raise_failure(replies, 3)
            else:
                for count, command in enumerate(commands, start=1):
                    deadline.reschedule(None if limit is None else clock() + limit)
                    transport.write(command)
                    check_envelope(await replies.wait(count), sender, recipient)
                    _raise_failure(replies, count)
            deadline.reschedule(None if limit is None else clock() + limit)
            transport.write(payload)
            answer = (await replies.wait(4))[3:]
            _raise_failure(replies, 4)
    except TimeoutError as exc:
        raise aiosmtplib.SMTPReadTimeoutError("Timed out waiting for server response") from exc
    if answer[0].code != SMTPStatus.completed:
        raise aiosmtplib.SMTPDataError(answer[0].code, answer[0].message)


def _raise_failure(replies: _Replies, count: int) -> None:
    if len(replies.replies) < count:
        raise replies.failure or aiosmtplib.SMTPServerDisconnected("Connection lost")
