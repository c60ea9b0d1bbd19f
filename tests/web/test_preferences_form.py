"""The preferences page over real HTTP: refused settings come back beside their fields, kept as
typed, accessibly, without JavaScript; good ones are saved with the same check as the CLI."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from monitor.notify.tokens import make_token
from monitor.store.db import transaction
from monitor.store.subscribers import (
    add_subscriber,
    add_subscription,
    get_subscriber,
    list_subscriptions,
)


def call(url: str, form: list[tuple[str, str]] | None = None) -> tuple[int, str]:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


class Page(HTMLParser):
    """Controls, labels and elements by id, as assistive technology sees them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.controls: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.text_by_id: dict[str, str] = {}
        self.tags: set[str] = set()
        self._open: list[tuple[str, str | None, list[str]]] = []
        self._in_label = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.add(tag)
        if tag == "label":
            self._in_label += 1
            if a.get("for"):
                self.label_for.add(str(a["for"]))
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append({**a, "tag": tag, "wrapped": "yes" if self._in_label else None})
        if tag not in ("input", "br", "meta"):
            self._open.append((tag, a.get("id"), []))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._in_label -= 1
        while self._open:
            name, ident, text = self._open.pop()
            if ident:
                self.text_by_id[ident] = "".join(text)
            if self._open:
                self._open[-1][2].extend(text)
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][2].append(data)

    def control(self, name: str) -> dict[str, str | None]:
        (found,) = [c for c in self.controls
                    if c.get("name") == name and (c["tag"] != "input" or c.get("type") == "text")]
        return found


def person(engine: Any) -> tuple[int, int]:
    now = datetime.now(UTC)
    with transaction(engine) as conn:
        pid, _ = add_subscriber(conn, "reader@example.org", time_zone="Europe/Kyiv",
                                confirmed=True, now=now)
        sid = add_subscription(conn, pid, now=now, name="LatAm", filters={"countries": ["PY"]},
                               daily_cap=5)
    return pid, sid


BAD = [
    ("time_zone", "Mars/Olympus"), ("query", "Zelensk* AND (Brazil"), ("countries", "BR, XX"),
    ("categories", "humanitarian"), ("categories", "sports"), ("languages", "en"),
    ("outlets", "MENAFN"), ("min_score", "5"), ("mode", "weekly"), ("digest_weekday", "9"),
    ("digest_time", "25:00"), ("quiet", "22:00"), ("daily_cap", "-1"), ("language", "xx"),
]


def test_refused_settings_come_back_beside_their_fields_as_typed(web: Any) -> None:
    settings, engine, base = web
    pid, sid = person(engine)
    token = make_token(settings.token_key(), "preferences", pid, None, datetime.now(UTC))
    status, html = call(f"{base}/p/{token}")
    assert status == 200
    page = Page(html)
    assert "script" not in page.tags  # works without JavaScript
    for control in page.controls:  # every control has a label
        assert control["wrapped"] or control.get("id") in page.label_for, control
    assert page.control("countries")["value"] == "PY" and page.control("daily_cap")["value"] == "5"

    status, html = call(f"{base}/p/{token}",
                        [("subscription", str(sid)), ("action", "save"), *BAD])
    assert status == 422
    page = Page(html)
    refused = {"time_zone", "query", "countries", "categories", "min_score", "digest_weekday",
               "digest_time", "quiet", "daily_cap", "language"}
    for name in refused:
        control = (page.control(name) if name != "categories" else
                   {"aria-invalid": None, **next(c for c in page.controls if c.get("name") == name)})
        field = f"s{sid}-{name}"
        described = (control.get("aria-describedby") or "").split()
        if name == "categories":  # a group: the fieldset carries the message
            assert f"{field}-error" in page.text_by_id
            continue
        assert control.get("aria-invalid") == "true", name
        assert f"{field}-error" in described, (name, described)
        assert "Error:" in page.text_by_id[f"{field}-error"], name
        assert f"#{field}" in html  # the summary links to the field
    assert "sports" in page.text_by_id[f"s{sid}-categories-error"]
    assert "XX" in page.text_by_id[f"s{sid}-countries-error"]
    for name in ("languages", "outlets"):
        assert page.control(name).get("aria-invalid") is None
    # What the person typed is kept, so nothing has to be typed again.
    assert page.control("countries")["value"] == "BR, XX"
    assert page.control("daily_cap")["value"] == "-1"
    assert page.control("time_zone")["value"] == "Mars/Olympus"
    assert page.control("query")["value"] == "Zelensk* AND (Brazil"
    assert "value='weekly' selected" in html and "value='humanitarian' checked" in html
    with transaction(engine) as conn:
        (stored,) = list_subscriptions(conn, pid)
        subscriber = get_subscriber(conn, pid)
    assert stored.daily_cap == 5 and stored.filters == {"countries": ["PY"]}  # nothing saved
    assert subscriber is not None and subscriber.time_zone == "Europe/Kyiv"
    assert subscriber.language == "en" and "en, es, pt" in page.text_by_id[f"s{sid}-language-error"]


def test_good_settings_are_saved_and_confirmed(web: Any) -> None:
    settings, engine, base = web
    pid, sid = person(engine)
    token = make_token(settings.token_key(), "preferences", pid, None, datetime.now(UTC))
    good = [
        ("time_zone", "america/sao_paulo"), ("query", "Lula NEAR/5 paz"), ("countries", "br, ar"),
        ("categories", "humanitarian"), ("languages", "pt"), ("outlets", ""), ("min_score", "0.6"),
        ("mode", "weekly"), ("digest_weekday", "4"), ("digest_time", "7:30"),
        ("quiet", "22:00-07:00"), ("daily_cap", ""), ("language", "es"),
    ]
    status, html = call(f"{base}/p/{token}", [("subscription", str(sid)), ("action", "save"), *good])
    assert status == 200 and "role='status'" in html  # after a 303
    # The page after the save is already in the language just chosen.
    assert "Guardado." in html and "<html lang='es'>" in html and "Saved." not in html
    with transaction(engine) as conn:
        (stored,) = list_subscriptions(conn, pid)
        subscriber = get_subscriber(conn, pid)
    assert stored.filters == {"countries": ["BR", "AR"], "categories": ["humanitarian"],
                              "languages": ["pt"], "min_score": 0.6}
    assert (stored.query, stored.mode, stored.digest_weekday, stored.digest_time) == (
        "Lula NEAR/5 paz", "weekly", 4, "07:30")
    assert (stored.quiet_start, stored.quiet_end, stored.daily_cap) == ("22:00", "07:00", None)
    assert subscriber is not None and subscriber.time_zone == "America/Sao_Paulo"
    assert subscriber.language == "es"  # the emails and chat messages from now on
    assert "<option value='es' selected>Español</option>" in call(f"{base}/p/{token}")[1]
    other = call(f"{base}/p/{token}", [("subscription", "999"), ("action", "save"), *good])
    assert other[0] == 404
