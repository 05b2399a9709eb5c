"""`cpkb report merge FILES…`: merge facilities' annual CP report files (exported
from the site's /report/ page) into one provincial summary, in the same XLSX
layout as the site's merge page (cpkb.text.report_layout)."""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

from cpkb import LANGUAGES
from cpkb.cli.common import cli_language
from cpkb.text.report_layout import ReportFileError, merge_reports, parse_report


def register(sub) -> None:
    p = sub.add_parser(
        "report",
        help="work with annual CP report files exported from the site",
        description="Annual CP reports exported from the site's report page (/report/).",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    m = actions.add_parser(
        "merge",
        help="merge facilities' report files into one provincial summary (XLSX)",
        description="Read each report file (XLSX exported from /report/), refuse any malformed or foreign "
        "file with a message naming it, and write the summary: one row per facility with totals, "
        "and every measure. Text cells are written as text, never as formulas. "
        "Exit 1 if any file was refused (nothing is written).",
    )
    m.add_argument("files", nargs="+", type=Path, metavar="FILE", help="report files (.xlsx)")
    m.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("cp-summary.xlsx"),
        help="the summary to write (default: cp-summary.xlsx)",
    )
    m.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help="language of the summary's headings (default: from CPKB_LANG or LANG)",
    )
    m.set_defaults(func=run_merge)


def read_rows(path: Path) -> list[list]:
    """The first sheet's cell values; formulas are read as their cached values only."""
    from openpyxl import load_workbook  # imported here: only this command needs it

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as err:
        raise ReportFileError(path.name, "not_xlsx") from err
    try:
        ws = wb.worksheets[0]
        return [list(row) for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def write_summary(sheets: dict[str, list[list]], path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name[:31])
        for row in rows:
            # Whole numbers as integers, as the browser writes them.
            ws.append([int(v) if isinstance(v, float) and v.is_integer() else v for v in row])
    wb.save(path)


def run_merge(args: argparse.Namespace) -> int:
    lang = args.lang or cli_language()
    reports, refused = [], []
    for path in args.files:
        try:
            reports.append((path.name, parse_report(read_rows(path), path.name)))
        except ReportFileError as err:
            refused.append(err.message(lang))
    for message in refused:
        print(message, file=sys.stderr)
    if refused:
        return 1
    reports.sort(key=lambda r: r[0])
    write_summary(merge_reports(reports, lang), args.output)
    print(f"{args.output}: {len(reports)} report(s) merged")
    return 0
