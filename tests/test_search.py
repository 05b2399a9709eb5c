"""Search as a person uses it, on the real catalogue in Chromium: click or tap
the header box, type, look at what is on the screen. Never a shortcut, never
Pagefind called from a test (design notes §5).

The search-quality set is tests/search_queries.yml; `make bench` reports the
same share (cpkb.bench)."""

from __future__ import annotations

import re
from contextlib import contextmanager


import pytest
import yaml

from cpkb.source.catalogue import load_catalogue

from conftest import ROOT, Watch, serve

pytestmark = [pytest.mark.build, pytest.mark.browser]

QUERIES = yaml.safe_load((ROOT / "tests" / "search_queries.yml").read_text(encoding="utf-8"))
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def search_url(real_site):
    """The session's real site (built once, conftest.real_site), served over HTTP."""
    url, server = serve(real_site)
    yield url
    server.shutdown()


def new_page(browser, base_url, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, has_touch=viewport is PHONE, is_mobile=viewport is PHONE)
    page = context.new_page()
    page.watch = Watch(page, base_url)
    return page


@pytest.fixture
def desktop(browser, search_url):
    page = new_page(browser, search_url)
    yield page
    assert page.watch.errors == [] and page.watch.external == []
    page.context.close()


def visible(page, selector: str) -> bool:
    """A person sees it: in the viewport and on top (elementFromPoint lands on it)."""
    return page.eval_on_selector(
        selector,
        """el => {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || r.bottom < 0 || r.top > innerHeight) return false;
        const x = r.left + Math.min(r.width / 2, 40), y = r.top + Math.min(r.height / 2, 10);
        const hit = document.elementFromPoint(x, y);
        return !!hit && (el === hit || el.contains(hit));
    }""",
    )


def open_box(page, phone: bool = False) -> None:
    """Click the header box (a phone shows a magnifier button instead)."""
    if phone:
        page.tap('label.md-header__button[for="__search"]')
    else:
        page.click("#cp-search-input")


def type_query(page, query: str, fill: bool = False) -> list[str]:
    """Type into the open box and wait until the list answers `query`; the result paths."""
    box = page.locator("#cp-search-input")
    box.fill("")
    if fill:
        box.fill(query)
    else:
        box.press_sequentially(query, delay=20)
    page.wait_for_function(
        "q => document.getElementById('cp-search-results').dataset.query === q", arg=query.strip(), timeout=20000
    )
    return page.eval_on_selector_all(
        "#cp-search-results a.md-search-result__link", "els => els.map(a => new URL(a.href).pathname)"
    )


def measure_id(path: str) -> str | None:
    parts = [p for p in path.split("/") if p]
    return parts[-1].upper() if len(parts) >= 2 and parts[-2] == "measures" else None


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize(
    "lang,query,expected",
    [
        ("vi", "thu hoi nuoc ngung", "/measures/utl-001/"),
        ("en", "return condensate boiler", "/en/measures/utl-001/"),
    ],
)
def test_clicking_the_box_and_typing_shows_results(browser, search_url, viewport, lang, query, expected):
    page = new_page(browser, search_url, viewport)
    page.goto(search_url + ("en/" if lang == "en" else ""))
    open_box(page, phone=viewport is PHONE)
    results = type_query(page, query)
    assert results[0] == expected
    first = "#cp-search-results li:first-child a"
    assert visible(page, first), "the first result is not on the screen"
    assert visible(page, "#cp-search-meta")
    assert all(r.startswith("/en/") == (lang == "en") for r in results), "one language per index"
    assert page.watch.errors == []
    page.context.close()


def test_arrows_enter_and_escape(desktop, search_url):
    page = desktop
    page.goto(search_url)
    open_box(page)
    results = type_query(page, "bien tan")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    active = "#cp-search-results a.cp-search-hit--active"
    assert page.eval_on_selector(active, "a => new URL(a.href).pathname") == results[1]
    # The highlight is visible: an outline of its own.
    assert page.eval_on_selector(active, "a => getComputedStyle(a).outlineStyle") == "solid"
    page.keyboard.press("ArrowUp")
    assert page.eval_on_selector(active, "a => new URL(a.href).pathname") == results[0]
    page.keyboard.press("Escape")
    assert (
        not visible(page, "#cp-search-results li:first-child a")
        if page.locator("#cp-search-results li").count()
        else True
    )
    assert not page.is_checked("#__search")
    open_box(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**" + results[0])


def test_every_result_is_reachable_and_the_total_is_honest(desktop, search_url):
    page = desktop
    page.goto(search_url)
    open_box(page)
    type_query(page, "nuoc")
    meta = page.inner_text("#cp-search-meta")
    total = int(meta.split()[0])
    assert total > 20
    while page.locator("button.cp-search-more").count():
        page.click("button.cp-search-more")
        page.wait_for_timeout(150)
    links = page.eval_on_selector_all("#cp-search-results a.md-search-result__link", "els => els.map(a => a.href)")
    assert len(links) == total and len(set(links)) == total


@pytest.mark.parametrize(
    "lang,query", [("en", "translation status"), ("en", "benchmarks"), ("vi", "tham chieu cac truong")]
)
def test_editor_pages_are_not_in_readers_search(desktop, search_url, lang, query):
    page = desktop
    page.goto(search_url + ("en/" if lang == "en" else ""))
    open_box(page)
    results = type_query(page, query)
    assert not [
        r
        for r in results
        if "/guides/translations/" in r or "/guides/benchmarks/" in r or "/guides/field-reference/" in r
    ]


def test_a_measure_hit_keeps_its_sector_and_figures(desktop, search_url):
    page = desktop
    page.goto(search_url)
    open_box(page)
    type_query(page, "CIP")
    text = page.inner_text("#cp-search-results li:first-child")
    # A CIP measure, with its id, its sector and its key figures (which one ranks first changes with the catalogue).
    assert re.match(r"[A-Z]+-\d{3} · ", text) and "CIP" in text, text
    assert "Chi phí đầu tư" in text and "·" in text.split("\n", 1)[-1], text


TABS = 4
"""Quality queries run in this many tabs at once: each query still waits for the
box's 120 ms pause and Pagefind's answer, but those waits overlap (316 titles:
66 s one after another)."""


@contextmanager
def tabs(browser, search_url: str):
    """TABS desktop pages; none may log an error or ask another host."""
    pages = [new_page(browser, search_url) for _ in range(TABS)]
    try:
        yield pages
        for page in pages:
            assert page.watch.errors == [] and page.watch.external == []
    finally:
        for page in pages:
            page.context.close()


def answers(pages, search_url: str, lang: str, queries: list[str]) -> list[list[str]]:
    """Each query typed into the open header box of one of `pages`, a batch at a
    time; the result paths of each, in the order of `queries`."""
    for page in pages:
        page.goto(search_url + ("en/" if lang == "en" else ""))
        open_box(page)
    out = []
    for start in range(0, len(queries), len(pages)):
        batch = list(zip(pages, queries[start : start + len(pages)]))
        for page, query in batch:
            box = page.locator("#cp-search-input")
            box.fill("")
            box.fill(query)
        for page, query in batch:
            page.wait_for_function(
                "q => document.getElementById('cp-search-results').dataset.query === q",
                arg=query.strip(),
                timeout=20000,
            )
            out.append(
                page.eval_on_selector_all(
                    "#cp-search-results a.md-search-result__link", "els => els.map(a => new URL(a.href).pathname)"
                )
            )
    return out


def quality(browser, search_url) -> tuple[float, list[str]]:
    found, missed = 0, []
    with tabs(browser, search_url) as pages:
        results = {
            lang: answers(pages, search_url, lang, [entry["q"] for entry in QUERIES[lang]]) for lang in ("vi", "en")
        }
    for lang in ("vi", "en"):
        for entry, paths in zip(QUERIES[lang], results[lang]):
            top = [measure_id(p) for p in paths[:3]]
            if set(top) & set(entry["expect"]):
                found += 1
            else:
                missed.append(f"{lang}: {entry['q']!r} -> {top}")
    total = sum(len(QUERIES[lang]) for lang in ("vi", "en"))
    return found / total, missed


def test_everyday_queries_find_a_right_measure_in_the_first_three(browser, search_url):
    share, missed = quality(browser, search_url)
    print(f"search quality: {share:.1%} found in the first 3; missed: {missed}")
    assert share >= 0.90, f"{share:.1%} in the first 3; missed:\n" + "\n".join(missed)


def _fold(text: str) -> str:
    from cpkb.text.search_keys import fold

    return fold(text)


def test_unaccented_vietnamese_titles_find_their_measure_in_the_first_five(browser, search_url):
    cat = load_catalogue(ROOT / "measures", root=ROOT)
    with tabs(browser, search_url) as pages:
        results = answers(pages, search_url, "vi", [_fold(m.title["vi"]) for m in cat.measures])
    missed = [m.id for m, paths in zip(cat.measures, results) if m.id not in [measure_id(p) for p in paths[:5]]]
    share = 1 - len(missed) / len(cat.measures)
    print(f"unaccented titles: {share:.1%} in the first 5; missed {missed}")
    assert share >= 0.95, f"{share:.1%}; missed {missed}"


# --- the catalogue page (/measures/) ------------------------------------------------


def cards(page) -> list[str]:
    return page.eval_on_selector_all("#cp-results li code", "els => els.map(e => e.textContent)")


def wait_cards(page, n: int | None = None) -> None:
    if n is None:
        page.wait_for_function("document.querySelectorAll('#cp-results li').length > 0")
    else:
        page.wait_for_function(f"document.querySelectorAll('#cp-results li').length === {n}")


def test_catalogue_keyword_combines_with_facets_and_says_how_many(desktop, search_url):
    page = desktop
    page.goto(search_url + "measures/")
    wait_cards(page, 30)
    total = len(load_catalogue(ROOT / "measures", root=ROOT).measures)
    assert page.inner_text("#cp-shown") == f"Hiển thị 30 trên {total} biện pháp"
    page.click("#cp-keyword")
    page.keyboard.type("bien tan")
    page.wait_for_function("document.getElementById('cp-shown').textContent.includes('phù hợp')")
    shown = set(cards(page))
    assert {"UTL-013", "TEX-012", "PAP-013"} <= shown
    page.check('input[name="sector"][value="utilities"]')
    page.wait_for_function(
        "(() => { const c = [...document.querySelectorAll('#cp-results li code')];"
        " return c.length > 0 && c.every(e => e.textContent.startsWith('UTL')); })()"
    )
    assert "UTL-013" in cards(page)
    assert "q=bien+tan" in page.url and "sector=utilities" in page.url
    n = len(cards(page))
    assert page.inner_text("#cp-shown").startswith(f"Hiển thị {n} trên {n} ")
    # Savings with their scope on every card.
    assert page.locator("#cp-results li .cp-result__savings").count() == n


def test_catalogue_sorts_by_money_saved_both_ways(desktop, search_url):
    cat = load_catalogue(ROOT / "measures", root=ROOT)
    money = {m.id: m.savings["money_vnd_per_year"].mid for m in cat.measures if "money_vnd_per_year" in m.savings}
    page = desktop
    page.goto(search_url + "en/measures/?sort=money_saved&order=desc")
    wait_cards(page, 30)
    ids = [i for i in cards(page) if i in money]  # a measure states no money saved: it sorts as none
    assert money[ids[0]] == max(money.values())
    assert [money[i] for i in ids] == sorted((money[i] for i in ids), reverse=True)
    page.select_option("#cp-order", "asc")
    page.wait_for_function("new URLSearchParams(location.search).get('order') === null")
    page.wait_for_function(
        "first => { const c = document.querySelector('#cp-results li code'); return !!c && c.textContent !== first; }",
        arg=ids[0],
    )
    wait_cards(page, 30)
    ids = [i for i in cards(page) if i in money]
    assert [money[i] for i in ids] == sorted(money[i] for i in ids)


def test_catalogue_state_is_kept_when_switching_language(desktop, search_url):
    page = desktop
    page.goto(search_url + "measures/?q=biogas&resource=energy&sort=money_saved&order=desc")
    wait_cards(page)
    page.hover(".md-select")  # Material's language menu opens on hover
    page.click('.md-select a[hreflang="en"]')
    page.wait_for_url("**/en/measures/**")
    assert "q=biogas" in page.url and "resource=energy" in page.url and "order=desc" in page.url
    wait_cards(page)
    assert page.input_value("#cp-keyword") == "biogas"
    assert page.is_checked('input[name="resource"][value="energy"]')


def test_catalogue_on_a_phone_shows_results_first_and_filters_behind_a_button(browser, search_url):
    page = new_page(browser, search_url, PHONE)
    page.goto(search_url + "measures/")
    wait_cards(page)
    assert not page.is_visible("#cp-filters")
    first = page.locator("#cp-results li").first.bounding_box()
    assert first["y"] + 20 < PHONE["height"], "the first result is not on the first screen"
    page.tap("#cp-filters-toggle")
    assert page.is_visible("#cp-filters")
    assert page.get_attribute("#cp-filters-toggle", "aria-expanded") == "true"
    assert page.is_visible(".cp-catalogue__charts-note")
    page.context.close()


def test_catalogue_first_view_is_in_the_page_and_more_continues_it(desktop, search_url):
    """Opening the catalogue downloads no search index: the first cards and the
    facet counts are in the page. "Show more" then asks the catalogue's own small
    bundle, never the site's index, and continues in the same order."""
    cat = load_catalogue(ROOT / "measures", root=ROOT)
    ids = sorted(m.id for m in cat.measures)
    page = desktop
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url.removeprefix(search_url)))
    page.goto(search_url + "measures/")
    assert visible(page, "#cp-results li:first-child a")
    assert cards(page) == ids[:30]
    assert page.inner_text("#cp-shown") == f"Hiển thị 30 trên {len(ids)} biện pháp"
    utilities = sum(m.sector == "utilities" for m in cat.measures)
    assert page.inner_text('[data-count-for="sector:utilities"]') == f"({utilities})"
    page.wait_for_load_state("networkidle")
    assert not [a for a in asked if a.startswith("pagefind")], "the first view needs no search index"
    page.click("#cp-more")
    wait_cards(page, 60)
    assert cards(page) == ids[:60]
    assert page.inner_text("#cp-shown") == f"Hiển thị 60 trên {len(ids)} biện pháp"
    assert [a for a in asked if a.startswith("pagefind-catalogue/")]
    assert not [a for a in asked if a.startswith("pagefind/")], "filters and sorting never load the site's index"


def test_catalogue_charts_load_when_scrolled_to(desktop, search_url):
    page = desktop
    page.goto(search_url + "en/measures/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#cp-charts figure").count() == 0, "the charts are not part of the first view"
    page.locator("#cp-charts").scroll_into_view_if_needed()
    page.wait_for_selector("#cp-charts figure.cp-chart svg")
    assert page.locator("#cp-charts figure.cp-chart").count() == 3
    page.locator("#cp-charts figure.cp-chart").first.scroll_into_view_if_needed()
    assert visible(page, "#cp-charts figure.cp-chart svg.cp-chart__wide")
    # A point a person can click: not under another one (points may overlap).
    href = page.evaluate("""() => { for (const a of document.querySelectorAll('#cp-charts svg.cp-chart__wide a[href]')) {
        a.scrollIntoView({block: 'center'});
        const r = a.getBoundingClientRect(), hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        if (hit && a.contains(hit)) return a.getAttribute('href'); } }""")
    with page.expect_navigation():
        page.click(f'#cp-charts svg.cp-chart__wide a[href="{href}"]')
    assert page.url == search_url + "en/measures/" + href, "chart points link the measures, from the catalogue"


def test_first_result_and_catalogue_first_view_stay_under_300_kb(browser, search_url):
    """The byte budgets (issue 12), at the real catalogue's size, counted as
    `make bench` counts them: as a static host sends them (text gzip-compressed).
    The first-result budget is stated at 10,000 measures, which `make bench` measures."""
    from types import SimpleNamespace

    from cpkb.bench.browser import catalogue_first_view_bytes, first_result_bytes

    b = SimpleNamespace(url=search_url, page=lambda: browser.new_context(viewport=DESKTOP).new_page())
    raw, sent = first_result_bytes(b)
    assert sent <= 300_000, f"first result: {sent / 1024:.0f} KiB sent ({raw / 1024:.0f} KiB uncompressed)"
    for lang in ("vi", "en"):
        raw, sent = catalogue_first_view_bytes(b, lang)
        assert sent <= 300_000, f"catalogue ({lang}): {sent / 1024:.0f} KiB sent ({raw / 1024:.0f} KiB uncompressed)"
