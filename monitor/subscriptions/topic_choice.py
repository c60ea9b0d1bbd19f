"""Which topic's alert a subscription receives a story under, if any. Pure.

A subscription chooses one topic (a topic file's slug) or ``all``. The worker classifies a
story with every loaded topic; each topic that finds it relevant raises its own alert, and
each alert is a *view* of the story: that topic's category, countries and score, which the
subscription's query and filters are tested on.

- A topic subscription sees only its topic's view: the story reaches it when its topic
  raises an alert on the story now and the query and filters pass on that view.
- An ``all`` subscription sees **every story the worker classifies** — each new story, and
  each stored story classified again because a fuller copy arrived (the stories a topic
  could still alert) — whatever the topics decided. When some topic alerts the story now,
  the views are those alerts in the topic set's order (file-name order) and the first view
  its query and filters pass is the one delivered. When no topic has ever alerted the story,
  its one view is :data:`NO_TOPIC`: the countries any topic's gazetteer found, no category,
  score 0, and no alert (the delivery's ``alert_id`` is :data:`NO_ALERT`). A story a topic
  alerted in an earlier batch is not offered again as topic-less.

Deliveries are once per subscriber and story (the deliveries' unique key). Of a subscriber's
subscriptions that want a story in one batch, the lowest-numbered one wins
(:func:`one_per_subscriber`), so someone subscribed to two topics gets the story once, under
the topic of their first matching subscription; a later alert under another topic finds the
delivery already there and adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

ALL_TOPICS = "all"
FOUNDING_TOPIC = "ukraine-latam"  # what every subscription received before migration 0014
NO_TOPIC = ""  # the view of a story no topic alerted (only ``all`` subscriptions see it)
NO_ALERT = 0  # a delivery's alert_id for the NO_TOPIC view: no alert row exists


@dataclass(frozen=True, slots=True)
class StoryTopics:
    """What the topics decided about one story in this batch."""

    alerting: tuple[str, ...]  # topics raising a new alert on it now, in the set's order
    alerted_before: bool = False  # some topic alerted it in an earlier batch

    def views(self, choice: str) -> tuple[str, ...]:
        """The views a subscription choosing ``choice`` may get, in preference order."""
        if choice == ALL_TOPICS:
            if self.alerting or self.alerted_before:
                return self.alerting
            return (NO_TOPIC,)
        return (choice,) if choice in self.alerting else ()


def delivery_view(choice: str, story: StoryTopics, passes: Callable[[str], bool]) -> str | None:
    """The view (a topic slug, or :data:`NO_TOPIC`) under which a subscription choosing
    ``choice`` receives ``story``, or None. ``passes(view)`` says whether the subscription's
    query and filters accept the story as that view shows it."""
    for view in story.views(choice):
        if passes(view):
            return view
    return None


Candidate = TypeVar("Candidate")


def one_per_subscriber(
    wanted: Iterable[tuple[int, int, Candidate]],
) -> list[Candidate]:
    """Of (subscriber id, subscription id, candidate) for one story, keep each subscriber's
    lowest-numbered subscription's candidate, in subscriber order."""
    best: dict[int, tuple[int, Candidate]] = {}
    for subscriber_id, subscription_id, candidate in wanted:
        kept = best.get(subscriber_id)
        if kept is None or subscription_id < kept[0]:
            best[subscriber_id] = (subscription_id, candidate)
    return [best[key][1] for key in sorted(best)]


def topic_label(names: Mapping[str, str], slug: str | None) -> str:
    """A topic's human name for emails: its file's ``[topic].name``, the slug itself when
    the topic is not loaded here, "all stories (no topic)" for the topic-less view."""
    if not slug:
        return "All stories (no topic alerted it)"
    return names.get(slug, slug)


ALL_STORIES_LABEL = "All stories (only the query decides)"


def choice_label(names: Mapping[str, str], choice: str) -> str:
    """A subscription's choice as pages show it: the topic's name (its slug when not loaded
    here), or :data:`ALL_STORIES_LABEL` for ``all``."""
    return ALL_STORIES_LABEL if choice == ALL_TOPICS else names.get(choice, choice)
