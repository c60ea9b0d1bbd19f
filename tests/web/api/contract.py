"""Checks real API answers against the OpenAPI document served by the server itself."""

from __future__ import annotations

import re
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.web.api.helpers import Answer

_DOC = "urn:monitor:openapi"


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


class Contract:
    """The served document; ``check`` validates one answer and records what it covered."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(_DOC, resource)
        self.covered: set[tuple[str, str, str]] = set()

    def operations(self) -> set[tuple[str, str]]:
        return {(path, method) for path, ops in self.document["paths"].items() for method in ops}

    def _template(self, path: str) -> str:
        bare = path.split("?")[0].removeprefix("/api/v1")
        for template in self.document["paths"]:
            pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
            if re.match(pattern, bare):
                return str(template)
        raise AssertionError(f"{bare} is not in the OpenAPI document")

    def check(self, method: str, path: str, answer: Answer) -> None:
        template = self._template(path)
        op = self.document["paths"][template][method.lower()]
        status = str(answer.status)
        key = status if status in op["responses"] else f"{status[0]}XX"
        assert key in op["responses"], f"{method} {template} answered {status}, not documented"
        response = op["responses"][key]
        content = response.get("content")
        if content is None:
            assert answer.raw == b"", f"{method} {template} {status} should have no body"
        else:
            assert answer.content_type in content, (answer.content_type, list(content))
            schema_path = _pointer("paths", template, method.lower(), "responses", key,
                                   "content", answer.content_type, "schema")
            validator = Draft202012Validator(
                {"$ref": f"{_DOC}#/{schema_path}"}, registry=self.registry,
                format_checker=FormatChecker(),
            )
            errors = [e.message for e in validator.iter_errors(answer.json)]
            assert errors == [], f"{method} {template} {status}: {errors}"
        self.covered.add((template, method.lower(), key))
