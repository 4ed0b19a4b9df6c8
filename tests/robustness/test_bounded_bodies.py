"""Every request body of the API is bounded, as its OpenAPI description says: each string
has a maximum length (or a format, pattern or list of values that bounds it), each list a
maximum number of items, and no object is free-form without a maximum number of keys
(``core.storedjson.BoundedObject``, validated by its own model later). So no
``dict[str, Any]`` reaches the database from a request, and no field is unbounded.
(Whole bodies are bounded per route too: ``tests/core/test_limits.py``.)"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

BOUNDED_FORMATS = {"uuid", "date", "date-time", "binary"}
"""Strings bounded by their format; a file (binary, or with a media type) is bounded by
its route's body limit."""


class _Walk:
    def __init__(self, description: dict[str, Any]) -> None:
        self.schemas = dict(description["components"]["schemas"])
        self.unbounded: set[str] = set()
        for item in description["paths"].values():
            for operation in item.values():
                for content in (operation.get("requestBody") or {}).get("content", {}).values():
                    self.schemas.update(content.get("schema", {}).get("$defs", {}))

    def __call__(self, schema: dict[str, Any], where: str, seen: frozenset[str]) -> None:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name in seen:
                return
            seen, where, schema = seen | {name}, name, self.schemas[name]
        for key in ("anyOf", "oneOf", "allOf"):
            for option in schema.get(key, []):
                self(option, where, seen)
        kind = schema.get("type")
        if kind == "string" and not (
            {"maxLength", "enum", "const", "pattern", "contentMediaType"} & set(schema)
            or schema.get("format") in BOUNDED_FORMATS
        ):
            self.unbounded.add(where)
        if kind == "array":
            if "maxItems" not in schema:
                self.unbounded.add(where)
            self(schema.get("items", {}), where, seen)
        for name, field in schema.get("properties", {}).items():
            self(field, f"{where}.{name}", seen)
        extra = schema.get("additionalProperties")
        if extra not in (None, False) and "maxProperties" not in schema:
            self.unbounded.add(where)


def test_every_request_body_is_bounded(client: TestClient) -> None:
    description = client.get("/openapi.json").json()
    walk = _Walk(description)
    for path, item in description["paths"].items():
        for method, operation in item.items():
            for content in (operation.get("requestBody") or {}).get("content", {}).values():
                walk(content.get("schema", {}), f"{method.upper()} {path}", frozenset())
    assert walk.unbounded == set()
