"""The support data (issue 17): consultants, funding, cases, events and awards.

Validation with file:line:col, the seeded entries' sources, and a small built
site (the mini project plus support entries full of markup) read as a person
would: pages in both languages, hostile text inert, the iCalendar feeds, the
downloads, and the support lines on measure and sector pages.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import MINI, ROOT, make_site_project, run_cpkb
from cpkb.source.support import KINDS, skeleton_yaml, validate_support

SCHEMAS = ROOT / "handbook" / "support" / "schemas"
EVIL = "<script>window.__pwned=1</script><img src=x onerror='window.__pwned=2'>"
NEXT_YEAR = dt.date.today().year + 1

SOURCE = """sources:
  - title: "A <b>report</b>"
    publisher: "<i>Publisher</i>"
    url: https://example.org/report
    checked: 2026-12-01
reviewed: 2026-12-01
"""

ENTRIES = {
    "consultants/evil-centre.yml": f"""id: evil-centre
name: {{vi: "Trung tâm {EVIL}", en: "Centre {EVIL}"}}
kind: national_centre
region: north
provinces: [Hà Nội]
sectors: [beverages]
services: [cp_assessment, energy_audit]
website: https://example.org/
description: {{vi: "<svg onload=alert(1)>Mô tả **đậm** {{: onclick=\\"alert(1)\\"}}", en: "<svg onload=alert(1)>Text **bold** {{: onclick=\\"alert(1)\\"}}"}}
"""
    + SOURCE,
    "consultants/plain-centre.yml": """id: plain-centre
name: {vi: "Trung tâm miền Nam", en: "Southern centre"}
kind: energy_conservation
region: south
services: [energy_audit]
description: {vi: "Kiểm toán năng lượng.", en: "Energy audits."}
"""
    + SOURCE,
    "funding/evil-fund.yml": f"""id: evil-fund
name: {{vi: "=HYPERLINK(\\"http://x\\") Quỹ {EVIL}", en: "=HYPERLINK(\\"http://x\\") Fund {EVIL}"}}
provider: {{vi: "Bộ", en: "Ministry"}}
kind: loan
finances: {{vi: "<iframe src=x></iframe>Đầu tư", en: "<iframe src=x></iframe>Investments"}}
eligible: {{vi: "Doanh nghiệp", en: "Companies"}}
how_to_apply: {{vi: "Nộp hồ sơ", en: "Apply"}}
legal_basis:
  - {{title: "Decree <b>1</b>", url: https://example.org/decree, checked: 2026-12-01}}
techniques: []
"""
    + SOURCE,
    "cases/evil-case.yml": f"""id: evil-case
title: {{vi: "Điển hình {EVIL}", en: "Case {EVIL}"}}
sectors: [beverages]
facility: {{vi: "Nhà máy bia <b>lớn</b>", en: "A <b>large</b> brewery"}}
measures: [BEV-001]
summary: {{vi: "Đã làm <script>alert(1)</script> **việc**", en: "Did <script>alert(1)</script> **work**"}}
investment_vnd: 32000000
results:
  - {{vi: "Kết quả <img src=x onerror=alert(1)>", en: "Result <img src=x onerror=alert(1)>"}}
figure_basis: reported
"""
    + SOURCE,
    "events/past-workshop.yml": f"""id: past-workshop
title: {{vi: "Hội thảo {EVIL}", en: "Workshop {EVIL}"}}
start: 2018-08-21
place: {{vi: "Hà Nội", en: "Hanoi"}}
organiser: {{vi: "Trung tâm", en: "Centre"}}
language: [vi]
audience: {{vi: "Doanh nghiệp", en: "Companies"}}
description: {{vi: "Mô tả", en: "About"}}
"""
    + SOURCE,
    "events/next-course.yml": f"""id: next-course
title: {{vi: "Khóa học sắp tới", en: "Coming course"}}
start: {NEXT_YEAR}-03-02
end: {NEXT_YEAR}-03-04
place: {{vi: "Trực tuyến", en: "Online"}}
online: true
organiser: {{vi: "Trung tâm", en: "Centre"}}
audience: {{vi: "Kỹ sư", en: "Engineers"}}
registration: https://example.org/register
description: {{vi: "Mô tả", en: "About"}}
"""
    + SOURCE,
    "awards/evil-award.yml": f"""id: evil-award
name: {{vi: "Giải {EVIL}", en: "Award {EVIL}"}}
authority: {{vi: "Sở", en: "Department"}}
scope: energy_efficiency
purpose: {{vi: "Mục đích", en: "Purpose"}}
criteria: {{vi: "Tiêu chí", en: "Criteria"}}
how_to_apply: {{vi: "Đăng ký", en: "Apply"}}
recipients: []
"""
    + SOURCE,
}


def _support_project(project: Path, entries: dict[str, str] = ENTRIES) -> Path:
    support = project / "handbook" / "support"
    shutil.copytree(SCHEMAS, support / "schemas")
    for kind in KINDS:
        (support / kind).mkdir(parents=True, exist_ok=True)
    for rel, text in entries.items():
        (support / rel).write_text(text, encoding="utf-8")
    return project


# --- validation ---------------------------------------------------------------


def test_the_fixture_entries_validate(mini_project):
    support = validate_support(_support_project(mini_project))
    assert support.problems == [], "\n".join(p.format() for p in support.problems)
    assert {k: len(v) for k, v in support.entries.items()} == {
        "consultants": 2,
        "funding": 1,
        "cases": 1,
        "events": 2,
        "awards": 1,
    }


BAD = {
    # schema errors, located on the line and column of the field
    "funding/bad-kind.yml": (
        "id: bad-kind\nname: {vi: A, en: B}\nkind: loanx\n",
        [
            'handbook/support/funding/bad-kind.yml:3:1 kind: "loanx" is not allowed',
            "handbook/support/funding/bad-kind.yml:1:1 missing required field 'provider'",
            "handbook/support/funding/bad-kind.yml:1:1 missing required field 'legal_basis'",
        ],
    ),
    # a source address that is not a web address, and a check in the future
    "consultants/bad-url.yml": (
        ENTRIES["consultants/plain-centre.yml"]
        .replace("id: plain-centre", "id: bad-url")
        .replace("url: https://example.org/report", "url: javascript:alert(1)")
        .replace("checked: 2026-12-01", f"checked: {NEXT_YEAR}-01-01"),
        [
            "handbook/support/consultants/bad-url.yml:10:5 sources[0].url",
            f"handbook/support/consultants/bad-url.yml:11:5 sources[0].checked: {NEXT_YEAR}-01-01 is in the future",
        ],
    ),
    # references to the catalogue
    "cases/bad-refs.yml": (
        ENTRIES["cases/evil-case.yml"]
        .replace("id: evil-case", "id: bad-refs")
        .replace("sectors: [beverages]", "sectors: [beverage]")
        .replace("measures: [BEV-001]", "measures: [BEV-099]"),
        [
            "handbook/support/cases/bad-refs.yml:3:11 sectors[0]: unknown sector 'beverage'",
            "handbook/support/cases/bad-refs.yml:5:12 measures[0]: measure 'BEV-099' does not exist",
        ],
    ),
    # id and file name, YAML syntax
    "events/wrong-name.yml": (
        ENTRIES["events/past-workshop.yml"],
        ["handbook/support/events/wrong-name.yml:1:1 id: id 'past-workshop' does not match the file name"],
    ),
    "awards/broken.yml": (
        'id: broken\nname: {vi: "A", en: B\n',
        ["handbook/support/awards/broken.yml:3:1 YAML syntax error"],
    ),
    # a skeleton's placeholder never passes
    "events/todo.yml": (None, ["handbook/support/events/todo.yml:5:9 title.vi: the placeholder TODO is still here"]),
}


@pytest.mark.parametrize("rel", sorted(BAD))
def test_bad_files_are_reported_with_file_line_column(mini_project, rel):
    project = _support_project(mini_project, {})
    text, expected = BAD[rel]
    if text is None:
        text = skeleton_yaml(project, rel.split("/")[0], Path(rel).stem)
    (project / "handbook" / "support" / rel).write_text(text, encoding="utf-8")
    shown = [p.format() for p in validate_support(project).problems]
    for want in expected:
        assert any(line.startswith(want) for line in shown), f"{want!r} not in:\n" + "\n".join(shown)


def test_cpkb_validate_reports_support_files(mini_project):
    project = _support_project(mini_project, {"funding/bad-kind.yml": BAD["funding/bad-kind.yml"][0]})
    result = run_cpkb(["validate"], project)
    assert result.returncode == 1
    assert "handbook/support/funding/bad-kind.yml:3:1 kind:" in result.stdout


def test_cpkb_new_writes_a_skeleton_for_each_kind(mini_project):
    project = _support_project(mini_project, {})
    for kind in KINDS:
        result = run_cpkb(["new", "--kind", kind, "--id", f"new-{kind}"], project)
        assert result.returncode == 0, result.stderr
        text = (project / "handbook" / "support" / kind / f"new-{kind}.yml").read_text(encoding="utf-8")
        assert text.startswith(f"# yaml-language-server: $schema=../schemas/{kind}.schema.json")
    # Skeletons parse and fail only on their placeholders.
    problems = validate_support(project).problems
    assert problems and all("placeholder" in p.message or "TODO" in p.message for p in problems), [
        p.format() for p in problems
    ]


# --- the seeded data ----------------------------------------------------------


def test_every_seeded_entry_is_valid_and_cites_a_checked_public_source():
    support = validate_support(ROOT)
    assert support.problems == [], "\n".join(p.format() for p in support.problems)
    assert support.files_checked == sum(len(v) for v in support.entries.values()) > 0
    for kind in KINDS:
        for entry in support.of(kind):
            assert entry.data["sources"], entry.shown
            for source in entry.data["sources"]:
                assert source["url"].startswith(("https://", "http://")), entry.shown
                assert dt.date.fromisoformat(source["checked"]) <= dt.date.today(), entry.shown
            for basis in entry.data.get("legal_basis", []):
                assert basis["url"].startswith(("https://", "http://")) and basis["checked"], entry.shown
    assert all(e.data["figure_basis"] == "reported" for e in support.of("cases"))


# --- the built site -----------------------------------------------------------


@pytest.fixture(scope="module")
def support_site(tmp_path_factory) -> Path:
    """The mini project with the entries above, built without PDFs; returns the site folder."""
    project = tmp_path_factory.mktemp("support-site") / "project"
    shutil.copytree(MINI, project)
    shutil.copy2(ROOT / "measures" / "schema.json", project / "measures" / "schema.json")
    _support_project(project)
    make_site_project(project)
    result = run_cpkb(["build", "--no-pdf"], project)
    assert result.returncode == 0, result.stdout + result.stderr
    return project / "site"


def _page(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel / "index.html").read_text(encoding="utf-8"), "html.parser")


PAGES = [
    "support",
    "support/consultants",
    "support/funding",
    "support/cases",
    "support/cases/evil-case",
    "support/events",
    "support/awards",
    "support/reference",
]


@pytest.mark.build
@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_support_pages_exist_in_both_languages(support_site, page, lang):
    soup = _page(support_site, page if lang == "vi" else f"en/{page}")
    assert soup.html["lang"] == lang
    assert soup.select_one("article h1")
    kind = soup.select_one('[data-pagefind-filter="kind"]')
    if page not in ("support", "support/cases", "support/reference"):
        assert kind is not None and kind.get_text() in ("consultant", "funding", "case", "event", "award")


@pytest.mark.build
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_hostile_text_is_inert(support_site, page, lang):
    soup = _page(support_site, page if lang == "vi" else f"en/{page}")
    article = soup.select_one("article")
    assert not article.select("script, iframe, svg[onload], img[onerror]")
    for tag in article.find_all(True):
        assert not any(attr.startswith("on") for attr in tag.attrs), tag
        assert not str(tag.get("href", "")).lower().startswith("javascript:")
    if page in ("support/consultants", "support/funding", "support/awards", "support/cases/evil-case"):
        assert "<script>window.__pwned=1</script>" in article.get_text()  # shown as text


@pytest.mark.build
def test_consultant_directory_has_filters_and_links_sectors(support_site):
    soup = _page(support_site, "en/support/consultants")
    form = soup.select_one("form[data-cp-filter=consultants]")
    assert {s["name"] for s in form.select("select")} == {"region", "sector", "service"}
    card = soup.select_one("#evil-centre")
    assert card["data-region"] == "north" and card["data-sectors"] == "beverages"
    assert card.select_one('a[href="../../sectors/beverages/"]')
    assert soup.select_one("#how-to-be-listed")
    sector = _page(support_site, "en/sectors/beverages")
    assert sector.select_one('a[href="../../support/consultants/index.html#evil-centre"]')
    assert sector.select_one('a[href="../../support/cases/evil-case/"]')


@pytest.mark.build
def test_measure_pages_show_funding_and_case_count(support_site):
    soup = _page(support_site, "en/measures/bev-001")
    assert soup.select_one('a[href="../../support/funding/index.html#evil-fund"]')
    cases = soup.select_one(".cp-support-cases")
    assert cases["data-cases"] == "1" and "Applied in 1 documented case" in cases.get_text()
    other = _page(support_site, "measures/utl-001")
    assert other.select_one(".cp-support-cases")["data-cases"] == "0"


@pytest.mark.build
def test_case_page_marks_figures_as_reported_and_links_measures(support_site):
    soup = _page(support_site, "en/support/cases/evil-case")
    text = soup.select_one("article").get_text(" ")
    assert "Reported figures" in text and "32,000,000" in text
    assert soup.select_one('a[href="../../../measures/bev-001/"]')


@pytest.mark.build
def test_events_page_splits_upcoming_and_past(support_site):
    soup = _page(support_site, "support/events")
    headings = [h.get_text(strip=True).rstrip("¶") for h in soup.select("article h2")]
    assert headings[:2] == ["Sắp diễn ra", "Sự kiện đã qua"]
    cards = soup.select("article .cp-support-card")
    assert [c["id"] for c in cards] == ["next-course", "past-workshop"]


@pytest.mark.build
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_ics_feed_parses_and_has_the_events(support_site, lang):
    import icalendar

    page = _page(support_site, "support/events" if lang == "vi" else "en/support/events")
    href = page.select_one('a[type="text/calendar"]')["href"]
    base = support_site / ("support/events" if lang == "vi" else "en/support/events")
    feed = (base / href).resolve()
    assert feed.exists(), href
    cal = icalendar.Calendar.from_ical(feed.read_bytes())
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"past-workshop@cpkb", "next-course@cpkb"}
    course = events["next-course@cpkb"]
    assert course.decoded("dtstart") == dt.date(NEXT_YEAR, 3, 2)
    assert course.decoded("dtend") == dt.date(NEXT_YEAR, 3, 5)  # exclusive end of an all-day event
    assert str(events["past-workshop@cpkb"]["summary"]).startswith("Hội thảo" if lang == "vi" else "Workshop")


@pytest.mark.build
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_downloads_contain_the_entries(support_site, lang):
    downloads = support_site / "downloads"
    data = json.loads((downloads / f"cp-support-{lang}.json").read_text(encoding="utf-8"))
    assert {e["id"] for e in data["consultants"]} == {"evil-centre", "plain-centre"}
    assert [e["id"] for e in data["cases"]] == ["evil-case"] and data["cases"][0]["measures"] == "BEV-001"
    assert all(e["sources"] and e["checked"] for kind in KINDS for e in data[kind])
    for kind in KINDS:
        text = (downloads / f"cp-support-{kind}-{lang}.csv").read_text(encoding="utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == len(data[kind])
    funding = list(
        csv.DictReader(io.StringIO((downloads / f"cp-support-funding-{lang}.csv").read_text(encoding="utf-8-sig")))
    )
    assert funding[0]["name"].startswith("'=HYPERLINK")  # never a formula in a spreadsheet
    page = _page(support_site, "downloads" if lang == "vi" else "en/downloads")
    assert page.select_one(f'a[href$="downloads/cp-support-{lang}.json"]')


def test_a_project_without_support_data_builds_as_before(mini_project):
    from cpkb.site.pages import render_pages

    pages = render_pages(mini_project)
    assert not any(p.startswith("support/") for p in pages)


@pytest.mark.build
def test_no_broken_links_or_anchors_on_support_pages(support_site):
    lychee = shutil.which("lychee") or str(Path(__import__("sys").executable).parent / "lychee")
    result = __import__("subprocess").run(
        [
            lychee,
            "--offline",
            "--include-fragments",
            "--no-progress",
            "--exclude",
            r"downloads/.*\.pdf$",
            "--root-dir",
            str(support_site),
            f"{support_site}/support/**/*.html",
            f"{support_site}/en/support/**/*.html",
            f"{support_site}/measures/**/*.html",
            f"{support_site}/en/sectors/**/*.html",
            f"{support_site}/downloads/index.html",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
