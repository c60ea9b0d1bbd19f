"""Delivery beyond email: the channels a reader's alerts reach them through.

    syndication   a subscription's alerts as a private Atom feed and a JSON Feed (pure)
    feed_keys     the unguessable, revocable keys in those feeds' URLs (pure)

Email delivery lives in monitor.notify today; it moves here as channels are added.
"""
