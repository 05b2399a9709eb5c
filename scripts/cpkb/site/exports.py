"""The catalogue as data files for download, per language: CSV (comma and, for
Excel with Vietnamese regional settings, semicolon), XLSX and JSON.

One list of columns (`columns`) serves the CSV and the XLSX, with headers and
units in the file's language; the JSON keeps stable codes beside the localised
labels so that the vi and en files join on them. Every text that came from a
source file is data, never a formula (see `inert`). Files are reproducible.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from cpkb.site.common import measure_url
from cpkb.site.data_json import write_json
from cpkb.site.spreadsheet import write_xlsx
from cpkb.source.catalogue import Catalogue, Measure
from cpkb.text.labels import label, value_label
from cpkb.view import source_view

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""What Excel, LibreOffice or Sheets read as the start of a formula (OWASP CSV
injection), fullwidth forms included: some spreadsheet programs fold them."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str  # text, int, money, pct, years, date, url
    explanation: str


def inert(value: object) -> object:
    """A text a spreadsheet shows as text: a leading formula character gets a quote.

    Numbers stay numbers; only strings from the sources can start a formula.
    """
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def columns(cat: Catalogue, lang: str) -> list[Column]:
    """The columns in order, with headers (unit included) and explanations in `lang`."""

    def column(key: str, kind: str, explained: str | None = None, header: str | None = None, **names) -> Column:
        """Column `key`: header from label export.col.<header or key>, meaning from export.explain.<explained or key>."""
        return Column(
            key,
            label(f"export.col.{header or key}", lang, **names),
            kind,
            label(f"export.explain.{explained or key}", lang, **names),
        )

    cols = [
        column("id", "text"),
        column("sector", "text"),
        column("process_stage", "text"),
        column("technique", "text"),
        column("complexity", "int"),
        column("title", "text"),
        column("summary", "text"),
        column("investment_min", "money", "investment"),
        column("investment_max", "money", "investment"),
    ]
    for kind in cat.vocabulary.percent_kinds:
        name = label(f"figures.{kind}", lang)
        cols += [
            column(f"{kind}_min", "pct", "pct", "pct_min", name=name),
            column(f"{kind}_max", "pct", "pct", "pct_max", name=name),
            column(f"{kind}_scope", "text", "scope", "scope", name=name),
        ]
    cols += [
        column("money_min", "money", "money"),
        column("money_max", "money", "money"),
        column("payback_min", "years", "payback"),
        column("payback_max", "years", "payback"),
        column("figure_basis", "text"),
        column("sources", "text"),
        column("reviewed", "date"),
        column("url", "url"),
    ]
    return cols


def measure_row(cat: Catalogue, m: Measure, lang: str, site_url: str = "") -> dict:
    """One measure as a flat row of plain values (numbers stay numbers, dates are dates)."""
    row = {
        "id": m.id,
        "sector": cat.sector_by_key[m.sector].name[lang],
        "process_stage": m.process_stage[lang],
        "technique": value_label("technique", m.technique, lang),
        "complexity": m.complexity,
        "title": m.title[lang],
        "summary": m.summary[lang],
        "investment_min": m.investment_vnd.min,
        "investment_max": m.investment_vnd.max,
    }
    for kind in cat.vocabulary.percent_kinds:
        rng = m.savings.get(kind)
        row[f"{kind}_min"], row[f"{kind}_max"] = (rng.min, rng.max) if rng else (None, None)
        row[f"{kind}_scope"] = value_label("scope", rng.scope, lang) if rng and rng.scope else None
    money = m.money_vnd_per_year
    row["money_min"], row["money_max"] = (money.min, money.max) if money else (None, None)
    row["payback_min"], row["payback_max"] = m.payback_years.min, m.payback_years.max
    row["figure_basis"] = value_label("figure_basis", m.figure_basis, lang)
    cited = [source_view(s, lang) for s in m.sources]
    row["sources"] = "; ".join(f"{s.publisher} ({s.when}). {s.title}" + (f". {s.url}" if s.url else "") for s in cited)
    row["reviewed"] = m.reviewed
    row["url"] = measure_url(site_url, m, lang)
    return row


def write_exports(
    cat: Catalogue, out_dir: Path, lang: str, basename: str = "cp-measures", site_url: str = ""
) -> list[Path]:
    """Write <basename>-<lang>.csv, -semicolon.csv, .xlsx and .json (with its JSON Schema) into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    cols = columns(cat, lang)
    rows = [measure_row(cat, m, lang, site_url) for m in cat.measures]
    paths = [
        _write_csv(out_dir / f"{basename}-{lang}.csv", cols, rows, ",", "."),
        _write_csv(out_dir / f"{basename}-{lang}-semicolon.csv", cols, rows, ";", ","),
    ]
    paths.append(write_xlsx(out_dir / f"{basename}-{lang}.xlsx", cols, rows, lang, bool(site_url)))
    paths += write_json(cat, out_dir, f"{basename}-{lang}", lang, site_url)
    return paths


def _write_csv(path: Path, cols: list[Column], rows: list[dict], separator: str, decimal: str) -> Path:
    """UTF-8 with a byte-order mark (Excel then reads Vietnamese correctly), CRLF lines.

    The semicolon file writes decimals with a comma: what Excel expects where the
    list separator is ";" (Vietnamese and most European regional settings).
    """

    def cell(value: object) -> object:
        if value is None:
            return ""
        if isinstance(value, float) and decimal != ".":
            return format(value, "g").replace(".", decimal)
        return inert(value) if isinstance(value, str) else value

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow([c.header for c in cols])
    for row in rows:
        writer.writerow([cell(row[c.key]) for c in cols])
    path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")
    return path
