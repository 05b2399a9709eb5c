"""The planner (issue 16): the finance and CO2 maths against examples worked by
hand, the same examples in the browser's finance.js, the factors file, `cpkb
report merge`, and a person's whole path through calculator, plan, report and
merge in Chromium, in both languages and on a 390 px phone."""

from __future__ import annotations

import math
import shutil

import pytest

from conftest import ROOT, run_cpkb
from cpkb.source.factors import load_factors
from cpkb.source.problems import SourceError
from cpkb.text import finance
from cpkb.text.report_layout import MARKER, ReportFileError, merge_reports, neutralise, parse_report

JS = ROOT / "docs" / "assets" / "javascripts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# --- hand-worked examples -----------------------------------------------------
# Payback: 100,000,000 VND invested, 40,000,000 VND saved a year: 100 / 40 = 2.5 years.
# NPV at 10 % over 5 years: discount factors 1/1.1^t for t = 1..5 are
#   0.909091 + 0.826446 + 0.751315 + 0.683013 + 0.620921 = 3.790787,
#   so NPV = −100,000,000 + 40,000,000 × 3.790787 = 51,631,471 VND (to the VND).
# IRR, 100 invested, 60 saved for 2 years: −100 + 60x + 60x² = 0 with x = 1/(1+r):
#   3x² + 3x − 5 = 0, x = (−3 + √69)/6 = 0.884437, r = 1/x − 1 = 13.0662 %.
# IRR, 100 invested, 110 back after 1 year: r = 10 % exactly.
# CO2: 100,000 kWh = 100 MWh × 0.6592 t/MWh = 65.92 t;
#   10 t of fuel oil × 40.4 GJ/t × 77.4 kg/GJ = 10 × 3.12696 t = 31.2696 t; total 97.1896 t.
# Fuel units: 1,000 GJ of fuel oil ÷ 40.4 GJ/t = 24.752475 t; 10 MWh of natural gas
#   = 36 GJ ÷ 48.0 GJ/t = 0.75 t; 500 kg = 0.5 t.
IRR_TWO_YEARS = 6 / (math.sqrt(69) - 3) - 1
EXAMPLES = {
    "fuel_gj": 24.752475,
    "fuel_mwh": 0.75,
    "fuel_kg": 0.5,
    "payback": 2.5,
    "npv": 51_631_470.8,
    "irr2": IRR_TWO_YEARS,
    "irr1": 0.10,
    "co2": 97.1896,
}


def test_simple_payback_by_hand():
    assert finance.simple_payback(100_000_000, 40_000_000) == pytest.approx(EXAMPLES["payback"])
    assert finance.simple_payback(100, 0) is None


def test_npv_by_hand():
    assert finance.npv(0.10, 100_000_000, 40_000_000, 5) == pytest.approx(EXAMPLES["npv"], abs=1)
    assert finance.npv(0.0, 100, 30, 3) == pytest.approx(-10)  # no discounting: 3 × 30 − 100


def test_irr_by_hand():
    assert finance.irr(100, 60, 2) == pytest.approx(EXAMPLES["irr2"], abs=1e-7)
    assert finance.irr(100, 110, 1) == pytest.approx(EXAMPLES["irr1"], abs=1e-7)
    assert finance.irr(100, 30, 3) is None  # the savings never repay the investment


def test_fuel_units_by_hand():
    assert finance.fuel_tonnes(1000, "GJ", 40.4) == pytest.approx(EXAMPLES["fuel_gj"], abs=1e-6)
    assert finance.fuel_tonnes(10, "MWh", 48.0) == pytest.approx(EXAMPLES["fuel_mwh"])
    assert finance.fuel_tonnes(500, "kg", 40.4) == pytest.approx(EXAMPLES["fuel_kg"])
    assert finance.fuel_tonnes(7, "t", 40.4) == 7


def test_co2_by_hand_with_the_factors_file(project_root):
    factors = load_factors(project_root)
    grid = factors["grid"]["t_co2_per_mwh"]
    fo = next(f for f in factors["fuels"] if f["key"] == "fo")
    assert grid == 0.6592 and factors["grid"]["year"] == 2023
    fo_t_per_t = fo["ncv_gj_per_t"] * fo["kg_co2_per_gj"] / 1000
    assert fo_t_per_t == pytest.approx(3.12696)
    assert finance.co2_avoided_t(100_000, 10, grid, fo_t_per_t) == pytest.approx(EXAMPLES["co2"])


def test_every_factor_names_its_source_year_and_table(project_root):
    factors = load_factors(project_root)
    for entry in [factors["grid"], *factors["fuels"]]:
        source = entry["source"]
        assert source["publisher"] and source["year"] and source["table"]
    biomass = next(f for f in factors["fuels"] if f["key"] == "biomass")
    assert biomass["kg_co2_per_gj"] == 0 and "neutral" in biomass["note"]["en"]


def test_a_bad_factor_is_reported_with_file_line_and_column(tmp_path):
    (tmp_path / "handbook").mkdir()
    shutil.copy2(ROOT / "handbook" / "factors.schema.json", tmp_path / "handbook")
    text = (
        (ROOT / "handbook" / "factors.yml")
        .read_text(encoding="utf-8")
        .replace("t_co2_per_mwh: 0.6592", "t_co2_per_mwh: -1")
    )
    (tmp_path / "handbook" / "factors.yml").write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as err:
        load_factors(tmp_path)
    line, col = next((i, l.index("t_co2")) for i, l in enumerate(text.splitlines(), 1) if "t_co2_per_mwh" in l)
    assert f"handbook/factors.yml:{line}:{col + 1} grid.t_co2_per_mwh: -1 is less than the minimum of 0" in str(
        err.value
    )


def test_the_browser_maths_gives_the_same_answers(browser):
    page = browser.new_page()
    page.set_content("<!doctype html><title>finance</title>")
    page.add_script_tag(path=str(JS / "finance.js"))
    got = page.evaluate("""() => { const F = window.cpkbFinance; return {
        payback: F.simplePayback(100000000, 40000000), npv: F.npv(0.10, 100000000, 40000000, 5),
        irr2: F.irr(100, 60, 2), irr1: F.irr(100, 110, 1), co2: F.co2AvoidedT(100000, 10, 0.6592, 40.4 * 77.4 / 1000),
        fuel_gj: F.fuelTonnes(1000, "GJ", 40.4), fuel_mwh: F.fuelTonnes(10, "MWh", 48.0), fuel_kg: F.fuelTonnes(500, "kg", 40.4),
        none: F.irr(100, 30, 3), vi: F.formatNumber(1234.5, "vi", 1), en: F.formatNumber(1234.5, "en", 1),
        parsedVi: F.parseNumber("1.234,5", "vi"), parsedEn: F.parseNumber("1,234.5", "en") }; }""")
    page.close()
    for key, value in EXAMPLES.items():
        assert got[key] == pytest.approx(value, abs=1 if key == "npv" else 1e-6), key
    assert got["none"] is None
    assert (got["vi"], got["en"]) == ("1.234,5", "1,234.5")
    assert got["parsedVi"] == got["parsedEn"] == 1234.5


# --- report files and `cpkb report merge` ----------------------------------------


def report_rows(facility: str, kwh: float = 1000.0, note: str = "") -> list[list]:
    return [
        [MARKER, 1, "en"],
        ["facility", "Facility name", facility],
        ["province", "Province", "Bình Dương"],
        ["year", "Year", 2026],
        ["resources_vnd", "Money", 5_000_000],
        ["measures", "Measure", "..."],
        ["implemented", "BEV-001", note or "Close taps", 10_000_000, 4_000_000, kwh, "", 0, 50, 0, kwh * 0.6592 / 1000],
        ["planned", "UTL-001", "Steam traps", 20_000_000, 8_000_000, 0, "fo", 2, 0, 0, 6.25],
    ]


def test_parse_and_merge_reports_and_neutralise_formulas():
    a = parse_report(report_rows('=HYPERLINK("http://x")'), "a.xlsx")
    b = parse_report(report_rows("Nhà máy B", kwh=3000), "b.xlsx")
    sheets = merge_reports([("a.xlsx", a), ("b.xlsx", b)], "en")
    summary, measures = sheets["Summary"], sheets["Measures"]
    assert summary[1][1] == '\'=HYPERLINK("http://x")'  # text, not a formula
    assert summary[-1][0] == "Total" and summary[-1][5] == 2  # two implemented measures
    kwh_col = summary[0].index("Electricity saved (kWh/year)")
    assert summary[-1][kwh_col] == 4000
    assert len(measures) == 1 + 4
    assert neutralise("@SUM(A1)") == "'@SUM(A1)" and neutralise(-5) == -5


@pytest.mark.parametrize(
    "rows,reason",
    [
        ([["something else"]], "foreign"),
        ([[MARKER, 9, "en"]], "version"),
        ([[MARKER, 1, "en"], ["facility", "", "X"], ["measures"], ["implemented", "A-1", "t", "lots"]], "number"),
    ],
)
def test_a_foreign_or_malformed_report_is_refused_by_name(rows, reason):
    with pytest.raises(ReportFileError) as err:
        parse_report(rows, "their-file.xlsx")
    assert err.value.reason == reason
    assert "their-file.xlsx" in err.value.message("en") and "their-file.xlsx" in err.value.message("vi")


def _write(path, rows):
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)


def test_cli_report_merge(tmp_path):
    from openpyxl import load_workbook

    _write(tmp_path / "a.xlsx", report_rows("Nhà máy A"))
    _write(tmp_path / "b.xlsx", report_rows("+cmd|' /C calc'!A0"))
    out = tmp_path / "summary.xlsx"
    result = run_cpkb(["report", "merge", "a.xlsx", "b.xlsx", "-o", str(out), "--lang", "vi"], tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    wb = load_workbook(out)
    assert wb.sheetnames == ["Tổng hợp", "Biện pháp"]
    rows = list(wb["Tổng hợp"].iter_rows(values_only=True))
    assert rows[1][1] == "Nhà máy A" and rows[2][1].startswith("'+cmd")
    assert all(c.data_type != "f" for row in wb["Tổng hợp"].iter_rows() for c in row)
    (tmp_path / "bad.xlsx").write_text("not a spreadsheet", encoding="utf-8")
    _write(tmp_path / "other.xlsx", [["Name", "Value"]])
    result = run_cpkb(
        ["report", "merge", "a.xlsx", "bad.xlsx", "other.xlsx", "-o", "x.xlsx", "--lang", "en"], tmp_path, timeout=120
    )
    assert result.returncode == 1
    assert "bad.xlsx was refused: it is not an XLSX file" in result.stderr
    assert "other.xlsx was refused: it is not an annual CP report" in result.stderr
    assert not (tmp_path / "x.xlsx").exists()


# --- a person's whole path in Chromium --------------------------------------------

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
TEXT = {
    "vi": {
        "added": "Đã có trong kế hoạch",
        "done": "Đã hoàn thành",
        "kwh": "100.000",
        "tariff": "2.000",
        "imported": "Đã nhập 2 biện pháp.",
    },
    "en": {
        "added": "In my plan",
        "done": "Done",
        "kwh": "100,000",
        "tariff": "2,000",
        "imported": "2 measures imported.",
    },
}


def _visible(page, selector):
    """The element is in the viewport once scrolled to, and a click there lands on it."""
    el = page.locator(selector)
    el.scroll_into_view_if_needed()
    return page.evaluate(
        """(sel) => { const e = document.querySelector(sel), r = e.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return r.width > 0 && r.right <= innerWidth + 1 && (hit === e || e.contains(hit)); }""",
        selector,
    )


@pytest.mark.build
@pytest.mark.browser
@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_from_a_measure_to_a_plan_to_a_report_and_a_summary(browser, base_url, lang, viewport, tmp_path):
    from openpyxl import load_workbook

    from conftest import Watch

    prefix, text = ("" if lang == "vi" else "en/"), TEXT[lang]
    context = browser.new_context(viewport=VIEWPORTS[viewport], accept_downloads=True)
    page = context.new_page()
    watch = Watch(page, base_url)
    # 1. A measure: the reader types their own figures and sees low–high results.
    page.goto(f"{base_url}{prefix}measures/utl-001/")
    assert _visible(page, "#cp-calc-kwh")
    page.click("#cp-calc-kwh")
    page.keyboard.type(text["kwh"])
    page.click("#cp-calc-tariff")
    page.keyboard.type(text["tariff"])
    results = page.inner_text("#cp-calc-results")
    # UTL-001 saves 5–15 % of energy: 5,000–15,000 kWh, at 2,000 VND/kWh 10–30 million VND a year.
    assert ("5.000 – 15.000" if lang == "vi" else "5,000 – 15,000") in results
    assert ("10.000.000 – 30.000.000" if lang == "vi" else "10,000,000 – 30,000,000") in results
    assert "0,6592" in results or "0.6592" in results
    page.click("#cp-plan-add")
    assert page.inner_text("#cp-plan-add") == text["added"]
    # 2. A second measure, with the keyboard only.
    page.goto(f"{base_url}{prefix}measures/utl-002/")
    page.focus("#cp-plan-add")
    page.keyboard.press("Enter")
    # 3. The plan survives a reload; a status changes and stays changed.
    page.goto(f"{base_url}{prefix}plan/")
    page.reload()
    rows = page.locator("#cp-plan-table tbody tr")
    assert rows.count() == 2
    rows.first.locator("select").select_option(label=text["done"])
    page.reload()
    assert page.locator("#cp-plan-table tbody tr").first.locator("select").input_value() == "done"
    # 4. Export XLSX and CSV, clear the plan, import the XLSX again.
    with page.expect_download() as info:
        page.click("#cp-plan-xlsx")
    xlsx = tmp_path / "plan.xlsx"
    info.value.save_as(xlsx)
    sheet = list(load_workbook(xlsx).active.iter_rows(values_only=True))
    assert sheet[0][:3] == ("cpkb-plan", 1, lang) and sheet[2][0] == "UTL-001" and sheet[2][3] == "done"
    with page.expect_download() as info:
        page.click("#cp-plan-csv")
    csv_path = tmp_path / "plan.csv"
    info.value.save_as(csv_path)
    assert "UTL-002" in csv_path.read_text(encoding="utf-8-sig")
    page.evaluate("localStorage.removeItem('cpkb-plan-v1')")
    page.reload()
    assert page.locator("#cp-plan-table tbody tr").count() == 0
    page.set_input_files("#cp-plan-import", str(xlsx))
    # The file is read asynchronously: wait for the message a person then sees.
    page.wait_for_function(
        "t => document.querySelector('#cp-plan-status').textContent.trim() === t", arg=text["imported"], timeout=15000
    )
    assert page.locator("#cp-plan-table tbody tr").first.locator("select").input_value() == "done"
    # 5. Print the plan to PDF (A4).
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    page.emulate_media(media="screen")
    assert pdf[:4] == b"%PDF"
    # 6. The annual report: facility, measures from the plan, verified results, export.
    page.goto(f"{base_url}{prefix}report/")
    page.fill("#cp-r-facility", "=Nhà máy Bia Hà Nam")
    page.fill("#cp-r-province", "Hà Nam")
    page.click("#cp-report-from-plan")
    page.fill("#cp-rm-0-electricity_kwh", text["kwh"])
    page.reload()
    assert page.input_value("#cp-r-facility") == "=Nhà máy Bia Hà Nam"
    assert page.input_value("#cp-rm-0-electricity_kwh") == text["kwh"]
    with page.expect_download() as info:
        page.click("#cp-report-xlsx")
    report = tmp_path / "report.xlsx"
    info.value.save_as(report)
    rows = list(load_workbook(report).active.iter_rows(values_only=True))
    parsed = parse_report(rows, "report.xlsx")
    assert parsed["fields"]["facility"] == "'=Nhà máy Bia Hà Nam"  # never a formula
    done = [m for m in parsed["measures"] if m["kind"] == "implemented"]
    assert done[0]["electricity_kwh"] == 100_000 and done[0]["co2_t"] == pytest.approx(65.92)
    page.emulate_media(media="print")
    assert page.pdf(format="A4")[:4] == b"%PDF"
    page.emulate_media(media="screen")
    # 7. The provincial merge: two good reports and a foreign file.
    foreign = tmp_path / "notes.xlsx"
    foreign.write_bytes(b"PK not really")
    page.goto(f"{base_url}{prefix}report/merge/")
    second = tmp_path / "report-b.xlsx"
    second.write_bytes(report.read_bytes())
    page.set_input_files("#cp-merge-files", [str(report), str(second), str(foreign)])
    page.wait_for_selector("#cp-merge-table table")
    assert "notes.xlsx" in page.inner_text("#cp-merge-errors")
    with page.expect_download() as info:
        page.click("#cp-merge-xlsx")
    merged = tmp_path / "summary.xlsx"
    info.value.save_as(merged)
    browser_summary = {
        name: [list(r) for r in ws.iter_rows(values_only=True)]
        for name, ws in ((ws.title, ws) for ws in load_workbook(merged).worksheets)
    }
    expected = merge_reports([("report-b.xlsx", parsed), ("report.xlsx", parsed)], lang)
    assert list(browser_summary) == list(expected)
    for name in expected:
        assert [[None if v == "" else v for v in r] for r in browser_summary[name]] == [
            [None if v == "" else v for v in r] for r in expected[name]
        ], name
    assert not watch.errors and not watch.external, (watch.errors, watch.external)
    context.close()


@pytest.mark.build
@pytest.mark.browser
@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("prefix", ["", "en/"])
@pytest.mark.parametrize("path", ["measures/utl-001/", "plan/", "report/", "report/merge/"])
def test_planner_pages_have_no_serious_accessibility_violation(browser, base_url, prefix, path, viewport):
    import json

    page = browser.new_page(viewport=VIEWPORTS[viewport])
    page.goto(base_url + "measures/utl-001/")
    page.click("#cp-plan-add")  # so that the plan page shows its table
    page.goto(base_url + prefix + path)
    if path == "report/":
        page.click("#cp-report-add")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    page.close()
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, json.dumps([{"id": v["id"], "nodes": [n["target"] for n in v["nodes"][:5]]} for v in serious])


@pytest.mark.build
@pytest.mark.browser
@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_add_to_plan_from_a_catalogue_card(browser, base_url, lang, viewport):
    """Issue 16: "add to plan" on the catalogue's cards, with the catalogue's ranges;
    adding again keeps what is already in the plan."""
    prefix, text = ("" if lang == "vi" else "en/"), TEXT[lang]
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    page.goto(f"{base_url}{prefix}measures/")
    card = page.locator("#cp-results li", has=page.locator("code", has_text="UTL-008"))
    card.wait_for()
    button = card.locator("button.cp-result__plan")
    button.scroll_into_view_if_needed()
    assert button.is_visible() and button.inner_text() == ("Thêm vào kế hoạch" if lang == "vi" else "Add to my plan")
    button.click()
    assert button.inner_text() == text["added"]
    assert page.inner_text("#cp-plan-note") == (
        "Đã thêm vào kế hoạch (1 biện pháp)." if lang == "vi" else "Added to your plan; measures in the plan: 1."
    )
    button.click()  # a second click changes nothing
    page.goto(f"{base_url}{prefix}plan/")
    rows = page.locator("#cp-plan-table tbody tr")
    assert rows.count() == 1
    link = rows.first.locator("a")
    assert link.get_attribute("href").endswith("measures/utl-008/") and link.is_visible()
    # The catalogue's ranges: UTL-008 invests 6–25 billion VND to save 1.5–7.5 billion a year.
    figures = rows.first.inner_text()
    assert ("6.000.000.000 – 25.000.000.000" if lang == "vi" else "6,000,000,000 – 25,000,000,000") in figures
    assert ("1.500.000.000 – 7.500.000.000" if lang == "vi" else "1,500,000,000 – 7,500,000,000") in figures
    context.close()


@pytest.mark.build
@pytest.mark.browser
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_calculator_takes_load_and_hours_fuel_in_gj_and_production(browser, base_url, lang):
    """Issue 16: operating hours, production and fuel units beyond tonnes.

    UTL-001 saves 5–15 % of energy. 50 kW × 2,000 h = 100,000 kWh → 5,000–15,000 kWh saved;
    1,000 GJ of fuel oil → 50–150 GJ saved = 50/40.4–150/40.4 = 1.2–3.7 t; at 300,000 VND/GJ
    15,000,000–45,000,000 VND; over 1,000 units of product: 5–15 kWh and 15,000–45,000 VND per unit."""
    prefix = "" if lang == "vi" else "en/"
    n = (lambda s: s) if lang == "en" else (lambda s: s.replace(",", "#").replace(".", ",").replace("#", "."))
    context = browser.new_context(viewport=VIEWPORTS["phone"])
    page = context.new_page()
    page.goto(f"{base_url}{prefix}measures/utl-001/")
    for field, value in (
        ("power_kw", "50"),
        ("hours", n("2,000")),
        ("fuel_qty", n("1,000")),
        ("fuel_price", n("300,000")),
        ("production", n("1,000")),
    ):
        page.click(f"#cp-calc-{field}")
        page.keyboard.type(value)
    page.select_option("#cp-calc-fuel", "fo")
    page.select_option("#cp-calc-fuel_unit", "GJ")
    table = page.locator("#cp-calc-results table")
    table.scroll_into_view_if_needed()
    assert table.is_visible()
    rows = {r.locator("th").inner_text(): r.locator("td").first.inner_text() for r in table.locator("tbody tr").all()}
    kwh = next(v for k, v in rows.items() if "kWh" in k and ("đơn vị" not in k and "unit" not in k))
    assert kwh == n("5,000 – 15,000")
    assert rows[("Nhiên liệu tiết kiệm (GJ/năm)" if lang == "vi" else "Fuel saved (GJ/year)")] == n("50.0 – 150.0")
    tonnes = next(
        v for k, v in rows.items() if k.startswith("Nhiên liệu tiết kiệm (t") or k.startswith("Fuel saved (t")
    )
    assert tonnes == n("1.2 – 3.7")
    per_unit = rows[
        "Điện tiết kiệm trên mỗi đơn vị sản phẩm (kWh/đơn vị)"
        if lang == "vi"
        else "Electricity saved per unit of product (kWh/unit)"
    ]
    assert per_unit == n("5.00 – 15.00")
    assert (
        n("15,000 – 45,000")
        in rows[
            "Tiết kiệm trên mỗi đơn vị sản phẩm (đồng/đơn vị)"
            if lang == "vi"
            else "Saving per unit of product (VND/unit)"
        ]
    )
    context.close()
