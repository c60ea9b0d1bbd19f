"""The few HTML pages a subscriber sees: plain, accessible, no JavaScript, no state on GET.

Mail scanners and link previews fetch every link in an email (GET and HEAD), so a link
only ever shows a page; the change happens when the person presses the page's button,
which POSTs a form to the same link.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from aiohttp import web

from monitor.errors import InvalidToken
from monitor.notify.tokens import LIFETIMES, Purpose

_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    ),
}


def page(title: str, body: str, status: int = 200) -> web.Response:
    """A complete HTML page; ``body`` is HTML the caller has escaped."""
    doc = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        "<meta name='robots' content='noindex'>"
        f"<title>{html.escape(title)}</title></head>"
        "<body style='font-family:system-ui,sans-serif;max-width:36em;margin:3em auto;"
        "padding:0 1em;line-height:1.5'>"
        f"<main><h1 style='font-size:1.4em'>{html.escape(title)}</h1>{body}</main></body></html>"
    )
    return web.Response(text=doc, content_type="text/html", status=status, headers=_HEADERS)


def text(paragraph: str) -> str:
    return f"<p>{html.escape(paragraph)}</p>"


def button(action: str, label: str, fields: Mapping[str, str] | None = None) -> str:
    """A form that POSTs to ``action`` with one clearly labelled submit button."""
    hidden = "".join(
        f"<input type='hidden' name='{html.escape(name)}' value='{html.escape(value)}'>"
        for name, value in (fields or {}).items()
    )
    return (
        f"<form method='post' action='{html.escape(action)}'>{hidden}"
        "<button type='submit' style='font-size:1em;padding:.5em 1.2em'>"
        f"{html.escape(label)}</button></form>"
    )


_EXPIRED_ADVICE: dict[Purpose, str] = {
    "confirm": "Confirmation links work for {days} days.",
    "preferences": "Preferences links work for {days} days. Every alert email carries a "
    "fresh one at the bottom: use the link in your latest email.",
    "unsubscribe": "Unsubscribe links work for {days} days. Every alert email carries a "
    "fresh one: use the unsubscribe link in your latest email. If no more alerts reach "
    "you, there is nothing to do.",
}


def link_problem(error: InvalidToken, purpose: Purpose, renew_action: str | None) -> web.Response:
    """What to do about a link that is expired, cut short or not ours (nothing changed).

    ``renew_action`` is where an expired confirmation link may ask for a fresh one.
    """
    if error.reason == "expired":
        advice = _EXPIRED_ADVICE[purpose].format(days=LIFETIMES[purpose].days)
        body = text(advice)
        if renew_action:
            body += text("We can send a new confirmation link to the address this one was for.")
            body += button(renew_action, "Send me a new confirmation link")
        elif purpose == "confirm":
            body += text("Ask whoever added your address to add it again.")
        return page("This link has expired", body, 410)
    return page(
        "This link is not valid",
        text(
            "Nothing was changed. Check that the whole link was opened: long links are "
            "sometimes cut in two by email programs. If it still fails, use the link in "
            "your latest email."
        ),
        400,
    )
