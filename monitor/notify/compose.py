"""Build the emails monitor sends: one-story alerts, digests and double opt-in confirmations.

Pure: values in, an :class:`email.message.EmailMessage` out (CRLF line endings, folded and
encoded headers, multipart/alternative with a plain-text and an HTML part, both UTF-8 and
quoted-printable so any SMTP server accepts them). Nothing here talks to a server; the
mailer sends what this returns, and the same inputs always give the same Message-ID, so a
resend after a crash is recognisably the same message.

Headers every list email carries: From, To, Subject, Date, Message-ID, List-Id,
List-Unsubscribe with List-Unsubscribe-Post (RFC 2369 / RFC 8058 one-click),
Auto-Submitted, Precedence and X-Monitor-Delivery (the delivery key, for logs and tests).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache
from typing import ParamSpec, cast
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from monitor.errors import ConfigError
from monitor.notify.fragments import FragmentCache, RenderedStory
from monitor.notify.headers import (
    NAME_LIMIT,
    alert_subject,
    confirmation_subject,
    delivery_key,
    digest_subject,
    fingerprint,
    header_text,
    is_message_id,
    is_plain_mailbox,
    list_id,
    list_unsubscribe,
    mailbox,
    message_id_for,
    sign_in_subject,
    volume_subject,
)
from monitor.notify.links import EmailLinks, safe_http_url
from monitor.notify.messages import DigestEntry, Recipient, Sender, StoryForEmail
from monitor.notify.policy import DigestPeriod
from monitor.notify.render import render_footer, render_pair, wrap
from monitor.notify.timezones import require_utc
from monitor.notify.tokens import LIFETIMES
from monitor.notify.views import (
    MAX_DIGEST_STORIES,
    digest_groups,
    digest_reason,
    digest_summary,
    recipient_zone,
)
from monitor.notify.wire import Draft, HeaderValue, boundary_for, draft_message
from monitor.notify.wording import PERIOD_KINDS, Words, period_words, words

P = ParamSpec("P")


def _new_draft(
    *,
    subject: str,
    recipient: Recipient,
    sender: Sender,
    now: datetime,
    kind: str,
    key_parts: Sequence[str | int],
    bodies: tuple[str, str],
    tail: tuple[tuple[str, HeaderValue], ...] = (),
) -> Draft:
    """The headers and body every email shares; ``tail`` headers go after the MIME ones."""
    if not is_plain_mailbox(sender.address):
        raise ConfigError(f"sender address is not a plain mailbox: {sender.address!r}")
    message_id = message_id_for(kind, key_parts, sender.domain)
    head: tuple[tuple[str, HeaderValue], ...] = (
        ("From", mailbox(sender.display_name, sender.address)),
        ("To", mailbox(recipient.display_name, recipient.email)),
        ("Subject", subject),
        ("Date", format_datetime(require_utc(now, "now"))),
        ("Message-ID", message_id),
        ("Auto-Submitted", "auto-generated"),
        ("X-Auto-Response-Suppress", "All"),
        ("X-Monitor-Delivery", delivery_key(kind, key_parts)),
    )
    text, html = bodies
    return Draft(head, tail, text, html, boundary_for(message_id))


def _list_headers(
    *, links: EmailLinks, list_identifier: str, list_name: str
) -> tuple[tuple[str, HeaderValue], ...]:
    """List-Id and the unsubscribe pair; one-click POST is only promised over HTTPS."""
    headers: list[tuple[str, HeaderValue]] = [
        ("List-Id", list_id(list_name, list_identifier)),
        ("List-Unsubscribe", list_unsubscribe(links.unsubscribe_url, links.unsubscribe_mailto)),
    ]
    if links.unsubscribe_url.startswith("https://"):
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    headers.append(("Precedence", "bulk"))
    return tuple(headers)


def _checked_links(links: EmailLinks) -> EmailLinks:
    for url in (links.unsubscribe_url, links.preferences_url):
        if safe_http_url(url) is None:
            raise ConfigError(f"footer link must be an http(s) URL, got {url!r}")
    if not links.unsubscribe_mailto.startswith("mailto:"):
        raise ConfigError("unsubscribe_mailto must be a mailto: URI")
    return links


def _footer_context(
    recipient: Recipient, subscription_name: str, links: EmailLinks
) -> dict[str, object]:
    w = words(recipient.language)
    context: dict[str, object] = {
        "w": w,
        "subscription_name": _name(subscription_name, w),
        "links": _checked_links(links),
        "time_zone": recipient_zone(recipient.time_zone).key,
    }
    text, html = _footer(context)
    context["footer_text"], context["footer_html"] = text, Markup(html)
    return context


# Stand-ins for what differs between readers of a footer rendered once for many: NUL
# characters, which neither a checked link nor cleaned text contains.
_NAME = "\x00name\x00"
_PREFERENCES = "\x00preferences\x00"
_UNSUBSCRIBE = "\x00unsubscribe\x00"
_FOOTER_LINKS = EmailLinks(_UNSUBSCRIBE, "mailto:", _PREFERENCES)


def _footer(context: Mapping[str, object]) -> tuple[str, str]:
    """The footer templates rendered for ``context`` (text, html).

    Only the subscription's name and the two links differ between readers who share a
    language and a time zone, so the footer is rendered once for those, with stand-ins
    where these go, and each email fills in its own: the links and the name escaped for
    HTML as the template escapes them, and in plain text the name's whole line, worded
    and wrapped as the template does. A footer whose stand-ins do not come out once each,
    in order, is rendered whole.
    """
    w = cast(Words, context["w"])
    links = cast(EmailLinks, context["links"])
    name, zone = str(context["subscription_name"]), str(context["time_zone"])
    shell = _footer_shell(w.language, zone)
    if shell is None or "\x00" in name + links.preferences_url + links.unsubscribe_url:
        return render_footer(context)
    text, html = shell
    why = _footer_why_line(w, name, zone)
    # str(): a Markup on the right of ``+`` would escape the str on its left.
    preferences = str(escape(links.preferences_url))
    unsubscribe = str(escape(links.unsubscribe_url))
    return (
        text[0] + why + text[1] + links.preferences_url + text[2] + links.unsubscribe_url + text[3],
        html[0] + str(escape(name)) + html[1] + preferences + html[2] + unsubscribe + html[3],
    )


def _footer_why_line(w: Words, subscription_name: str, time_zone: str) -> str:
    """The plain-text footer's first line, as ``_footer.txt.j2`` words and wraps it."""
    return wrap(w.text("email.footer.why", name='"' + subscription_name + '"', zone=time_zone))


@lru_cache(maxsize=1024)
def _footer_shell(language: str, time_zone: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The footer cut around the name and the two links (text, html), or None when it
    cannot be cut exactly there."""
    w = words(language)
    context = {"w": w, "subscription_name": _NAME, "links": _FOOTER_LINKS, "time_zone": time_zone}
    text, html = render_footer(context)
    text_cut = _cut(text, (_footer_why_line(w, _NAME, time_zone), _PREFERENCES, _UNSUBSCRIBE))
    html_cut = _cut(html, (_NAME, _PREFERENCES, _UNSUBSCRIBE))
    if text_cut is None or html_cut is None:
        return None
    return text_cut, html_cut


def _cut(rendered: str, marks: Sequence[str]) -> tuple[str, ...] | None:
    """``rendered`` split at each of ``marks`` in turn, or None unless each occurs once,
    in that order."""
    if any(rendered.count(mark) != 1 for mark in marks):
        return None
    pieces = []
    rest = rendered
    for mark in marks:
        piece, found, rest = rest.partition(mark)
        if not found:
            return None
        pieces.append(piece)
    return (*pieces, rest)


def _name(subscription_name: str, w: Words) -> str:
    return header_text(subscription_name, NAME_LIMIT) or w.text("email.default_name")


def draft_alert(
    story: StoryForEmail,
    recipient: Recipient,
    *,
    subscription_name: str,
    why: str,
    links: EmailLinks,
    sender: Sender,
    list_id: str,
    now: datetime,
    update: bool = False,
    previous_message_id: str | None = None,
    revision: int = 1,
    fragments: FragmentCache | None = None,
) -> Draft:
    """One story, one email. Message-ID is stable per (story, subscriber).

    An update (``update=True``) gets its own stable id per ``revision`` (use a different
    revision for each update of the same story) and threads to the original alert with
    In-Reply-To/References; the original's id is recomputed when ``previous_message_id``
    is not given, since it depends only on story and subscriber. ``fragments`` keeps the
    story's rendered block for the next email that shows it. Words, dates and numbers are
    in ``recipient.language``.
    """
    zone = recipient_zone(recipient.time_zone)
    language = recipient.language
    cache = fragments if fragments is not None else FragmentCache(limit=0)
    subject = alert_subject(story.title, update=update, language=language)
    original_parts: tuple[int, ...] = (story.story_id, recipient.subscriber_id)
    if update:
        kind, parts = "update", (*original_parts, revision)
    else:
        kind, parts = "alert", original_parts
    context = {
        **_footer_context(recipient, subscription_name, links),
        "subject": subject,
        "story": cache.block(story, why, zone, "alert", language),
        "update": update,
    }
    threading: tuple[tuple[str, HeaderValue], ...] = ()
    if update:
        original = message_id_for("alert", original_parts, sender.domain)
        given = previous_message_id
        parent = given if given is not None and is_message_id(given) else original
        references = original if parent == original else f"{original} {parent}"
        threading = (("In-Reply-To", parent), ("References", references))
    return _new_draft(
        subject=subject,
        recipient=recipient,
        sender=sender,
        now=now,
        kind=kind,
        key_parts=parts,
        bodies=render_pair("alert", context),
        tail=threading
        + _list_headers(links=links, list_identifier=list_id, list_name=subscription_name),
    )


def draft_digest(
    entries: Sequence[DigestEntry],
    recipient: Recipient,
    *,
    period: DigestPeriod,
    subscription_name: str,
    links: EmailLinks,
    sender: Sender,
    list_id: str,
    now: datetime,
    fragments: FragmentCache | None = None,
) -> Draft:
    """Several stories in one email, grouped by category then country, newest first.

    Message-ID is stable per (subscriber, ``period.key``); include the subscription in
    the key if one subscriber gets separate digests per subscription. At most 100 stories
    are shown; the summary still counts all of them. Raises ValueError for no entries:
    an empty digest is not sent.
    """
    if not entries:
        raise ValueError("a digest needs at least one story")
    zone = recipient_zone(recipient.time_zone)
    language = recipient.language
    cache = fragments if fragments is not None else FragmentCache(limit=0)
    total = len({entry.story.story_id for entry in entries})
    name, label = period_heading(period, zone, language)
    subject = digest_subject(name, total, label, language=language)

    def show(entry: DigestEntry) -> RenderedStory:
        return cache.block(entry.story, digest_reason(entry), zone, "digest", language)

    context = {
        **_footer_context(recipient, subscription_name, links),
        "subject": subject,
        "name": header_text(name, NAME_LIMIT),
        "label": header_text(label, NAME_LIMIT),
        "summary": digest_summary(entries, language),
        "groups": digest_groups(entries, show, language),
        "total": total,
        "shown": min(total, MAX_DIGEST_STORIES),
    }
    return _new_draft(
        subject=subject,
        recipient=recipient,
        sender=sender,
        now=now,
        kind="digest",
        key_parts=(recipient.subscriber_id, period.key),
        bodies=render_pair("digest", context),
        tail=_list_headers(links=links, list_identifier=list_id, list_name=subscription_name),
    )


def draft_volume(
    heading: str,
    stories: Sequence[StoryForEmail],
    recipient: Recipient,
    *,
    key_parts: Sequence[str | int],
    subscription_name: str,
    links: EmailLinks,
    sender: Sender,
    list_id: str,
    now: datetime,
) -> Draft:
    """A spike or silence in a subscription's coverage: the heading says what is unusual,
    then the day's top stories behind it (none for a silence). Message-ID is stable per
    ``key_parts`` (subscription and the alert), so a re-queued alert repeats it."""
    zone = recipient_zone(recipient.time_zone)
    cache = FragmentCache(limit=0)
    subject = volume_subject(heading)
    context = {
        **_footer_context(recipient, subscription_name, links),
        "subject": subject,
        "heading": header_text(heading, 300),
        "stories": [
            cache.block(story, "", zone, "digest", recipient.language) for story in stories
        ],
    }
    return _new_draft(
        subject=subject,
        recipient=recipient,
        sender=sender,
        now=now,
        kind="volume",
        key_parts=(recipient.subscriber_id, *key_parts),
        bodies=render_pair("volume", context),
        tail=_list_headers(links=links, list_identifier=list_id, list_name=subscription_name),
    )


def period_heading(period: DigestPeriod, zone: ZoneInfo, language: str) -> tuple[str, str]:
    """A digest's name and date label in ``language`` (the period's own English ones when
    it does not say which kind of digest it is)."""
    if period.kind in PERIOD_KINDS:
        return period_words(period.kind, period.end, zone, language)
    return period.name, period.label


def _duration(valid_for: timedelta, w: Words) -> str:
    hours = int(valid_for.total_seconds() // 3600)
    if hours >= 48 and hours % 24 == 0:
        return w.count("email.duration.days", hours // 24)
    return w.count("email.duration.hours", max(hours, 1))


def draft_confirmation(
    recipient: Recipient,
    confirm_url: str,
    *,
    subscription_name: str,
    sender: Sender,
    now: datetime,
    valid_for: timedelta = LIFETIMES["confirm"],
) -> Draft:
    """The double opt-in email: one link that confirms the subscription.

    Not a list email (the person has not subscribed yet), so no List-* headers. The
    Message-ID is stable per (subscriber, confirm URL): a resend of the same request
    repeats it, a fresh request (new token) gets a new one.
    """
    url = safe_http_url(confirm_url)
    if url is None:
        raise ConfigError(f"confirm URL must be an http(s) URL, got {confirm_url!r}")
    w = words(recipient.language)
    subject = confirmation_subject(subscription_name, language=w.language)
    context = {
        "w": w,
        "subject": subject,
        "display_name": header_text(recipient.display_name, NAME_LIMIT),
        "email": recipient.email,
        "subscription_name": _name(subscription_name, w),
        "confirm_url": url,
        "valid_for": _duration(valid_for, w),
    }
    return _new_draft(
        subject=subject,
        recipient=recipient,
        sender=sender,
        now=now,
        kind="confirm",
        key_parts=(recipient.subscriber_id, fingerprint(url)),
        bodies=render_pair("confirm", context),
    )


def draft_sign_in(
    recipient: Recipient,
    sign_in_url: str,
    *,
    sender: Sender,
    now: datetime,
    valid_for: timedelta = LIFETIMES["sign_in"],
) -> Draft:
    """The workspace's magic link: one link that opens a page with a sign-in button.

    Not a list email, so no List-* headers. Each request has its own link and so its own
    Message-ID (the key is the link's fingerprint).
    """
    url = safe_http_url(sign_in_url)
    if url is None:
        raise ConfigError(f"sign-in URL must be an http(s) URL, got {sign_in_url!r}")
    w = words(recipient.language)
    subject = sign_in_subject(language=w.language)
    context = {
        "w": w,
        "subject": subject,
        "display_name": header_text(recipient.display_name, NAME_LIMIT),
        "email": recipient.email,
        "sign_in_url": url,
        "valid_for": _minutes(valid_for, w),
    }
    return _new_draft(
        subject=subject,
        recipient=recipient,
        sender=sender,
        now=now,
        kind="sign_in",
        key_parts=(recipient.subscriber_id, fingerprint(url)),
        bodies=render_pair("sign_in", context),
    )


def _minutes(valid_for: timedelta, w: Words) -> str:
    return w.count("email.duration.minutes", max(1, int(valid_for.total_seconds() // 60)))


def _as_message(draft: Callable[P, Draft]) -> Callable[P, EmailMessage]:
    """A ``draft_*`` function that returns an EmailMessage instead: the slow path's object,
    for tests, tools and the sign-in mail (the mailer sends drafts as bytes directly)."""

    def compose(*args: P.args, **kwargs: P.kwargs) -> EmailMessage:
        return draft_message(draft(*args, **kwargs))

    compose.__doc__ = f":func:`{draft.__name__}` as an EmailMessage."
    return compose


compose_alert = _as_message(draft_alert)
compose_digest = _as_message(draft_digest)
compose_confirmation = _as_message(draft_confirmation)
compose_sign_in = _as_message(draft_sign_in)
compose_volume = _as_message(draft_volume)
