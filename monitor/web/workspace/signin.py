"""Sign-in by a link sent by email; sign-out; the language form.

    GET  /signin           the form: an address
    POST /signin           queue a link to that address (the same answer whoever it is)
    GET  /signin/{token}   the link's landing page: a button (mail scanners GET links)
    POST /signin/{token}   the button: uses the link once and opens a session
    POST /signout          ends the session on the server and forgets the cookie
    POST /language         the reader's language (a cookie)

The link is a token of ``monitor.notify.tokens`` (purpose ``sign_in``, 15 minutes) naming a
``sign_in_requests`` row; using it marks the row, in the transaction that opens the
session, so it works once. Who may sign in: every subscriber, and the operators (named in
MONITOR_OPERATORS or by ``monitor operator add``), who get a subscriber row of their own
(with no subscriptions) the first time, so their links go through the outbox like any email.
The answer to a request never says whether the address is known: an unknown address, a
known one and one past its hourly allowance all read "if this address can sign in, a link
is on its way".
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from aiohttp import web
from sqlalchemy import Connection

from monitor.config import Settings
from monitor.errors import InvalidToken, PermanentDeliveryError, UnsafeMessageError
from monitor.logs import get_logger
from monitor.notify.assemble import sender_of
from monitor.notify.compose import compose_sign_in
from monitor.notify.headers import wire_bytes
from monitor.notify.links import sign_in_url
from monitor.notify.messages import Recipient
from monitor.notify.tokens import LIFETIMES, TokenClaims, make_token, verify_token
from monitor.store import outbox
from monitor.store import sessions as session_store
from monitor.store import subscribers as subscriber_store
from monitor.store.db import transaction
from monitor.web.limits import RateLimiter
from monitor.web.workspace import i18n
from monitor.web.workspace.context import LINKED_LANGUAGE, Workspace, safe_next
from monitor.web.workspace.security import LANGUAGE_COOKIE, SESSION_COOKIE, new_secret_value

log = get_logger(__name__)

# Links one address may be sent per hour; more requests get the same answer and no email.
LINKS_PER_HOUR = 5
MAX_ADDRESS_LENGTH = 320


def address_problem(email: str) -> str | None:
    """The catalog key saying why ``email`` is not one plain address, or None."""
    local, at, domain = email.rpartition("@")
    if not email:
        return "signin.address_missing"
    if (
        len(email) > MAX_ADDRESS_LENGTH
        or not at
        or not local
        or "." not in domain.strip(".")
        or any(c.isspace() or ord(c) < 32 or c in '<>,;"' for c in email)
    ):
        return "signin.address_invalid"
    return None


def issue_sign_in_link(
    conn: Connection, settings: Settings, subscriber_id: int, *, now: datetime
) -> tuple[int, str]:
    """A new single-use sign-in request for ``subscriber_id`` and its link: the id of the
    request row and the URL. The emailed link and ``monitor demo --serve``'s printed one are
    both made here, so both expire and work once the same way."""
    request_id = session_store.add_request(conn, subscriber_id, now=now)
    token = make_token(settings.token_key(), "sign_in", subscriber_id, request_id, now)
    return request_id, sign_in_url(settings.public_url, token)


class SignIn:
    """The sign-in routes. Three rate limits: links asked for per client (a slow bucket)
    and per address (LINKS_PER_HOUR, counted in the store), and bad links per client (a
    valid link costs nothing, so people behind one address are not locked out by each
    other's sign-ins)."""

    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace
        self.limiter = RateLimiter(rate=1 / 30, burst=10)
        self.bad_links = RateLimiter(rate=1 / 10, burst=20)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/signin", self.form),
            web.post("/signin", self.request_link),
            web.get("/signin/{token}", self.landing),
            web.post("/signin/{token}", self.use_link),
            web.post("/signout", self.sign_out),
            web.post("/language", self.choose_language),
        ]

    def _too_many(self, request: web.Request) -> web.Response:
        log.warning("web.sign_in_rate_limited", client=self.ws.client(request))
        return self.ws.message(request, "errors.busy_title", "errors.busy", status=429)

    # --- the form and the request ------------------------------------------------------
    async def form(self, request: web.Request) -> web.StreamResponse:
        if await self.ws.reader(request) is not None:
            raise self.ws.redirect(request, safe_next(request.query.get("next")))
        return self._form_page(request, email="", problem=None)

    def _form_page(
        self,
        request: web.Request,
        *,
        email: str,
        problem: str | None,
        status: int = 200,
        next_path: str | None = None,
    ) -> web.Response:
        t = self.ws.catalog(request).text
        notice = "signin.signed_out" if request.query.get("signed_out") else None
        return self.ws.page(
            request,
            "signin.html.j2",
            title=t("signin.title"),
            status=status,
            email=email,
            problem=t(problem) if problem else None,
            notice=t(notice) if notice else None,
            next=safe_next(next_path or request.query.get("next")),
        )

    async def request_link(self, request: web.Request) -> web.Response:
        form = await self.ws.checked_form(request)
        if isinstance(form, web.Response):
            return form
        if not self.limiter.allow(self.ws.client(request)):
            return self._too_many(request)
        email = str(form.get("email", "")).strip()
        problem = address_problem(email)
        if problem:
            return self._form_page(
                request,
                email=email,
                problem=problem,
                status=422,
                next_path=str(form.get("next", "")),
            )
        outcome = await asyncio.to_thread(self._send_link, email.lower(), datetime.now(UTC))
        log.info("web.sign_in_requested", outcome=outcome, client=self.ws.client(request))
        minutes = int(LIFETIMES["sign_in"].total_seconds() // 60)
        # The same page whatever the outcome: it must not tell who can sign in.
        return self.ws.message(
            request, "signin.sent_title", "signin.sent", "signin.sent_hint", minutes=minutes
        )

    def _send_link(self, email: str, now: datetime) -> str:
        """Queue a sign-in email for ``email`` if it may sign in: 'queued', 'unknown',
        'limited' (past LINKS_PER_HOUR) or 'refused' (an address SMTP would refuse)."""
        settings = self.ws.settings
        with transaction(self.ws.engine) as conn:
            person = subscriber_store.get_subscriber(conn, email)
            if person is None:
                operator = email in self.ws.operators or session_store.is_listed_operator(
                    conn, email
                )
                if not operator:
                    return "unknown"
                subscriber_store.add_subscriber(conn, email, now=now)
                person = subscriber_store.get_subscriber(conn, email)
                assert person is not None  # added above, in this transaction
            if (
                session_store.requests_since(conn, person.id, now - timedelta(hours=1))
                >= LINKS_PER_HOUR
            ):
                return "limited"
            request_id, link = issue_sign_in_link(conn, settings, person.id, now=now)
            try:
                message = compose_sign_in(
                    Recipient(
                        person.id,
                        person.email,
                        person.display_name,
                        person.time_zone,
                        person.language,
                    ),
                    link,
                    sender=sender_of(settings),
                    now=now,
                )
                raw = wire_bytes(message, person.email)
            except (PermanentDeliveryError, UnsafeMessageError) as exc:
                log.error("web.sign_in_unsendable", subscriber_id=person.id, error=str(exc))
                return "refused"
            outbox.queue_email(
                conn,
                subscriber_id=person.id,
                kind="sign_in",
                dedup_key=f"sign_in:{request_id}",
                message_id=str(message["Message-ID"]),
                recipient=person.email,
                subject=str(message["Subject"]),
                raw=raw,
                now=now,
            )
            return "queued"

    # --- the link ------------------------------------------------------------------------
    def _claims(self, request: web.Request) -> TokenClaims | web.Response:
        try:
            claims = verify_token(
                request.match_info["token"],
                self.ws.settings.token_keys(),
                "sign_in",
                datetime.now(UTC),
            )
        except InvalidToken as exc:
            if not self.bad_links.allow(self.ws.client(request)):
                return self._too_many(request)
            log.warning(
                "web.token_rejected",
                purpose="sign_in",
                reason=exc.reason,
                client=self.ws.client(request),
            )
            key = "signin.expired" if exc.reason == "expired" else "signin.invalid"
            return self.ws.message(
                request,
                f"{key}_title",
                key,
                status=410 if exc.reason == "expired" else 400,
                link=("/signin", "signin.again"),
            )
        if claims.subscription_id is None:
            return self.ws.message(
                request,
                "signin.invalid_title",
                "signin.invalid",
                status=400,
                link=("/signin", "signin.again"),
            )
        return claims

    def _used(self, request: web.Request) -> web.Response:
        return self.ws.message(
            request,
            "signin.used_title",
            "signin.used",
            status=410,
            link=("/signin", "signin.again"),
        )

    async def landing(self, request: web.Request) -> web.Response:
        claims = self._claims(request)
        if isinstance(claims, web.Response):
            return claims

        def _load() -> tuple[str, str, str | None]:
            with transaction(self.ws.engine) as conn:
                person = subscriber_store.get_subscriber(
                    conn, claims.subscriber_id, created_by=claims.rows_created_by
                )
                state = session_store.request_state(
                    conn, int(claims.subscription_id or 0), claims.subscriber_id
                )
            if person is None:
                return "", state, None
            return person.email, state, person.language

        email, state, language = await asyncio.to_thread(_load)
        if language is not None:  # the page reads like the email that brought the reader
            request[LINKED_LANGUAGE] = language
        if not email or state != "unused":
            return self._used(request)
        t = self.ws.catalog(request).text
        return self.ws.page(
            request,
            "signin_confirm.html.j2",
            title=t("signin.confirm_title"),
            email=email,
            action=request.path,
            next=safe_next(request.query.get("next")),
        )

    async def use_link(self, request: web.Request) -> web.StreamResponse:
        form = await self.ws.checked_form(request)
        if isinstance(form, web.Response):
            return form
        claims = self._claims(request)
        if isinstance(claims, web.Response):
            return claims
        now = datetime.now(UTC)
        lifetime = timedelta(hours=self.ws.settings.web_session_hours)
        token = new_secret_value()
        previous = request.cookies.get(SESSION_COOKIE)

        def _open() -> bool:
            with transaction(self.ws.engine) as conn:
                if not session_store.use_request(
                    conn,
                    int(claims.subscription_id or 0),
                    claims.subscriber_id,
                    requested_by=claims.rows_created_by,
                    now=now,
                ):
                    return False
                if previous:
                    session_store.end_session(conn, previous, now=now)
                session_store.open_session(
                    conn, token, claims.subscriber_id, now=now, expires_at=now + lifetime
                )
                return True

        if not await asyncio.to_thread(_open):
            log.info("web.sign_in_link_reused", subscriber_id=claims.subscriber_id)
            return self._used(request)
        log.info("web.signed_in", subscriber_id=claims.subscriber_id)
        response = self.ws.redirect(request, safe_next(str(form.get("next", ""))))
        self.ws.cookies.set(response, SESSION_COOKIE, token, max_age=int(lifetime.total_seconds()))
        raise response

    # --- leaving, language ---------------------------------------------------------------
    async def sign_out(self, request: web.Request) -> web.StreamResponse:
        form = await self.ws.checked_form(request)
        if isinstance(form, web.Response):
            return form
        token = request.cookies.get(SESSION_COOKIE)
        if token:

            def _end() -> None:
                with transaction(self.ws.engine) as conn:
                    session_store.end_session(conn, token, now=datetime.now(UTC))

            await asyncio.to_thread(_end)
        response = self.ws.redirect(request, "/signin?signed_out=1")
        self.ws.cookies.clear(response, SESSION_COOKIE)
        raise response

    async def choose_language(self, request: web.Request) -> web.StreamResponse:
        form = await self.ws.checked_form(request)
        if isinstance(form, web.Response):
            return form
        language = str(form.get("language", ""))
        response = self.ws.redirect(request, safe_next(str(form.get("next", ""))))
        if language in i18n.LANGUAGES:
            self.ws.cookies.set(response, LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600)
            reader = await self.ws.reader(request)
            if reader is not None:
                # A signed-in reader's choice is also the language of their emails and
                # chat messages (the preferences page and `subscriber edit` change it too).
                await asyncio.to_thread(self._store_language, reader.subscriber_id, language)
        raise response

    def _store_language(self, subscriber_id: int, language: str) -> None:
        with transaction(self.ws.engine) as conn:
            subscriber_store.set_subscriber(conn, subscriber_id, language=language)
        log.info("web.language_stored", subscriber_id=subscriber_id, language=language)
