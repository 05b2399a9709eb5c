"""The built website, read back as HTML (BeautifulSoup): pages, figures,
links, escaping of hostile text, downloads, search index."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.build

MINI_IDS = ["BEV-001", "BEV-002", "BEV-009", "UTL-001", "UTL-002", "UTL-008"]


def page(site: Path, path: str) -> BeautifulSoup:
    file = site / path / "index.html"
    assert file.exists(), f"missing page {path}"
    return BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")


def article(soup: BeautifulSoup):
    return soup.select_one("article.md-content__inner")


@pytest.fixture(scope="module")
def site(mini_site) -> Path:
    return mini_site / "site"


@pytest.mark.parametrize("lang,prefix", [("vi", ""), ("en", "en/")])
def test_every_measure_has_a_page_in_each_language(site, lang, prefix):
    for measure_id in MINI_IDS:
        soup = page(site, f"{prefix}measures/{measure_id.lower()}")
        assert soup.html["lang"] == lang
        assert soup.select_one("[data-pagefind-body] h1")


def test_measure_page_in_vietnamese(site):
    soup = page(site, "measures/bev-001")
    body = article(soup)
    assert body.h1.get_text(strip=True).startswith("Lắp đồng hồ đo theo khu vực")
    figures = {
        div.dt.get_text(strip=True): div.dd.get_text(" ", strip=True) for div in body.select(".cp-figures__list > div")
    }
    # BEV-001.yml: investment 50,000,000–300,000,000 VND, payback 0.1–1 year, complexity 1.
    assert figures["Chi phí đầu tư"] == "50–300 triệu đồng"
    assert figures["Thời gian hoàn vốn"] == "Dưới 3 tháng" or figures["Thời gian hoàn vốn"] == "0,1–1 năm"
    assert figures["Mức độ phức tạp"].endswith("Đơn giản")
    assert figures["Kỹ thuật SXSH"] == "Quản lý nội vi tốt"
    headings = [h.get_text(strip=True).rstrip("¶") for h in body.find_all("h2")]
    assert headings[:3] == ["Mô tả và cách thực hiện", "Lợi ích môi trường", "Phạm vi áp dụng"]
    assert "Nguồn tham khảo" in headings
    assert body.select_one(".cp-figures__basis").get_text().startswith("Khoảng tham khảo.")


def test_measure_page_in_english(site):
    body = article(page(site, "en/measures/bev-001"))
    figures = {
        div.dt.get_text(strip=True): div.dd.get_text(" ", strip=True) for div in body.select(".cp-figures__list > div")
    }
    assert figures["Investment"] == "VND 50–300 million"
    assert figures["Payback period"] == "0.1–1 years"
    assert figures["CP technique"] == "Good housekeeping"
    assert body.select_one(".cp-figures__basis").get_text().startswith("Indicative range.")
    # No Vietnamese UI text on an English page.
    assert "Chi phí" not in body.get_text()


def test_sources_are_linked_and_edit_link_points_at_the_yaml(site):
    soup = page(site, "measures/utl-001")
    hrefs = [a["href"] for a in article(soup).find_all("a", href=True)]
    assert "https://www.energy.gov/sites/prod/files/2014/05/f16/steam8_boiler.pdf" in hrefs
    assert any(h.endswith("/edit/main/measures/utilities/UTL-001.yml") for h in hrefs)


def test_related_measures_link_to_their_pages(site):
    # BEV-002.yml: related: [UTL-001]
    body = article(page(site, "measures/bev-002"))
    links = [a["href"] for a in body.find_all("a", href=True) if "utl-001" in a["href"]]
    assert links == ["../utl-001/"]
    assert (site / "measures" / "bev-002" / links[0] / "index.html").resolve().exists()


def test_measures_stay_out_of_the_navigation(site):
    nav = page(site, "measures/bev-001").select_one("nav.md-nav--primary")
    assert not [a for a in nav.find_all("a", href=True) if re.search(r"measures/[a-z]+-\d{3}/?$", a["href"])]


def test_sector_page_lists_its_measures_with_table_chart_and_pdf(site):
    soup = page(site, "sectors/beverages")
    body = article(soup)
    linked = {a["href"].rstrip("/").split("/")[-1] for a in body.find_all("a", href=True) if "/measures/" in a["href"]}
    assert {"bev-001", "bev-002", "bev-009"} <= linked
    assert "utl-001" not in linked
    rows = body.select(".cp-compare table tbody tr")
    assert len(rows) == 3
    charts = body.select("figure.cp-chart")
    assert len(charts) == 3, "investment/payback, techniques, savings by scope"
    drawings = [svg for chart in charts for svg in chart.select("svg")]
    assert len(drawings) == 6 and all(svg.title and svg.desc for svg in drawings), "a wide and a phone drawing each"
    assert body.select_one('a[href$="downloads/cp-handbook-beverages-vi.pdf"]')
    # the introduction comes from handbook/beverages/index.vi.md
    assert body.find("p").get_text(strip=True)


def test_english_sector_page_links_english_pdf(site):
    body = article(page(site, "en/sectors/beverages"))
    link = body.select_one('a[href$=".pdf"]')
    assert link["href"].endswith("downloads/cp-handbook-beverages-en.pdf")
    assert (site / "en" / "sectors" / "beverages" / link["href"]).resolve() == (
        site / "downloads" / "cp-handbook-beverages-en.pdf"
    ).resolve()


def test_catalogue_has_every_facet(site):
    body = article(page(site, "measures"))
    facets = {f["data-facet"]: [i["value"] for i in f.select("input")] for f in body.select("fieldset[data-facet]")}
    assert facets["sector"] == ["beverages", "utilities"]
    assert facets["complexity"] == ["1", "2", "3"]
    assert len(facets["technique"]) == 8
    assert set(facets) == {"sector", "technique", "complexity", "cost", "payback", "resource", "savings"}


def test_hostile_text_is_shown_never_run(site):
    for prefix in ("", "en/"):
        soup = page(site, f"{prefix}measures/bev-009")
        body = article(soup)
        assert "<script>window.__pwned=1</script>" in body.h1.get_text()
        for script in soup.find_all("script"):
            if script.get("type") == "application/json":  # data for our scripts: "<" escaped, never markup
                assert "<" not in script.get_text()
            else:
                assert "__pwned" not in script.get_text()
        assert not body.find_all(["iframe", "img", "style"])
        assert not body.select("svg[onload]")
        assert not [tag for tag in body.find_all(True) if any(attr.startswith("on") for attr in tag.attrs)]
        assert not body.select('a[href^="javascript:"]')


def test_data_downloads(site):
    downloads = site / "downloads"
    raw = (downloads / "cp-measures-vi.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so that Excel shows Vietnamese"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {r["Mã"] for r in rows} == set(MINI_IDS)
    data = json.loads((downloads / "cp-measures-en.json").read_text(encoding="utf-8"))
    assert data["count"] == len(MINI_IDS) and data["language"] == "en"
    from openpyxl import load_workbook

    sheet = load_workbook(downloads / "cp-measures-vi.xlsx").active
    assert sheet.max_row == len(MINI_IDS) + 1


def test_vietnamese_downloads_speak_vietnamese_with_units(site):
    header = (site / "downloads" / "cp-measures-vi.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert not re.search(r"\b(min|max|VND|year|Id)\b", header), header
    assert "Chi phí đầu tư, mức thấp (đồng)" in header and "Thời gian hoàn vốn, mức cao (năm)" in header


def test_the_semicolon_csv_opens_in_vietnamese_excel(site):
    text = (site / "downloads" / "cp-measures-vi-semicolon.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert {r["Mã"] for r in rows} == set(MINI_IDS)
    paybacks = [r["Thời gian hoàn vốn, mức thấp (năm)"] for r in rows]
    assert any("," in p for p in paybacks) and not any("." in p for p in paybacks), "decimal commas"


def test_the_workbook_is_ready_to_use(site):
    from openpyxl import load_workbook

    book = load_workbook(site / "downloads" / "cp-measures-vi.xlsx")
    data, about = book.worksheets
    headers = [c.value for c in data[1]]
    assert data.auto_filter.ref == f"A1:{data.cell(1, len(headers)).column_letter}{len(MINI_IDS) + 1}"
    assert data.column_dimensions["F"].width >= 40, "the title column is wide"
    investment = headers.index("Chi phí đầu tư, mức thấp (đồng)") + 1
    assert data.cell(2, investment).number_format == "#,##0" and isinstance(data.cell(2, investment).value, int | float)
    reviewed = data.cell(2, headers.index("Ngày rà soát gần nhất") + 1).value
    assert hasattr(reviewed, "year"), "dates are dates"
    explained = [row[0].value for row in about.iter_rows(min_row=2) if row[0].value]
    assert all(h in explained for h in headers), "the second sheet explains every column"
    assert any("CPKB_SITE_URL" in str(v) for v in explained), "says that addresses are relative"


def test_json_downloads_join_on_codes_and_follow_their_schema(site):
    import jsonschema

    vi = json.loads((site / "downloads" / "cp-measures-vi.json").read_text(encoding="utf-8"))
    en = json.loads((site / "downloads" / "cp-measures-en.json").read_text(encoding="utf-8"))
    schema = json.loads((site / "downloads" / vi["$schema"]).read_text(encoding="utf-8"))
    jsonschema.validate(vi, schema)
    jsonschema.validate(en, schema)
    by_id = {m["id"]: m for m in en["measures"]}
    for m in vi["measures"]:
        other = by_id[m["id"]]
        assert m["technique"]["key"] == other["technique"]["key"] and m["sector"]["key"] == other["sector"]["key"]
        assert m["title"] != other["title"] or m["id"] == "BEV-009"
        assert m["description"] and m["sources"][0]["publisher"]
        for kind, saving in m["savings"].items():
            assert saving["scope"] == other["savings"][kind]["scope"]
    assert vi["format_version"] and vi["generated"]


def test_search_index_has_one_index_per_language(site):
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    assert set(entry["languages"]) == {"vi", "en"}
    assert all(info["page_count"] >= len(MINI_IDS) for info in entry["languages"].values())


def test_no_external_resources(site):
    for html in site.rglob("*.html"):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
            for el in soup.find_all(tag):
                url = el.get(attr) or ""
                assert not url.startswith(("http:", "https:", "//")), f"{html}: {tag} loads {url}"


def test_no_broken_internal_links_or_anchors(site):
    lychee = shutil.which("lychee") or str(Path(__import__("sys").executable).parent / "lychee")
    # assets/generated/catalogue-charts-*.html is a fragment the catalogue page inserts:
    # its links are relative to /measures/, where tests/test_search.py follows one as a person would.
    result = subprocess.run(
        [
            lychee,
            "--offline",
            "--include-fragments",
            "--no-progress",
            "--exclude-path",
            str(site / "assets" / "generated"),
            "--root-dir",
            str(site),
            f"{site}/**/*.html",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_every_edit_link_opens_a_real_source_file(mini_site):
    """Edit links are repo_url + edit_uri + a path from the project root: a docs/ page
    is its own file, a generated page names its source (YAML, chapter), or has none."""
    site, base = mini_site / "site", "https://github.com/cpkb/cp-handbook/edit/main/"
    checked = 0
    for html_file in site.rglob("*.html"):
        soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
        for a in soup.select('a[href*="/edit/"]'):
            assert a["href"].startswith(base), f"{html_file}: edit link {a['href']} does not start at {base}"
            source = a["href"][len(base) :]
            assert (mini_site / source).is_file(), f"{html_file.relative_to(site)}: edit link to missing {source}"
            checked += 1
    assert checked > 20
    catalogue = page(site, "measures")
    assert not catalogue.select('a[href*="/edit/"]'), "a generated page without a source shows no edit link"


@pytest.mark.parametrize("prefix,lang", [("", "vi"), ("en/", "en")])
def test_a_retired_id_keeps_its_address_and_forwards(site, prefix, lang):
    """measures/moved.yml: /measures/bev-005/ still answers, in the reader's language,
    and points (refresh, canonical and a visible link) at the measure it moved to."""
    soup = page(site, f"{prefix}measures/bev-005")
    assert soup.html["lang"] == lang
    assert soup.select_one('meta[http-equiv="refresh"]')["content"] == "0; url=../utl-001/"
    assert soup.select_one('link[rel="canonical"]')["href"] == "../utl-001/"
    assert soup.select_one('meta[name="robots"]')["content"] == "noindex"
    link = soup.select_one("main a")
    assert link["href"] == "../utl-001/" and link.get_text().startswith("UTL-001: ")
    heading = soup.h1.get_text()
    assert heading == (
        "Biện pháp BEV-005 đã được gộp vào UTL-001" if lang == "vi" else "Measure BEV-005 was merged into UTL-001"
    )
    assert (site / prefix / "measures" / "utl-001" / "index.html").exists()


def test_a_cross_cutting_measure_is_listed_on_the_sectors_it_applies_to(site):
    sector = article(page(site, "sectors/beverages"))
    heading = next((h for h in sector.find_all("h2") if h.get_text().startswith("Biện pháp dùng chung áp dụng")), None)
    assert heading is not None
    listed = heading.find_next("ul").select("a")
    assert [a["href"] for a in listed] == ["../../measures/utl-002/"]
    measure = article(page(site, "en/measures/utl-002"))
    also = measure.find("dt", string="Also applies to").find_next("dd")
    assert [a["href"] for a in also.select("a")] == ["../../sectors/beverages/"]
    # The catalogue's sector facet counts it under beverages too: BEV-001, 002 and 009, and UTL-002.
    counts = {s["data-count-for"]: s.get_text() for s in page(site, "measures").select("[data-count-for^='sector:']")}
    assert counts == {"sector:beverages": "(4)", "sector:utilities": "(3)"}
