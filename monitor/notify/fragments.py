"""A story's rendered block, made once and reused in every email that shows it.

A story looks the same in every alert or digest that shows it to readers in one time zone
and language, except for one line: why it matched, which names the reader's own
subscription and query. So the block is rendered once — by the same template macro, with
a marker where the reason goes — and split around the marker; an email joins the two
halves with its own reason, escaped for HTML and wrapped for plain text exactly as the
macro would have done. The marker holds NUL characters, which cleaned text never
contains, so it cannot come from a story.

The key is the story's whole email view (:class:`StoryForEmail`, so an edited story is a
new key), the reader's time zone, the layout (``alert`` or ``digest``) and the language.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from monitor.notify.messages import StoryForEmail
from monitor.notify.render import environment, wrap
from monitor.notify.text import clean_inline, truncate
from monitor.notify.views import WHY_LIMIT, story_view
from monitor.notify.wording import words

_MARK = "\x00why\x00"
_TAGS = {"alert": "h2", "digest": "h4"}
DEFAULT_LIMIT = 8192


@dataclass(frozen=True, slots=True)
class RenderedStory:
    """One story's block in an email, in both bodies."""

    html: Markup
    text: str


@dataclass(frozen=True, slots=True)
class StoryFragment:
    """A rendered story block cut around its "why it matched" reason."""

    html_before: str
    html_after: str
    text_before: str
    text_after: str
    text_line: str = "Why it matched: "  # in the block's language

    def with_reason(self, why: str) -> RenderedStory:
        """The block for one reader: ``why`` cleaned and cut as the story view does."""
        reason = truncate(clean_inline(why), WHY_LIMIT)
        return RenderedStory(
            html=Markup(self.html_before + str(escape(reason)) + self.html_after),
            text=self.text_before + wrap(self.text_line + reason) + self.text_after,
        )


def render_fragment(
    story: StoryForEmail, zone: ZoneInfo, layout: str, language: str = "en"
) -> StoryFragment:
    """Render ``story``'s block for ``layout`` in ``language`` once, with the marker for
    the reason."""
    view = dataclasses.replace(story_view(story, "", zone, language), why=_MARK)
    text_line = words(language).text("email.story.why") + " "
    env = environment()
    html = str(env.get_template("_story.html.j2").module.story_block(view, tag=_TAGS[layout]))  # type: ignore[attr-defined]
    text = str(env.get_template("_story.txt.j2").module.story_block(view))  # type: ignore[attr-defined]
    html_before, html_after = _split(html, _MARK)
    text_before, text_after = _split(text, text_line + _MARK)
    return StoryFragment(html_before, html_after, text_before, text_after, text_line)


def _split(rendered: str, mark: str) -> tuple[str, str]:
    if rendered.count(mark) != 1:  # the templates print the reason exactly once
        raise ValueError(f"story template printed the reason {rendered.count(mark)} times")
    before, _, after = rendered.partition(mark)
    return before, after


class FragmentCache:
    """Story blocks by (story view, zone, layout, language), least recently used dropped.

    ``limit`` bounds memory (a block is a few kilobytes); one mailer pass of a day's
    digests shows about a hundred stories in a score of zones.
    """

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self.hits = 0
        self.misses = 0
        self._blocks: OrderedDict[tuple[StoryForEmail, str, str, str], StoryFragment] = (
            OrderedDict()
        )

    def __len__(self) -> int:
        return len(self._blocks)

    def block(
        self, story: StoryForEmail, why: str, zone: ZoneInfo, layout: str, language: str = "en"
    ) -> RenderedStory:
        """``story``'s block with ``why`` for a reader in ``zone`` who reads ``language``."""
        key = (story, zone.key, layout, language)
        fragment = self._blocks.get(key)
        if fragment is None:
            self.misses += 1
            fragment = render_fragment(story, zone, layout, language)
            if self.limit > 0:
                self._blocks[key] = fragment
                if len(self._blocks) > self.limit:
                    self._blocks.popitem(last=False)
        else:
            self.hits += 1
            self._blocks.move_to_end(key)
        return fragment.with_reason(why)
