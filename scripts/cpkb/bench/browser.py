"""What a reader downloads and finds, measured in Debian's Chromium on a built site.

Bytes are counted from Chromium's responses (the page's resource timing misses
requests made by workers), twice: as served by the local server, which does not
compress, and as a static host such as GitHub Pages sends them, which
gzip-compresses text (HTML, CSS, JavaScript, JSON, SVG) and sends the rest as it
is (fonts are WOFF2, Pagefind's index files are gzip-compressed already). The
budgets are judged on the second: it is what crosses the network.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import yaml

from cpkb.source.catalogue import load_catalogue

QUERIES = Path("tests") / "search_queries.yml"
"""The search-quality set: queries in both languages with the measures they must find."""
FIRST_RESULT_QUERY = "thu hoi nuoc ngung"
TEXT_TYPES = ("application/javascript", "application/json", "image/svg+xml", "application/xml")


class Browser:
    """The built site served on a loopback port, in Debian's Chromium."""

    def __init__(self, site: Path):
        self.site = site

    def __enter__(self):
        import functools
        import http.server
        import threading

        from playwright.sync_api import sync_playwright

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        handler = functools.partial(Quiet, directory=str(self.site))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        return self

    def page(self, width: int = 1280, height: int = 900):
        # A fresh context: an empty cache, as on a first visit.
        return self.browser.new_context(viewport={"width": width, "height": height}).new_page()

    def __exit__(self, *exc):
        self.browser.close()
        self.playwright.stop()
        self.server.shutdown()


def type_query(page, query: str, fill: bool = False) -> list[str]:
    """Type into the header box (already open) and wait until the list answers; result paths."""
    box = page.locator("#cp-search-input")
    box.fill("")
    box.fill(query) if fill else box.press_sequentially(query, delay=20)
    page.wait_for_function(
        "q => document.getElementById('cp-search-results').dataset.query === q", arg=query.strip(), timeout=30000
    )
    return page.eval_on_selector_all(
        "#cp-search-results a.md-search-result__link", "els => els.map(a => new URL(a.href).pathname)"
    )


def wire_size(response) -> tuple[int, int]:
    """(bytes as served here, bytes as a static host sends them: text gzip-compressed)."""
    body = response.body()
    kind = (response.headers.get("content-type") or "").split(";")[0]
    text = kind.startswith("text/") or kind in TEXT_TYPES
    return len(body), len(gzip.compress(body, 6)) if text else len(body)


# Set in the page before anything runs: when the first search result is in the list.
_FIRST_SHOWN = """new MutationObserver(() => {
  if (!window.cpFirstShown && document.querySelector('#cp-search-results li a')) window.cpFirstShown = Date.now();
}).observe(document, {subtree: true, childList: true});"""


def first_result_bytes(b: Browser, query: str = FIRST_RESULT_QUERY) -> tuple[int, int]:
    """(served, sent) bytes a person downloads from clicking the header box to
    seeing the first result: every search request started before that moment
    (Pagefind's code, page list, the index chunks and the hit's fragment). The
    rest of the list loads after it and is not counted."""
    page = b.page()
    page.add_init_script(_FIRST_SHOWN)
    page.goto(b.url)
    seen: list[tuple[float, int, int]] = []
    page.on(
        "requestfinished",
        lambda r: (
            seen.append((r.timing["startTime"], *wire_size(r.response())))
            if "/pagefind/" in r.url and r.response()
            else None
        ),
    )
    page.click("#cp-search-input")
    page.locator("#cp-search-input").press_sequentially(query, delay=20)
    page.wait_for_selector("#cp-search-results li a", timeout=60000)
    page.wait_for_timeout(2000)  # the responses of requests already under way are counted
    shown = page.evaluate("window.cpFirstShown")
    page.context.close()
    before = [(raw, sent) for start, raw, sent in seen if start < shown]
    return sum(raw for raw, _ in before), sum(sent for _, sent in before)


def catalogue_first_view_bytes(b: Browser, lang: str = "vi") -> tuple[int, int]:
    """(served, sent) bytes of the catalogue's first view, empty cache, until its
    cards are shown and the network is idle: the page, Material's assets, fonts,
    our scripts, and whatever search files the view asks for."""
    page = b.page()
    sizes: list[tuple[int, int]] = []
    page.on("response", lambda r: sizes.append(wire_size(r)) if r.status == 200 else None)
    page.goto(b.url + ("en/" if lang == "en" else "") + "measures/")
    page.wait_for_function("document.querySelectorAll('#cp-results li').length > 0", timeout=30000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    page.context.close()
    return sum(a for a, _ in sizes), sum(g for _, g in sizes)


def search_quality(b: Browser, repo: Path) -> dict:
    """The share of the quality set with a right measure in the first 3 results,
    and of measures whose unaccented Vietnamese title finds them in the first 5."""
    from cpkb.text.search_keys import fold

    queries = yaml.safe_load((repo / QUERIES).read_text(encoding="utf-8"))
    measure = lambda path: path.rstrip("/").rsplit("/", 1)[-1].upper() if "/measures/" in path else None
    found = asked = 0
    missed = []
    for lang in ("vi", "en"):
        page = b.page()
        page.goto(b.url + ("en/" if lang == "en" else ""))
        page.click("#cp-search-input")
        for entry in queries[lang]:
            top = {measure(p) for p in type_query(page, entry["q"], fill=True)[:3]}
            asked += 1
            if top & set(entry["expect"]):
                found += 1
            else:
                missed.append(f"{lang}: {entry['q']}")
        page.context.close()
    cat = load_catalogue(repo / "measures", root=repo)
    page = b.page()
    page.goto(b.url)
    page.click("#cp-search-input")
    titles = sum(
        m.id in {measure(p) for p in type_query(page, fold(m.title["vi"]), fill=True)[:5]} for m in cat.measures
    )
    page.context.close()
    return {
        "queries": asked,
        "top3_share": found / asked,
        "missed": missed,
        "title_top5_share": titles / len(cat.measures),
        "measures": len(cat.measures),
    }


def site_bytes(site: Path) -> dict:
    """The byte measurements of a built site, in KiB: the first search result and
    the catalogue's first view (both languages), sent and served."""
    out = {}
    with Browser(site) as b:
        raw, sent = first_result_bytes(b)
        out.update(first_result_kib=sent / 1024, first_result_raw_kib=raw / 1024)
        for lang in ("vi", "en"):
            raw, sent = catalogue_first_view_bytes(b, lang)
            suffix = "" if lang == "vi" else "_en"
            out.update(
                {f"catalogue_first_view_kib{suffix}": sent / 1024, f"catalogue_first_view_raw_kib{suffix}": raw / 1024}
            )
    return out
