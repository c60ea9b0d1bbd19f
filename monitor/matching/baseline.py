"""The co-occurrence baseline the classifier is measured against.

Relevant iff any Ukraine word and any Latin American word occur anywhere in the headline
or text, using the topic's own gazetteer (so the comparison isolates the classifier's
logic, not its vocabulary). No category, no countries, no context rules.
"""

from __future__ import annotations

from monitor.matching.text import fold_text
from monitor.matching.topic import Topic


def cooccurrence_baseline(topic: Topic, title: str, text: str) -> bool:
    """True when both a side term (Ukraine's, Russia's…) and an actor term appear."""
    groups = set()
    for field, value in (("title", title), ("text", text)):
        for hit in topic.scanner.scan(fold_text(value), field):
            groups.add(hit.spec.group)
    return topic.gate.side in groups and topic.gate.actor in groups
