"""Operations › Subscribers: keyset pages with a filter, and an operator's actions on one
subscriber (pause and resume delivery, resend the confirmation) — on both databases,
through the real web role, with the real mailer and the SMTP sink; the command line does
the same through the same functions."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from markupsafe import escape

from monitor.store import subscribers as subscriber_store
from monitor.store.db import transaction
from monitor.subscriptions.subscriber_actions import PAUSED_REASON, delivery_change
from monitor.web.workspace.keyset import Asked, pager
from monitor.web.workspace.operations_subscribers import PAGE_SIZE, parse_view
from tests.web.helpers import person
from tests.web.workspace.conftest import Run
from tests.web.workspace.site import Site, csrf_of
from tests.web.workspace.test_coverage_pages import assert_only_our_markup
from tests.web.workspace.test_operators import monitor

OPERATOR = "ops@example.org"
HOSTILE = """<script>alert(1)</script>"&'"""
ROW = re.compile(r'<tr id="subscriber-(\d+)"')
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')
PREVIOUS = re.compile(r'<a href="([^"]+)" rel="prev">')


def shown_ids(page: str) -> list[int]:
    return [int(i) for i in ROW.findall(page)]


def link(pattern: re.Pattern[str], page: str) -> str | None:
    found = pattern.search(page)
    return html.unescape(found[1]) if found else None


def standing(site: Site, subscriber_id: int) -> subscriber_store.SubscriberRow:
    with transaction(site.engine) as conn:
        found = subscriber_store.get_subscriber(conn, subscriber_id)
    assert found is not None
    return found


def add_many(site: Site, count: int, prefix: str = "team") -> list[int]:
    now = datetime.now(UTC)
    with transaction(site.engine) as conn:
        return [
            subscriber_store.add_subscriber(
                conn, f"{prefix}-{i:02d}@example.org", confirmed=True, now=now
            )[0]
            for i in range(count)
        ]


def test_the_list_is_paged_by_key_forward_and_back_and_filtered(run: Run) -> None:
    async def body(site: Site) -> None:
        await site.sign_in(OPERATOR)
        team = add_many(site, 2 * PAGE_SIZE + 10)
        with transaction(site.engine) as conn:
            everyone = [p.id for p in subscriber_store.list_subscribers(conn)]
        assert len(everyone) == 2 * PAGE_SIZE + 11  # and the operator

        response, first = await site.get("/operations/subscribers")
        assert response.status == 200
        assert shown_ids(first) == everyone[:PAGE_SIZE]
        assert f"{len(everyone)} subscribers" in first
        assert link(PREVIOUS, first) is None
        second_url = link(NEXT, first)
        assert second_url == f"/operations/subscribers?after={everyone[PAGE_SIZE - 1]}"

        # Someone subscribes and someone is erased meanwhile: the next page is not shifted.
        (late,) = add_many(site, 1, prefix="late")
        with transaction(site.engine) as conn:
            subscriber_store.delete_subscriber(conn, everyone[3])
        _, second = await site.get(second_url)
        assert shown_ids(second) == everyone[PAGE_SIZE : 2 * PAGE_SIZE]
        third_url = link(NEXT, second)
        assert third_url is not None
        _, third = await site.get(third_url)
        assert shown_ids(third) == [*everyone[2 * PAGE_SIZE :], late]
        assert link(NEXT, third) is None

        back_url = link(PREVIOUS, third)
        assert back_url == f"/operations/subscribers?before={everyone[2 * PAGE_SIZE]}"
        _, back = await site.get(back_url)
        assert shown_ids(back) == everyone[PAGE_SIZE : 2 * PAGE_SIZE]
        first_again_url = link(PREVIOUS, back)
        assert first_again_url is not None
        _, first_again = await site.get(first_again_url)
        # The erased one is gone; the page back ends where the second page began.
        assert shown_ids(first_again) == [i for i in everyone[:PAGE_SIZE] if i != everyone[3]]
        assert link(PREVIOUS, first_again) is None  # nothing before the first

        # The filter: an address substring (its LIKE wildcards taken literally), a standing.
        with transaction(site.engine) as conn:
            odd, _ = subscriber_store.add_subscriber(
                conn, "a_b%c@example.org", now=datetime.now(UTC)
            )
            subscriber_store.set_subscriber(conn, team[7], status="paused")
        _, found = await site.get("/operations/subscribers", params={"q": "TEAM-1"})
        assert shown_ids(found) == team[10:20] and "10 subscribers" in found
        assert 'value="TEAM-1"' in found
        _, found = await site.get("/operations/subscribers", params={"q": "_b%"})
        assert shown_ids(found) == [odd]
        _, found = await site.get("/operations/subscribers", params={"status": "unconfirmed"})
        assert shown_ids(found) == [everyone[0], odd]  # signing in confirms no subscription
        _, found = await site.get("/operations/subscribers", params={"status": "paused"})
        assert shown_ids(found) == [team[7]]
        assert '<option value="paused" selected>paused</option>' in found
        # A filter's pages keep the filter in their links.
        _, found = await site.get("/operations/subscribers", params={"q": "team"})
        assert (
            link(NEXT, found) == f"/operations/subscribers?q=team&after={team[PAGE_SIZE]}"
        )  # team[2] erased

        # What is not understood is said and left out; what is hostile is escaped.
        response, page = await site.get(
            "/operations/subscribers", params={"q": HOSTILE, "status": "gone", "after": "x1"}
        )
        assert response.status == 200
        assert "That status is not one of the list" in page
        assert "That page link is not valid" in page
        assert str(escape(HOSTILE)) in page and HOSTILE not in page
        assert shown_ids(page) == []
        assert_only_our_markup(page)

    run(body, operators=OPERATOR)


def test_pause_resume_and_resend_act_on_the_store_and_are_sent_once(run: Run) -> None:
    async def body(site: Site) -> None:
        desk, _ = person(site.engine, "desk@example.org")
        new, _ = person(site.engine, "new@example.org", confirmed=False)
        gone, _ = person(site.engine, "gone@example.org")
        with transaction(site.engine) as conn:
            subscriber_store.set_subscriber(conn, gone, status="unsubscribed")
        await site.sign_in(OPERATOR)
        _, page = await site.get("/operations/subscribers", params={"q": "e", "after": "0"})
        token = csrf_of(page)
        view = 'name="view" value="q=e&amp;after=0"'
        assert view in page
        assert 'aria-label="Pause delivery to desk@example.org"' in page
        assert 'aria-label="Resend the confirmation email to new@example.org"' in page
        assert "Resend the confirmation email to desk@example.org" not in page

        # Without the form's token nothing changes.
        path = f"/operations/subscribers/{desk}/pause-delivery"
        response, refused = await site.post(path, {"csrf": "0" * 64})
        assert response.status == 403 and "Nothing was changed" in refused
        assert standing(site, desk).status == "active"

        response, _ = await site.post(path, {"csrf": token, "view": "q=e&after=0"})
        assert response.status == 303
        assert response.headers["Location"] == (
            f"/operations/subscribers?q=e&after=0&done=paused&who={desk}#subscriber-{desk}"
        )
        assert standing(site, desk).status == "paused"
        assert standing(site, desk).status_reason == PAUSED_REASON
        _, after = await site.get(response.headers["Location"].split("#")[0])
        assert f"Delivery to subscriber {desk} is paused." in after
        assert 'role="status"' in after
        assert 'aria-label="Resume delivery to desk@example.org"' in after

        response, _ = await site.post(path, {"csrf": token})  # again: already paused
        assert "done=already_paused" in response.headers["Location"]
        response, _ = await site.post(
            f"/operations/subscribers/{desk}/resume-delivery", {"csrf": token}
        )
        assert "done=resumed" in response.headers["Location"]
        assert standing(site, desk).status == "active"
        assert standing(site, desk).status_reason is None

        # An unsubscription is the person's: an operator does not undo it.
        response, _ = await site.post(
            f"/operations/subscribers/{gone}/resume-delivery", {"csrf": token}
        )
        location = response.headers["Location"]
        assert "done=unsubscribed" in location and standing(site, gone).status == "unsubscribed"
        _, told = await site.get(location.split("#")[0])
        assert "only they can subscribe again" in told and 'role="alert"' in told

        # A forged view is re-read, never followed: only the list's own parameters survive.
        response, _ = await site.post(
            path, {"csrf": token, "view": "next=https://evil.example/&after=//evil"}
        )
        assert response.headers["Location"].startswith("/operations/subscribers?done=paused")
        with transaction(site.engine) as conn:
            subscriber_store.set_subscriber(conn, desk, status="active", status_reason=None)

        # Resending the confirmation: queued, sent once, however often the form is sent.
        site.seen = len(site.sink.received)
        resend = f"/operations/subscribers/{new}/resend-confirmation"
        for _ in range(2):
            response, _ = await site.post(resend, {"csrf": token})
            assert response.status == 303
        assert "done=not_queued" in response.headers["Location"]  # the second: already today
        sent = await site.deliver()
        confirmations = [m for m in sent if m["To"].addresses[0].addr_spec == "new@example.org"]
        assert len(confirmations) == 1, [m["Subject"] for m in sent]
        body = confirmations[0].get_body(("plain",))
        assert body is not None and "/c/" in body.get_content()
        assert await site.deliver() == []
        response, _ = await site.post(
            f"/operations/subscribers/{desk}/resend-confirmation", {"csrf": token}
        )
        assert "done=already_confirmed" in response.headers["Location"]

        response, missing = await site.post(
            "/operations/subscribers/999999/pause-delivery", {"csrf": token}
        )
        assert response.status == 404 and "There is no subscriber 999999" in missing

        # The command line calls the same function, and says who acted in its audit event.
        done = monitor(site.settings, "subscriber", "pause-delivery", "desk@example.org")
        assert done.returncode == 0, done.stderr
        assert f"subscriber {desk} desk@example.org: delivery paused" in done.stdout
        assert "audit.subscriber_delivery" in done.stderr and "command line" in done.stderr
        assert standing(site, desk).status == "paused"
        again = monitor(site.settings, "subscriber", "resume-delivery", "--id", str(gone))
        assert again.returncode == 1 and "only they can subscribe again" in again.stdout
        nobody = monitor(site.settings, "subscriber", "resend-confirmation", "--id", "999999")
        assert nobody.returncode != 0 and "no subscriber 999999" in nobody.stderr

        for language, words in (
            ("es", "Reanudar el envío a desk@example.org"),
            ("pt", "Retomar o envio para desk@example.org"),
        ):
            await site.post("/language", {"csrf": token, "language": language, "next": "/latest"})
            _, translated = await site.get("/operations/subscribers")
            assert words in translated, language

    run(body, operators=OPERATOR)


def test_small_decisions_of_the_subscribers_page() -> None:
    assert delivery_change("active", pause=True).status == "paused"
    assert delivery_change("paused", pause=True).outcome == "already_paused"
    assert delivery_change("bouncing", pause=True).outcome == "bouncing"
    assert delivery_change("bouncing", pause=False).status == "active"
    assert delivery_change("unsubscribed", pause=False).outcome == "unsubscribed"
    assert delivery_change("active", pause=False).outcome == "already_active"

    view = parse_view({"q": " Desk ", "status": "paused", "before": "12"})
    assert view.here == "q=Desk&status=paused&before=12" and not view.problems
    assert parse_view({"after": "12", "before": "3"}).here == "after=12"
    assert parse_view({"q": "x" * 400}).problems == ("ops.filter_too_long",)

    first = Asked()
    assert pager(["1", "2"], more=True, asked=first).next == "2"
    assert pager(["1", "2"], more=False, asked=first).next is None
    forward = Asked("after", "9")
    assert pager(["10", "11"], more=False, asked=forward).previous == "10"
    assert pager([], more=False, asked=forward).previous == "9"
    back = Asked("before", "9")
    assert pager(["5", "8"], more=True, asked=back).previous == "5"
    assert pager(["5", "8"], more=False, asked=back).previous is None
    assert pager(["5", "8"], more=False, asked=back).next == "8"
