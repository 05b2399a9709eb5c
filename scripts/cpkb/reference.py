"""The field reference page, generated from measures/schema.json.

The schema is the single source of truth for the record format: validation,
editor hints and this page all read it, so the page cannot drift from what
`cpkb validate` accepts. Descriptions follow the schema's convention
"<Vietnamese>\\n\\n<English>". Pure Python: the site build calls
`render_field_reference` and writes the result into docs/.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

import yaml

from .i18n import label, labels
from .markdown_render import escape_markdown_inline


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


def render_field_reference(schema: dict, lang: str) -> str:
    """The Markdown of the field reference page in `lang` ("vi" or "en").

    Starts with a `# ` title; then an overview table of every field (dotted
    path linking to its section, type, required, first sentence of the
    description); then one section per field with the full description in
    `lang`, type, whether required, allowed values (explained for
    enumerations such as technique and complexity), limits, pattern and a
    YAML example. Nested fields (savings.energy_pct, sources[].url) get their
    own sections under their parent. Deterministic: same schema, same text.
    """
    t = lambda key, **kw: label(f"reference.{key}", lang, **kw)  # noqa: E731
    fields = schema_fields(schema)
    code = _code_pattern(schema, fields)
    out = [f"# {t('title')}", "", t("intro"), "", t("generated"), "", t("editor_hint"), ""]

    out += [f"## {t('overview')}", "",
            f"| {t('field')} | {t('type')} | {t('required')} | {t('description')} |",
            "| --- | --- | --- | --- |"]
    for f in fields:
        indent = "&nbsp;&nbsp;&nbsp;&nbsp;" * f.depth
        out.append(f"| {indent}[`{f.path}`](#{f.anchor}) | {_type_text(f, lang)} | "
                   f"{t('yes') if f.required else t('no')} | "
                   f"{_prose(first_sentence(description(f.node, lang)), code)} |")
    out.append("")

    for f in fields:
        out += [f"{'#' * min(2 + f.depth, 4)} `{f.path}` {{#{f.anchor}}}", ""]
        text = description(f.node, lang)
        if text:
            out += [_prose(text, code), ""]
        out.append(f"- **{t('type')}:** {_type_text(f, lang)}")
        out.append(f"- **{t('required')}:** {t('yes') if f.required else t('no')}")
        pattern = _pattern(f)
        if pattern:
            out.append(f"- **{t('pattern')}:** `{pattern}`")
        limits = _limits(f, lang)
        if limits:
            out.append(f"- **{t('limits')}:** " + "; ".join(limits))
        out.append("")
        enum = f.node.get("enum") or (f.node.get("items") or {}).get("enum")
        if enum:
            out += _enum_table(f, enum, lang)
        out += [f"**{t('example')}:**", "", "```yaml", _example_yaml(f, schema), "```", ""]
    return "\n".join(out).rstrip("\n") + "\n"


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
    if node.get("type") == "object" and props == {"min", "max"}:
        return "range"
    if node.get("type") == "object":
        return "object"
    if node.get("type") == "array":
        return "list_objects" if (node.get("items") or {}).get("type") == "object" else "list"
    return "scalar"


def _walk(node: dict, schema: dict, prefix: str, depth: int, recurse: bool = True) -> Iterator[Field]:
    required = set(node.get("required") or ())
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


# --- describing one field ------------------------------------------------------

def _type_text(f: Field, lang: str) -> str:
    t = lambda key: label(f"reference.{key}", lang)  # noqa: E731
    node = f.node
    if f.kind == "bilingual":
        return t("type_bilingual")
    if f.kind == "range":
        bounds = node["properties"]["min"]
        return t("type_percent_range") if bounds.get("maximum") == 100 else t("type_range")
    if f.kind == "object":
        return t("type_object")
    if f.kind == "list_objects":
        return t("type_list_objects")
    if f.kind == "list":
        return t("type_list_text")
    if node.get("format") == "date":
        return t("type_date")
    return t({"integer": "type_integer", "number": "type_number"}.get(node.get("type"), "type_string"))


def _pattern(f: Field) -> str:
    if f.node.get("format") == "date":
        return ""  # "date (YYYY-MM-DD)" in the type says it better than a regex
    return f.node.get("pattern") or (f.node.get("items") or {}).get("pattern") or ""


def _limits(f: Field, lang: str) -> list[str]:
    t = lambda key, **kw: label(f"reference.{key}", lang, **kw)  # noqa: E731
    node, out = f.node, []
    if f.kind == "bilingual":
        vi = node["properties"]["vi"]
        out.append(t("limit_text_length", min=vi.get("minLength", 0), max=_n(vi.get("maxLength", "∞"))))
    elif f.kind == "range":
        lo = node["properties"]["min"].get("minimum")
        hi = node["properties"]["min"].get("maximum")
        out.append(t("limit_range_bounded", lo=_n(lo), hi=_n(hi)) if hi is not None
                   else t("limit_range", lo=_n(lo if lo is not None else 0)))
    else:
        if "minLength" in node:
            out.append(t("limit_min_length", n=node["minLength"]))
        if "maxLength" in node:
            out.append(t("limit_max_length", n=_n(node["maxLength"])))
        if "minimum" in node:
            out.append(t("limit_minimum", n=_n(node["minimum"])))
        if "maximum" in node:
            out.append(t("limit_maximum", n=_n(node["maximum"])))
        if "minItems" in node:
            out.append(t("limit_min_items", n=node["minItems"]))
        if node.get("uniqueItems"):
            out.append(t("limit_unique"))
        if "minProperties" in node:
            out.append(t("limit_min_properties", n=node["minProperties"]))
        inner = (node.get("items") or {}) if f.kind == "list_objects" else node
        if f.kind in ("object", "list_objects") and inner.get("additionalProperties") is False:
            out.append(t("limit_no_other"))
    return out


def _enum_table(f: Field, values: list, lang: str) -> list[str]:
    """Allowed values with their display name and meaning from the UI labels.

    Names come from the same labels the site shows (technique.*, complexity.*,
    figure_basis.*); meanings from reference.<field>.<value>, else from the
    long forms the site already has (complexity.N_long, figure_basis.X_note).
    """
    t = lambda key: label(f"reference.{key}", lang)  # noqa: E731
    known = labels(lang)
    rows = []
    for value in values:
        key = f"{f.name}.{value}"
        name = known.get(key, "")
        meaning = next((known[k] for k in (f"reference.{key}", f"{key}_long", f"{key}_note") if k in known), "")
        if name and meaning.startswith(name + ":"):
            meaning = meaning[len(name) + 1:].strip()  # "Simple: ..." is already named
            meaning = meaning[:1].upper() + meaning[1:]
        rows.append((f"`{value}`", escape_markdown_inline(name), escape_markdown_inline(meaning)))
    out = [f"**{t('allowed_values')}:**", "", f"| {t('value')} | {t('name')} | {t('meaning')} |",
           "| --- | --- | --- |"]
    out += ["| " + " | ".join(cell or "—" for cell in row) + " |" for row in rows]
    return out + [""]


def _example_yaml(f: Field, schema: dict) -> str:
    """A YAML snippet showing the field in place, nested under its parents."""
    value = example_value(f, schema)
    segments = f.path.split(".")
    data: Any = {segments[-1]: value}
    # Wrap from the innermost key outwards, inside a list where the path goes
    # through one: sources[].url -> {sources: [{url: ...}]}.
    for seg in reversed(segments[:-1]):
        data = {seg[:-2]: [data]} if seg.endswith("[]") else {seg: data}
    text = yaml.dump(data, Dumper=_ExampleDumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=88)
    return text.rstrip("\n")


class _Flow(dict):
    """A mapping written on one line, as the catalogue writes ranges: {min: 5, max: 15}."""


class _ExampleDumper(yaml.SafeDumper):
    """Writes examples in the catalogue's own layout: list items indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


_ExampleDumper.add_representer(
    _Flow, lambda dumper, value: dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True))


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
            return _Flow(min=5, max=15)
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


# --- text helpers ---------------------------------------------------------------

def _code_pattern(schema: dict, fields: list[Field]) -> re.Pattern:
    """Names that must print as code in descriptions: field paths, enum values,
    file paths and commands. Unformatted, `measures/<sector>/` would be read as
    an HTML tag and vanish, and `good_housekeeping` could turn italic."""
    names = {f.path for f in fields if "." in f.path or "_" in f.path}
    names |= {f.name for f in fields if "_" in f.name}
    for f in fields:
        names |= {str(v) for v in f.node.get("enum") or () if isinstance(v, str) and "_" in v}
    known = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    static = r"cpkb [a-z]+(?: --[a-z-]+)*|measures/[^\s,;)]*[^\s,;.)]|YYYY-MM-DD"
    return re.compile(rf"(?<![\w./-])(?:{known})(?![\w])|{static}" if known else static)


def _prose(text: str, code: re.Pattern) -> str:
    """One schema description as safe inline Markdown, names set as code."""
    out, pos = [], 0
    text = " ".join(text.split())
    for match in code.finditer(text):
        out.append(_escape_keeping_spaces(text[pos:match.start()]))
        out.append(f"`{match.group(0)}`")
        pos = match.end()
    out.append(_escape_keeping_spaces(text[pos:]))
    return "".join(out)


def _escape_keeping_spaces(segment: str) -> str:
    """escape_markdown_inline trims; between code spans the spaces must stay."""
    core = segment.strip()
    if not core:
        return segment
    lead = segment[: len(segment) - len(segment.lstrip())]
    trail = segment[len(segment.rstrip()):]
    return lead + escape_markdown_inline(core) + trail


# Abbreviations that end in a full stop but not a sentence: e.g., i.e., p. 45, tr. 45.
_SENTENCE_END = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bp\.)(?<!\btr\.)(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ0-9])")


def first_sentence(text: str) -> str:
    """The first sentence of a description (for tables and --help)."""
    return _SENTENCE_END.split(" ".join(text.split()), maxsplit=1)[0]


def _n(value: Any) -> str:
    """A number as written in the schema (no trailing .0), for limits."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return json.dumps(value, ensure_ascii=False).strip('"') if not isinstance(value, str) else value
