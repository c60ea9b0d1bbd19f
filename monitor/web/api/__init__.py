"""The read API under /api/v1 (README: API): stories, alerts, search, trends and the
reader's own subscriptions, for holders of an API key.

One module per job: ``door`` (key, scope, budget, body), ``reads``, ``search``,
``trends`` and ``subscriptions`` (the handlers), ``paging`` and ``subscription_input``
(pure checks at the door), ``shapes`` (rows as JSON), ``problems`` (RFC 9457 errors),
``openapi`` (the document), ``keys`` and ``key_commands`` (keys and their CLI).
"""

from monitor.web.api.routes import ApiV1

__all__ = ["ApiV1"]
