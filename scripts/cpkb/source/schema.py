"""The measure schema (measures/schema.json) walked as a list of documented fields.

The schema is the single source of truth for the record format: validation,
editor hints, `cpkb new` and the field reference page all read it. Descriptions
follow the convention "<Vietnamese>\n\n<English>".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

import yaml


SCOPE = "scope"
"""A range may say what it is a share of (percentages): {min, max, scope}."""


def range_scopes(node: dict) -> list[str]:
    """The allowed scopes of a range field ([] when it has none)."""
    return list(((node.get("properties") or {}).get(SCOPE) or {}).get("enum") or ())


@dataclass(frozen=True)
class Field:
    """One documented field of a measure record.

    Bilingual texts ({vi, en}) and ranges ({min, max}) are documented as one
    field: their `vi`/`en` or `min`/`max` parts are described inline.
    """

    path: str
    """Dotted path as editors write it: "savings.energy_pct", "sources[].url"."""
    name: str
    node: dict
    """The field's schema with any $ref resolved (the field's own keys win)."""
    required: bool
    depth: int
    kind: str
    """bilingual, range, object, list_objects, list or scalar."""

    @property
    def anchor(self) -> str:
        return "field-" + re.sub(r"[^a-z0-9_]+", "-", self.path.lower()).strip("-")


def schema_fields(schema: dict) -> list[Field]:
    """Every field of the record in schema order, parents before their children."""
    return list(_walk(schema, schema, "", 0))


def child_fields(node: dict, schema: dict, prefix: str = "") -> list[Field]:
    """The direct fields of an object node (no grandchildren), in schema order."""
    return [f for f in _walk(node, schema, prefix, 0, recurse=False)]


def description(node: dict, lang: str) -> str:
    """The description in `lang`: the first paragraph is Vietnamese, the last English."""
    parts = [p.strip() for p in str(node.get("description", "")).split("\n\n") if p.strip()]
    if not parts:
        return ""
    return parts[0] if lang == "vi" else parts[-1]


# --- walking the schema -------------------------------------------------------


def resolve_ref(node: dict, schema: dict) -> dict:
    """`node` with its local $ref merged in; the node's own keys (description) win."""
    ref = node.get("$ref")
    if not ref:
        return node
    if not ref.startswith("#/"):
        raise ValueError(f"only local $ref are supported, got {ref!r}")
    target: Any = schema
    for part in ref[2:].split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    merged = dict(resolve_ref(target, schema))
    merged.update({k: v for k, v in node.items() if k != "$ref"})
    return merged


def _kind(node: dict) -> str:
    props = set(node.get("properties") or {})
    if node.get("type") == "object" and props == {"vi", "en"}:
        return "bilingual"
    if node.get("type") == "object" and {"min", "max"} <= props <= {"min", "max", SCOPE}:
        return "range"
    if node.get("type") == "object":
        return "object"
    if node.get("type") == "array":
        return "list_objects" if (node.get("items") or {}).get("type") == "object" else "list"
    return "scalar"


def _walk(node: dict, schema: dict, prefix: str, depth: int, recurse: bool = True) -> Iterator[Field]:
    # A field the first alternative of an anyOf requires (a source's year) counts as
    # required: drafts and the field reference then show the usual form.
    required = set(node.get("required") or ()) | set((node.get("anyOf") or [{}])[0].get("required") or ())
    for name, raw in (node.get("properties") or {}).items():
        resolved = resolve_ref(raw, schema)
        path = f"{prefix}{name}"
        kind = _kind(resolved)
        yield Field(path, name, resolved, name in required, depth, kind)
        if not recurse:
            continue
        if kind == "object":
            yield from _walk(resolved, schema, path + ".", depth + 1)
        elif kind == "list_objects":
            yield from _walk(resolve_ref(resolved["items"], schema), schema, path + "[].", depth + 1)


class _Flow(dict):
    """A mapping written on one line, as the catalogue writes ranges: {min: 5, max: 15}."""


class ExampleDumper(yaml.SafeDumper):
    """Writes examples in the catalogue's own layout: list items indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


ExampleDumper.add_representer(
    _Flow, lambda dumper, value: dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True)
)


def example_value(f: Field, schema: dict) -> Any:
    """The schema's own example when it has one, else a value of the right shape.

    Used for the examples on the reference page and for the commented-out
    optional fields that `cpkb new` writes.
    """
    node = f.node
    if node.get("examples"):
        return node["examples"][0]
    if node.get("enum"):
        return node["enum"][0]
    if f.kind == "bilingual":
        return {"vi": "…", "en": "…"}
    if f.kind == "range":
        # The unit is in the field name by convention (_pct, _vnd, _years).
        if node["properties"]["min"].get("maximum") == 100:
            scopes = range_scopes(node)
            return _Flow(min=5, max=15, **({SCOPE: scopes[0]} if scopes else {}))
        if f.name.endswith("_vnd") or "_vnd_" in f.name:
            return _Flow(min=50_000_000, max=200_000_000)
        if f.name.endswith("_years"):
            return _Flow(min=0.5, max=2)
        return _Flow(min=1, max=2)
    if f.kind == "object":
        return _example_object(node, schema)
    if f.kind == "list_objects":
        return [_example_object(resolve_ref(node["items"], schema), schema)]
    if f.kind == "list":
        id_example = ((schema.get("properties") or {}).get("id") or {}).get("examples") or []
        item = node.get("items") or {}
        if id_example and item.get("pattern") == schema["properties"]["id"].get("pattern"):
            return list(id_example[:1])
        return ["…"]
    if node.get("format") == "date":
        return "2026-11-28"
    if str(node.get("pattern", "")).startswith("^https?://"):
        return "https://www.example.org/report.pdf"
    if node.get("type") in ("integer", "number"):
        lo, hi = node.get("minimum", 0), node.get("maximum")
        return max(lo, min(hi, 2020)) if hi is not None and hi >= 2020 else lo
    return "…"


def _example_object(node: dict, schema: dict) -> dict:
    """The required children, plus the first optional ones if minProperties asks for more."""
    children = child_fields(node, schema)
    chosen = [c for c in children if c.required]
    for child in children:
        if len(chosen) >= node.get("minProperties", 0):
            break
        if child not in chosen:
            chosen.append(child)
    order = {c.path: i for i, c in enumerate(children)}
    return {c.name: example_value(c, schema) for c in sorted(chosen, key=lambda c: order[c.path])}


# Abbreviations that end in a full stop but not a sentence: e.g., i.e., p. 45, tr. 45.
_SENTENCE_END = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bp\.)(?<!\btr\.)(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ0-9])")


def first_sentence(text: str) -> str:
    """The first sentence of a description (for tables and --help)."""
    return _SENTENCE_END.split(" ".join(text.split()), maxsplit=1)[0]
