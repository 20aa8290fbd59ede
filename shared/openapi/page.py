"""Render an OpenAPI document as a readable HTML page: no script, nothing from elsewhere."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

_environment = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent),
    autoescape=select_autoescape(["html"]),
)
_SCHEMAS = "#/components/schemas/"


@dataclass(frozen=True)
class TypePart:
    """A piece of a type's label; `anchor` links a named schema to its table."""

    text: str
    anchor: str | None = None


@dataclass(frozen=True)
class FieldRow:
    name: str
    type: list[TypePart]
    required: bool
    limits: list[str]
    description: str = ""


@dataclass(frozen=True)
class ResponseRow:
    status: str
    description: str
    media_type: str | None
    type: list[TypePart]


@dataclass
class OperationView:
    anchor: str
    method: str
    path: str
    summary: str
    description: str
    roles: list[str]
    parameters: list[FieldRow]
    body: list[TypePart]
    body_fields: list[FieldRow]
    curl: str
    responses: list[ResponseRow]


@dataclass
class SchemaView:
    name: str
    anchor: str
    description: str
    fields: list[FieldRow] = field(default_factory=list)
    values: list[str] = field(default_factory=list)


def schema_anchor(name: str) -> str:
    return f"schema-{name}"


class _Reader:
    """Turns JSON schemas into labels and limits a person can read."""

    def __init__(self, components: Mapping[str, Any]) -> None:
        self.components = components

    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(_SCHEMAS):
            found: Mapping[str, Any] = self.components.get(ref.removeprefix(_SCHEMAS), {})
            return found
        return schema

    def type_of(self, schema: Mapping[str, Any]) -> list[TypePart]:
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(_SCHEMAS):
            name = ref.removeprefix(_SCHEMAS)
            return [TypePart(name, schema_anchor(name))]
        for key in ("anyOf", "oneOf"):
            if key in schema:
                parts: list[TypePart] = []
                for index, option in enumerate(schema[key]):
                    if index:
                        parts.append(TypePart(" or "))
                    parts.extend(self.type_of(option))
                return parts
        kind = schema.get("type")
        if kind == "array":
            return [TypePart("list of "), *self.type_of(schema.get("items", {}))]
        if "const" in schema:
            return [TypePart(json.dumps(schema["const"]))]
        label = "any" if kind is None else " or ".join(kind) if isinstance(kind, list) else kind
        if "format" in schema:
            label += f" ({schema['format']})"
        return [TypePart(label)]

    def limits(self, schema: Mapping[str, Any]) -> list[str]:
        found: list[str] = []
        for option in [schema, *schema.get("anyOf", ()), *schema.get("oneOf", ())]:
            target = self.resolve(option)
            found.extend(self._own_limits(target))
            if target.get("type") == "array":
                found.extend(f"each: {limit}" for limit in self._own_limits(target["items"]))
        if "default" in schema:
            found.append(f"default {json.dumps(schema['default'], ensure_ascii=False)}")
        return list(dict.fromkeys(found))

    def _own_limits(self, schema: Mapping[str, Any]) -> list[str]:
        target = self.resolve(schema)
        found = []
        if "enum" in target:
            found.append("one of " + ", ".join(json.dumps(v) for v in target["enum"]))
        for key, say in (
            ("minLength", "at least {} characters"),
            ("maxLength", "at most {} characters"),
            ("minimum", "at least {}"),
            ("maximum", "at most {}"),
            ("exclusiveMinimum", "more than {}"),
            ("exclusiveMaximum", "less than {}"),
            ("minItems", "at least {} items"),
            ("maxItems", "at most {} items"),
            ("pattern", "matches {}"),
        ):
            if key in target:
                found.append(say.format(target[key]))
        return found

    def fields(self, schema: Mapping[str, Any]) -> list[FieldRow]:
        target = self.resolve(schema)
        required = set(target.get("required", ()))
        return [
            FieldRow(
                name=name,
                type=self.type_of(property_schema),
                required=name in required,
                limits=self.limits(property_schema),
                description=property_schema.get("description", ""),
            )
            for name, property_schema in target.get("properties", {}).items()
        ]


def _curl(base_url: str, path: str, method: str, operation: Mapping[str, Any]) -> str:
    """Return a curl command a newcomer can paste (with TOKEN set in the shell)."""
    target = path
    for parameter in operation.get("parameters", ()):
        if parameter["in"] == "path":
            target = target.replace(f"{{{parameter['name']}}}", str(parameter["example"]))
    lines = [f"curl -X {method.upper()} '{base_url}{target}'"]
    if operation.get("x-roles"):
        lines.append('-H "Authorization: Bearer $TOKEN"')
    for parameter in operation.get("parameters", ()):
        if parameter["in"] == "header" and parameter["required"]:
            lines.append(f"-H '{parameter['name']}: \"1\"'")
    media = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if media is not None:
        lines.append("-H 'Content-Type: application/json'")
        body = json.dumps(media.get("example", {}), indent=2, ensure_ascii=False)
        lines.append("-d '" + body.replace("'", "'\\''") + "'")
    return " \\\n  ".join(lines)


def _operation(
    reader: _Reader, base_url: str, path: str, method: str, operation: Mapping[str, Any]
) -> OperationView:
    content = operation.get("requestBody", {}).get("content", {})
    body_schema = content.get("application/json", {}).get("schema")
    responses = []
    for status, response in operation["responses"].items():
        content_types: list[tuple[str | None, Mapping[str, Any]]] = list(
            response.get("content", {}).items()
        )
        media_type, media = content_types[0] if content_types else (None, {})
        responses.append(
            ResponseRow(
                status,
                response["description"],
                media_type,
                reader.type_of(media["schema"]) if "schema" in media else [],
            )
        )
    parameters = [
        FieldRow(
            name=f"{parameter['name']} ({parameter['in']})",
            type=reader.type_of(parameter["schema"]),
            required=parameter["required"],
            limits=reader.limits(parameter["schema"]),
            description=parameter.get("description", ""),
        )
        for parameter in operation.get("parameters", ())
    ]
    return OperationView(
        anchor=operation["operationId"],
        method=method.upper(),
        path=path,
        summary=operation["summary"],
        description=operation.get("description", ""),
        roles=operation.get("x-roles", []),
        parameters=parameters,
        body=[] if body_schema is None else reader.type_of(body_schema),
        body_fields=[] if body_schema is None else reader.fields(body_schema),
        curl=_curl(base_url, path, method, operation),
        responses=responses,
    )


def docs_page(document: Mapping[str, Any]) -> str:
    """Return the HTML page of `document`: every operation, field, limit and answer."""
    components = document["components"]["schemas"]
    reader = _Reader(components)
    base_url = document["servers"][0]["url"]
    by_tag: dict[str, list[OperationView]] = {tag["name"]: [] for tag in document["tags"]}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            view = _operation(reader, base_url, path, method, operation)
            by_tag.setdefault(operation["tags"][0], []).append(view)
    schemas = [
        SchemaView(
            name=name,
            anchor=schema_anchor(name),
            description=schema.get("description", ""),
            fields=reader.fields(schema),
            values=[json.dumps(value) for value in schema.get("enum", ())],
        )
        for name, schema in sorted(components.items())
    ]
    return _environment.get_template("docs.html").render(
        info=document["info"], base_url=base_url, by_tag=by_tag, schemas=schemas
    )
