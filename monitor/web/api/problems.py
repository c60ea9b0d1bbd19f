"""Errors as ``application/problem+json`` (RFC 9457): one shape for every refusal.

``type`` is a stable URI per kind of problem (``tag:monitor,2024:problem/<kind>``, the
kinds listed in the README's API section), ``title`` the kind in words, ``detail`` this
occurrence and what to do next; a validation problem lists every refused field in
``errors`` (field and message), never only the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import orjson
from aiohttp import web

from monitor.errors import Problem as FieldProblem

PROBLEM_TYPE = "application/problem+json"
# Tag URIs (RFC 4151), as the feeds' ids: stable names, not pages to fetch (RFC 9457 §3.1.1).
_BASE = "tag:monitor,2024:problem/"

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    408: "Request timeout",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Validation failed",
    429: "Too many requests",
    500: "Internal error",
}


@dataclass(eq=False)
class ApiProblem(Exception):
    """A refusal raised inside a handler and answered as problem+json by the route wrapper."""

    status: int
    kind: str
    detail: str
    errors: tuple[FieldProblem, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    extra: tuple[tuple[str, object], ...] = ()

    def document(self) -> dict[str, object]:
        body: dict[str, object] = {
            "type": _BASE + self.kind,
            "title": TITLES.get(self.status, "Error"),
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors:
            body["errors"] = [{"field": p.field, "message": p.message} for p in self.errors]
        body.update(dict(self.extra))
        return body

    def response(self) -> web.Response:
        headers = {"Content-Type": PROBLEM_TYPE, "Cache-Control": "no-store", **dict(self.headers)}
        return web.Response(status=self.status, body=orjson.dumps(self.document()), headers=headers)


def invalid(detail: str, errors: Sequence[FieldProblem]) -> ApiProblem:
    """422 listing every refused field."""
    return ApiProblem(422, "validation", detail, tuple(errors))


def bad_parameter(field: str, message: str) -> ApiProblem:
    """400 for a query parameter that cannot be used (names it, says what would be)."""
    return ApiProblem(
        400, "bad-parameter", f"{field}: {message}", (FieldProblem(field, message),)
    )


def not_found(what: str) -> ApiProblem:
    return ApiProblem(404, "not-found", f"no {what} here (or not yours)")
