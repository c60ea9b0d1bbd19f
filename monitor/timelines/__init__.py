"""Per-country diplomatic timelines (issue 19): entries and stances quoted from stories.

``extract`` is pure: a relevant story and the classifier's verdict in, timeline entries
and stances out, each quoting the sentence that supports it. ``cues`` reads the cue lists
(package data ``cues.toml``), ``sentences`` splits text, ``scoring`` and ``corrections``
measure the extractor against a labeled set, ``export`` writes CSV and iCalendar, and
``commands`` are the CLI shells. See docs/timelines.md.
"""
