"""The catalogue as JSON for programs: stable codes beside localised labels.

Keys and codes (sector key, technique key, complexity level, VSIC, savings kinds
and scopes, ids) are the same in the vi and en files, so the two join on them;
the labels and texts are in the file's language. A JSON Schema describing the
file is written next to it (<name>.schema.json) and named in "$schema".
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from cpkb import __version__
from cpkb.site.common import measure_url
from cpkb.source.catalogue import Catalogue, Measure, Range
from cpkb.text.labels import label, value_label

FORMAT_VERSION = "2"
"""The layout of the file; raised when a key changes meaning or disappears."""


def write_json(cat: Catalogue, out_dir: Path, name: str, lang: str, site_url: str = "") -> list[Path]:
    data = {
        "$schema": f"{name}.schema.json",
        "format_version": FORMAT_VERSION,
        "generator": f"cpkb {__version__}",
        "generated": _build_date().isoformat(),
        "language": lang,
        "site_url": site_url or None,
        "count": len(cat.measures),
        "measures": [_measure(cat, m, lang, measure_url(site_url, m, lang)) for m in cat.measures],
    }
    path = out_dir / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    schema_path = out_dir / f"{name}.schema.json"
    schema_path.write_text(json.dumps(file_schema(cat), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return [path, schema_path]


def _build_date() -> dt.date:
    """The build's date: SOURCE_DATE_EPOCH (set by `cpkb build` from the last commit), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date() if epoch.isdigit() else dt.date.today()


def _range(rng: Range | None) -> dict | None:
    return None if rng is None else {"min": rng.min, "max": rng.max}


def _measure(cat: Catalogue, m: Measure, lang: str, url: str) -> dict:
    sector = cat.sector_by_key[m.sector]
    savings = {}
    for kind in cat.vocabulary.percent_kinds:
        rng = m.savings.get(kind)
        if rng:
            savings[kind] = {
                **_range(rng),
                "scope": rng.scope,
                "scope_label": value_label("scope", rng.scope, lang) if rng.scope else None,
                "label": label(f"figures.{kind}", lang),
            }
    return {
        "id": m.id,
        "url": url,
        "sector": {
            "key": sector.key,
            "name": sector.name[lang],
            "vsic": [v.strip() for v in sector.vsic.split(",") if v.strip()],
        },
        "process_stage": m.process_stage[lang],
        "technique": {"key": m.technique, "name": value_label("technique", m.technique, lang)},
        "complexity": {"level": m.complexity, "name": value_label("complexity", m.complexity, lang)},
        "title": m.title[lang],
        "summary": m.summary[lang],
        "description": m.description[lang],
        "environmental_benefits": m.environmental_benefits[lang],
        "applicability": m.applicability[lang],
        "investment_vnd": _range(m.investment_vnd),
        "savings": savings,
        "savings_basis": m.savings_basis[lang] if m.savings_basis else None,
        "money_vnd_per_year": _range(m.money_vnd_per_year),
        "payback_years": _range(m.payback_years),
        "figure_basis": {"key": m.figure_basis, "name": value_label("figure_basis", m.figure_basis, lang)},
        "figure_note": m.figure_note[lang] if m.figure_note else None,
        "related": list(m.related),
        "sources": [
            {
                "title": s.title,
                "publisher": s.publisher,
                "year": s.year,
                "url": s.url,
                "pages": s.pages,
                "accessed": s.accessed,
            }
            for s in m.sources
        ],
        "reviewed": m.reviewed.isoformat(),
    }


# The parts of the download's schema that do not depend on the catalogue.
TEXT, MAYBE_TEXT = {"type": "string"}, {"type": ["string", "null"]}
RANGE = {
    "type": "object",
    "required": ["min", "max"],
    "properties": {"min": {"type": "number"}, "max": {"type": "number"}},
}
NULLABLE_RANGE = {"oneOf": [{"type": "null"}, RANGE]}
SOURCE = {
    "type": "object",
    "required": ["title", "publisher"],
    "properties": {
        "title": TEXT,
        "publisher": TEXT,
        "year": {"type": ["integer", "null"]},
        "url": MAYBE_TEXT,
        "pages": MAYBE_TEXT,
        "accessed": MAYBE_TEXT,
    },
}


def file_schema(cat: Catalogue) -> dict:
    """JSON Schema (2020-12) of the download, with the enumerations of this catalogue."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "CP Handbook: catalogue of cleaner-production measures (download)",
        "type": "object",
        "required": ["format_version", "language", "count", "measures"],
        "properties": {
            "format_version": {"const": FORMAT_VERSION},
            "generator": TEXT,
            "generated": {"type": "string", "format": "date"},
            "language": {"enum": ["vi", "en"]},
            "site_url": MAYBE_TEXT,
            "count": {"type": "integer"},
            "measures": {"type": "array", "items": _measure_schema(cat)},
        },
    }


def _measure_schema(cat: Catalogue) -> dict:
    """One measure of the download: its codes are enumerations of this catalogue."""
    vocab = cat.vocabulary
    return {
        "type": "object",
        "required": [
            "id",
            "url",
            "sector",
            "technique",
            "complexity",
            "title",
            "investment_vnd",
            "payback_years",
            "sources",
            "reviewed",
        ],
        "properties": {
            "id": {"type": "string", "pattern": "^[A-Z]{2,5}-[0-9]{3,4}$"},
            "url": TEXT,
            "sector": {
                "type": "object",
                "properties": {
                    "key": {"enum": [s.key for s in cat.sectors]},
                    "name": TEXT,
                    "vsic": {"type": "array", "items": TEXT},
                },
            },
            "process_stage": TEXT,
            "technique": {"type": "object", "properties": {"key": {"enum": list(vocab.techniques)}, "name": TEXT}},
            "complexity": {"type": "object", "properties": {"level": {"enum": list(vocab.complexities)}, "name": TEXT}},
            "title": TEXT,
            "summary": TEXT,
            "description": TEXT,
            "environmental_benefits": TEXT,
            "applicability": TEXT,
            "investment_vnd": RANGE,
            "savings": {
                "type": "object",
                "propertyNames": {"enum": list(vocab.percent_kinds)},
                "additionalProperties": _saving_schema(cat),
            },
            "savings_basis": MAYBE_TEXT,
            "money_vnd_per_year": NULLABLE_RANGE,
            "payback_years": RANGE,
            "figure_basis": {"type": "object", "properties": {"key": {"enum": list(vocab.figure_bases)}, "name": TEXT}},
            "figure_note": MAYBE_TEXT,
            "related": {"type": "array", "items": TEXT},
            "sources": {"type": "array", "minItems": 1, "items": SOURCE},
            "reviewed": {"type": "string", "format": "date"},
        },
    }


def _saving_schema(cat: Catalogue) -> dict:
    """One saving of a measure, with the scopes of this catalogue."""
    return {
        "type": "object",
        "required": ["min", "max", "scope", "label"],
        "properties": {
            "min": {"type": "number"},
            "max": {"type": "number"},
            "scope": {"enum": [*cat.vocabulary.scopes, None]},
            "scope_label": MAYBE_TEXT,
            "label": TEXT,
        },
    }
