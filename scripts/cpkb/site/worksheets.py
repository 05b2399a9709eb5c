"""The assessment worksheets (handbook/worksheets.yml) as one Excel workbook per
language: one sheet per worksheet, ready to fill in on screen or to print.

Each sheet has the worksheet's title, step and purpose, its header fields as
labelled input cells, and its table with the columns of the printed form.
Where a form asks for arithmetic, the workbook does it with real formulas
(`CALCULATIONS`): material-balance totals and differences, the total cost of
waste, net benefit and simple payback, NPV and IRR at a discount rate typed
into a labelled cell, and the change between before and after. Calculated
cells are shaded. Print setup: A4, fitted to the page width, the table's
header row repeated on every page.

Only the formulas written here are formulas: every text from the sources is
typed as text, so a title starting with "=" prints as a title. The zip is
written with fixed times (spreadsheet.py), so the same sources give the same bytes.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from cpkb.site.spreadsheet import _rewrite_with_fixed_times
from cpkb.source import handbook
from cpkb.source.handbook import Worksheet
from cpkb.source.problems import Problem, SourceError
from cpkb.text.labels import label
from cpkb.text.worksheet_columns import column_weights

VND, YEARS, PERCENT, SCORE = "#,##0", "0.0", "0.0%", "0"


def workbook_filename(lang: str) -> str:
    """cp-worksheets-vi.xlsx, next to the worksheets PDF in downloads/."""
    return f"cp-worksheets-{lang}.xlsx"


@dataclass(frozen=True)
class Extra:
    """A column the workbook adds after the form's own: header label, formula (None: an input), format."""

    key: str
    formula: str | None
    number_format: str | None = None


@dataclass(frozen=True)
class Calc:
    """The arithmetic of one worksheet. Formulas are templates: {r} is the row,
    {A}..{Z} the column letters of the form's columns by position (A = first),
    {first}/{last} the table's first and last row, {rate} the discount rate cell."""

    columns: int
    """How many columns the form has (a changed worksheets.yml must change this too)."""
    row: dict[int, str] = field(default_factory=dict)
    """Column position (0-based) -> formula of every row."""
    formats: dict[int, str] = field(default_factory=dict)
    """Column position -> number format of the input or calculated cells."""
    totals: tuple[int, ...] = ()
    """Columns summed in a total row under the table."""
    extras: tuple[Extra, ...] = ()
    field_formats: dict[int, str] = field(default_factory=dict)
    """Header field number (1 = first) -> number format: a field holding a number (one cell, not a line)."""
    rate: int | None = None
    """The header field (number) holding the discount rate, {rate} in the formulas."""
    after: tuple[tuple[str, str, str], ...] = ()
    """Rows under the totals: (label key, formula, number format); {total_X} is the total of column X."""
    validate: tuple[int, ...] = ()
    """Columns of scores from 1 to 5 (a list the cell refuses anything else from)."""


CALCULATIONS: dict[str, Calc] = {
    "team": Calc(6, totals=(4,), formats={4: YEARS}),
    "process_steps": Calc(
        7,
        row={6: '=IF(COUNT({D}{r}:{F}{r})=0,"",SUM({D}{r}:{F}{r}))'},
        formats={3: SCORE, 4: SCORE, 5: SCORE, 6: SCORE},
        extras=(Extra("selected", None),),
        validate=(3, 4, 5),
    ),
    "io_balance": Calc(
        7,
        formats={2: "#,##0.##", 5: "#,##0.##"},
        totals=(2, 5),
        # The balance of each process step, on the first row of the step: its inputs less its outputs.
        extras=(
            Extra(
                "step_difference",
                '=IF({A}{r}="","",IF(COUNTIF({A}${first}:{A}{r},{A}{r})>1,"",'
                "SUMIF({A}${first}:{A}${last},{A}{r},{C}${first}:{C}${last})"
                "-SUMIF({A}${first}:{A}${last},{A}{r},{F}${first}:{F}${last})))",
                "#,##0.##",
            ),
        ),
        after=(
            ("difference", "={total_C}-{total_F}", "#,##0.##"),
            ("difference_pct", '=IF(N({total_C})=0,"",({total_C}-{total_F})/{total_C})', PERCENT),
        ),
    ),
    "waste_cost": Calc(
        6,
        row={5: '=IF(COUNT({D}{r}:{E}{r})=0,"",SUM({D}{r}:{E}{r}))'},
        formats={3: VND, 4: VND, 5: VND},
        totals=(3, 4, 5),
    ),
    "economic": Calc(
        6,
        row={
            4: '=IF({C}{r}="","",{C}{r}-SUM({D}{r}))',
            5: '=IF(OR({B}{r}="",{E}{r}=""),"",IF({E}{r}>0,{B}{r}/{E}{r},""))',
        },
        formats={1: VND, 2: VND, 3: VND, 4: VND, 5: YEARS},
        totals=(1, 2, 3, 4),
        rate=3,
        field_formats={3: PERCENT},
        # Net benefit the same every year of the option's life: NPV is the present value
        # of that annuity less the investment; IRR the rate at which the two are equal.
        extras=(
            Extra("life", None, SCORE),
            Extra("npv", '=IF(OR({rate}="",{B}{r}="",{E}{r}="",{G}{r}=""),"",PV({rate},{G}{r},-{E}{r})-{B}{r})', VND),
            Extra("irr", '=IF(OR({B}{r}="",{E}{r}="",{G}{r}=""),"",IFERROR(RATE({G}{r},{E}{r},-{B}{r}),""))', PERCENT),
        ),
    ),
    "action_plan": Calc(
        7,
        formats={3: VND},
        totals=(3,),
        field_formats={3: VND},
        after=(("unallocated", '=IF(N({field_3})=0,"",{field_3}-{total_D})', VND),),
    ),
    "monitoring": Calc(
        7,
        row={4: '=IF(OR({C}{r}="",{D}{r}="",N({C}{r})=0),"",({D}{r}-{C}{r})/{C}{r})'},
        formats={2: "#,##0.##", 3: "#,##0.##", 4: PERCENT, 5: VND},
        totals=(5,),
    ),
}
"""The worksheets that calculate, by key in handbook/worksheets.yml."""


def check_columns(sheets: list[Worksheet]) -> None:
    """Raise SourceError naming each worksheet whose columns no longer match its formulas
    (the formulas refer to columns by position)."""
    problems = [
        Problem(
            "handbook/worksheets.yml",
            1,
            1,
            "",
            f"worksheet '{s.key}' has {len(s.columns)} columns; the workbook's formulas expect "
            f"{CALCULATIONS[s.key].columns}",
            "keep the columns of this worksheet, or change its formulas in scripts/cpkb/site/worksheets.py",
        )
        for s in sheets
        if s.key in CALCULATIONS and CALCULATIONS[s.key].columns != len(s.columns)
    ]
    if problems:
        raise SourceError(problems)


def check_worksheet_columns(root: Path) -> None:
    """check_columns for the project's worksheets (nothing when it has none)."""
    if (root / "handbook" / "worksheets.yml").exists():
        check_columns(handbook.worksheets(root))


def write_worksheet_workbooks(root: Path, out_dir: Path, lang: str) -> Path | None:
    """Write downloads/cp-worksheets-<lang>.xlsx (None when the project has no worksheets)."""
    path = root / "handbook" / "worksheets.yml"
    if not path.exists():
        return None
    sheets = handbook.worksheets(root)
    if not sheets:
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    return write_workbook(sheets, out_dir / workbook_filename(lang), lang)


def write_workbook(sheets: list[Worksheet], path: Path, lang: str) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    check_columns(sheets)
    names: set[str] = set()
    for sheet in sheets:
        calc = CALCULATIONS.get(sheet.key)
        _Sheet(
            wb.create_sheet(_sheet_name(sheet.title[lang], names)), sheet, calc or Calc(len(sheet.columns)), lang
        ).write()
    import datetime as dt

    wb.properties.created = wb.properties.modified = dt.datetime(2000, 1, 1)
    wb.properties.title = label("worksheets_xlsx.title", lang)
    wb.properties.language = lang
    buffer = io.BytesIO()
    wb.save(buffer)
    _rewrite_with_fixed_times(buffer.getvalue(), path)
    return path


def _sheet_name(title: str, taken: set[str]) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\, unique.
    A numbered title ("Worksheet 9. Economic feasibility") gives its number ("Worksheet 9")."""
    numbered = re.match(r"(\w[^.]{0,24}?\d+)\.\s", title)
    name = numbered.group(1) if numbered else title
    name = "".join(" " if c in "[]:*?/\\" else c for c in name).strip().strip("'")
    if len(name) > 31:
        name = name[:31].rsplit(" ", 1)[0].rstrip(" .,;")
    base, n = name or "Sheet", 2
    while name.casefold() in taken:
        name = f"{base[:27]} ({n})"
        n += 1
    taken.add(name.casefold())
    return name


class _Sheet:
    """Writes one worksheet onto one sheet, top to bottom."""

    def __init__(self, ws, sheet: Worksheet, calc: Calc, lang: str):
        from openpyxl.utils import get_column_letter

        self.ws, self.sheet, self.calc, self.lang = ws, sheet, calc, lang
        self.width = len(sheet.columns) + len(calc.extras)
        self.letters = [get_column_letter(i + 1) for i in range(self.width)]
        self.row = 1
        self.refs: dict[str, str] = {}

    def write(self) -> None:
        from cpkb.site.worksheet_style import finish_sheet

        self.heading()
        self.fields()
        header = self.row
        self.table()
        finish_sheet(self.ws, self.sheet, self.calc, self.letters, header, self.lang, column_weights(self.sheet))

    def text(self, row: int, col: int, value: str, **style):
        """A cell holding text from the sources: typed as text, never a formula."""
        from cpkb.site.worksheet_style import styled

        cell = self.ws.cell(row=row, column=col, value=value)
        cell.data_type = "s"
        return styled(cell, **style)

    def heading(self) -> None:
        s, lang = self.sheet, self.lang
        self.text(1, 1, s.title[lang], kind="title")
        line = label("pdf.step", lang, step=s.step) + " · " if s.step else ""
        self.text(2, 1, line + label("worksheets_xlsx.how", lang), kind="note")
        self.row = 3
        if s.purpose:
            self.text(3, 1, s.purpose[lang], kind="purpose")
            self.ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=self.width)
            self.ws.row_dimensions[3].height = 15 * max(2, min(8, len(s.purpose[lang]) // 110 + 1))
            self.row = 4
        self.row += 1

    def fields(self) -> None:
        """The header fields: a label and a white cell to write in (a line across the
        rest of the row, or one cell for a number); the discount rate is one of them."""
        from cpkb.site.worksheet_style import styled

        calc = self.calc
        for i, text in enumerate((f[self.lang] for f in self.sheet.fields), start=1):
            self.text(self.row, 1, text, kind="label")
            number_format = calc.field_formats.get(i)
            if number_format is None and self.width > 2:
                self.ws.merge_cells(start_row=self.row, start_column=2, end_row=self.row, end_column=self.width)
            styled(self.ws.cell(row=self.row, column=2), kind="input", number_format=number_format)
            self.refs[f"field_{i}"] = f"$B${self.row}"
            if i == calc.rate:
                self.refs["rate"] = f"$B${self.row}"
                self.text(self.row, 3, label("worksheets_xlsx.discount_rate_note", self.lang), kind="note")
            self.row += 1
        self.row += 1

    def table(self) -> None:
        from cpkb.site.worksheet_style import styled

        s, calc, lang = self.sheet, self.calc, self.lang
        heads = [c[lang] for c in s.columns] + [label(f"worksheets_xlsx.{e.key}", lang) for e in calc.extras]
        for col, head in enumerate(heads, start=1):
            self.text(self.row, col, head, kind="header")
        first, last = self.row + 1, self.row + s.rows
        names = {letter: letter for letter in self.letters} | {
            "first": first,
            "last": last,
            "rate": self.refs.get("rate", ""),
        }
        formulas = dict(calc.row) | {len(s.columns) + i: e.formula for i, e in enumerate(calc.extras) if e.formula}
        formats = dict(calc.formats) | {len(s.columns) + i: e.number_format for i, e in enumerate(calc.extras)}
        for r in range(first, last + 1):
            for col in range(self.width):
                cell = self.ws.cell(row=r, column=col + 1)
                if col in formulas:
                    cell.value = formulas[col].format(r=r, **names)
                styled(cell, kind="calculated" if col in formulas else "cell", number_format=formats.get(col))
        self.row = last + 1
        self.totals(first, last, names, formats)

    def totals(self, first: int, last: int, names: dict, formats: dict) -> None:
        from cpkb.site.worksheet_style import styled

        calc = self.calc
        if not calc.totals:
            return
        self.text(self.row, 1, label("worksheets_xlsx.total", self.lang), kind="total_label")
        totals = {}
        for col in calc.totals:
            letter = self.letters[col]
            cell = self.ws.cell(row=self.row, column=col + 1, value=f"=SUM({letter}{first}:{letter}{last})")
            styled(cell, kind="total", number_format=formats.get(col))
            totals[f"total_{letter}"] = f"{letter}{self.row}"
        self.row += 1
        for key, formula, number_format in calc.after:
            self.text(self.row, 1, label(f"worksheets_xlsx.{key}", self.lang), kind="total_label")
            cell = self.ws.cell(row=self.row, column=2, value=formula.format(**names, **totals, **self.refs))
            styled(cell, kind="total", number_format=number_format)
            self.row += 1
