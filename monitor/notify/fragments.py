"""A story's rendered block, made once and reused in every email that shows it.

A story looks the same in every alert or digest that shows it to readers in one time zone
and language, except for one line: why it matched, which names the reader's own
subscription and query. So the block is rendered once — by the same template macro, with
a marker where the reason goes — and split around the marker; an email joins the two
halves with its own reason, escaped for HTML and wrapped for plain text exactly as the
macro would have done. The marker holds NUL characters, which cleaned text never
contains, so it cannot come from a story.

The key is the story's whole email view (:class:`StoryForEmail`, so an edited story is a
new key), the layout (``alert`` or ``digest``) and the language. The publication date is
the one part that depends on the reader's time zone: it is rendered with a second marker
and filled in per zone (in plain text its whole line, wrapped as the template wraps it),
so a story is rendered once for all zones. A block whose date line cannot be found exactly
once is rendered per zone instead.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from monitor.notify.messages import StoryForEmail
from monitor.notify.render import environment, wrap
from monitor.notify.text import clean_inline, truncate
from monitor.notify.views import WHY_LIMIT, published_line, story_view
from monitor.notify.wording import words

_MARK = "\x00why\x00"
_DATE = "\x00date\x00"
_ANY_ZONE = ZoneInfo("UTC")  # for the zone-free render: its date is replaced by _DATE
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
        html_reason, text_reason = reason_parts(why, self.text_line)
        return RenderedStory(
            html=Markup(self.html_before + html_reason + self.html_after),
            text=self.text_before + text_reason + self.text_after,
        )


@lru_cache(maxsize=4096)
def reason_parts(why: str, text_line: str) -> tuple[str, str]:
    """A reader's reason as a block prints it: escaped for HTML, and in plain text its
    whole line (``text_line`` + reason) wrapped. Remembered: a digest shows the same
    reason under each of its stories."""
    reason = truncate(clean_inline(why), WHY_LIMIT)
    return str(escape(reason)), wrap(text_line + reason)


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


@dataclass(frozen=True, slots=True)
class ZoneFreeFragment:
    """A story block cut around its date and its reason: the date part is filled per zone.

    ``text_date`` is the plain-text date line as rendered with the marker; each zone's
    line is the same template expression, ``wrap(outlet + " - " + date)``."""

    html: tuple[str, str, str]  # before the date, between date and reason, after the reason
    text: tuple[str, str, str]
    outlet: str
    text_line: str

    def in_zone(self, story: StoryForEmail, zone: ZoneInfo, language: str) -> StoryFragment:
        published = published_line(story, zone, language)
        html_before = self.html[0] + str(escape(published)) + self.html[1]
        text_before = self.text[0] + wrap(f"{self.outlet} - {published}") + self.text[1]
        return StoryFragment(html_before, self.html[2], text_before, self.text[2], self.text_line)


def render_zone_free(
    story: StoryForEmail, layout: str, language: str = "en"
) -> ZoneFreeFragment | None:
    """Render ``story``'s block once for every time zone, or None when its date line is
    not where it can be cut (then :func:`render_fragment` renders it per zone)."""
    view = dataclasses.replace(
        story_view(story, "", _ANY_ZONE, language), why=_MARK, published=_DATE
    )
    text_line = words(language).text("email.story.why") + " "
    env = environment()
    html = str(env.get_template("_story.html.j2").module.story_block(view, tag=_TAGS[layout]))  # type: ignore[attr-defined]
    text = str(env.get_template("_story.txt.j2").module.story_block(view))  # type: ignore[attr-defined]
    date_line = wrap(f"{view.outlet} - {_DATE}")
    if html.count(_DATE) != 1 or text.count(_DATE) != 1 or text.count(date_line) != 1:
        return None
    html_head, html_tail = _split(html, _MARK)
    text_head, text_tail = _split(text, text_line + _MARK)
    if _DATE not in html_head or date_line not in text_head:
        return None
    html_start, _, html_middle = html_head.partition(_DATE)
    text_start, _, text_middle = text_head.partition(date_line)
    return ZoneFreeFragment(
        (html_start, html_middle, html_tail),
        (text_start, text_middle, text_tail),
        view.outlet,
        text_line,
    )


def _split(rendered: str, mark: str) -> tuple[str, str]:
    if rendered.count(mark) != 1:  # the templates print the reason exactly once
        raise ValueError(f"story template printed the reason {rendered.count(mark)} times")
    before, _, after = rendered.partition(mark)
    return before, after


class FragmentCache:
    """Story blocks by (story view, layout, language), least recently used dropped, and
    their dates filled in by (…, zone).

    ``limit`` bounds memory (a block is a few kilobytes) for each of the two; one mailer
    pass of a day's digests shows about a hundred stories in a score of zones.
    ``misses`` counts templates rendered, ``hits`` blocks shown without rendering.
    """

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self.hits = 0
        self.misses = 0
        self._blocks: OrderedDict[tuple[StoryForEmail, str, str, str], StoryFragment] = (
            OrderedDict()
        )
        self._zone_free: OrderedDict[tuple[StoryForEmail, str, str], ZoneFreeFragment | None] = (
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
            fragment = self._in_zone(story, zone, layout, language)
            if self.limit > 0:
                self._blocks[key] = fragment
                if len(self._blocks) > self.limit:
                    self._blocks.popitem(last=False)
        else:
            self.hits += 1
            self._blocks.move_to_end(key)
        return fragment.with_reason(why)

    def _in_zone(
        self, story: StoryForEmail, zone: ZoneInfo, layout: str, language: str
    ) -> StoryFragment:
        key = (story, layout, language)
        if key in self._zone_free:
            zone_free = self._zone_free[key]
            self._zone_free.move_to_end(key)
            if zone_free is not None:
                self.hits += 1
                return zone_free.in_zone(story, zone, language)
        else:
            self.misses += 1
            zone_free = render_zone_free(story, layout, language)
            if self.limit > 0:
                self._zone_free[key] = zone_free
                if len(self._zone_free) > self.limit:
                    self._zone_free.popitem(last=False)
            if zone_free is not None:
                return zone_free.in_zone(story, zone, language)
        self.misses += 1
        return render_fragment(story, zone, layout, language)
