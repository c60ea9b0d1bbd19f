"""Render the Jinja2 templates in ``notify/templates``: HTML autoescaped, plain text not.

One environment, loaded once. ``*.html.j2`` templates autoescape everything they print;
``*.txt.j2`` templates print cleaned text as is. Undefined variables are errors, so a
template and its context cannot silently drift apart.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from monitor.notify.snippets import Segment

TEXT_WIDTH = 72


def _is_html(name: str | None) -> bool:
    return name is not None and name.endswith(".html.j2")


def plain_marks(segments: Iterable[Segment]) -> str:
    """Plain-text highlighting: matched terms as ``*term*``."""
    return "".join(f"*{s.text}*" if s.marked else s.text for s in segments)


def wrap(text: str, indent: str = "") -> str:
    """Wrap a paragraph at 72 columns without breaking words or URLs."""
    return textwrap.fill(
        text,
        width=TEXT_WIDTH,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def bdi(value: object) -> Markup:
    """``value`` escaped inside ``<bdi>``, so a right-to-left name cannot reorder the
    sentence around it (for a value filled into a translated HTML sentence)."""
    return Markup("<bdi>{}</bdi>").format(value)


def strong(value: object) -> Markup:
    """``value`` escaped inside ``<strong>``."""
    return Markup("<strong>{}</strong>").format(value)


@cache
def environment() -> Environment:
    """The shared template environment (autoescape on for ``.html.j2``)."""
    env = Environment(
        loader=PackageLoader("monitor.notify", "templates"),
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


def render_pair(name: str, context: Mapping[str, object]) -> tuple[str, str]:
    """Render ``name.txt.j2`` and ``name.html.j2`` with the same context: (text, html)."""
    env = environment()
    text = env.get_template(f"{name}.txt.j2").render(context)
    html = env.get_template(f"{name}.html.j2").render(context)
    return text, html
