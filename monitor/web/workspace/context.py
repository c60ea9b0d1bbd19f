"""What every workspace page shares: who is reading, in which language and zone, the CSRF
token of their forms, and the rendering of a page with its security headers.

The areas (``signin``, ``latest``, ``story``, ``operations``, ``operations_feeds``; later
search, trends, subscriptions) each add their routes and call :meth:`Workspace.page`; none
of them sets a header or a cookie policy of its own. Operators' routes are wrapped in
:meth:`Workspace.operator_only`.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined
from multidict import MultiDictProxy
from sqlalchemy import Engine

from monitor.config import Settings
from monitor.store import sessions as session_store
from monitor.store.db import transaction
from monitor.web.clients import client_address, parse_networks
from monitor.web.workspace import i18n
from monitor.web.workspace.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    HEADERS,
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    cookie_policy,
    csrf_token,
    csrf_valid,
    new_secret_value,
)

# The pages that exist, in the navigation's order: (path, catalog key). Later areas add
# theirs here when they exist; nothing is listed before it works.
NAVIGATION: tuple[tuple[str, str], ...] = (
    ("/latest", "nav.latest"),
    ("/search", "nav.search"),
    ("/trends", "nav.trends"),
    ("/countries", "nav.countries"),
    ("/subscriptions", "nav.subscriptions"),
)
# Shown to operators only (and their routes refuse everyone else: ``operator_only``).
OPERATOR_NAVIGATION: tuple[tuple[str, str], ...] = (("/operations", "nav.operations"),)


@dataclass(frozen=True, slots=True)
class Reader:
    """A signed-in person: a subscriber row, an operator or not, and their zone."""

    subscriber_id: int
    email: str
    zone: ZoneInfo
    operator: bool


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# What one request learns once: who is reading, and this browser's CSRF cookie (new or not).
READER = web.RequestKey("reader", object)
CSRF_VALUE = web.RequestKey("csrf_value", str)
CSRF_NEW = web.RequestKey("csrf_new", bool)
# The language of the subscriber an email's link names (the sign-in link's landing page).
LINKED_LANGUAGE = web.RequestKey("linked_language", str)


def safe_next(value: str | None, default: str = "/latest") -> str:
    """Where to go after a form: a path on this site only (``/latest?country=PY``), never
    another host (``//evil.example``, ``https://…``, ``/\\evil``)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    if any(ord(c) < 32 or c == "\\" for c in value):
        return default
    return value


def is_current(path: str, href: str) -> bool:
    """Whether the navigation entry ``href`` is the page at ``path`` or a page inside it."""
    return path == href or path.startswith(href + "/")


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("monitor.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static"] = static_url
    return env


@cache
def static_url(name: str) -> str:
    """``/static/app.css?v=…``: the content's hash in the URL, so browsers may cache the
    file and still see a new version."""
    data = files("monitor.web").joinpath("static", name).read_bytes()
    return f"/static/{quote(name)}?v={hashlib.sha256(data).hexdigest()[:12]}"


class Workspace:
    """The workspace's shared state and helpers; one per web role."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.cookies = cookie_policy(settings.public_url)
        self.trusted_proxies = parse_networks(settings.trusted_proxies)
        self.operators = settings.operator_addresses()

    # --- who -------------------------------------------------------------------------
    def client(self, request: web.Request) -> str:
        forwarded = request.headers.getall("X-Forwarded-For", [])
        return client_address(request.remote, forwarded, self.trusted_proxies)

    async def reader(self, request: web.Request) -> Reader | None:
        """The signed-in reader of this request (a live session), or None."""
        if READER in request:
            known = request[READER]
            return known if isinstance(known, Reader) else None
        token = request.cookies.get(SESSION_COOKIE)
        found = None
        if token:

            def _load() -> Reader | None:
                with transaction(self.engine) as conn:
                    row = session_store.live_session(conn, token, now=datetime.now(UTC))
                    if row is None:
                        return None
                    listed = session_store.is_listed_operator(conn, row.email)
                operator = listed or row.email.lower() in self.operators
                return Reader(
                    row.subscriber_id, row.email, i18n.reader_zone(row.time_zone), operator
                )

            found = await asyncio.to_thread(_load)
        request[READER] = found
        return found

    def language(self, request: web.Request) -> str:
        return i18n.choose_language(
            request.cookies.get(LANGUAGE_COOKIE),
            request.headers.get("Accept-Language"),
            request.get(LINKED_LANGUAGE),
        )

    def catalog(self, request: web.Request) -> i18n.Catalog:
        return i18n.catalog(self.language(request))

    # --- forms -------------------------------------------------------------------------
    def csrf_cookie(self, request: web.Request) -> str:
        """This browser's CSRF cookie value (a new one is set with the response)."""
        if CSRF_VALUE not in request:
            existing = request.cookies.get(CSRF_COOKIE)
            request[CSRF_VALUE] = existing or new_secret_value()
            request[CSRF_NEW] = not existing
        return request[CSRF_VALUE]

    async def posted_form(self, request: web.Request) -> MultiDictProxy[Any] | web.Response:
        """The posted form, or a page saying the request took too long to arrive."""
        try:
            async with asyncio.timeout(self.settings.web_read_timeout):
                return await request.post()
        except TimeoutError:
            return self.message(request, "errors.timeout_title", "errors.timeout", status=408)

    async def checked_form(
        self, request: web.Request, back: str | None = None
    ) -> MultiDictProxy[Any] | web.Response:
        """The posted form if its CSRF token is this browser's; else the page that says the
        form came too slowly (408) or must be reloaded (403, ``back``: the form's page)."""
        form = await self.posted_form(request)
        if isinstance(form, web.Response):
            return form
        if not self.csrf_ok(request, form):
            return self.refused_form(request, back=back)
        return form

    def refused_form(self, request: web.Request, back: str | None = None) -> web.Response:
        """The answer to a form whose CSRF token does not match: reload (``back``, the
        form's page; by default the posted path) and try again."""
        return self.message(
            request,
            "errors.csrf_title",
            "errors.csrf",
            status=403,
            link=(back or request.path, "errors.reload"),
        )

    def csrf_ok(self, request: web.Request, form: Mapping[str, Any]) -> bool:
        posted = form.get(CSRF_FIELD)
        return csrf_valid(
            self.settings.token_keys(),
            request.cookies.get(CSRF_COOKIE),
            posted if isinstance(posted, str) else None,
        )

    # --- pages -------------------------------------------------------------------------
    def page(
        self,
        request: web.Request,
        template: str,
        *,
        title: str,
        status: int = 200,
        **context: Any,
    ) -> web.Response:
        """Render ``template`` inside the layout, with the security headers and cookies."""
        catalog = self.catalog(request)
        known = request.get(READER)
        reader = known if isinstance(known, Reader) else None
        csrf_value = self.csrf_cookie(request)
        entries = NAVIGATION + (OPERATOR_NAVIGATION if reader and reader.operator else ())
        nav = [
            {"href": href, "label": key, "current": is_current(request.path, href)}
            for href, key in entries
        ]
        body = (
            _environment()
            .get_template(template)
            .render(
                t=catalog.text,
                lang=catalog.language,
                languages=[(code, i18n.LANGUAGE_NAMES[code]) for code in i18n.LANGUAGES],
                reader=reader,
                zone=reader.zone.key if reader else "",
                csrf=csrf_token(self.settings.token_key(), csrf_value),
                nav=nav,
                here=request.path_qs,
                title=title,
                **context,
            )
        )
        response = web.Response(text=body, content_type="text/html", status=status, headers=HEADERS)
        self.finish(request, response)
        return response

    def fragment(self, request: web.Request, template: str, **context: Any) -> web.Response:
        """A piece of a page (live updates), rendered like a page but without the layout."""
        catalog = self.catalog(request)
        body = (
            _environment()
            .get_template(template)
            .render(t=catalog.text, lang=catalog.language, **context)
        )
        return web.Response(text=body, content_type="text/html", headers=HEADERS)

    def message(
        self,
        request: web.Request,
        title_key: str,
        *paragraph_keys: str,
        status: int = 200,
        link: tuple[str, str] | None = None,
        **values: object,
    ) -> web.Response:
        """A page of a title and paragraphs from the catalog (and a link: path, key)."""
        t = self.catalog(request).text
        return self.page(
            request,
            "message.html.j2",
            title=t(title_key, **values),
            status=status,
            paragraphs=[t(key, **values) for key in paragraph_keys],
            link={"href": link[0], "text": t(link[1])} if link else None,
        )

    def finish(self, request: web.Request, response: web.StreamResponse) -> None:
        """Set the CSRF cookie on a response when this request made a new one."""
        if request.get(CSRF_NEW):
            self.cookies.set(response, CSRF_COOKIE, request[CSRF_VALUE])

    def redirect(self, request: web.Request, location: str) -> web.HTTPSeeOther:
        response = web.HTTPSeeOther(location, headers=HEADERS)
        self.finish(request, response)
        return response

    def signed_in(
        self, handler: Callable[[web.Request, Reader], Awaitable[web.StreamResponse]]
    ) -> Handler:
        """A route for signed-in readers only; others go to the sign-in page and back."""

        async def wrapped(request: web.Request) -> web.StreamResponse:
            reader = await self.reader(request)
            if reader is None:
                raise self.redirect(request, f"/signin?next={quote(request.path_qs, safe='')}")
            return await handler(request, reader)

        return wrapped

    def operator_only(
        self, handler: Callable[[web.Request, Reader], Awaitable[web.StreamResponse]]
    ) -> Handler:
        """A route for operators only: others go to the sign-in page (and back, for a
        page), and a signed-in reader who is not an operator gets 403, whatever the method."""

        async def wrapped(request: web.Request) -> web.StreamResponse:
            reader = await self.reader(request)
            if reader is None:
                back = request.path_qs if request.method == "GET" else "/operations"
                raise self.redirect(request, f"/signin?next={quote(back, safe='')}")
            if not reader.operator:
                return self.message(
                    request, "errors.operators_title", "errors.operators", status=403,
                    link=("/latest", "nav.latest"),
                )
            return await handler(request, reader)

        return wrapped
