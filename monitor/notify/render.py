"""Render the Jinja2 templates in ``notify/templates``: HTML autoescaped, plain text not.

One environment, loaded once. ``*.html.j2`` templates autoescape everything they print;
``*.txt.j2`` templates print cleaned text as is. Undefined variables are errors, so a
template and its context cannot silently drift apart.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from markupsafe import Markup

from monitor.notify.snippets import Segment

TEXT_WIDTH = 72


def _is_html(name: str | None) -> bool:
    return name is not None and name.endswith(".html.j2")


def plain_marks(segments: Iterable[Segment]) -> str:
    """Plain-text highlighting: matched terms as ``*term*``."""
    return "".join(f"*{s.text}*" if s.marked else s.text for s in segments)


@lru_cache(maxsize=16384)
def wrap(text: str, indent: str = "") -> str:
    """Wrap a paragraph at 72 columns without breaking words or URLs.

    Remembered: the same lines (a story's title, a reader's reason, the footer) recur in
    thousands of emails of a pass, and ``textwrap`` is a Python loop over every chunk.
    Plain text (single spaces between words, nothing textwrap would change) is wrapped
    by :func:`_plain_lines` instead, which gives what textwrap gives for it: a reader's
    own lines (their subscription's name, their reason) never recur.
    """
    if _is_plain(text):
        return _plain_lines(text, indent)
    return textwrap.fill(
        text,
        width=TEXT_WIDTH,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _is_plain(text: str) -> bool:
    """True for words joined by single spaces and nothing textwrap changes or drops:
    ``isprintable`` is false for every space but the ASCII one and for every line break;
    no space at either end or doubled (textwrap drops those at a line's ends)."""
    return (
        len(text) > 0
        and text.isprintable()
        and text[0] != " "
        and text[-1] != " "
        and "  " not in text
    )


def _plain_lines(text: str, indent: str) -> str:
    """``textwrap.fill`` for plain text, with the settings of :func:`wrap`: greedy, a word
    goes to the next line when it and the space before it do not fit, and a word longer
    than a line (never broken) stands on a line of its own."""
    width = TEXT_WIDTH - len(indent)
    if len(text) <= width:
        return indent + text
    lines: list[str] = []
    line: list[str] = []
    length = 0
    for word in text.split(" "):
        if not line:
            line, length = [word], len(word)
        elif length + 1 + len(word) <= width:
            line.append(word)
            length += 1 + len(word)
        else:
            lines.append(indent + " ".join(line))
            line, length = [word], len(word)
    lines.append(indent + " ".join(line))
    return "\n".join(lines)


def bdi(value: object) -> Markup:
    """``value`` escaped inside ``<bdi>``, so a right-to-left name cannot reorder the
    sentence around it (for a value filled into a translated HTML sentence)."""
    return Markup("<bdi>{}</bdi>").format(value)


def strong(value: object) -> Markup:
    """``value`` escaped inside ``<strong>``."""
    return Markup("<strong>{}</strong>").format(value)


@cache
def environment() -> Environment:
    """The shared template environment (autoescape on for ``.html.j2``).

    ``auto_reload`` is off: the templates are package files that do not change while the
    process runs, and checking each one's modification time on every ``get_template``
    (twice per email) cost more than rendering a story's block.
    """
    env = Environment(
        loader=PackageLoader("monitor.notify", "templates"),
        auto_reload=False,
        autoescape=_is_html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["plain_marks"] = plain_marks
    env.filters["wrap"] = wrap
    env.filters["bdi"] = bdi
    env.filters["strong"] = strong
    return env


@cache
def _pair(name: str) -> tuple[Template, Template]:
    """The compiled ``name.txt.j2`` and ``name.html.j2``, looked up once: the environment's
    own look-up (its cache keyed by loader and name, under a lock) ran twice per email."""
    env = environment()
    return env.get_template(f"{name}.txt.j2"), env.get_template(f"{name}.html.j2")


def render_pair(name: str, context: Mapping[str, object]) -> tuple[str, str]:
    """Render ``name.txt.j2`` and ``name.html.j2`` with the same context: (text, html)."""
    text, html = _pair(name)
    return text.render(context), html.render(context)


def render_footer(context: Mapping[str, object]) -> tuple[str, str]:
    """The footer partials (``_footer.txt.j2``, ``_footer.html.j2``) alone: (text, html).
    The email templates print them as ``footer_text`` and ``footer_html``."""
    return render_pair("_footer", context)
