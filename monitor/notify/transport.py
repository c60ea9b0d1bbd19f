"""Hands composed messages to SMTP, or to an outbox directory when no SMTP is configured.

Both transports take the stored bytes unchanged, so a resend is byte-for-byte the first
copy (same Message-ID). Errors are sorted into transient (retry later) and permanent (5xx).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import ssl
from pathlib import Path
from typing import Protocol

import aiosmtplib

from monitor.config import Settings
from monitor.errors import PermanentDeliveryError, TransientDeliveryError
from monitor.notify import smtp_exchange
from monitor.notify.headers import is_plain_mailbox
from monitor.private_files import private_dir, write_private


class Transport(Protocol):
    async def send(self, raw: bytes, *, sender: str, recipient: str, message_id: str) -> str:
        """Deliver one message; return the server's acceptance reply."""

    async def close(self) -> None: ...


class SmtpTransport:
    """Up to ``connections`` SMTP connections, each reused across messages; one that fails
    is closed and a fresh one opened for the next message.

    Messages sent at once (the mailer sends several while it waits for the server's
    replies) each take an idle connection, or open one while fewer than ``connections``
    are open; one connection carries one message at a time. ``fast=False`` sends every
    message with aiosmtplib's ``sendmail`` (the benchmark's baseline); by default a greeted
    connection sends plain messages with :func:`_transaction`.
    """

    def __init__(
        self, settings: Settings, *, fast: bool = True, connections: int | None = None
    ) -> None:
        self.settings = settings
        self.fast = fast
        self.connections = connections or settings.smtp_connections
        self._idle: list[aiosmtplib.SMTP] = []  # connected, greeted or not, not in use
        self._slots: asyncio.Semaphore | None = None  # made on first use, in the loop
        self._loop: asyncio.AbstractEventLoop | None = None

    async def _connect(self) -> aiosmtplib.SMTP:
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            timeout=s.smtp_timeout,
            use_tls=s.smtp_security == "ssl",
            start_tls=s.smtp_security == "starttls",
            tls_context=ssl.create_default_context(),
        )
        await client.connect()
        if s.smtp_username:
            await client.login(s.smtp_username, s.smtp_password.get_secret_value())
        return client

    async def send(self, raw: bytes, *, sender: str, recipient: str, message_id: str) -> str:
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            # First use, or a new event loop: connections of another loop cannot be used.
            self._slots, self._loop = asyncio.Semaphore(self.connections), loop
            self._idle = []
        async with self._slots:
            client = self._idle.pop() if self._idle else None
            if client is not None and not client.is_connected:
                client = None
            reply = await self._send_on(client, raw, sender=sender, recipient=recipient)
        return reply

    async def _send_on(
        self, client: aiosmtplib.SMTP | None, raw: bytes, *, sender: str, recipient: str
    ) -> str:
        """One message on ``client`` (a new connection when None); the connection goes
        back to the idle ones after a success, and is closed after any error."""
        try:
            if client is None:
                client = await self._connect()
            if (
                not self.fast
                or client.is_ehlo_or_helo_needed
                or not _plain_envelope(sender, recipient)
            ):
                # A fresh connection (sendmail greets the server) or an unusual address.
                _errors, reply = await client.sendmail(sender, [recipient], raw)
            else:
                reply = await _transaction(client, raw, sender, recipient)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            _drop(client)
            codes = [r.code for r in exc.recipients]
            detail = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            if codes and all(500 <= c < 600 for c in codes):
                raise PermanentDeliveryError(recipient, f"refused: {detail}") from exc
            raise TransientDeliveryError(recipient, f"refused for now: {detail}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            _drop(client)
            if 500 <= exc.code < 600:
                raise PermanentDeliveryError(recipient, f"{exc.code} {exc.message}") from exc
            raise TransientDeliveryError(recipient, f"{exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            _drop(client)
            raise TransientDeliveryError(
                recipient, f"SMTP {self.settings.smtp_host}:{self.settings.smtp_port}: {exc!r}"
            ) from exc
        except BaseException:  # cancelled mid-exchange: the connection's state is unknown
            _drop(client)
            raise
        self._idle.append(client)
        return reply

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for client in idle:
            if not client.is_connected:
                continue
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()


def _drop(client: aiosmtplib.SMTP | None) -> None:
    if client is not None:
        with contextlib.suppress(Exception):
            client.close()


_BARE_LINE_END = re.compile(rb"\r\n|\r|\n")


def crlf_message(raw: bytes) -> bytes:
    """``raw`` with CRLF line ends only, ending in one: the message as DATA transmits it.

    aiosmtplib runs a regular expression over every message for this; ours already have
    CRLF line ends, which three ``bytes.count`` calls confirm, and only others are rewritten.
    """
    crlf = raw.count(b"\r\n")
    if crlf != raw.count(b"\n") or crlf != raw.count(b"\r"):
        raw = _BARE_LINE_END.sub(b"\r\n", raw)
    return raw if raw.endswith(b"\r\n") else raw + b"\r\n"


def data_payload(message: bytes) -> bytes:
    """A :func:`crlf_message` as it goes after DATA: a dot starting a line doubled, and the
    ending ``.`` line (``bytes.replace`` instead of aiosmtplib's regular expression; a
    property test holds the two equal)."""
    stuffed = message.replace(b"\n.", b"\n..")
    if stuffed.startswith(b"."):
        stuffed = b"." + stuffed
    return stuffed + b".\r\n"


def _plain_envelope(sender: str, recipient: str) -> bool:
    return is_plain_mailbox(sender) and is_plain_mailbox(recipient)


async def _transaction(client: aiosmtplib.SMTP, raw: bytes, sender: str, recipient: str) -> str:
    """MAIL, RCPT and DATA for one plain message on a greeted connection; the DATA reply.

    The same commands ``sendmail`` sends (with SIZE when the server offers it), without
    its per-message address parsing and regular expressions, which cost more CPU than the
    rest of the exchange; the envelope pipelined when the server offers PIPELINING
    (:mod:`monitor.notify.smtp_exchange`). Refusals raise the exceptions ``sendmail`` raises.
    """
    message = crlf_message(raw)
    return await smtp_exchange.transaction(
        client, data_payload(message), len(message), sender, recipient
    )


_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")


class OutboxDirTransport:
    """Writes each message as ``<message-id>.eml``; rewriting the same message is harmless.

    The files (0600) and the directory, when it creates it (0700), are readable by their
    owner only: they hold whole emails and their addresses.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = private_dir(directory)

    def path_for(self, message_id: str) -> Path:
        return self.directory / (_UNSAFE.sub("_", message_id.strip("<>"))[:200] + ".eml")

    async def send(self, raw: bytes, *, sender: str, recipient: str, message_id: str) -> str:
        target = self.path_for(message_id)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        try:
            write_private(tmp, raw)
            tmp.replace(target)
        except OSError as exc:
            raise TransientDeliveryError(recipient, f"cannot write {target}: {exc}") from exc
        return f"written {target.name}"

    async def close(self) -> None:
        return None


def make_transport(settings: Settings) -> Transport:
    if settings.smtp_host:
        return SmtpTransport(settings)
    return OutboxDirTransport(settings.outbox_path)
