"""Emission and fuel factors (handbook/factors.yml): read, validate against
handbook/factors.schema.json, and report problems as file:line:col."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from cpkb.source.problems import Problem, SourceError, display_path, dotted
from cpkb.source.yamlfile import YamlError, parse_yaml

FACTORS_FILE = Path("handbook") / "factors.yml"
FACTORS_SCHEMA = Path("handbook") / "factors.schema.json"
REPOSITORY = Path(__file__).resolve().parents[3]
"""The repository this package belongs to: a project without its own factors
file (a test fixture, a fork that only adds measures) uses the repository's,
so the numbers still exist in one place only."""


def factors_root(root: Path) -> Path:
    return root if (root / FACTORS_FILE).exists() else REPOSITORY


def load_factors(root: Path) -> dict:
    """The factors as plain data; raises SourceError naming the line of every problem."""
    root = factors_root(root)
    path = root / FACTORS_FILE
    shown = display_path(path, root)
    try:
        doc = parse_yaml(path.read_text(encoding="utf-8"))
    except YamlError as err:
        raise SourceError([Problem(shown, err.line, err.column, dotted(err.path), err.message, err.hint)])
    schema = json.loads((root / FACTORS_SCHEMA).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    problems = []
    for error in validator.iter_errors(doc.data):
        at = tuple(error.absolute_path)
        line, col = doc.position(at)
        problems.append(Problem(shown, line, col, dotted(at), error.message))
    keys = [f.get("key") for f in doc.data.get("fuels", [])] if isinstance(doc.data, dict) else []
    for i, key in enumerate(keys):
        if key in keys[:i]:
            line, col = doc.position(("fuels", i, "key"))
            problems.append(Problem(shown, line, col, f"fuels[{i}].key", f"the fuel '{key}' is listed twice"))
    if problems:
        raise SourceError(problems)
    return doc.data


def browser_factors(factors: dict, lang: str) -> dict:
    """What the browser needs, in one language: t CO2 per MWh of electricity
    and per tonne of each fuel, with a one-line citation each."""

    def cite(s: dict) -> str:
        return f"{s['publisher']} ({s['year']}), {s['title']}; {s['table']}"

    grid = factors["grid"]
    return {
        "grid": {
            "t_per_mwh": grid["t_co2_per_mwh"],
            "year": grid["year"],
            "name": grid["name"][lang],
            "source": cite(grid["source"]),
            "url": grid["source"].get("url"),
        },
        "fuels": [
            {
                "key": f["key"],
                "name": f["name"][lang],
                "t_per_t": f["ncv_gj_per_t"] * f["kg_co2_per_gj"] / 1000,
                "ncv": f["ncv_gj_per_t"],
                "generic": f["generic"],
                "note": f.get("note", {}).get(lang, ""),
                "source": cite(f["source"]),
            }
            for f in factors["fuels"]
        ],
    }
