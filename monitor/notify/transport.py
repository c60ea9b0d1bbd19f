"""Hands composed messages to SMTP, or to an outbox directory when no SMTP is configured.

Both transports take the stored bytes unchanged, so a resend is byte-for-byte the first
copy (same Message-ID). Errors are sorted into transient (retry later) and permanent (5xx).
"""

from __future__ import annotations

import contextlib
import os
import re
import ssl
from pathlib import Path
from typing import Protocol

import aiosmtplib

from monitor.config import Settings
from monitor.errors import PermanentDeliveryError, TransientDeliveryError
from monitor.private_files import private_dir, write_private


class Transport(Protocol):
    async def send(self, raw: bytes, *, sender: str, recipient: str, message_id: str) -> str:
        """Deliver one message; return the server's acceptance reply."""

    async def close(self) -> None: ...


class SmtpTransport:
    """One SMTP connection, reused across messages and reopened after errors."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: aiosmtplib.SMTP | None = None

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
        try:
            if self._client is None or not self._client.is_connected:
                self._client = await self._connect()
            _errors, reply = await self._client.sendmail(sender, [recipient], raw)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            await self._drop()
            codes = [r.code for r in exc.recipients]
            detail = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            if codes and all(500 <= c < 600 for c in codes):
                raise PermanentDeliveryError(recipient, f"refused: {detail}") from exc
            raise TransientDeliveryError(recipient, f"refused for now: {detail}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            await self._drop()
            if 500 <= exc.code < 600:
                raise PermanentDeliveryError(recipient, f"{exc.code} {exc.message}") from exc
            raise TransientDeliveryError(recipient, f"{exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self._drop()
            raise TransientDeliveryError(
                recipient, f"SMTP {self.settings.smtp_host}:{self.settings.smtp_port}: {exc!r}"
            ) from exc
        return reply

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()


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
