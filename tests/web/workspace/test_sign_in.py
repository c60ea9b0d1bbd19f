"""Sign-in by a link sent by email: the real mailer, the SMTP sink, both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from monitor.notify.tokens import LIFETIMES, make_token
from monitor.store import sessions as session_store
from monitor.store.db import transaction
from monitor.store.subscribers import add_subscriber, erase_subscriber
from monitor.store.tables import sign_in_requests, web_sessions
from monitor.web.workspace.signin import LINKS_PER_HOUR
from tests.notify.injection import EMAIL_HEADERS, HOSTILE_NAME, read_clean_email
from tests.web.helpers import person
from tests.web.workspace.conftest import Run
from tests.web.workspace.site import CSRF_INPUT, Site, csrf_of, link_in, text_of


def test_reader_signs_in_through_the_emailed_link_and_out_again(run: Run) -> None:
    async def body(site: Site) -> None:
        person(site.engine, "reader@example.org")
        response, _ = await site.get("/latest")
        assert response.status == 303
        assert response.headers["Location"].startswith("/signin?next=")
        await site.sign_in("reader@example.org")
        response, page = await site.get("/latest")
        assert response.status == 200
        assert "reader@example.org" in page
        response, _ = await site.post("/signout", {"csrf": csrf_of(page)})
        assert response.status == 303
        response, _ = await site.get("/latest")
        assert response.status == 303

    run(body)


def test_the_link_works_once(run: Run) -> None:
    async def body(site: Site) -> None:
        person(site.engine, "reader@example.org")
        await site.request_link("reader@example.org")
        (message,) = await site.deliver()
        path = link_in(message)
        _, landing = await site.get(path)
        token = csrf_of(landing)
        first, _ = await site.post(path, {"csrf": token})
        assert first.status == 303
        site.client.session.cookie_jar.clear_domain("127.0.0.1")  # another browser, same link
        _, landing = await site.get(path)
        second, _page = await site.post(path, {"csrf": csrf_of(landing)})
        assert second.status == 410
        assert "monitor_session" not in second.cookies
        response, _ = await site.get("/latest")
        assert response.status == 303

    run(body)


def test_a_mail_scanner_opening_the_link_signs_nobody_in(run: Run) -> None:
    async def body(site: Site) -> None:
        person(site.engine, "reader@example.org")
        await site.request_link("reader@example.org")
        (message,) = await site.deliver()
        path = link_in(message)
        for _ in range(3):  # GET and HEAD, as scanners do
            response, landing = await site.get(path)
            assert response.status == 200
            assert "monitor_session" not in response.cookies
            head = await site.client.head(path, allow_redirects=False)
            assert "monitor_session" not in head.cookies
        with transaction(site.engine) as conn:
            used = conn.execute(sign_in_requests.select()).one().used_at
        assert used is None
        response, _ = await site.post(path, {"csrf": csrf_of(landing)})
        assert response.status == 303

    run(body)


def test_the_link_expires_in_minutes(run: Run) -> None:
    async def body(site: Site) -> None:
        reader, _ = person(site.engine, "reader@example.org")
        issued = datetime.now(UTC) - LIFETIMES["sign_in"] - timedelta(seconds=5)
        with transaction(site.engine) as conn:
            request_id = session_store.add_request(conn, reader, now=issued)
        token = make_token(site.settings.token_key(), "sign_in", reader, request_id, issued)
        response, page = await site.get(f"/signin/{token}")
        assert response.status == 410
        assert "expired" in page
        assert csrf_of(page)  # the page still has its forms (language)
        response, _ = await site.post(f"/signin/{token}", {"csrf": csrf_of(page)})
        assert response.status == 410
        assert "monitor_session" not in response.cookies
        assert timedelta(minutes=1) <= LIFETIMES["sign_in"] <= timedelta(minutes=30)

    run(body)


def test_a_forged_or_edited_link_is_refused(run: Run) -> None:
    async def body(site: Site) -> None:
        reader, _ = person(site.engine, "reader@example.org")
        now = datetime.now(UTC)
        with transaction(site.engine) as conn:
            request_id = session_store.add_request(conn, reader, now=now)
        forged = make_token(
            b"another-secret-entirely-32-bytes!", "sign_in", reader, request_id, now
        )
        wrong_purpose = make_token(site.settings.token_key(), "preferences", reader, None, now)
        for token in (forged, wrong_purpose, "x" * 40):
            response, _ = await site.get(f"/signin/{token}")
            assert response.status == 400, token

    run(body)


def test_an_unknown_address_gets_the_same_answer_and_no_email(run: Run) -> None:
    async def body(site: Site) -> None:
        person(site.engine, "reader@example.org")
        status_known, known = await site.request_link("reader@example.org")
        status_unknown, unknown = await site.request_link("stranger@example.org")
        assert status_known == status_unknown == 200
        # the pages differ only in the CSRF token
        assert CSRF_INPUT.sub("", known) == CSRF_INPUT.sub("", unknown)
        messages = await site.deliver()
        assert [m["To"].addresses[0].addr_spec for m in messages] == ["reader@example.org"]

    run(body)


def test_a_malformed_address_is_named_at_the_door(run: Run) -> None:
    async def body(site: Site) -> None:
        for bad in (
            "",
            "no-at-sign",
            "a@b",
            "x@example.org\r\nBcc: y@example.org",
            "<script>@example.org",
        ):
            status, page = await site.request_link(bad)
            assert status == 422, bad
            assert 'aria-invalid="true"' in page
            assert "<script>@" not in page
        assert await site.deliver() == []

    run(body)


def test_sign_in_requests_are_rate_limited_per_client_and_per_address(run: Run) -> None:
    async def body(site: Site) -> None:
        person(site.engine, "reader@example.org")
        statuses = [(await site.request_link("reader@example.org"))[0] for _ in range(12)]
        # a burst of 10 per client, then 429; and at most LINKS_PER_HOUR emails per address
        assert statuses[:10] == [200] * 10
        assert statuses[10:] == [429, 429]
        assert len(await site.deliver()) == LINKS_PER_HOUR

    run(body)


def test_session_cookie_is_httponly_samesite_and_secure_under_https(run: Run) -> None:
    for public_url, secure in (("http://127.0.0.1:8080", False), ("https://ws.example.org", True)):

        async def body(site: Site, secure: bool = secure) -> None:
            person(site.engine, "reader@example.org")
            response, _ = await site.get("/signin")
            csrf_cookie = response.headers.getall("Set-Cookie")
            assert [h.split("=")[0] for h in csrf_cookie] == ["monitor_csrf"]
            await site.request_link("reader@example.org")
            (message,) = await site.deliver()
            path = link_in(message)
            response, landing = await site.get(path)
            response, _ = await site.post(path, {"csrf": csrf_of(landing)})
            assert response.status == 303
            for header in [*csrf_cookie, *response.headers.getall("Set-Cookie")]:
                attributes = [part.strip().lower() for part in header.split(";")]
                assert "httponly" in attributes, header
                assert "samesite=lax" in attributes, header
                assert ("secure" in attributes) is secure, header
            (session,) = [
                h for h in response.headers.getall("Set-Cookie") if h.startswith("monitor_session=")
            ]
            max_age = int(session.split("Max-Age=")[1].split(";")[0])
            assert max_age == int(site.settings.web_session_hours * 3600)

        run(body, public_url=public_url)


def test_an_ended_or_expired_session_opens_nothing(run: Run) -> None:
    async def body(site: Site) -> None:
        person(site.engine, "reader@example.org")
        await site.sign_in("reader@example.org")
        token = next(c.value for c in site.client.session.cookie_jar if c.key == "monitor_session")
        response, page = await site.get("/latest")
        assert response.status == 200
        with transaction(site.engine) as conn:
            conn.execute(update(web_sessions).values(expires_at=datetime.now(UTC)))
        response, _ = await site.get("/latest")
        assert response.status == 303
        # Signing out ends the row: the old cookie, replayed, is nobody.
        await site.sign_in("reader@example.org")
        response, page = await site.get("/latest")
        await site.post("/signout", {"csrf": csrf_of(page)})
        with transaction(site.engine) as conn:
            live = session_store.live_session(conn, token, now=datetime.now(UTC))
            ended = conn.execute(web_sessions.select()).all()
        assert live is None
        assert all(row.ended_at is not None or row.expires_at <= datetime.now(UTC) for row in ended)
        response, _ = await site.get("/latest", cookies={"monitor_session": token})
        assert response.status == 303

    run(body)


def test_guessing_links_is_rate_limited_and_a_real_link_still_works(run: Run) -> None:
    async def body(site: Site) -> None:
        person(site.engine, "reader@example.org")
        statuses = [(await site.get(f"/signin/guess{n}"))[0].status for n in range(25)]
        assert statuses[:20] == [400] * 20
        assert set(statuses[20:]) == {429}
        await site.sign_in("reader@example.org")

    run(body)


def test_forgetting_a_person_ends_their_sessions_and_links(run: Run) -> None:
    async def body(site: Site) -> None:
        reader, _ = person(site.engine, "reader@example.org")
        await site.sign_in("reader@example.org")
        token = next(c.value for c in site.client.session.cookie_jar if c.key == "monitor_session")
        site.client.session.cookie_jar.clear()
        await site.request_link("reader@example.org")
        (message,) = await site.deliver()
        response, _ = await site.get("/latest", cookies={"monitor_session": token})
        assert response.status == 200
        with transaction(site.engine) as conn:
            erase_subscriber(conn, reader)
            left = conn.execute(web_sessions.select()).all()
            requests = conn.execute(sign_in_requests.select()).all()
        assert left == [] and requests == []
        response, _ = await site.get("/latest", cookies={"monitor_session": token})
        assert response.status == 303
        response, _ = await site.get(link_in(message))
        assert response.status == 410

    run(body)


def test_the_sign_in_email_is_plain_mail_with_one_link_and_its_lifetime(run: Run) -> None:
    async def body(site: Site) -> None:
        with transaction(site.engine) as conn:
            add_subscriber(
                conn,
                "reader@example.org",
                display_name=HOSTILE_NAME,
                confirmed=True,
                now=datetime.now(UTC),
            )
        await site.request_link("reader@example.org")
        (message,) = await site.deliver()
        raw = site.sink.received[-1].data
        read = read_clean_email(raw, "reader@example.org", EMAIL_HEADERS)  # no List-* headers
        assert str(read["Subject"]).strip() == "[monitor] Your sign-in link"
        path = link_in(message)
        html = read.get_body(("html",))
        assert html is not None and path in str(html.get_content())
        assert "15 minutes" in text_of(message)

    run(body)
