"""The workspace under aiohttp's test client: the real web role's application, a real
database (SQLite or PostgreSQL), a real mailer sending to the SMTP sink on loopback.

``Site.sign_in`` signs in the way a person does: asks for a link on the form, lets the
mailer send the email, reads the link out of what the SMTP sink received, opens it and
presses the button.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from aiohttp import ClientResponse, CookieJar
from aiohttp.test_utils import TestClient, TestServer

from monitor.config import Settings
from monitor.notify.mailer import Mailer
from monitor.notify.transport import SmtpTransport
from monitor.services import free_port
from monitor.services.smtp_sink import SmtpSink
from monitor.web.server import WebApp

CSRF_INPUT = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
SIGN_IN_LINK = re.compile(r"https?://[^\s\"<>]+/signin/[A-Za-z0-9_.~-]+")


def csrf_of(html: str) -> str:
    """The CSRF token of the page's forms."""
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token on the page"
    return match[1]


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def link_in(message: EmailMessage) -> str:
    """The path of the sign-in link in an email's text part."""
    match = SIGN_IN_LINK.search(text_of(message))
    assert match, text_of(message)
    return urlsplit(match[0]).path


@dataclass
class Site:
    settings: Settings
    engine: Any
    sink: SmtpSink
    client: TestClient[Any, Any]
    webapp: WebApp
    seen: int = field(default=0)

    async def get(self, path: str, **kwargs: Any) -> tuple[ClientResponse, str]:
        response = await self.client.get(path, allow_redirects=False, **kwargs)
        return response, await response.text()

    async def post(
        self, path: str, data: dict[str, str], **kwargs: Any
    ) -> tuple[ClientResponse, str]:
        response = await self.client.post(path, data=data, allow_redirects=False, **kwargs)
        return response, await response.text()

    async def deliver(self) -> list[EmailMessage]:
        """Run the mailer once; the messages the sink received since the last call."""
        mailer = Mailer(self.settings, self.engine, SmtpTransport(self.settings), worker="t")
        try:
            await mailer.pass_once(datetime.now(UTC))
        finally:
            await mailer.transport.close()
        received = self.sink.received
        fresh, self.seen = received[self.seen :], len(received)
        return [got.message for got in fresh]

    async def request_link(self, email: str, next_path: str = "") -> tuple[int, str]:
        _, form = await self.get("/signin")
        response, body = await self.post(
            "/signin", {"csrf": csrf_of(form), "email": email, "next": next_path}
        )
        return response.status, body

    async def sign_in(self, email: str) -> None:
        """Sign in through the emailed link; fails the test if that does not work."""
        status, _ = await self.request_link(email)
        assert status == 200
        (message,) = [m for m in await self.deliver() if "sign-in" in str(m["Subject"])]
        assert message["To"].addresses[0].addr_spec == email
        path = link_in(message)
        response, landing = await self.get(path)
        assert response.status == 200, landing
        response, _ = await self.post(path, {"csrf": csrf_of(landing), "next": "/latest"})
        assert response.status == 303, await response.text()
        assert response.headers["Location"] == "/latest"


def site_settings(
    make_settings: Callable[..., Settings], db_url: str, sink: SmtpSink, **overrides: Any
) -> Settings:
    values: dict[str, Any] = {
        "database_url": db_url,
        "smtp_host": "127.0.0.1",
        "smtp_port": sink.port,
        "smtp_security": "none",
        **overrides,
    }
    return make_settings(**values)


def run_site(
    settings: Settings, engine: Any, sink: SmtpSink, body: Callable[[Site], Awaitable[None]]
) -> None:
    """Serve the web role's application on loopback and run ``body`` against it."""

    async def main() -> None:
        webapp = WebApp(settings, engine)
        port = free_port()
        # A browser sends Secure cookies to https origins only; the test server is http on
        # loopback, which this jar treats as the https site MONITOR_PUBLIC_URL names.
        jar = CookieJar(unsafe=True, treat_as_secure_origin=[f"http://127.0.0.1:{port}"])
        client: TestClient[Any, Any] = TestClient(
            TestServer(webapp.app, host="127.0.0.1", port=port), cookie_jar=jar
        )
        await client.start_server()
        try:
            await body(Site(settings, engine, sink, client, webapp, len(sink.received)))
        finally:
            await client.close()
            webapp.close()

    asyncio.run(main())
