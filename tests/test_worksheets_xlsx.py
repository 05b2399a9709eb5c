"""The worksheet workbook (downloads/cp-worksheets-<lang>.xlsx), opened as a trainer
would: one sheet per worksheet, set up to print, and formulas that give the
right answer. LibreOffice is not installed, so known inputs are typed into the
file with openpyxl and the formulas evaluated by tests/xlsx_eval.py; every
expected value below was worked out by hand, not the way the code computes it."""

from __future__ import annotations

import re
import zipfile

import pytest
import yaml
from openpyxl import load_workbook

from cpkb import LANGUAGES
from cpkb.site.worksheets import CALCULATIONS, write_worksheet_workbooks
from cpkb.source import handbook
from cpkb.source.problems import SourceError

from conftest import ROOT
from xlsx_eval import Evaluator


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx")
    return {lang: write_worksheet_workbooks(ROOT, out, lang) for lang in LANGUAGES}


def table(ws) -> tuple[int, dict[str, str]]:
    """The header row (the one repeated on every printed page) and column letter by header text."""
    row = int(re.fullmatch(r"\$?(\d+):\$?(\d+)", ws.print_title_rows).group(1))
    return row, {c.value: c.column_letter for c in ws[row] if c.value}


def put(ws, header: dict[str, str], first: int, rows: list[dict]) -> None:
    for i, values in enumerate(rows):
        for head, value in values.items():
            ws[f"{header[head]}{first + i}"] = value


def field_cell(ws, text: str) -> str:
    row = next(c.row for c in ws["A"] if c.value == text)
    return f"B{row}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_one_sheet_per_worksheet_set_up_for_printing(books, lang):
    sheets = handbook.worksheets(ROOT)
    wb = load_workbook(books[lang])
    assert len(wb.worksheets) == len(sheets) == 12
    for ws, sheet in zip(wb.worksheets, sheets):
        assert ws["A1"].value == sheet.title[lang]
        assert ws["A3"].value == sheet.purpose[lang]
        assert len(ws.title) <= 31 and ws.title in sheet.title[lang]
        row, header = table(ws)
        assert list(header)[: len(sheet.columns)] == [c[lang] for c in sheet.columns]
        for f in sheet.fields:
            field_cell(ws, f[lang])  # every header field is a labelled line
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.freeze_panes == f"A{row + 1}"
        for letter in header.values():
            assert ws.column_dimensions[letter].width >= 10
        assert ws.column_dimensions["A"].width >= 24
        assert ws.oddFooter.right.text and "&P" in ws.oddFooter.right.text


def test_material_balance_totals_and_differences(books):
    ws = load_workbook(books["en"])["Worksheet 3"]
    row, h = table(ws)
    put(
        ws,
        h,
        row + 1,
        [
            {
                "Process step": "Washing",
                "Input (name)": "Water",
                "Input quantity (unit)": 100,
                "Output: waste, emission, loss": "Wastewater",
                "Output quantity (unit)": 90,
            },
            {
                "Process step": "Washing",
                "Input (name)": "Caustic",
                "Input quantity (unit)": 5,
                "Output quantity (unit)": 10,
            },
            {
                "Process step": "Rinsing",
                "Input (name)": "Water",
                "Input quantity (unit)": 50,
                "Output quantity (unit)": 45,
            },
        ],
    )
    ev = Evaluator(ws)
    step = h["Balance of the step: inputs − outputs"]
    # Washing: 100 + 5 in, 90 + 10 out; Rinsing: 50 in, 45 out. Shown once per step.
    assert [ev.value(f"{step}{row + i}") for i in (1, 2, 3, 4)] == [5, "", 5, ""]
    total = row + 1 + handbook.worksheets(ROOT)[2].rows
    assert ws[f"A{total}"].value == "Total"
    assert ev.value(f"{h['Input quantity (unit)']}{total}") == 155
    assert ev.value(f"{h['Output quantity (unit)']}{total}") == 145
    assert ws[f"A{total + 1}"].value == "Difference: inputs − outputs"
    assert ev.value(f"B{total + 1}") == 10
    assert ev.value(f"B{total + 2}") == pytest.approx(0.064516, abs=1e-6)  # 10 / 155
    assert ws[f"B{total + 2}"].number_format == "0.0%"


def test_simple_payback_npv_and_irr_at_the_stated_rate(books):
    ws = load_workbook(books["en"])["Worksheet 9"]
    row, h = table(ws)
    rate = field_cell(ws, "Discount rate (if NPV is calculated)")
    assert ws[rate].number_format == "0.0%"
    life = "Economic life of the option (years)"
    put(
        ws,
        h,
        row + 1,
        [
            {
                "Option": "Heat recovery",
                "Investment (VND)": 100_000_000,
                "Annual savings (VND/year)": 50_000_000,
                "Extra operating cost (VND/year)": 10_000_000,
                life: 5,
            },
            {"Option": "Leak repair", "Investment (VND)": 6_000_000, "Annual savings (VND/year)": 24_000_000},
            {
                "Option": "Loss-maker",
                "Investment (VND)": 10_000_000,
                "Annual savings (VND/year)": 1_000_000,
                "Extra operating cost (VND/year)": 3_000_000,
                life: 10,
            },
        ],
    )
    ev = Evaluator(ws)
    at = lambda head, i: ev.value(f"{h[head]}{row + i}")  # noqa: E731
    npv, irr = "Net present value, NPV (VND)", "Internal rate of return, IRR (%/year)"
    assert at("Net benefit (VND/year)", 1) == 40_000_000  # 50 − 10 million
    assert at("Payback period (years)", 1) == 2.5  # 100 / 40
    assert at("Payback period (years)", 2) == 0.25  # 6 / 24: no extra cost is no extra cost
    assert at("Net benefit (VND/year)", 3) == -2_000_000
    assert at("Payback period (years)", 3) == ""  # never pays back
    assert at("Payback period (years)", 4) == ""  # an empty row stays empty
    assert at(npv, 1) == ""  # no rate typed yet
    # IRR: 100 = 40 × annuity factor, factor 2.5 over 5 years: 28.65 % (annuity tables).
    assert at(irr, 1) == pytest.approx(0.2865, abs=5e-4)
    ws[rate] = 0.10
    ev = Evaluator(ws)
    # NPV at 10 %: annuity factor over 5 years 3.7908 (1.1⁻¹ + … + 1.1⁻⁵), 40 × 3.7908 − 100 = 51.63 million.
    assert ev.value(f"{h[npv]}{row + 1}") == pytest.approx(51_631_470, abs=50)
    # 10 years of −2 million at 10 % (factor 6.1446) less 10 million: −22.29 million; no rate of return.
    assert ev.value(f"{h[npv]}{row + 3}") == pytest.approx(-22_289_134, abs=50)
    assert ev.value(f"{h[irr]}{row + 3}") == ""
    assert ev.value(f"{h[npv]}{row + 2}") == ""  # no economic life given
    total = row + 11
    assert ev.value(f"{h['Investment (VND)']}{total}") == 116_000_000
    assert ev.value(f"{h['Net benefit (VND/year)']}{total}") == 40_000_000 + 24_000_000 - 2_000_000


def test_waste_cost_scores_budget_and_monitoring(books):
    wb = load_workbook(books["en"])
    ws = wb["Worksheet 4"]
    row, h = table(ws)
    value, fees, cost = (
        "Value of materials and energy lost (VND/year)",
        "Treatment, collection, fees (VND/year)",
        "Total cost (VND/year)",
    )
    put(ws, h, row + 1, [{value: 1_000_000, fees: 500_000}, {fees: 200_000}])
    ev = Evaluator(ws)
    assert [ev.value(f"{h[cost]}{row + i}") for i in (1, 2, 3)] == [1_500_000, 200_000, ""]
    assert ev.value(f"{h[cost]}{row + 11}") == 1_700_000

    ws = wb["Worksheet 2"]
    row, h = table(ws)
    put(
        ws,
        h,
        row + 1,
        [
            {
                "Cost of waste score (1–5)": 3,
                "Environmental impact score (1–5)": 4,
                "Improvement potential score (1–5)": 5,
            }
        ],
    )
    assert Evaluator(ws).value(f"{h['Total score, selected (✓)']}{row + 1}") == 12
    assert "Selected (✓)" in h
    ranges = {str(r) for dv in ws.data_validations.dataValidation for r in dv.sqref.ranges}
    assert f"{h['Cost of waste score (1–5)']}{row + 1}:{h['Cost of waste score (1–5)']}{row + 12}" in ranges

    ws = wb["Worksheet 11"]
    row, h = table(ws)
    ws[field_cell(ws, "Total approved budget (VND)")] = 80_000_000
    put(ws, h, row + 1, [{"Budget (VND)": 30_000_000}, {"Budget (VND)": 20_000_000}])
    ev = Evaluator(ws)
    assert ev.value(f"{h['Budget (VND)']}{row + 13}") == 50_000_000
    assert ws[f"A{row + 14}"].value == "Approved budget not yet allocated (VND)"
    assert ev.value(f"B{row + 14}") == 30_000_000

    ws = wb["Worksheet 12"]
    row, h = table(ws)
    put(ws, h, row + 1, [{"Before": 10, "After": 8}, {"Before": 0, "After": 3}])
    ev = Evaluator(ws)
    assert ev.value(f"{h['Change (%)']}{row + 1}") == pytest.approx(-0.2)  # 8 is 20 % less than 10
    assert ev.value(f"{h['Change (%)']}{row + 2}") == ""  # no change from nothing


def test_vietnamese_workbook_has_the_same_formulas(books):
    en, vi = load_workbook(books["en"]), load_workbook(books["vi"])
    assert [ws.title for ws in vi.worksheets][8] == "Phiếu 9"
    formulas = lambda ws: {
        c.coordinate: c.value
        for row in ws.iter_rows()
        for c in row  # noqa: E731
        if isinstance(c.value, str) and c.data_type == "f"
    }
    assert [formulas(a) for a in en.worksheets] == [formulas(b) for b in vi.worksheets]
    keys = [s.key for s in handbook.worksheets(ROOT)]
    assert [bool(formulas(ws)) for ws in en.worksheets] == [k in CALCULATIONS for k in keys]


def test_same_sources_give_the_same_bytes(books, tmp_path):
    again = write_worksheet_workbooks(ROOT, tmp_path, "vi")
    assert again.read_bytes() == books["vi"].read_bytes()


def test_text_from_the_sources_never_becomes_a_formula(mini_project, tmp_path):
    path = mini_project / "handbook" / "worksheets.yml"
    sheets = yaml.safe_load(path.read_text(encoding="utf-8"))
    sheets[1]["title"]["en"] = '=HYPERLINK("https://evil.example","Worksheet 9")'
    sheets[1]["columns"][0]["en"] = "+SUM(1,2)"
    sheets[1]["fields"][0]["en"] = "@cmd"
    path.write_text(yaml.safe_dump(sheets, allow_unicode=True, sort_keys=False), encoding="utf-8")
    book = write_worksheet_workbooks(mini_project, tmp_path, "en")
    with zipfile.ZipFile(book) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    formulas = re.findall(r"<f>(.*?)</f>", xml)
    assert formulas and not any("HYPERLINK" in f or "SUM(1,2)" in f or "cmd" in f for f in formulas)
    ws = load_workbook(book).worksheets[1]
    assert ws["A1"].data_type == "s" and ws["A1"].value.startswith("=HYPERLINK")


def test_a_worksheet_whose_columns_changed_is_a_precise_error(mini_project, tmp_path):
    path = mini_project / "handbook" / "worksheets.yml"
    sheets = yaml.safe_load(path.read_text(encoding="utf-8"))
    del sheets[1]["columns"][-1]
    path.write_text(yaml.safe_dump(sheets, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(SourceError, match="worksheets.yml.*worksheet 'economic' has 5 columns.*expect 6"):
        write_worksheet_workbooks(mini_project, tmp_path, "en")
    from cpkb.build import build_site

    with pytest.raises(SourceError, match="economic"):  # before anything is built
        build_site(mini_project, tmp_path / "site", with_pdf=False, log=lambda *a: None)
    assert not (tmp_path / "site").exists() and not list(tmp_path.glob(".site-*"))


@pytest.mark.build
@pytest.mark.parametrize("lang,prefix", [("vi", ""), ("en", "en/")])
def test_the_downloads_page_offers_the_worksheets_as_pdf_and_xlsx(mini_site, lang, prefix):
    from bs4 import BeautifulSoup

    site = mini_site / "site"
    page = site / prefix / "downloads" / "index.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    hrefs = {(page.parent / a["href"]).resolve() for a in soup.select("[data-pagefind-body] a[download]")}
    for other in LANGUAGES:
        for name in (f"cp-worksheets-{other}.xlsx", handbook.book_filename("worksheets", other)):
            target = (site / "downloads" / name).resolve()
            assert target in hrefs and target.is_file(), name
    assert len(load_workbook(site / "downloads" / f"cp-worksheets-{lang}.xlsx").worksheets) == 2  # the mini project's
