"""Check a JSON schema against OpenAI's strict structured-output rules, offline.

The rules and limits are those of OpenAI's Structured Outputs guide ("Supported schemas"):
root an object (not ``anyOf``); every object ``additionalProperties: false`` with all its
properties required; only the listed keywords; at most 5,000 object properties, 10 levels of
object nesting, 120,000 characters of property names, definition names, enum and const values,
1,000 enum values, and 15,000 characters for a string enum of more than 250 values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["LIMITS", "StrictSchemaReport", "check_strict_schema"]

LIMITS = {
    "object_properties": 5000,
    "depth": 10,
    "string_chars": 120_000,
    "enum_values": 1000,
    "large_enum_values": 250,
    "large_enum_chars": 15_000,
}

_TYPES = {"string", "number", "integer", "boolean", "object", "array", "null"}
_NUMERIC = {"multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum"}
_KEYWORDS_BY_TYPE: dict[str, set[str]] = {
    "object": {"properties", "required", "additionalProperties"},
    "array": {"items", "minItems", "maxItems"},
    "string": {"pattern", "format"},
    "number": _NUMERIC,
    "integer": _NUMERIC,
    "boolean": set(),
    "null": set(),
}
_ANY_TYPE = {
    "type",
    "description",
    "title",
    "enum",
    "const",
    "anyOf",
    "$ref",
    "$defs",
    "definitions",
}
_FORMATS = {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}


@dataclass
class StrictSchemaReport:
    """What the check found: ``problems`` (empty when accepted) and the measured sizes."""

    problems: list[str] = field(default_factory=list)
    object_properties: int = 0
    depth: int = 0
    enum_values: int = 0
    string_chars: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _types(node: Mapping[str, Any]) -> list[str]:
    value = node.get("type", [])
    return [value] if isinstance(value, str) else list(value)


def _rules(node: Any, path: str, report: StrictSchemaReport, root: Mapping[str, Any]) -> None:
    """Keywords, objects, enums and sizes of one sub-schema; ``$ref`` is resolved, not entered."""
    if not isinstance(node, Mapping):
        report.problems.append(f"{path}: a schema must be an object")
        return
    types = _types(node)
    unknown_types = [t for t in types if t not in _TYPES]
    if unknown_types:
        report.problems.append(f"{path}: unsupported type {unknown_types[0]!r}")
    allowed = set(_ANY_TYPE).union(*(_KEYWORDS_BY_TYPE.get(t, set()) for t in types))
    for key in node:
        if key not in allowed:
            report.problems.append(f"{path}: keyword {key!r} is not supported in strict mode")
    if not types and not {"enum", "const", "anyOf", "$ref"} & node.keys():
        report.problems.append(f"{path}: no type")
    if "$ref" in node:
        _check_ref(node, path, report, root)
    if "format" in node and node["format"] not in _FORMATS:
        report.problems.append(f"{path}: format {node['format']!r} is not supported")
    if "object" in types:
        _object_rules(node, path, report, root)
    if "array" in types:
        items = node.get("items")
        if not isinstance(items, Mapping):
            report.problems.append(f"{path}: an array needs one `items` schema")
        else:
            _rules(items, f"{path}.items", report, root)
    for index, variant in enumerate(node.get("anyOf", [])):
        _rules(variant, f"{path}.anyOf[{index}]", report, root)
    _enum_rules(node, path, report)


def _check_ref(
    node: Mapping[str, Any], path: str, report: StrictSchemaReport, root: Mapping[str, Any]
) -> None:
    if len(node) > 1:
        report.problems.append(f"{path}: $ref must stand alone (no sibling keywords)")
    if _resolve(node["$ref"], root) is None:
        report.problems.append(f"{path}: $ref {node['$ref']!r} does not resolve in this schema")


def _object_rules(
    node: Mapping[str, Any], path: str, report: StrictSchemaReport, root: Mapping[str, Any]
) -> None:
    properties = node.get("properties", {})
    if not isinstance(properties, Mapping):
        report.problems.append(f"{path}: properties must be an object")
        return
    if node.get("additionalProperties") is not False:
        report.problems.append(f"{path}: additionalProperties must be false")
    required = node.get("required", [])
    missing = [name for name in properties if name not in required]
    if missing:
        report.problems.append(f"{path}: every property must be required; missing {missing}")
    extra = [name for name in required if name not in properties]
    if extra:
        report.problems.append(f"{path}: required names unknown properties {extra}")
    report.object_properties += len(properties)
    report.string_chars += sum(len(name) for name in properties)
    for name, sub in properties.items():
        _rules(sub, f"{path}.properties.{name}", report, root)


def _enum_rules(node: Mapping[str, Any], path: str, report: StrictSchemaReport) -> None:
    values = node.get("enum", [])
    strings = [v for v in values if isinstance(v, str)]
    report.enum_values += len(values)
    report.string_chars += sum(len(v) for v in strings)
    if isinstance(node.get("const"), str):
        report.string_chars += len(node["const"])
    too_long = sum(len(v) for v in strings) > LIMITS["large_enum_chars"]
    if len(strings) > LIMITS["large_enum_values"] and too_long:
        report.problems.append(
            f"{path}: a string enum of over 250 values exceeds 15,000 characters"
        )


def _resolve(ref: Any, root: Mapping[str, Any]) -> Any:
    if not isinstance(ref, str) or not ref.startswith("#"):
        return None
    node: Any = root
    for part in [p for p in ref[1:].split("/") if p]:
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _depth(node: Any, root: Mapping[str, Any], refs: tuple[str, ...] = ()) -> int:
    """Levels of object nesting, following ``$ref`` (a recursive reference counts once)."""
    if not isinstance(node, Mapping):
        return 0
    if "$ref" in node:
        ref = node["$ref"]
        return 0 if ref in refs else _depth(_resolve(ref, root), root, (*refs, ref))
    children = [*node.get("properties", {}).values(), *node.get("anyOf", [])]
    if isinstance(node.get("items"), Mapping):
        children.append(node["items"])
    deepest = max((_depth(child, root, refs) for child in children), default=0)
    return deepest + (1 if "object" in _types(node) else 0)


def check_strict_schema(schema: Mapping[str, Any]) -> StrictSchemaReport:
    """Every rule OpenAI states for ``strict: true`` that can be checked without calling it."""
    report = StrictSchemaReport()
    if _types(schema) != ["object"] or "anyOf" in schema:
        report.problems.append("root: must be a plain object schema (not anyOf)")
    _rules(schema, "root", report, schema)
    for defs_key in ("$defs", "definitions"):
        for name, definition in (schema.get(defs_key) or {}).items():
            report.string_chars += len(name)
            _rules(definition, f"{defs_key}.{name}", report, schema)
    report.depth = _depth(schema, schema)
    for measure in ("object_properties", "depth", "string_chars", "enum_values"):
        if getattr(report, measure) > LIMITS[measure]:
            report.problems.append(
                f"{measure} {getattr(report, measure)} exceeds {LIMITS[measure]}"
            )
    return report
