"""subscriptions stage: people and what they follow.

Who subscribes and to what (preferences, checked in one place), which subscriptions want a
story (fan-out, run by the worker), what a query would have matched (preview, backfill), and
the operator's commands on subscribers. What reaches a person, and how, is ``notify``
(email) and ``delivery`` (chat, webhooks)."""
