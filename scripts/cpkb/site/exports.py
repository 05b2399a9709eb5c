"""The catalogue as data files for download: CSV, JSON and XLSX, per language.

CSV is UTF-8 with a byte-order mark so that Excel opens Vietnamese text
correctly. Files are reproducible: fixed timestamps inside the XLSX zip.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

from cpkb import LANGUAGES
from cpkb.source.catalogue import Catalogue, Measure
from cpkb.text.labels import label, value_label

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""Characters that make Excel, LibreOffice or Sheets read a cell as a formula
(fullwidth forms included: some spreadsheet programs fold them)."""


def neutralise(value):
    """A text cell that cannot start a formula: a leading apostrophe, the usual
    spreadsheet way of saying "this is text" (OWASP CSV injection advice).
    Numbers and empty cells are returned unchanged."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _columns(cat: Catalogue, lang: str) -> list[tuple[str, str]]:
    """(key, header) pairs; headers in the file's language."""
    t = lambda key: label(key, lang)
    cols = [("id", t("table.id")), ("sector", t("figures.sector")), ("process_stage", t("figures.process_stage")),
            ("technique", t("figures.technique")), ("complexity", t("figures.complexity")),
            ("title", t("table.measure")), ("summary", t("export.summary")),
            ("investment_min", t("figures.investment") + " min (VND)"), ("investment_max", t("figures.investment") + " max (VND)")]
    for kind in cat.vocabulary.percent_kinds:
        cols += [(f"{kind}_min", f"{t('figures.' + kind)} min (%)"), (f"{kind}_max", f"{t('figures.' + kind)} max (%)")]
    cols += [("money_min", t("figures.money_vnd_per_year") + " min (VND/year)"),
             ("money_max", t("figures.money_vnd_per_year") + " max (VND/year)"),
             ("payback_min", t("figures.payback") + " min"), ("payback_max", t("figures.payback") + " max"),
             ("figure_basis", t("export.figure_basis")), ("sources", t("measure.sources")),
             ("reviewed", t("measure.reviewed")), ("url", "URL")]
    return cols


def measure_row(cat: Catalogue, m: Measure, lang: str, site_prefix: str = "") -> dict:
    """One measure as a flat row of plain values (numbers stay numbers)."""
    row = {"id": m.id, "sector": cat.sector_by_key[m.sector].name[lang], "process_stage": m.process_stage[lang],
           "technique": value_label("technique", m.technique, lang), "complexity": m.complexity,
           "title": m.title[lang], "summary": m.summary[lang],
           "investment_min": m.investment_vnd.min, "investment_max": m.investment_vnd.max}
    for kind in cat.vocabulary.percent_kinds:
        rng = m.savings.get(kind)
        row[f"{kind}_min"], row[f"{kind}_max"] = (rng.min, rng.max) if rng else (None, None)
    money = m.money_vnd_per_year
    row["money_min"], row["money_max"] = (money.min, money.max) if money else (None, None)
    row["payback_min"], row["payback_max"] = m.payback_years.min, m.payback_years.max
    row["figure_basis"] = value_label("figure_basis", m.figure_basis, lang)
    row["sources"] = "; ".join(f"{s.publisher} ({s.year}). {s.title}" + (f". {s.url}" if s.url else "") for s in m.sources)
    row["reviewed"] = m.reviewed.isoformat()
    row["url"] = f"{site_prefix}measures/{m.slug}/"
    return row


def write_exports(cat: Catalogue, out_dir: Path, lang: str, basename: str = "cp-measures") -> list[Path]:
    """Write <basename>-<lang>.csv/.json/.xlsx into out_dir; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = "" if lang == LANGUAGES[0] else f"{lang}/"
    columns = _columns(cat, lang)
    rows = [measure_row(cat, m, lang, "/" + prefix) for m in cat.measures]

    csv_path = out_dir / f"{basename}-{lang}.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header for _, header in columns])
    for row in rows:
        writer.writerow(["" if row[key] is None else neutralise(row[key]) for key, _ in columns])
    csv_path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")

    json_path = out_dir / f"{basename}-{lang}.json"
    json_path.write_text(json.dumps({"language": lang, "count": len(rows), "measures": rows},
                                    ensure_ascii=False, indent=1), encoding="utf-8")

    xlsx_path = out_dir / f"{basename}-{lang}.xlsx"
    _write_xlsx(xlsx_path, columns, rows, label("catalogue.title", lang))
    return [csv_path, json_path, xlsx_path]


def _write_xlsx(path: Path, columns, rows, title: str) -> None:
    from openpyxl import Workbook  # imported here: only the build needs it
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([header for _, header in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([neutralise(row[key]) for key, _ in columns])
        for cell in ws[ws.max_row]:
            # openpyxl stores any text starting with "=" as a formula; say it is text.
            if isinstance(cell.value, str):
                cell.data_type = "s"
    ws.freeze_panes = "B2"
    fixed = dt.datetime(2000, 1, 1)
    wb.properties.created = wb.properties.modified = fixed
    buffer = io.BytesIO()
    wb.save(buffer)
    # openpyxl stamps each zip member with the current time; rewrite with a fixed one.
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _strip_dates(data)
            dst.writestr(zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME), data, zipfile.ZIP_DEFLATED)


def _strip_dates(core_xml: bytes) -> bytes:
    return re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)", rb"\g<1>2000-01-01T00:00:00Z\3", core_xml)
