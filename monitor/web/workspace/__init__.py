"""The analyst's workspace: the pages readers and operators use in a browser.

How a request flows: ``monitor.web.server`` (the web role's one aiohttp application) calls
:func:`add_workspace`, which adds each area's routes. An area module (``signin``,
``latest``, ``story``, ``threads``, ``subscriptions``) turns the request into store calls (``monitor.store.coverage``,
``monitor.store.sessions``) and pure view functions, then renders a Jinja2 template
(``monitor/web/templates``, autoescaped) through :class:`context.Workspace`, which adds the
reader, their language (``i18n``, gettext catalogs in ``monitor/locales``) and zone, the CSRF
token and the security headers (``security``). Static files (``monitor/web/static``) are
served from the package. Every page works without JavaScript.

``trends`` draws its charts with ``monitor.web.charts`` (pure SVG functions). A new area
is one more module with a ``routes()`` method, its templates, its
catalog keys, and an entry in ``context.NAVIGATION`` once it works. Operations
(``operations``, ``operations_feeds``, ``operations_subscribers``, ``operations_failed``) is
for operators only: its routes are wrapped in
``Workspace.operator_only`` and its entry is ``context.OPERATOR_NAVIGATION``.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from aiohttp import web
from sqlalchemy import Engine

from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.web.workspace.context import Workspace
from monitor.web.workspace.countries import Countries
from monitor.web.workspace.latest import Latest
from monitor.web.workspace.operations import Operations
from monitor.web.workspace.operations_failed import FailedAdmin
from monitor.web.workspace.operations_feeds import FeedsAdmin
from monitor.web.workspace.operations_subscribers import SubscribersAdmin
from monitor.web.workspace.search import SearchPage
from monitor.web.workspace.signin import SignIn
from monitor.web.workspace.story import StoryPage
from monitor.web.workspace.subscriptions import Subscriptions
from monitor.web.workspace.threads import ThreadPage
from monitor.web.workspace.trends import Trends


def static_dir() -> Path:
    """The packaged static files (a real directory: aiohttp serves files from disk)."""
    directory = files("monitor.web").joinpath("static")
    if not isinstance(directory, Path):
        raise ConfigError("monitor's static files are not on disk: install monitor with pip")
    return directory


def add_workspace(app: web.Application, settings: Settings, engine: Engine) -> Workspace:
    """Add the workspace's routes and static files to the web role's application."""
    workspace = Workspace(settings, engine)

    async def home(request: web.Request) -> web.StreamResponse:
        raise workspace.redirect(request, "/latest")

    app.add_routes([web.get("/", home)])
    areas = (
        SignIn(workspace),
        Latest(workspace),
        SearchPage(workspace),
        StoryPage(workspace),
        ThreadPage(workspace),
        Trends(workspace),
        Countries(workspace),
        Operations(workspace),
        FeedsAdmin(workspace),
        SubscribersAdmin(workspace),
        FailedAdmin(workspace),
        Subscriptions(workspace),
    )
    for area in areas:
        app.add_routes(area.routes())
    app.router.add_static("/static", static_dir(), append_version=False)
    return workspace
