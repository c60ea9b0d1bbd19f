"""Passwords out of URLs before they are printed or logged.

A database or service URL can carry a password in its userinfo
(``postgresql+psycopg://user:pw@host/db``) or in its query string
(``postgresql+psycopg://user@host/db?password=pw``, ``?sslpassword=``). ``redact_url``
masks both and leaves everything else as it was written, so the printed URL still shows
which server and database are meant.
"""

from __future__ import annotations

MASK = "****"
# Query parameters whose value is a secret (compared without case, '-' and '_').
SECRET_PARAMETERS = frozenset(
    {
        "password",
        "pass",
        "passwd",
        "pwd",
        "sslpassword",
        "secret",
        "clientsecret",
        "token",
        "accesstoken",
        "authtoken",
        "apikey",
        "key",
        "sslkeypassword",
    }
)


def _is_secret(name: str) -> bool:
    return name.lower().replace("-", "").replace("_", "") in SECRET_PARAMETERS


def _split_userinfo(rest: str) -> tuple[str, str]:
    """(userinfo with its '@', the rest) of what follows ``scheme://``.

    Like SQLAlchemy, the userinfo ends at the first '@' and a password may hold '/', '?'
    or '#'; an '@' after a '/', '?' or '#' in the user name belongs to the path or query.
    """
    at = rest.find("@")
    if at < 0:
        return "", rest
    user = rest[:at].partition(":")[0]
    if any(char in user for char in "/?#"):
        return "", rest
    return rest[: at + 1], rest[at + 1 :]


def _redact_userinfo(userinfo: str) -> str:
    user, colon, password = userinfo[:-1].partition(":")
    return f"{user}:{MASK}@" if colon and password else userinfo


def _redact_query(query: str) -> str:
    parts = []
    for pair in query.split("&"):
        name, equals, value = pair.partition("=")
        parts.append(f"{name}={MASK}" if equals and value and _is_secret(name) else pair)
    return "&".join(parts)


def redact_url(url: str) -> str:
    """``url`` with the password in its userinfo and secret query parameters masked.

    Where a URL is ambiguous it masks more rather than less.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    userinfo, rest = _split_userinfo(rest)
    rest, hash_, fragment = rest.partition("#")
    location, question, query = rest.partition("?")
    redacted = f"{scheme}://{_redact_userinfo(userinfo) if userinfo else ''}{location}"
    if question:
        redacted += f"?{_redact_query(query)}"
    return redacted + (f"#{fragment}" if hash_ else "")
