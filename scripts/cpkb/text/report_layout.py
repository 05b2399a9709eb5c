"""The layout of an annual CP report file and of the provincial summary.

One definition for both sides: the site embeds REPORT_FIELDS and the column
lists in the report and merge pages (docs/assets/javascripts/report.js and
report-merge.js read them from there), and `cpkb report merge` uses the same
functions, so the browser and the command write the same summary.

A report file (sheet 1): row 1 is the marker [MARKER, VERSION, language];
then one row per field [key, label, value]; then a row [MEASURES, labels...]
and one row per measure [kind, id, title, investment_vnd, ...]. The keys in
column A are what a reader relies on, never the labels (they change with the
language).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cpkb.text.labels import label

MARKER = "cpkb-report"
VERSION = 1
MEASURES = "measures"

REPORT_FIELDS = (
    "facility",
    "sector",
    "province",
    "year",
    "products",
    "output",
    "workforce",
    "author",
    "summary",
    "organisation",
    "self_assessment",
    "support",
    "resources_vnd",
    "resources_days",
)
NUMBER_FIELDS = ("year", "resources_vnd", "resources_days")
MEASURE_COLUMNS = (
    "kind",
    "id",
    "title",
    "investment_vnd",
    "savings_vnd",
    "electricity_kwh",
    "fuel_key",
    "fuel_t",
    "water_m3",
    "materials_t",
    "co2_t",
)
AMOUNTS = ("investment_vnd", "savings_vnd", "electricity_kwh", "fuel_t", "water_m3", "materials_t", "co2_t")
KINDS = ("implemented", "planned")
SUMMARY_COLUMNS = (
    ("file", "facility", "province", "sector", "year", "count")
    + tuple(a for a in AMOUNTS if a != "fuel_t")
    + ("resources_vnd",)
)
MERGED_MEASURE_COLUMNS = ("facility", "year", "kind", "id", "title") + tuple(a for a in AMOUNTS if a != "fuel_t")

_LABEL_KEYS = {
    "kind": "kind",
    "id": "measure",
    "title": "title_col",
    "investment_vnd": "investment_col",
    "savings_vnd": "savings_col",
    "electricity_kwh": "electricity_col",
    "fuel_key": "fuel",
    "fuel_t": "fuel_col",
    "water_m3": "water_col",
    "materials_t": "materials_col",
    "co2_t": "co2_col",
    "file": "file_col",
    "count": "count_col",
}


def column_label(key: str, lang: str) -> str:
    return label(f"planner.{_LABEL_KEYS.get(key, key)}", lang)


def layout_for_browser(lang: str) -> dict:
    """The layout and its labels, for the report and merge pages."""
    return {
        "marker": MARKER,
        "version": VERSION,
        "measures": MEASURES,
        "fields": list(REPORT_FIELDS),
        "numberFields": list(NUMBER_FIELDS),
        "columns": list(MEASURE_COLUMNS),
        "amounts": list(AMOUNTS),
        "kinds": list(KINDS),
        "summaryColumns": list(SUMMARY_COLUMNS),
        "mergedMeasureColumns": list(MERGED_MEASURE_COLUMNS),
        "labels": {k: column_label(k, lang) for k in set(MEASURE_COLUMNS + SUMMARY_COLUMNS + MERGED_MEASURE_COLUMNS)},
        "fieldLabels": {k: label(f"planner.{k}", lang) for k in REPORT_FIELDS},
        "kindLabels": {k: label(f"planner.kind_{k}", lang) for k in KINDS},
    }


def neutralise(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe; numbers pass."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@dataclass
class ReportFileError(Exception):
    """A file that is not a report of this form: `reason` is a planner.reason_* label key."""

    file: str
    reason: str
    cell: str = ""

    def message(self, lang: str) -> str:
        why = label(f"planner.reason_{self.reason}", lang, cell=self.cell)
        return label("planner.merge_bad", lang, file=self.file, reason=why)


def _number(value, file: str, cell: str) -> float:
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ReportFileError(file, "number", cell)
    return float(value)


def _col(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def parse_report(rows: list[list], file: str) -> dict:
    """A report file's first sheet (rows of cell values) as {fields, measures};
    raises ReportFileError for anything that is not a report of this form."""
    rows = [list(r) for r in rows]
    if not rows or not rows[0] or rows[0][0] != MARKER:
        raise ReportFileError(file, "foreign")
    version = rows[0][1] if len(rows[0]) > 1 else None
    if not isinstance(version, (int, float)) or isinstance(version, bool):
        raise ReportFileError(file, "foreign")
    if version > VERSION:
        raise ReportFileError(file, "version")
    fields: dict = {}
    measures: list[dict] = []
    in_table = False
    for r, row in enumerate(rows[1:], start=2):
        key = row[0] if row else None
        if key == MEASURES:
            in_table = True
        elif not in_table and key in REPORT_FIELDS:
            value = row[2] if len(row) > 2 else None
            fields[key] = (
                _number(value, file, f"C{r}") if key in NUMBER_FIELDS else ("" if value is None else str(value))
            )
        elif in_table and key in KINDS:
            cells = row + [None] * (len(MEASURE_COLUMNS) - len(row))
            item = {}
            for c, name in enumerate(MEASURE_COLUMNS):
                value = cells[c]
                item[name] = (
                    _number(value, file, f"{_col(c)}{r}") if name in AMOUNTS else ("" if value is None else str(value))
                )
            measures.append(item)
    if "facility" not in fields:
        raise ReportFileError(file, "foreign")
    return {"fields": fields, "measures": measures}


def merge_reports(reports: list[tuple[str, dict]], lang: str) -> dict[str, list[list]]:
    """The provincial summary: {sheet name: rows}, headers in `lang`, a total row last.
    Every text cell is neutralised: the reports come from outside."""
    summary = [[column_label(k, lang) for k in SUMMARY_COLUMNS]]
    measures = [[column_label(k, lang) for k in MERGED_MEASURE_COLUMNS]]
    totals = {k: 0.0 for k in SUMMARY_COLUMNS if k in AMOUNTS or k in ("count", "resources_vnd")}
    kinds = {k: label(f"planner.kind_{k}", lang) for k in KINDS}
    for name, report in reports:
        f = report["fields"]
        done = [m for m in report["measures"] if m["kind"] == "implemented"]
        row = {
            "file": name,
            "facility": f.get("facility", ""),
            "province": f.get("province", ""),
            "sector": f.get("sector", ""),
            "year": f.get("year") or None,
            "count": len(done),
            "resources_vnd": f.get("resources_vnd", 0.0),
        }
        for a in AMOUNTS:
            row[a] = sum(m[a] for m in done)
        for k in totals:
            totals[k] += row[k]
        summary.append([neutralise(row[k]) for k in SUMMARY_COLUMNS])
        for m in report["measures"]:
            cells = {"facility": row["facility"], "year": row["year"], **m, "kind": kinds[m["kind"]]}
            measures.append([neutralise(cells[k]) for k in MERGED_MEASURE_COLUMNS])
    summary.append([label("planner.total", lang) if k == "file" else totals.get(k, None) for k in SUMMARY_COLUMNS])
    return {label("planner.sheet_summary", lang): summary, label("planner.sheet_measures", lang): measures}
