"""A real SMTP server on loopback that keeps what it receives (aiosmtpd).

Used by the test suite, the benchmarks and `monitor demo --smtp`; it can be stopped and
started again on the same port to simulate an SMTP outage.
"""

from __future__ import annotations

import email
import email.policy
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from monitor.services import free_port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    at: float
    peer: str = ""  # the client's host:port: which connection carried the message

    @property
    def message(self) -> EmailMessage:
        msg = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        return msg

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    reject_with: str | None = None  # e.g. "550 no such user" to simulate permanent failures
    reject_rcpt: set[str] = field(default_factory=set)
    pipelining: bool = False  # offer PIPELINING (RFC 2920) in the EHLO reply, as Postfix does

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        # aiosmtpd reads commands one line at a time from a buffered stream, so commands
        # written together are answered in order: offering PIPELINING is only a word.
        session.host_name = hostname
        if self.pipelining:
            return [*responses[:-1], "250-PIPELINING", responses[-1]]
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.reject_rcpt:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reject_with:
            return self.reject_with
        with self.lock:
            self.received.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    bytes(envelope.content),
                    time.time(),
                    ":".join(str(part) for part in session.peer[:2]) if session.peer else "",
                )
            )
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, pipelining: bool = False) -> None:
        self.host = host
        self.port = port or free_port()
        self.handler = _Handler(pipelining=pipelining)
        self._controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def start(self) -> SmtpSink:
        self._controller = Controller(
            self.handler,
            hostname=self.host,
            port=self.port,
            ready_timeout=10,
            data_size_limit=50_000_000,
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.received
            if len(got) >= count:
                return got
            time.sleep(0.05)
        return self.received

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
