"""A subscription's chats and webhooks from the workspace, on both databases, against a real
loopback receiver: add (checked as the CLI checks), list redacted with the disabled reason,
the signing secret shown once, test, enable, remove; CSRF, another reader's 404, hostile
input escaped."""

from __future__ import annotations

import re
from html import escape

import orjson

from monitor.delivery.commands import NewDestination, create_destination
from monitor.store import channel_ledger as ledger
from monitor.store.db import transaction
from monitor.web.workspace.destinations import TRIAL_BURST
from tests.delivery.receivers import Receivers, Reply, json_of
from tests.notify.test_mailer import subscribe
from tests.web.workspace.conftest import Run
from tests.web.workspace.site import Site, csrf_of
from tests.web.workspace.test_subscriptions import (
    OTHER,
    READER,
    assert_no_injected_markup,
    only,
)

SLACK = "/services/T000/B000/slack-secret-path-Z9"
HOOK = "/hooks/receiver-secret-path-Q7"
SECRET_INPUT = re.compile(r'id="dest-secret" value="([^"]+)"')


def destinations_of(site: Site, subscription_id: int) -> list[ledger.DestinationRow]:
    with transaction(site.engine) as conn:
        return ledger.list_destinations(conn, subscription_id=subscription_id)


async def post(site: Site, path: str, **form: str) -> tuple[int, str]:
    response = await site.client.post(path, data=form, allow_redirects=False)
    return response.status, await response.text()


def test_a_reader_adds_lists_tests_enables_and_removes_destinations(run: Run) -> None:
    receivers = Receivers().start()

    async def body(site: Site) -> None:
        subscribe(site.engine, READER, name="Desk")
        await site.sign_in(READER)
        sid = only(site, READER, "Desk").id
        _, page = await site.get(f"/subscriptions/{sid}")
        assert "Where it is delivered" in page and 'id="no-destinations"' in page
        csrf = csrf_of(page)
        base = f"/subscriptions/{sid}/destinations"

        # Refused at the door by the CLI's rules, kept as typed, nothing stored.
        status, page = await post(site, base, csrf=csrf, kind="webhook", target="ftp://x.example/")
        assert status == 422 and "must start with https://" in page
        assert 'value="ftp://x.example/"' in page and 'aria-invalid="true"' in page
        status, page = await post(site, base, csrf=csrf, kind="carrier-pigeon", target="x")
        assert status == 422 and "unknown kind" in page
        hostile = '"><script>alert(1)</script>'
        status, page = await post(site, base, csrf=csrf, kind="slack", target=hostile)
        assert status == 422
        assert_no_injected_markup(page)
        assert destinations_of(site, sid) == []
        status, _ = await post(site, base, csrf="0" * 64, kind="slack",
                               target=receivers.url(SLACK))
        assert status == 403 and destinations_of(site, sid) == []

        # A webhook: its signing secret is shown once, on the answer to its creation.
        status, page = await post(site, base, csrf=csrf, kind="webhook",
                                  target=receivers.url(HOOK))
        assert status == 200, page
        match = SECRET_INPUT.search(page)
        assert match and len(match[1]) >= 40
        secret = match[1]
        status, _ = await post(site, base, csrf=csrf, kind="slack", target=receivers.url(SLACK))
        assert status == 200
        hook, slack = destinations_of(site, sid)
        assert (hook.kind, slack.kind) == ("webhook", "slack") and hook.enabled

        _, page = await site.get(f"/subscriptions/{sid}")
        for hidden in (secret, "slack-secret-path", "receiver-secret-path"):
            assert hidden not in page
        assert f"http://127.0.0.1:{receivers.port}/****" in page  # as the CLI lists it

        # Test: delivered to the receiver, through the dispatcher's path.
        status, page = await post(site, f"{base}/{slack.id}/test", csrf=csrf)
        assert status == 200 and "The test message was delivered" in page
        (got,) = receivers.at(SLACK)
        assert "Test message from monitor" in orjson.dumps(json_of(got)).decode()

        # The button cannot flood a room: a few tests in a row, then 429 and nothing sent.
        for _ in range(TRIAL_BURST - 1):
            status, _ = await post(site, f"{base}/{slack.id}/test", csrf=csrf)
            assert status == 200
        status, page = await post(site, f"{base}/{slack.id}/test", csrf=csrf)
        assert status == 429
        assert len(receivers.at(SLACK)) == TRIAL_BURST

        # A permanent refusal disables it; the page says so and why; enable turns it back on.
        receivers.script(HOOK, Reply(404, body="<script>alert(1)</script> no such hook"))
        status, page = await post(site, f"{base}/{hook.id}/test", csrf=csrf)
        assert status == 200 and "NOT delivered" in page and "now disabled" in page
        (hook_now, _) = destinations_of(site, sid)
        assert not hook_now.enabled and hook_now.disabled_reason
        _, page = await site.get(f"/subscriptions/{sid}")
        assert "404" in hook_now.disabled_reason
        shown = re.search(rf'id="destination-{hook.id}">(.*?)</li>', page, re.S)
        assert shown and "disabled" in shown[1]
        assert escape(hook_now.disabled_reason) in shown[1]  # the reader sees why
        assert_no_injected_markup(page)  # whatever the receiver answered
        status, _ = await post(site, f"{base}/{hook.id}/enable", csrf=csrf)
        assert status == 303 and destinations_of(site, sid)[0].enabled

        # Remove asks first; only the confirmed post removes.
        response, page = await site.get(f"{base}/{hook.id}/remove")
        assert response.status == 200 and "Remove this destination?" in page
        status, _ = await post(site, f"{base}/{hook.id}/remove", csrf=csrf)
        assert status == 200 and len(destinations_of(site, sid)) == 2
        status, _ = await post(site, f"{base}/{hook.id}/remove", csrf=csrf, confirm="yes")
        assert status == 303 and [d.kind for d in destinations_of(site, sid)] == ["slack"]

    try:
        run(body, destinations_allow_http=True, allow_private_addresses=True)
    finally:
        receivers.stop()


def test_the_address_policy_of_the_cli_applies(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, READER, name="Desk")
        await site.sign_in(READER)
        sid = only(site, READER, "Desk").id
        _, page = await site.get(f"/subscriptions/{sid}")
        status, page = await post(site, f"/subscriptions/{sid}/destinations", csrf=csrf_of(page),
                                  kind="discord", target="http://127.0.0.1:9/api/webhooks/1/x")
        assert status == 422 and "loopback address" in page
        assert destinations_of(site, sid) == []

    run(body, destinations_allow_http=True, allow_private_addresses=False)


def test_another_readers_destinations_are_not_there(run: Run) -> None:
    receivers = Receivers().start()

    async def body(site: Site) -> None:
        subscribe(site.engine, OTHER, name="Theirs")
        subscribe(site.engine, READER, name="Mine")
        theirs = only(site, OTHER, "Theirs").id
        mine = only(site, READER, "Mine").id
        their_hook = create_destination(
            site.settings, site.engine, NewDestination(theirs, "slack", receivers.url(SLACK))
        ).id
        await site.sign_in(READER)
        _, page = await site.get(f"/subscriptions/{mine}")
        csrf = csrf_of(page)
        attempts = [
            ("get", f"/subscriptions/{theirs}/destinations/{their_hook}/remove", {}),
            ("post", f"/subscriptions/{theirs}/destinations/{their_hook}/remove",
             {"confirm": "yes"}),
            ("post", f"/subscriptions/{theirs}/destinations/{their_hook}/test", {}),
            ("post", f"/subscriptions/{theirs}/destinations/{their_hook}/enable", {}),
            ("post", f"/subscriptions/{theirs}/destinations",
             {"kind": "slack", "target": receivers.url(SLACK)}),
            # Their destination under my subscription's id: still not mine.
            ("post", f"/subscriptions/{mine}/destinations/{their_hook}/remove", {"confirm": "yes"}),
            ("post", f"/subscriptions/{mine}/destinations/{their_hook}/test", {}),
        ]
        for method, path, form in attempts:
            if method == "get":
                response, _ = await site.get(path)
                status = response.status
            else:
                status, _ = await post(site, path, csrf=csrf, **form)
            assert status == 404, (method, path)
        assert [d.id for d in destinations_of(site, theirs)] == [their_hook]
        assert receivers.at(SLACK) == []  # no test message went to their room

    try:
        run(body, destinations_allow_http=True, allow_private_addresses=True)
    finally:
        receivers.stop()


def test_the_destination_section_is_in_every_language(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, READER, name="Desk")
        await site.sign_in(READER)
        sid = only(site, READER, "Desk").id
        for language, heading in (("es", "Dónde se entrega"), ("pt", "Onde é entregue")):
            response = await site.client.get(
                f"/subscriptions/{sid}", headers={"Accept-Language": language}
            )
            assert heading in await response.text(), language
            assert "dest." not in await response.text()  # no key left untranslated

    run(body)
