"""The workspace's browser security, as pure functions: headers, cookies, CSRF tokens.

- Every workspace response carries a Content-Security-Policy that allows scripts, styles,
  images and fetches from this origin only: no inline script or style, no plug-ins, no
  framing, forms post only here. A value a feed wrote can therefore not run, even if an
  escaping bug let it into a page.
- Cookies are HttpOnly and SameSite=Lax, and Secure when the public URL is https.
- Every form carries a CSRF token: the HMAC of a random per-browser cookie under the
  token secret (a "signed double submit"). A form posted from elsewhere has neither the
  cookie's value nor the key, so its token never matches.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp.web import StreamResponse

SESSION_COOKIE = "monitor_session"
CSRF_COOKIE = "monitor_csrf"
LANGUAGE_COOKIE = "monitor_lang"
CSRF_FIELD = "csrf"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

_CSRF_DOMAIN = b"monitor.web.csrf\x00"


@dataclass(frozen=True, slots=True)
class CookiePolicy:
    """The attributes every workspace cookie gets."""

    secure: bool

    def set(
        self, response: StreamResponse, name: str, value: str, max_age: int | None = None
    ) -> None:
        """Set cookie ``name``: HttpOnly, SameSite=Lax, path /, Secure under https."""
        response.set_cookie(
            name,
            value,
            path="/",
            httponly=True,
            samesite="Lax",
            secure=self.secure,
            max_age=max_age,
        )

    def clear(self, response: StreamResponse, name: str) -> None:
        response.del_cookie(name, path="/", secure=self.secure, httponly=True, samesite="Lax")


def cookie_policy(public_url: str) -> CookiePolicy:
    """Secure cookies when the workspace is served over https (MONITOR_PUBLIC_URL)."""
    return CookiePolicy(secure=urlsplit(public_url).scheme == "https")


def new_secret_value() -> str:
    """A fresh random value for a session or CSRF cookie (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def csrf_token(key: bytes, cookie_value: str) -> str:
    """The token a form carries for the browser whose CSRF cookie is ``cookie_value``."""
    mac = hmac.new(key, _CSRF_DOMAIN + cookie_value.encode("utf-8", "replace"), hashlib.sha256)
    return mac.hexdigest()


def csrf_valid(keys: list[bytes], cookie_value: str | None, posted: str | None) -> bool:
    """Whether a posted token belongs to this browser's cookie (under any accepted key)."""
    if not cookie_value or not posted or len(posted) != 64:
        return False
    return any(hmac.compare_digest(csrf_token(key, cookie_value), posted) for key in keys)
