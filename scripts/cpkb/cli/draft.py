"""Write a new measure file that validates, with every field present and prompts in comments.

Driven by measures/schema.json: the fields, their order, the prompts (the
schema descriptions, in both languages) and the command-line flags all come
from the schema, so a field added there appears here without code changes.

Fields the author did not give get a placeholder that validates but is
marked `TODO` (texts start with "TODO", numbers and choices carry a
`# TODO` comment); CI rejects any TODO left in measures/. Optional fields
the author did not give are written commented out, so they are visible but
do not pretend to be content.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cpkb.source.schema import Field, child_fields, description, example_value, range_scopes, resolve_ref, schema_fields
from cpkb.source.translations import TODO
from cpkb.text.labels import label
from cpkb.source.yamlfile import YamlError, parse_yaml

SCHEMA_HEADER = "# yaml-language-server: $schema=../schema.json"
"""First line of every measure file: YAML-language-server editors (VS Code's
Red Hat YAML extension and others) read it for completion and hover help.
The path is relative to measures/<sector>/<ID>.yml."""

PLACEHOLDER_TEXT = {"vi": f"{TODO} (viết bằng tiếng Việt)", "en": f"{TODO} (write in English)"}

NOT_FLAGS = ("translation",)
"""Fields with no command-line flag: `cpkb translations --mark` writes them."""

COMMENT_WIDTH = 96


class NewMeasureError(ValueError):
    """The request cannot produce a valid measure (unknown sector, id taken, bad value).

    Carries a label key (draft.*) and its values, so the command line can say it in
    the user's language; str() is the English text.
    """

    def __init__(self, key: str, **values: Any):
        self.key, self.values = key, values
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        return label(f"draft.{self.key}", lang, **self.values)


@dataclass
class Draft:
    """A measure about to be written: its data, where it goes and what is still placeholder."""

    id: str
    sector: str
    path: Path
    data: dict
    todo: set[str]
    """Dotted paths holding placeholders."""
    text: str = ""


# --- ids ------------------------------------------------------------------------


def next_id(measures_dir: Path, prefix: str) -> str:
    """The next free id of a sector prefix: one more than the highest in use,
    with at least three digits (BEV-013, then BEV-1000 after BEV-999).

    Looks at every measure file of the catalogue, not only the sector's
    folder, so a misplaced file still reserves its id. Gaps are never
    reused: a deleted measure's id may still be linked from outside.
    Whether the id fits the schema's pattern is checked by build_draft.
    """
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)$")
    numbers = [int(m.group(1)) for p in Path(measures_dir).glob("*/*.y*ml") if (m := pattern.match(p.stem.upper()))]
    return f"{prefix}-{max(numbers, default=0) + 1:03d}"


# --- building the record --------------------------------------------------------


def build_draft(
    measures_dir: Path, schema: dict, sectors: list[dict], values: dict[str, Any], today: dt.date | None = None
) -> Draft:
    """Assemble a complete record from `values` (dotted path -> value) and placeholders.

    `values` uses the paths of `reference.schema_fields`: "title" -> {"vi", "en"},
    "investment_vnd" -> {"min", "max"}, "savings.energy_pct", "related" -> [ids],
    "sources" -> [{"title", "publisher", "year", ...}], "sector", "id". A
    bilingual value may give one language only; the other gets a placeholder.
    Raises NewMeasureError for an unknown sector or an id that is taken or
    does not fit the sector.
    """
    measures_dir = Path(measures_dir)
    by_key = {s["key"]: s for s in sectors}
    sector = values.get("sector")
    if sector not in by_key:
        raise NewMeasureError("unknown_sector", sector=sector, keys=", ".join(by_key))
    prefix = by_key[sector]["prefix"]
    measure_id = (values.get("id") or next_id(measures_dir, prefix)).upper()
    pattern = ((schema.get("properties") or {}).get("id") or {}).get("pattern")
    if pattern and not re.search(pattern, measure_id):
        raise NewMeasureError("id_form", id=measure_id, pattern=pattern)
    if not measure_id.startswith(prefix + "-"):
        raise NewMeasureError("id_prefix", id=measure_id, prefix=prefix, sector=sector)
    taken = sorted(measures_dir.glob(f"*/{measure_id}.y*ml"))
    if taken:
        raise NewMeasureError("id_taken", id=measure_id, path=taken[0].as_posix())
    given = {k: _nfc(v) for k, v in values.items() if v not in (None, "", [], {})}
    given["id"], given["sector"] = measure_id, sector
    given.setdefault("reviewed", (today or dt.date.today()).isoformat())
    todo: set[str] = set()
    data = _build_object(schema, schema, "", given, todo)
    path = measures_dir / sector / f"{measure_id}.yml"
    return Draft(measure_id, sector, path, data, todo)


def _build_object(node: dict, schema: dict, prefix: str, given: dict, todo: set[str]) -> dict:
    """The object's fields in schema order: given values, else placeholders for required ones."""
    data: dict = {}
    children = [f for f in child_fields(node, schema, prefix) if f.name not in NOT_FLAGS or prefix]
    for f in children:
        if f.path in given:
            data[f.name] = _given(f, given[f.path], todo)
        elif f.kind == "object" and any(k.startswith(f.path + ".") for k in given):
            data[f.name] = _build_object(f.node, schema, f.path + ".", given, todo)
        elif f.required:
            data[f.name] = _placeholder(f, schema, todo)
    # An object that needs N fields (savings: at least one saving) gets
    # placeholders for the first missing ones, so the file still validates.
    for f in children:
        if len(data) >= node.get("minProperties", 0):
            break
        if f.name not in data:
            data[f.name] = _placeholder(f, schema, todo)
    order = {f.name: i for i, f in enumerate(children)}
    return dict(sorted(data.items(), key=lambda item: order[item[0]]))


def _given(f: Field, value: Any, todo: set[str]) -> Any:
    if f.kind == "bilingual":
        text = dict(value)
        for lang in ("vi", "en"):
            if not str(text.get(lang) or "").strip():
                text[lang] = PLACEHOLDER_TEXT[lang]
                todo.add(f"{f.path}.{lang}")
        return {"vi": text["vi"], "en": text["en"]}
    if f.kind == "range":
        out = {"min": _number(value["min"]), "max": _number(value["max"])}
        if range_scopes(f.node):
            if "scope" not in value:
                todo.add(f"{f.path}.scope")
            out["scope"] = value.get("scope") or range_scopes(f.node)[0]
        return out
    return value


def _placeholder(f: Field, schema: dict, todo: set[str]) -> Any:
    """A value that passes the schema and is plainly not content."""
    node = f.node
    if f.kind == "bilingual":
        todo.update({f"{f.path}.vi", f"{f.path}.en"})
        return dict(PLACEHOLDER_TEXT)
    if f.kind == "object":
        return _build_object(node, schema, f.path + ".", {}, todo)
    if f.kind == "list_objects":
        item = _build_object(_items(node, schema), schema, f.path + "[].", {}, todo)
        return [item]
    if f.kind == "list":
        return []
    todo.add(f.path)
    if f.kind == "range":
        lo = node["properties"]["min"].get("minimum", 0)
        scopes = range_scopes(node)
        return {"min": lo, "max": lo, **({"scope": scopes[0]} if scopes else {})}
    if node.get("enum"):
        return node["enum"][0]
    if node.get("type") == "integer":
        lo, hi = node.get("minimum", 0), node.get("maximum")
        year = dt.date.today().year
        return year if lo <= year <= (hi if hi is not None else year) else lo
    if node.get("type") == "number":
        return node.get("minimum", 0)
    return f"{TODO} ({f.name.replace('_', ' ')})"


def _items(node: dict, schema: dict) -> dict:
    return resolve_ref(node.get("items") or {}, schema)


# --- writing the file -----------------------------------------------------------


def render_measure_yaml(draft: Draft, schema: dict) -> str:
    """The measure file: schema header line, instructions, then every field of the
    schema in order, each with its description (Vietnamese, then English) as a
    comment; placeholders marked TODO; optional fields not given commented out.

    The result parses back to exactly `draft.data` (checked here, so a quoting
    mistake can never write a file that means something else).
    """
    out = [SCHEMA_HEADER]
    for lang in ("vi", "en"):
        out += _comment(label("draft.intro", lang), 0)
    out.append("")
    # Fields absent from the data, the translation block included (its
    # description says `cpkb translations --mark` writes it), come out commented.
    out += _object_lines(schema, schema, draft.data, "", 0, draft.todo)
    text = "\n".join(out) + "\n"
    if parse_yaml(text).data != draft.data:
        raise AssertionError("internal error: the rendered YAML does not round-trip; please report it")
    return text


def _object_lines(
    node: dict, schema: dict, data: dict, prefix: str, indent: int, todo: set[str], describe: bool = True
) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    for f in child_fields(node, schema, prefix):
        if describe:
            if out and indent == 0:
                out.append("")
            for lang in ("vi", "en"):
                out += _comment(description(f.node, lang), indent)
        if f.name not in data:
            out += _commented_out(f, schema, indent)
            continue
        value = data[f.name]
        # Placeholder texts say TODO themselves; numbers and choices need the comment.
        mark = f"  # {TODO}" if f.path in todo and not str(value).startswith(TODO) else ""
        if f.kind == "bilingual":
            out.append(f"{pad}{f.name}:")
            for lang in ("vi", "en"):
                out += _scalar_lines(lang, value[lang], indent + 2)
        elif f.kind == "object":
            out.append(f"{pad}{f.name}:")
            out += _object_lines(f.node, schema, value, f.path + ".", indent + 2, todo)
        elif f.kind == "list_objects":
            out.append(f"{pad}{f.name}:")
            item_schema = _items(f.node, schema)
            for lang in ("vi", "en"):
                out += _comment(label("draft.item_fields", lang), indent + 2)
                for child in child_fields(item_schema, schema):
                    out += _comment(f"  {child.name}: {description(child.node, lang)}", indent + 2)
            for item in value:
                lines = _object_lines(item_schema, schema, item, f.path + "[].", indent + 4, todo, describe=False)
                first = next(i for i, line in enumerate(lines) if not line.lstrip().startswith("#"))
                lines[first] = f"{pad}  - " + lines[first][indent + 4 :]
                out += lines
        elif f.kind == "range":
            out.append(f"{pad}{f.name}: {_range_text(value)}{mark}")
        elif f.kind == "list":
            out.append(f"{pad}{f.name}: [{', '.join(_inline(v) for v in value)}]")
        else:
            lines = _scalar_lines(f.name, value, indent)
            lines[0] += mark
            out += lines
    return out


def _commented_out(f: Field, schema: dict, indent: int) -> list[str]:
    """An optional field shown as a commented-out example of its shape."""
    value = example_value(f, schema)
    if f.kind == "range":
        text = f"{f.name}: {_range_text(value)}"
    elif f.kind == "list":
        text = f"{f.name}: [{', '.join(_inline(v) for v in value)}]"
    else:
        text = yaml.dump(
            {f.name: value}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000
        ).rstrip("\n")
    return [" " * indent + "# " + line for line in text.split("\n")]


def _scalar_lines(key: str, value: Any, indent: int) -> list[str]:
    """`key: value` at `indent`, as a literal block for multi-line text, folded for
    long prose, plain or quoted otherwise; whichever is chosen must read back as
    `value`, else we fall back to a double-quoted string (always exact)."""
    pad = " " * indent
    candidates: list[list[str]] = []
    if isinstance(value, str):
        body_pad = pad + "  "
        if "\n" in value.rstrip("\n") and not value[:1].isspace():
            chomp = "" if value.endswith("\n") and not value.endswith("\n\n") else "-"
            lines = value.rstrip("\n").split("\n") if chomp == "" else value.split("\n")
            candidates.append([f"{pad}{key}: |{chomp}"] + [body_pad + l if l else "" for l in lines])
        elif len(value) > COMMENT_WIDTH - indent - len(key) and "\n" not in value:
            wrapped = textwrap.wrap(
                value, width=COMMENT_WIDTH - indent - 2, break_long_words=False, break_on_hyphens=False
            )
            candidates.append([f"{pad}{key}: >-"] + [body_pad + l for l in wrapped])
    plain = yaml.dump({key: value}, Dumper=_Dumper, allow_unicode=True, width=10**6, default_flow_style=False).rstrip(
        "\n"
    )
    candidates.append([pad + line for line in plain.split("\n")])
    for lines in candidates:
        try:
            if parse_yaml(textwrap.dedent("\n".join(lines))).data == {key: value}:
                return lines
        except YamlError:
            continue
    quoted = yaml.dump({key: value}, Dumper=_Dumper, allow_unicode=True, width=10**6, default_style='"')
    return [pad + quoted.rstrip("\n").replace('"' + key + '": ', key + ": ", 1)]


class _Dumper(yaml.SafeDumper):
    """Dumps as our loader reads (yamlfile keeps dates as text), so a date
    string is written plain, `reviewed: 2026-11-28`, like every other file."""


_Dumper.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


def _comment(text: str, indent: int) -> list[str]:
    if not text:
        return []
    pad = " " * indent + "# "
    body = textwrap.wrap(
        " ".join(text.split()), width=max(40, COMMENT_WIDTH - len(pad)), break_long_words=False, break_on_hyphens=False
    )
    return [pad + line for line in body]


def _inline(value: Any) -> str:
    """A scalar in flow style, as it would appear inside [..] or {..}."""
    return yaml.dump([value], Dumper=_Dumper, allow_unicode=True, width=10**6, default_flow_style=True).strip()[1:-1]


def _num(value: Any) -> str:
    return _inline(_number(value))


def _number(value: Any) -> int | float:
    number = float(value) if not isinstance(value, (int, float)) else value
    return int(number) if isinstance(number, float) and number.is_integer() else number


def _nfc(value: Any) -> Any:
    """Normalise every text to NFC: some Vietnamese keyboards type decomposed accents."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {k: _nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


def write_draft(draft: Draft, schema: dict) -> Path:
    """Write the file; refuse to overwrite. Returns its path."""
    text = draft.text or render_measure_yaml(draft, schema)
    draft.path.parent.mkdir(parents=True, exist_ok=True)
    with open(draft.path, "x", encoding="utf-8") as handle:  # "x": never overwrite
        handle.write(text)
    return draft.path


def _range_text(value: dict) -> str:
    """A range on one line, as the catalogue writes it: {min: 5, max: 15, scope: plant}."""
    scope = f", scope: {value['scope']}" if value.get("scope") else ""
    return f"{{min: {_num(value['min'])}, max: {_num(value['max'])}{scope}}}"


def flag_fields(schema: dict) -> list[Field]:
    """The fields that get a command-line flag: every field except the tracking
    block (written by `cpkb translations`), children of bilingual texts and
    ranges (part of their parent's flag) and of list items (one --source flag)."""
    return [
        f
        for f in schema_fields(schema)
        if f.path.split(".")[0] not in NOT_FLAGS and "[]" not in f.path and f.kind != "object"
    ]
