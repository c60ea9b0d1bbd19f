"""Event threads: which stories report the same real-world event (issue 19).

``facts`` turns a story into the few facts the decision reads (actors, event type,
distinctive terms, day), using the topic classifier's evidence; ``signals`` compares two
stories' facts one signal at a time; ``decide`` combines the signals into a
:class:`~monitor.threads.decide.Decision` that carries its reasons as data; ``group``
builds threads from a time-ordered stream; ``evaluate`` scores the decision on labeled
pairs (``monitor eval threads``). Everything but ``facts.story_facts`` and the file
reading in ``evaluate`` is pure. See docs/threads.md.
"""
