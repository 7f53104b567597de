"""Discord's own contract: every JSON body the bot sends is validated against the official OpenAPI spec.

The spec is read from ../shared/discord-openapi.json (MIT); it is never copied into this repository.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parents[3] / "shared" / "discord-openapi.json"
SPEC_URI = "urn:discord-openapi"


class Contract:
    """Finds the operation for a request path and validates its body against the request schema."""

    def __init__(self, spec_path: Path = SPEC_PATH) -> None:
        self.spec: dict[str, Any] = json.loads(spec_path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(self.spec, default_specification=DRAFT202012)
        self._registry = Registry().with_resource(SPEC_URI, resource)
        self._routes: list[tuple[int, re.Pattern[str], str]] = []
        for template in self.spec["paths"]:
            pattern = "^" + re.sub(r"\{[^/]+\}", "[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}")) + "$"
            literal = sum(1 for part in template.split("/") if part and not part.startswith("{"))
            self._routes.append((literal, re.compile(pattern), template))
        self._routes.sort(key=lambda r: -r[0])  # most specific first: /messages/@original before /messages/{id}

    def template_for(self, path: str) -> str | None:
        for _, pattern, template in self._routes:
            if pattern.match(path):
                return template
        return None

    def violations(self, method: str, path: str, body: Any) -> list[str]:
        """Every way `body` breaks the spec for `method path`; an unknown route is itself a violation."""
        template = self.template_for(path)
        if template is None:
            return [f"{method} {path}: no such route in Discord's API"]
        operation = self.spec["paths"][template].get(method.lower())
        if operation is None:
            return [f"{method} {template}: method not allowed by Discord's API"]
        if "requestBody" not in operation or body is None:
            return []
        validator = self._validator(template, method.lower())
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        return [_describe(method, template, e) for e in errors]

    def schema_violations(self, schema: str, data: Any) -> list[str]:
        """Every way `data` (what the double answers) breaks one of the spec's schemas, e.g. ThreadResponse."""
        validator = Draft202012Validator({"$ref": f"{SPEC_URI}#/components/schemas/{schema}"}, registry=self._registry)
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
        return [_describe("answer", schema, e) for e in errors]

    @lru_cache(maxsize=256)  # noqa: B019 - one Contract lives for the whole session
    def _validator(self, template: str, method: str) -> Draft202012Validator:
        pointer = "/".join(
            part.replace("~", "~0").replace("/", "~1")
            for part in ("paths", template, method, "requestBody", "content", "application/json", "schema")
        )
        return Draft202012Validator({"$ref": f"{SPEC_URI}#/{quote(pointer)}"}, registry=self._registry)


def _tag_mismatch(error: Any) -> bool:
    return error.validator in ("enum", "const") and list(error.absolute_path)[-1:] == ["type"]


def _most_telling(error: Any) -> Any:
    """In a union, follow the branch the body meant (its `type` tag fits), then the deepest error."""
    if not error.context:
        return error
    branches: dict[Any, list[Any]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    here = list(error.absolute_path)

    def misfit(errs: list[Any]) -> tuple[bool, bool, int]:
        # A branch of another shape altogether (null vs object, another `type` tag) is not the one meant.
        other_shape = all(e.validator == "type" and list(e.absolute_path) == here for e in errs)
        return (any(_tag_mismatch(e) for e in errs), other_shape, len(errs))

    chosen = min(branches.values(), key=misfit)
    return _most_telling(max(chosen, key=lambda e: len(list(e.absolute_path))))


def _describe(method: str, template: str, error: Any) -> str:
    best = _most_telling(error)
    where = "/".join(str(p) for p in best.absolute_path) or "(body)"
    return f"{method} {template}: {where}: {best.message[:200]}"
