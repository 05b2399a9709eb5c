"""How the worksheet workbook looks and prints (site.worksheets writes the content):
cell styles by kind, column widths, A4 fitted to the page width, the header
row repeated on every printed page."""

from __future__ import annotations

from cpkb.source.handbook import Worksheet
from cpkb.text.labels import label

ACCENT, SHADE, RULE = "1B5E20", "EEEEEE", "9E9E9E"
PRINT_WIDTH = {"portrait": 100.0, "landscape": 150.0}
"""Total width of the columns in characters: about what fits across an A4 page at 100 %."""


def styled(cell, kind: str, number_format: str | None = None):
    """Give `cell` the look of its kind: title, note, purpose, label, input, header, cell, calculated, total."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color=RULE)
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    if kind == "title":
        cell.font = Font(bold=True, size=14, color=ACCENT)
    elif kind == "note":
        cell.font = Font(italic=True, size=9, color="555555")
    elif kind == "purpose":
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    elif kind in ("label", "total_label"):
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center", wrap_text=kind == "label")
    elif kind == "input":
        cell.border = Border(bottom=thin)
    elif kind == "header":
        cell.font = Font(bold=True, size=9)
        cell.fill = PatternFill("solid", fgColor="DDE8DD")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.border = box
    elif kind in ("cell", "calculated", "total"):
        cell.border = box
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if kind != "cell":
            cell.fill = PatternFill("solid", fgColor=SHADE)
        if kind == "total":
            cell.font = Font(bold=True)
    if number_format:
        cell.number_format = number_format
    return cell


def finish_sheet(
    ws, sheet: Worksheet, calc, letters: list[str], header_row: int, lang: str, weights: list[float]
) -> None:
    """Column widths, score lists, frozen header, print setup, running head and page numbers."""
    from openpyxl.worksheet.datavalidation import DataValidation

    orientation = "landscape" if len(letters) > 6 else "portrait"
    weights = weights + [1.2] * (len(letters) - len(weights))
    total = sum(weights)
    for letter, weight in zip(letters, weights):
        ws.column_dimensions[letter].width = max(10.0, round(PRINT_WIDTH[orientation] * weight / total, 1))
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width, 24.0)  # the field labels
    ws.row_dimensions[header_row].height = 48
    first, last = header_row + 1, header_row + sheet.rows
    for col in calc.validate:
        scores = DataValidation(
            type="whole",
            operator="between",
            formula1="1",
            formula2="5",
            allow_blank=True,
            showErrorMessage=True,
            error=label("worksheets_xlsx.score_error", lang),
        )
        scores.add(f"{letters[col]}{first}:{letters[col]}{last}")
        ws.add_data_validation(scores)
    ws.freeze_panes = f"A{first}"
    setup = ws.page_setup
    setup.paperSize = ws.PAPERSIZE_A4
    setup.orientation = orientation
    setup.fitToWidth, setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddHeader.left.text = _header_text(sheet.title[lang])
    ws.oddHeader.left.size = 8
    ws.oddFooter.right.text = label("worksheets_xlsx.page", lang).replace("{page}", "&P").replace("{pages}", "&N")
    ws.oddFooter.right.size = 8
    ws.oddFooter.left.text = _header_text(label("site.name", lang))
    ws.oddFooter.left.size = 8


def _header_text(text: str) -> str:
    """Text for a print header or footer: '&' starts a code there, so it is doubled."""
    return text.replace("&", "&&")
