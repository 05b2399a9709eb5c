"""The site as a reader sees it, in real Chromium at 1280 px and 390 px: sector
cards, the comparison table, charts on a phone, the font, the 404 page, focus,
anchors, labels in the page's language, the editors' section and printing."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from cpkb.source.catalogue import load_catalogue

pytestmark = [pytest.mark.build, pytest.mark.browser]

DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


@pytest.fixture
def open_page(browser, base_url):
    contexts = []

    def go(path: str, viewport=DESKTOP):
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        return page

    yield go
    for context in contexts:
        context.close()


def visible(page, locator) -> bool:
    """In the viewport and not covered: what a person can actually see."""
    box = locator.bounding_box()
    if not box or box["width"] == 0 or box["height"] == 0:
        return False
    x, y = box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 10)
    return bool(
        page.evaluate(
            "([x, y, el]) => { const hit = document.elementFromPoint(x, y);"
            " return !!hit && (hit === el || el.contains(hit)); }",
            [x, y, locator.element_handle()],
        )
    )


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_each_sector_card_carries_its_own_name_and_count(open_page, mini_site, prefix):
    cat = load_catalogue(mini_site / "measures", root=mini_site)
    lang = "en" if prefix else "vi"
    page = open_page(prefix + "sectors/")
    cards = page.locator(".cp-sector-card")
    assert cards.count() == len(cat.sectors)
    for i, sector in enumerate(cat.sectors):
        card = cards.nth(i)
        assert card.locator(".cp-sector-card__name").inner_text().strip() == sector.name[lang]
        count = card.locator(".cp-sector-card__count").inner_text()
        assert re.search(rf"\b{len(cat.in_sector(sector.key))}\b", count), (sector.key, count)
        assert sector.vsic == "" or sector.vsic in card.inner_text()
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert abs(first["y"] - second["y"]) < 2 and second["x"] > first["x"] + first["width"], "cards sit side by side"


def test_the_comparison_table_looks_like_a_table_and_sorts_both_ways(open_page):
    page = open_page("sectors/beverages/")
    table = page.locator(".cp-compare table")
    border = page.evaluate(
        "el => getComputedStyle(el.querySelector('tbody td')).borderTopWidth", table.element_handle()
    )
    assert border not in ("0px", ""), "Material's table style (row borders) applies"
    payback = table.locator("thead th").nth(5)
    assert payback.get_attribute("aria-sort") == "ascending", "the table starts sorted by payback"
    assert table.locator("thead th").nth(4).inner_text().strip().startswith("Tiết kiệm"), "a savings column"
    investment = table.locator("thead th").nth(3)
    investment.locator("button").click()
    assert investment.get_attribute("aria-sort") == "ascending" and payback.get_attribute("aria-sort") is None
    values = [
        float(v) for v in table.locator("tbody td:nth-child(4)").evaluate_all("els => els.map(e => e.dataset.sort)")
    ]
    assert values == sorted(values)
    investment.locator("button").click()
    assert investment.get_attribute("aria-sort") == "descending"
    values = [
        float(v) for v in table.locator("tbody td:nth-child(4)").evaluate_all("els => els.map(e => e.dataset.sort)")
    ]
    assert values == sorted(values, reverse=True)
    indicator = page.evaluate(
        "el => getComputedStyle(el, '::after').content",
        table.locator("thead th").nth(1).locator(".cp-sort").element_handle(),
    )
    assert indicator not in ("none", '""', ""), "unsorted columns show that they sort"


def test_on_a_phone_the_table_scrolls_inside_the_page_with_the_measure_column_in_view(open_page):
    page = open_page("en/sectors/beverages/", PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    title = page.locator(".cp-compare tbody th").first
    assert page.evaluate("el => getComputedStyle(el).position", title.element_handle()) == "sticky"
    title.evaluate("el => el.scrollIntoView({block: 'center'})")
    # The scrolling box is the table's wrapper (Material adds its own around every plain table).
    scrolled = page.locator(".cp-compare table").evaluate("""t => { let el = t.parentElement;
        while (el && el.scrollWidth <= el.clientWidth) el = el.parentElement;
        if (!el || el === document.documentElement) return 0; el.scrollLeft = 400; return el.scrollLeft; }""")
    assert scrolled > 0, "the table scrolls sideways inside the page"
    assert visible(page, title), "the measure column stays in view while the table scrolls"


def test_chart_labels_stay_readable_on_a_phone_and_points_are_links(open_page):
    page = open_page("sectors/beverages/", PHONE)
    sizes = page.evaluate("""() => [...document.querySelectorAll('.cp-chart svg')]
        .filter(svg => svg.getBoundingClientRect().width > 0)
        .flatMap(svg => { const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                          return [...svg.querySelectorAll('text')].map(t =>
                              parseFloat(getComputedStyle(t).fontSize) * scale); })""")
    assert sizes and min(sizes) >= 10.5, f"smallest chart label {min(sizes):.1f} px"
    point = page.locator(".cp-chart__narrow a[href]").first
    point.evaluate("el => el.scrollIntoView({block: 'center'})")
    href = point.get_attribute("href")
    with page.expect_navigation():
        point.click()
    assert page.url.endswith(href.replace("../", "")), (href, page.url)


def test_the_self_hosted_font_is_the_one_in_use(open_page):
    page = open_page("measures/utl-001/")
    family = page.evaluate("getComputedStyle(document.querySelector('.md-typeset p')).fontFamily")
    assert family.split(",")[0].strip().strip('"') == "CP Sans", family
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px \"CP Sans\"', 'Sản xuất sạch hơn')")
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.family.includes('CP Sans') && f.status === 'loaded').length"
    )
    assert loaded >= 1


def test_the_404_page_speaks_both_languages_and_leads_back(open_page, base_url):
    page = open_page("404.html")
    assert page.evaluate("document.documentElement.lang") == "vi"
    sections = page.locator("section.cp-404")
    assert [sections.nth(i).get_attribute("lang") for i in range(sections.count())] == ["vi", "en"]
    assert "Không tìm thấy trang" in sections.nth(0).inner_text() and "Page not found" in sections.nth(1).inner_text()
    links = page.locator("section.cp-404 a")
    hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
    assert any(h.endswith("/sectors/") for h in hrefs) and any(h.endswith("/en/measures/") for h in hrefs)
    assert page.locator(".md-search__input, #cp-search-input").count() >= 1, "search is offered"
    # The language menu leads to each language's home page (not to the last page built).
    menu = {
        page.locator(".md-select__link").nth(i).get_attribute("hreflang"): page.locator(".md-select__link")
        .nth(i)
        .get_attribute("href")
        for i in range(page.locator(".md-select__link").count())
    }
    assert menu == {"vi": "/", "en": "/en/"}, menu
    with page.expect_navigation():
        sections.nth(1).locator("a").nth(1).click()
    assert page.url == base_url + "en/measures/"


def test_keyboard_focus_is_visible_on_catalogue_checkboxes(open_page):
    page = open_page("measures/")
    box = page.locator('.cp-catalogue__filters input[type="checkbox"]').first
    box.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    style = page.evaluate(
        "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth]; }", box.element_handle()
    )
    assert style[0] != "none" and float(style[1].rstrip("px")) >= 2, style


def test_heading_anchors_fold_d_with_stroke(open_page):
    page = open_page("handbook/general/01-cleaner-production/")
    ids = page.evaluate("[...document.querySelectorAll('article h2')].map(h => [h.textContent, h.id])")
    training = [i for text, i in ids if text.startswith("Đào tạo")]
    assert training and training[0].startswith("dao-tao"), ids


def test_vietnamese_pages_carry_no_english_interface_labels(open_page):
    page = open_page("handbook/beverages/")
    html = page.content()
    for english in ('title="Permanent link"', 'aria-label="Tabs"'):
        assert english not in html, english
    assert page.locator("a.headerlink").first.get_attribute("title") == "Liên kết đến mục này"


def test_editor_pages_are_kept_apart_from_the_readers_menu(open_page):
    page = open_page("")
    tabs = page.locator(".md-tabs__item").all_inner_texts()
    assert tabs[-1].strip() == "Dành cho biên tập viên", tabs
    assert "Tải về" in [t.strip() for t in tabs]
    page = open_page("guides/")
    nav = page.locator(".md-nav--primary .md-nav__item--active").first.inner_text()
    assert "Tham chiếu" in nav or "trường" in nav


def test_a_printed_measure_fits_on_two_pages_without_navigation(open_page, tmp_path):
    page = open_page("measures/utl-001/")
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).display") == "none"
    pdf = tmp_path / "measure.pdf"
    page.pdf(path=str(pdf), format="A4")
    reader = PdfReader(str(pdf))
    assert len(reader.pages) <= 2
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Tìm kiếm" not in text and "Trang chủ" not in text, "no navigation on paper"


def test_on_a_phone_a_measure_shows_its_key_figures_on_the_first_screen(open_page):
    page = open_page("en/measures/utl-001/", PHONE)
    figures = page.locator(".cp-figures")
    assert figures.bounding_box()["y"] < PHONE["height"] * 0.6
    assert visible(page, figures.locator("dd").first)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_an_old_address_of_a_merged_measure_lands_on_the_new_page(open_page, base_url, prefix):
    """A bookmark to a retired id (measures/moved.yml) opens the measure it was merged into."""
    page = open_page(f"{prefix}measures/bev-005/")
    page.wait_for_url(base_url + f"{prefix}measures/utl-001/")
    title = page.locator("article h1")
    assert visible(page, title)
    assert page.evaluate("document.documentElement.lang") == ("en" if prefix else "vi")
    assert "UTL-001" in page.locator("article").inner_text()
