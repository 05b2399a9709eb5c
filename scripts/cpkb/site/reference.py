"""The field reference page, generated from measures/schema.json.

The page cannot drift from what `cpkb validate` accepts: both read the schema
(cpkb.source.schema walks it). The site build calls `render_field_reference`.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from cpkb.source.schema import (
    SCOPE,
    ExampleDumper,
    Field,
    description,
    example_value,
    first_sentence,
    range_scopes,
    schema_fields,
)
from cpkb.text.labels import label, labels
from cpkb.text.markdown import escape_markdown_inline


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

    out += [
        f"## {t('overview')}",
        "",
        f"| {t('field')} | {t('type')} | {t('required')} | {t('description')} |",
        "| --- | --- | --- | --- |",
    ]
    for f in fields:
        indent = "&nbsp;&nbsp;&nbsp;&nbsp;" * f.depth
        out.append(
            f"| {indent}[`{f.path}`](#{f.anchor}) | {_type_text(f, lang)} | "
            f"{t('yes') if f.required else t('no')} | "
            f"{_prose(first_sentence(description(f.node, lang)), code)} |"
        )
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
            out += _enum_table(f.name, enum, lang)
        if range_scopes(f.node):
            out += _enum_table(SCOPE, range_scopes(f.node), lang)
        out += [f"**{t('example')}:**", "", "```yaml", _example_yaml(f, schema), "```", ""]
    return "\n".join(out).rstrip("\n") + "\n"


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
        out.append(
            t("limit_range_bounded", lo=_n(lo), hi=_n(hi))
            if hi is not None
            else t("limit_range", lo=_n(lo if lo is not None else 0))
        )
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


def _enum_table(name_key: str, values: list, lang: str) -> list[str]:
    """Allowed values with their display name and meaning from the UI labels.

    Names come from the same labels the site shows (technique.*, complexity.*,
    figure_basis.*); meanings from reference.<field>.<value>, else from the
    long forms the site already has (complexity.N_long, figure_basis.X_note).
    """
    t = lambda key: label(f"reference.{key}", lang)  # noqa: E731
    known = labels(lang)
    rows = []
    for value in values:
        key = f"{name_key}.{value}"
        name = known.get(key, "")
        meaning = next((known[k] for k in (f"reference.{key}", f"{key}_long", f"{key}_note") if k in known), "")
        if name and meaning.startswith(name + ":"):
            meaning = meaning[len(name) + 1 :].strip()  # "Simple: ..." is already named
            meaning = meaning[:1].upper() + meaning[1:]
        rows.append((f"`{value}`", escape_markdown_inline(name), escape_markdown_inline(meaning)))
    out = [
        f"**{t('allowed_values')}{'' if name_key not in (SCOPE,) else ' (`' + SCOPE + '`)'}:**",
        "",
        f"| {t('value')} | {t('name')} | {t('meaning')} |",
        "| --- | --- | --- |",
    ]
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
    text = yaml.dump(
        data, Dumper=ExampleDumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=88
    )
    return text.rstrip("\n")


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
        out.append(_escape_keeping_spaces(text[pos : match.start()]))
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
    trail = segment[len(segment.rstrip()) :]
    return lead + escape_markdown_inline(core) + trail


def _n(value: Any) -> str:
    """A number as written in the schema (no trailing .0), for limits."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return json.dumps(value, ensure_ascii=False).strip('"') if not isinstance(value, str) else value
