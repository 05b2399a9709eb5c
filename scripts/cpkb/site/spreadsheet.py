"""The catalogue as an Excel workbook: a filterable table and a sheet that
explains every column, in the file's language.

Text cells are typed as text, so a title starting with "=" stays a title and
never becomes a formula; numbers carry thousands separators, dates are dates,
page addresses are links. The zip is rewritten with fixed timestamps so that
two builds of the same sources give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from cpkb.text.labels import label

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
NUMBER_FORMATS = {"money": "#,##0", "pct": "0.##", "years": "0.0#", "int": "0", "date": "yyyy-mm-dd"}
WIDTHS = {
    "id": 10,
    "title": 48,
    "summary": 70,
    "sources": 70,
    "url": 42,
    "sector": 26,
    "process_stage": 24,
    "technique": 26,
}


def write_xlsx(path: Path, cols: list, rows: list[dict], lang: str, absolute_urls: bool) -> Path:
    from openpyxl import Workbook  # imported here: only the build needs it
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = label("export.sheet_data", lang)[:31]
    ws.append([c.header for c in cols])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(rows, start=2):
        for c, col in enumerate(cols, start=1):
            _put(ws.cell(row=r, column=c), row[col.key], col, absolute_urls)
    for c, col in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS.get(col.key, 16 if col.kind != "text" else 22)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(rows) + 1}"

    about = wb.create_sheet(label("export.sheet_columns", lang)[:31])
    about.append([label("export.about_column", lang), label("export.about_meaning", lang)])
    for cell in about[1]:
        cell.font = Font(bold=True)
    for col in cols:
        about.append([col.header, col.explanation])
    about.append([])
    about.append([label("export.about_note", lang)])
    if not absolute_urls:
        about.append([label("export.no_site_url", lang)])
    for row in about.iter_rows():
        for cell in row:
            cell.data_type = "s" if isinstance(cell.value, str) else cell.data_type
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 40, 100

    fixed = dt.datetime(2000, 1, 1)
    wb.properties.created = wb.properties.modified = fixed
    buffer = io.BytesIO()
    wb.save(buffer)
    _rewrite_with_fixed_times(buffer.getvalue(), path)
    return path


def _put(cell, value, col, absolute_urls: bool) -> None:
    cell.value = value
    if value is None:
        return
    if isinstance(value, str):
        cell.data_type = "s"  # text, never a formula, whatever it starts with
        if col.kind == "url" and absolute_urls:
            cell.hyperlink = value
            cell.style = "Hyperlink"
    if col.kind in NUMBER_FORMATS and not isinstance(value, str):
        cell.number_format = NUMBER_FORMATS[col.kind]


def _rewrite_with_fixed_times(data: bytes, path: Path) -> None:
    """openpyxl stamps each zip member with the current time; rewrite with a fixed one."""
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                member = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)", rb"\g<1>2000-01-01T00:00:00Z\3", member
                )
            dst.writestr(zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME), member, zipfile.ZIP_DEFLATED)
