"""Every workspace route checks who is asking, every form carries a CSRF token, and every
page carries a Content-Security-Policy without inline script."""

from __future__ import annotations

import re

from monitor.web.workspace.context import safe_next
from monitor.web.workspace.security import CONTENT_SECURITY_POLICY
from tests import PROJECT_ROOT
from tests.web.helpers import person
from tests.web.workspace.conftest import Run
from tests.web.workspace.site import Site, csrf_of

# Routes of the web role that are not the workspace's (token links, private feed keys, the API,
# probes, metrics), and the workspace's routes anyone may open: everything else needs a
# signed-in reader.
TOKEN_AND_PROBES = ("/healthz", "/readyz", "/metrics", "/u/", "/c/", "/p/", "/f/", "/api/")
PUBLIC = {"/", "/signin", "/signin/{token}", "/signout", "/language"}
EXAMPLES = {
    "{story_id}": "1",
    "{token}": "x",
    "{chart}": "countries",
    "{code}": "BR",
    "{feed_id}": "1",
    "{subscription_id}": "1",
    "{destination_id}": "1",
    "{subscriber_id}": "1",
    "{thread_id}": "1",
}
# Routes for operators only: a reader who is not one gets 403 (tests/web/workspace/
# test_operations.py checks each of them, and an operator's forms without a token).
OPERATORS_ONLY = "/operations"


def workspace_routes(site: Site) -> list[tuple[str, str]]:
    """(method, path) of every route the workspace added, whatever it is."""
    found = []
    for route in site.webapp.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("formatter") or info.get("path") or info.get("prefix") or ""
        path = re.sub(r"\{(\w+)(:[^}]*)?\}", r"{\1}", path)
        if route.method == "HEAD" or path.startswith(TOKEN_AND_PROBES) or path == "/static":
            continue
        found.append((route.method, path))
    return found


def concrete(path: str) -> str:
    for name, value in EXAMPLES.items():
        path = path.replace(name, value)
    return path


def test_every_private_route_sends_a_stranger_to_sign_in(run: Run) -> None:
    async def body(site: Site) -> None:
        routes = workspace_routes(site)
        private = [(m, p) for m, p in routes if p not in PUBLIC]
        assert ("GET", "/latest") in private and ("GET", "/stories/{story_id}") in private
        for method, path in private:
            response = await site.client.request(method, concrete(path), allow_redirects=False)
            assert response.status == 303, (method, path)
            assert response.headers["Location"].startswith("/signin?next="), (method, path)
        # and a signed-in reader gets past the door on each GET
        person(site.engine, "reader@example.org")
        await site.sign_in("reader@example.org")
        for method, path in private:
            if method == "GET":
                response = await site.client.get(concrete(path), allow_redirects=False)
                allowed = (403,) if path.startswith(OPERATORS_ONLY) else (200, 400, 404)
                assert response.status in allowed, (path, response.status)

    run(body)


def test_every_form_needs_its_csrf_token(run: Run) -> None:
    async def body(site: Site) -> None:
        person(site.engine, "reader@example.org")
        await site.sign_in("reader@example.org")
        response, page = await site.get("/latest")
        good = csrf_of(page)
        posts = [p for m, p in workspace_routes(site) if m == "POST"]
        assert {"/signin", "/signin/{token}", "/signout", "/language"} <= set(posts)
        for path in posts:
            for token in (None, "0" * 64, good[:-1] + ("0" if good[-1] != "0" else "1")):
                data = {"email": "reader@example.org", "language": "es", "next": "/latest"}
                if token is not None:
                    data["csrf"] = token
                response, _text = await site.post(concrete(path), data)
                assert response.status == 403, (path, token)
                assert "monitor_session" not in response.cookies
                assert "monitor_lang" not in response.cookies
        # none of them did anything: still signed in, no email queued, still English
        response, page = await site.get("/latest")
        assert response.status == 200 and 'lang="en"' in page
        assert await site.deliver() == []
        # a form posted from another browser (its own cookie, our page's token) is refused
        site.client.session.cookie_jar.clear()
        _, other = await site.get("/signin")
        response, _ = await site.post("/language", {"csrf": good, "language": "es"})
        assert response.status == 403
        assert csrf_of(other) != good

    run(body)


def test_pages_carry_the_security_headers_and_no_inline_script(run: Run) -> None:
    async def body(site: Site) -> None:
        person(site.engine, "reader@example.org")
        for path in ("/signin", "/signin/x"):
            response, page = await site.get(path)
            assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        await site.sign_in("reader@example.org")
        for path in ("/latest", "/stories/999999"):
            response, page = await site.get(path)
            assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
            assert response.headers["X-Frame-Options"] == "DENY"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            for tag in re.findall(r"<script\b[^>]*>", page):
                assert 'src="/static/' in tag, tag
            assert not re.search(r"<script\b[^>]*>[^<]", page)
            assert not re.search(r"\son[a-z]+\s*=", page)
            assert " style=" not in page

    policy = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert policy["script-src"] == "'self'" and policy["default-src"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY

    run(body)
    templates = (PROJECT_ROOT / "monitor" / "web" / "templates").glob("*.j2")
    for template in templates:
        text = template.read_text()
        assert not re.search(r"<script\b(?![^>]*\bsrc=)", text), template
        assert " style=" not in text, template


def test_after_a_form_the_site_goes_only_to_its_own_paths() -> None:
    cases = {
        "/latest?country=PY": "/latest?country=PY",
        "/stories/3": "/stories/3",
        "": "/latest",
        None: "/latest",
        "//evil.example/x": "/latest",
        "/\\evil.example": "/latest",
        "https://evil.example/": "/latest",
        "javascript:alert(1)": "/latest",
        "/latest\r\nSet-Cookie: x=1": "/latest",
    }
    for given, expected in cases.items():
        assert safe_next(given) == expected, given
