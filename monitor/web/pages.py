"""The few HTML pages a subscriber sees: plain, accessible, no JavaScript, no state on GET.

Mail scanners and link previews fetch every link in an email (GET and HEAD), so a link
only ever shows a page; the change happens when the person presses the page's button,
which POSTs a form to the same link.

The pages speak the subscriber's language (``subscribers.language``, the one of their
emails): the link's token names the subscriber, so the person who opens it reads the page
as they read the email, whatever their browser says. Only when no subscriber is known (a
link that is not ours, a client over its rate) does the browser's ``Accept-Language``
choose. Every string is a message of the shared catalogs (``link.*``, ``prefs.*``).
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from aiohttp import web

from monitor.catalogs import catalog, message_language
from monitor.errors import InvalidToken
from monitor.notify.tokens import LIFETIMES, Purpose
from monitor.notify.wording import words
from monitor.web.workspace.i18n import choose_language

_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    ),
    # The page's language follows the subscriber, not the request alone.
    "Vary": "Accept-Language",
}


def page_language(stored: str | None, accept_language: str | None) -> str:
    """The language of a page opened from an email's link: the subscriber's stored language
    when the link names a subscriber (``stored``; an unknown value reads as English, as in
    their emails), else the browser's preferred catalog language, else English."""
    if stored is not None:
        return message_language(stored)
    return choose_language(None, accept_language)


def page(title: str, body: str, status: int = 200, *, language: str = "en") -> web.Response:
    """A complete HTML page in ``language`` (its ``lang``); ``body`` is HTML the caller has
    escaped."""
    doc = (
        f"<!doctype html><html lang='{html.escape(message_language(language))}'><head>"
        "<meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        "<meta name='robots' content='noindex'>"
        f"<title>{html.escape(title)}</title></head>"
        "<body style='font-family:system-ui,sans-serif;max-width:36em;margin:3em auto;"
        "padding:0 1em;line-height:1.5'>"
        f"<main><h1 style='font-size:1.4em'>{html.escape(title)}</h1>{body}</main></body></html>"
    )
    return web.Response(text=doc, content_type="text/html", status=status, headers=_HEADERS)


def message_page(
    language: str,
    title_key: str,
    text_key: str,
    status: int = 200,
    **values: object,
) -> web.Response:
    """A page of one titled paragraph, both from the catalog of ``language``."""
    t = catalog(message_language(language)).text
    return page(t(title_key), text(t(text_key, **values)), status, language=language)


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


def lifetime(purpose: Purpose, language: str) -> str:
    """How long a link of ``purpose`` works, in words (``60 days``, ``60 днів``)."""
    return words(language).count("email.duration.days", LIFETIMES[purpose].days)


def link_problem(
    error: InvalidToken, purpose: Purpose, renew_action: str | None, *, language: str = "en"
) -> web.Response:
    """What to do about a link that is expired, cut short or not ours (nothing changed).

    ``renew_action`` is where an expired confirmation link may ask for a fresh one.
    """
    t = catalog(message_language(language)).text
    if error.reason == "expired":
        body = text(t(f"link.expired_{purpose}", duration=lifetime(purpose, language)))
        if renew_action:
            body += text(t("link.renew_offer"))
            body += button(renew_action, t("link.renew_button"))
        elif purpose == "confirm":
            body += text(t("link.ask_again"))
        return page(t("link.expired_title"), body, 410, language=language)
    return message_page(language, "link.invalid_title", "link.invalid", 400)
