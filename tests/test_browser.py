"""The built site in real Chromium (Debian's, driven by Playwright): search,
catalogue filters, language switcher, console errors, external requests."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from cpkb.source.catalogue import load_catalogue

from conftest import Watch

pytestmark = [pytest.mark.build, pytest.mark.browser]


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.watch = Watch(page, base_url)
    yield page
    assert page.watch.external == [], "requests left the site"
    assert page.watch.errors == [], "console errors"
    context.close()


def search(page, query: str) -> list[str]:
    page.keyboard.press("/")
    page.locator("#cp-search-input").wait_for(state="visible")
    page.fill("#cp-search-input", query)
    page.wait_for_selector("#cp-search-results li a", timeout=15000)
    return page.eval_on_selector_all("#cp-search-results li a", "els => els.map(a => new URL(a.href).pathname)")


def test_unaccented_vietnamese_query_finds_the_measure(page, base_url):
    page.goto(base_url)
    results = search(page, "thu hoi nuoc ngung")
    assert results[0] == "/measures/utl-001/"
    text = page.inner_text("#cp-search-results li:first-child")
    assert "Hệ thống phụ trợ dùng chung" in text  # the sector, shown with the hit
    assert all(not r.startswith("/en/") for r in results)


def test_english_query_on_english_pages(page, base_url):
    page.goto(base_url + "en/")
    results = search(page, "return condensate boiler")
    assert results[0] == "/en/measures/utl-001/"
    assert all(r.startswith("/en/") for r in results), "English search returns English pages only"


def test_catalogue_filters_survive_a_reload(page, base_url, mini_site):
    cat = load_catalogue(mini_site / "measures", root=mini_site)
    # The sector filter also finds the measures of other sectors that list it in also_in.
    expected = sorted(m.id for m in cat.measures if "beverages" in (m.sector, *m.also_in) and m.complexity == 1)
    assert any(m.sector != "beverages" for m in cat.measures if m.id in expected), (
        "the mini project has an also_in case"
    )
    page.goto(base_url + "measures/")
    page.wait_for_selector("#cp-results li")
    page.check('input[name="sector"][value="beverages"]')
    page.check('input[name="complexity"][value="1"]')
    page.wait_for_function(f"document.querySelectorAll('#cp-results li').length === {len(expected)}")
    assert "sector=beverages" in page.url and "complexity=1" in page.url

    page.reload()
    page.wait_for_function(f"document.querySelectorAll('#cp-results li').length === {len(expected)}")
    shown = sorted(page.eval_on_selector_all("#cp-results li code", "els => els.map(e => e.textContent)"))
    assert shown == expected
    assert page.is_checked('input[name="sector"][value="beverages"]')
    count = page.inner_text('[data-count-for="complexity:1"]')
    assert count == f"({len(expected)})"


def test_catalogue_sorts_by_payback(page, base_url, mini_site):
    cat = load_catalogue(mini_site / "measures", root=mini_site)
    page.goto(base_url + "en/measures/?sort=payback")
    page.wait_for_function(f"document.querySelectorAll('#cp-results li').length === {len(cat.measures)}")
    shown = page.eval_on_selector_all("#cp-results li code", "els => els.map(e => e.textContent)")
    paybacks = [cat.by_id[i].payback_years.mid for i in shown]
    assert paybacks == sorted(paybacks)


def test_language_switcher_keeps_the_measure(page, base_url):
    page.goto(base_url + "measures/utl-001/")
    page.hover(".md-header__option .md-select")
    page.click('.md-select__link[hreflang="en"]')
    page.wait_for_load_state()
    assert urlparse(page.url).path == "/en/measures/utl-001/"
    assert page.inner_text("article h1").startswith("Return condensate")


def test_hostile_record_does_not_run(page, base_url):
    page.goto(base_url + "measures/bev-009/")
    assert page.evaluate("window.__pwned === undefined")
    assert "<script>" in page.inner_text("article h1")
