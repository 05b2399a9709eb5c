"""JSON Schema errors as editors read them: what is wrong, what is allowed, how to fix it."""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

import jsonschema


def explain(error: jsonschema.ValidationError) -> tuple[str, str, tuple]:
    """Turn a JSON Schema error into (message, hint, path) written for editors."""
    at = tuple(error.absolute_path)
    kind, value, expected = error.validator, error.instance, error.validator_value
    shown = _short(value)
    if kind == "required":
        # jsonschema reports each missing field as its own error: name that one.
        named = re.match(r"'(.+)' is a required property", error.message)
        missing = (
            named.group(1) if named else next((f for f in expected if isinstance(value, dict) and f not in value), "?")
        )
        desc = _field_help(error.schema, missing)
        return f"missing required field '{missing}'", desc or "add it (see the field reference page)", at
    if kind == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        extra = [k for k in value if k not in allowed] if isinstance(value, dict) else []
        name = extra[0] if extra else "?"
        if sorted(allowed) == ["en", "vi"] and isinstance(value, dict) and {"vi", "en"} & set(value):
            return _split_text(name, at)
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed fields: {', '.join(allowed)}"
        return f"unknown field '{name}'", hint, at + (name,)
    if kind == "enum":
        close = difflib.get_close_matches(str(value), [str(v) for v in expected], n=1)
        return (
            f"{shown} is not allowed; allowed: {', '.join(str(v) for v in expected)}",
            f"did you mean '{close[0]}'?" if close else "pick one of the allowed values",
            at,
        )
    if kind == "type":
        return (
            f"{shown} is {_type_name(value)}, expected {expected if isinstance(expected, str) else ' or '.join(expected)}",
            (
                "write {vi: ..., en: ...}"
                if expected == "object" and isinstance(value, str)
                else "write a plain number without units or thousands separators"
                if expected in ("number", "integer")
                else "fix the value's type"
            ),
            at,
        )
    return (
        _explain_bounds(kind, value, expected, shown, at)
        or _explain_forms(kind, value, expected, shown, at)
        or (error.message, "", at)
    )


def _explain_bounds(kind: str, value: Any, expected: Any, shown: str, at: tuple) -> tuple[str, str, tuple] | None:
    """Numbers, texts and lists out of their bounds (None for another kind of error)."""
    if kind == "minimum":
        return f"{shown} is below the minimum {expected}", "use a value of at least " + str(expected), at
    if kind == "maximum":
        return f"{shown} is above the maximum {expected}", "use a value of at most " + str(expected), at
    if kind == "minLength":
        return (
            "the text is empty" if not value else f"{shown} is too short (at least {expected} characters)",
            "write the text in both languages",
            at,
        )
    if kind == "maxLength":
        return (
            f"the text has {len(value)} characters, more than the {expected} allowed",
            "shorten it; long explanations belong in description",
            at,
        )
    if kind == "minItems":
        return (
            f"needs at least {expected} item(s)",
            "add at least one real, checkable source (title, publisher, year)",
            at,
        )
    return None


def _explain_forms(kind: str, value: Any, expected: Any, shown: str, at: tuple) -> tuple[str, str, tuple] | None:
    """Values of the wrong form: sources, savings, lists, patterns, dates (None for another kind)."""
    if kind == "anyOf" and isinstance(value, dict) and "title" in value:
        return (
            "a source needs its year of publication",
            "write year: 2012; for a web page that shows no date, "
            "give url and the day you read it (accessed: YYYY-MM-DD) instead; never guess a year",
            at,
        )
    if kind == "minProperties":
        return "give at least one saving", "e.g. energy_pct: {min: 5, max: 10}", at
    if kind == "uniqueItems":
        return "the list has repeated items", "remove the duplicates", at
    if kind == "pattern":
        field_name = next((p for p in reversed(at) if isinstance(p, str)), "")
        hints = {
            "id": "use the sector prefix, a hyphen and three or four digits, e.g. BEV-004",
            "url": "give the full address starting with https://",
            "reviewed": "write the date as YYYY-MM-DD, e.g. 2026-11-28",
            "sector": "use a key of measures/sectors.yml, e.g. beverages",
            "vi_hash": "let `cpkb translations --mark` write it",
        }
        return f"{shown} does not have the expected form", hints.get(field_name, f"match the pattern {expected}"), at
    if kind == "format":
        return f"{shown} is not a valid {expected}", "write the date as YYYY-MM-DD" if expected == "date" else "", at
    return None


def _split_text(name: str, at: tuple) -> tuple[str, str, tuple]:
    # YAML's flow mapping {vi: a, b, en: c} reads "b" as a key of its own.
    return (
        f"unexpected key '{name}' in a {{vi, en}} text",
        "a comma inside {vi: ..., en: ...} splits the text: put each text in quotes",
        at + (name,),
    )


def _field_help(schema: dict, name: str) -> str:
    prop = schema.get("properties", {}).get(name, {})
    desc = prop.get("description", "")
    english = desc.split("\n\n")[-1] if desc else ""
    return f"{name}: {english}" if english else ""


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def _type_name(value: Any) -> str:
    return {
        str: "a text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "a mapping",
        type(None): "empty",
    }.get(type(value), type(value).__name__)
