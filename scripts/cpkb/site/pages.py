"""Generate the site's Markdown pages from the catalogue and the handbook.

Pages go into git-ignored folders under docs/ (mkdocs-static-i18n drops pages
added outside docs/, design notes §2), one file per page and language, named
`<page>.<lang>.md` for static-i18n's suffix structure. Pure Python: the MkDocs
hook only calls `generate_pages` and `build_nav` (cpkb.site.nav).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup, escape

from cpkb import LANGUAGES
from cpkb.site.common import edit_base, env, factsheet_sizes, pdf_facts, pdf_name, published_pdfs, to_root, translator
from cpkb.site.editor_pages import editor_pages
from cpkb.site import support_pages
from cpkb.site.handbook_pages import both_languages, handbook_index, handbook_pages
from cpkb.source import handbook
from cpkb.source.catalogue import Catalogue, Measure, load_catalogue
from cpkb.text import search_keys
from cpkb.site import planner
from cpkb.site.catalogue_page import catalogue_and_downloads, catalogue_charts
from cpkb.site.search_records import measure_record
from cpkb.source.fonts import make_web_fonts
from cpkb.source.problems import SourceError, display_path
from cpkb.source.translations import translation_report
from cpkb.text.labels import label
from cpkb.text.markdown import MeasureLinkError, render_fragment
from cpkb.view import MeasureView, measure_view, sector_view

__all__ = ["edit_base", "to_root", "generate_pages", "render_pages"]

GENERATED_DIRS = ("measures", "sectors", "handbook", "support", "plan", "report")
"""Folders of docs/ that hold only generated pages (all git-ignored)."""


def pdf_sectors(root: Path, cat: Catalogue) -> set[str]:
    """Sectors that get a PDF handbook (handbook/book.yml decides): only those are linked."""
    return {key for key in handbook.planned_books(root, cat) if key}


def render_measure_page(
    cat: Catalogue,
    m: Measure,
    lang: str,
    edit_base: str | None = None,
    support_block: str = "",
    factsheet_bytes: int | None = None,
) -> str:
    """The Markdown page of one measure in one language.

    The record's Markdown arrives as HTML (the view renders it), which MkDocs
    passes through without rewriting links: they must be final addresses. The
    page is /measures/<slug>/, so a linked measure is ../<other>/.
    factsheet_bytes: the size of the measure's fact sheet in this language, or
    None when there is none to link (a build without PDFs).
    """
    v = measure_view(cat, m, lang, lambda mid: f"../{cat.by_id[mid].slug}/" if mid in cat.by_id else None)
    factsheet = None
    if factsheet_bytes is not None:
        factsheet = {
            "href": f"{to_root(2, lang)}downloads/{handbook.FACTSHEETS_DIR}/{handbook.factsheet_filename(m.id, lang)}",
            "kb": max(1, round(factsheet_bytes / 1024)),
        }
    return (
        env()
        .get_template("measure.md.j2")
        .render(
            m=m,
            v=v,
            r=measure_record(cat, m, lang),
            lang=lang,
            t=translator(lang),
            factsheet=factsheet,
            edit_url=f"{edit_base}{m.path}" if edit_base else None,
            support_block=Markup(support_block),
        )
    )


def comparison_table(views: tuple[MeasureView, ...], lang: str, link_prefix: str) -> str:
    """A sortable comparison table (assets/javascripts/tables.js sorts it by data-sort values).

    The table has no class of its own so that Material styles it like every
    other table; the wrapper scrolls sideways on a phone with the measure column
    kept in view (cpkb.css). It starts sorted by payback, quickest first.
    """
    t = lambda key: escape(label(key, lang))
    head = [
        ("text", t("table.measure"), None),
        ("text", t("figures.technique"), None),
        ("num", t("figures.complexity"), None),
        ("num", t("figures.investment"), None),
        ("num", t("figures.savings"), None),
        ("num", t("figures.payback"), "ascending"),
    ]
    cells = "".join(
        f'<th scope="col" data-type="{kind}"{f" aria-sort={chr(34)}{sort}{chr(34)}" if sort else ""}>'
        f'<button type="button">{text}<span class="cp-sort" aria-hidden="true"></span></button></th>'
        for kind, text, sort in head
    )
    rows = []
    for v in sorted(views, key=lambda v: (v.measure.payback_years.mid, v.measure.investment_vnd.mid)):
        m = v.measure
        savings = "".join(f'<span class="cp-saving">{escape(s.label)}: {escape(s.value)}</span>' for s in v.savings)
        rows.append(
            "<tr>"
            f'<th scope="row" data-sort="{escape(v.title)}"><a href="{link_prefix}{m.slug}/">{escape(v.title)}</a>'
            f' <span class="cp-id">{m.id}</span></th>'
            f"<td>{escape(v.technique)}</td>"
            f'<td data-sort="{m.complexity}">{escape(v.complexity)}</td>'
            f'<td data-sort="{m.investment_vnd.mid:.0f}">{escape(v.investment)}</td>'
            f'<td data-sort="{_savings_sort_key(v):.3f}">{savings}</td>'
            f'<td data-sort="{m.payback_years.mid:.3f}">{escape(v.payback)}</td>'
            "</tr>"
        )
    return (
        f'<div class="md-typeset__table cp-compare"><table>'
        f"<thead><tr>{cells}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _savings_sort_key(v: MeasureView) -> float:
    """Money saved per year where stated (comparable across measures), else 0:
    percentages of different wholes do not sort against each other."""
    money = v.measure.money_vnd_per_year
    return money.mid if money else 0.0


def render_pages(root: Path, edit_base: str | None = None) -> dict[str, str]:
    """Every generated page: {path relative to docs/: Markdown} (and the HTML of
    the catalogue's charts, loaded by the page when scrolled to). Raises SourceError
    listing every problem of the sources (catalogue, handbook links, glossary)."""
    cat = load_catalogue(root / "measures", root=root)
    glossary = handbook.glossary(root)
    with_pdf = pdf_sectors(root, cat)
    translations = translation_report(root / "measures", root=root)  # read once, rendered per language
    support = support_pages.load(root, cat)  # raises SourceError listing every problem
    sheets, books = factsheet_sizes(root), published_pdfs(root)
    with_worksheets = bool((root / "handbook" / "worksheets.yml").exists() and handbook.worksheets(root))
    pages: dict[str, str] = {}
    problems: list = []
    for lang in LANGUAGES:
        for m in cat.measures:
            pages[f"measures/{m.slug}.{lang}.md"] = render_measure_page(
                cat,
                m,
                lang,
                edit_base,
                support_pages.measure_block(cat, support, m, lang),
                sheets.get(handbook.factsheet_filename(m.id, lang)),
            )
        book_facts = lambda key, book_lang=lang: pdf_facts(books.get(pdf_name(key, book_lang)), lang)
        pages.update(
            _sector_pages(
                root,
                cat,
                lang,
                with_pdf,
                problems,
                book_facts,
                lambda key: support_pages.sector_block(cat, support, key, lang),
            )
        )
        pages.update(support_pages.render_support_pages(root, cat, support, lang))
        pages.update(catalogue_and_downloads(cat, lang, with_pdf, with_worksheets, book_facts))
        pages[f"downloads.{lang}.md"] += support_pages.downloads_section(root, lang)
        pages.update(handbook_pages(root, cat, lang, glossary, problems))
        pages[f"handbook/index.{lang}.md"] = handbook_index(root, cat, pages, lang)
        pages.update(editor_pages(root, lang, translations))
        chapter = handbook.chapter_path(root, planner.REPORT_CHAPTER.rsplit("/", 1)[1], lang).exists()
        pages.update(planner.render_planner_pages(lang, with_chapter=chapter))
    if problems:
        raise SourceError(problems)
    return pages


def _sector_pages(
    root: Path,
    cat: Catalogue,
    lang: str,
    with_pdf: set[str],
    problems: list,
    book_facts=lambda key: "",
    support_block=lambda key: "",
) -> dict[str, str]:
    """One page per sector (introduction from its handbook, measures by stage,
    charts, comparison table, PDF link) and the sector index (one card per sector).
    book_facts(sector key): what the link to its book says of it (pages, size)."""
    jinja, t = env(), translator(lang)
    # A sector page is /sectors/<key>/: a measure is ../../measures/<slug>/.
    href = lambda mid: f"../../measures/{cat.by_id[mid].slug}/" if mid in cat.by_id else None
    pages, cards = {}, []
    for s in cat.sectors:
        view = sector_view(cat, s, lang, href)
        source = handbook.sector_handbook_path(root, s.key, lang)
        text = handbook.read_markdown(source, root)
        intro_md = handbook.introduction(text) if text else ""
        try:
            intro = render_fragment(intro_md, href, display_path(source, root)) if intro_md else ""
        except MeasureLinkError as err:
            problems.extend(err.problems)
            intro = ""
        cards.append({"sector": s, "count": view.count, "lead": _first_sentence_text(intro)})
        pages[f"sectors/{s.key}.{lang}.md"] = jinja.get_template("sector.md.j2").render(
            v=view,
            sector=s,
            lang=lang,
            t=t,
            intro=Markup(intro),
            charts=Markup(catalogue_charts(cat, cat.in_sector(s.key), lang, s.key, "../../measures/")),
            table=Markup(comparison_table(view.measures, lang, "../../measures/")),
            support_block=Markup(support_block(s.key)),
            has_handbook=both_languages(root, s.key),
            source=f"handbook/{s.key}/index.{lang}.md" if text else "",
            pdf_href=f"{to_root(2, lang)}downloads/{pdf_name(s.key, lang)}" if s.key in with_pdf else None,
            pdf_facts=book_facts(s.key),
        )
    pages[f"sectors/index.{lang}.md"] = jinja.get_template("sectors_index.md.j2").render(
        lang=lang,
        t=t,
        cards=cards,
        with_pdf=with_pdf,
        facts=book_facts,
        pdf=lambda key: f"{to_root(1, lang)}downloads/{pdf_name(key, lang)}",
    )
    return pages


_TAGS = re.compile(r"<[^>]+>")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ0-9])")


def _first_sentence_text(fragment: str) -> str:
    """The first sentence of rendered HTML as plain text (for a card's one-line lead)."""
    text = " ".join(html.unescape(_TAGS.sub(" ", fragment)).split())
    return _SENTENCE.split(text, maxsplit=1)[0] if text else ""


EDITOR_PAGES = ("guides/translations.", "guides/field-reference.", "guides/benchmarks.")
"""Pages for editors, left out of the readers' search index."""


def searchable(src_uri: str) -> bool:
    """Whether a page belongs in the readers' search (editor pages do not)."""
    return not src_uri.startswith(EDITOR_PAGES)


@lru_cache(maxsize=4)
def _glossary_forms(root: Path, lang: str) -> tuple[tuple[str, ...], ...]:
    return tuple(term.forms(lang) for term in handbook.glossary(root))


def page_search_keys(root: Path, lang: str, title: str, lead: str, content: str) -> tuple[str, str]:
    """The hidden search keys of a page (cpkb.text.search_keys): title keys, then the rest.

    MkDocs gives the title and description HTML-escaped ("&quot;"): keys are made from the text."""
    return search_keys.search_keys(
        html.unescape(title),
        html.unescape(lead),
        html.unescape(search_keys.plain_text(content)),
        _glossary_forms(root, lang),
        search_keys.STOP_WORDS.get(lang, frozenset()),
    )


_LAST: dict[Path, tuple] = {}


def _sources_stamp(root: Path, docs_dir: Path) -> tuple:
    """What the generated pages depend on: the catalogue, the handbook, the
    recorded benchmarks, our templates and labels (file names and modification times),
    and the PDFs the pages link with their pages and sizes (a build without PDFs
    links none)."""
    package = Path(__file__).parent
    folders = (
        root / "measures",
        root / "handbook",
        root / "benchmarks",
        package / "templates",
        package.parent / "text" / "strings",
    )
    files = [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]
    pdfs = [
        (name, f.bytes, f.pages)
        for sub in ("", handbook.FACTSHEETS_DIR)
        for name, f in published_pdfs(root, sub).items()
    ]
    return (str(docs_dir),) + tuple(sorted((str(p), p.stat().st_mtime_ns) for p in files)) + tuple(pdfs)


def generate_pages(root: Path, docs_dir: Path, edit_base: str | None = None) -> int:
    """Write generated pages into docs/, only where content changed; remove stale ones.

    Returns the number of files written. static-i18n runs the build once per
    language: when no source changed since the last call in this process,
    nothing is rendered again. `cpkb build` runs one MkDocs per language at
    once: the first to take the lock generates; the other then finds a record
    (.cache/cpkb-pages.json) that the same sources and code gave these very
    files, untouched since (size and modification time), and renders nothing.
    """
    stamp = _sources_stamp(root, docs_dir)
    if _LAST.get(docs_dir) == stamp:
        return 0
    with _generation_lock(root):
        key = _record_key(stamp, edit_base)
        written = 0 if _generated_before(root, docs_dir, key) else _write_pages(root, docs_dir, edit_base, key)
    _LAST[docs_dir] = stamp
    return written


@contextmanager
def _generation_lock(root: Path):
    import fcntl

    (root / ".cache").mkdir(exist_ok=True)
    with open(root / ".cache" / "cpkb-pages.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def _record_key(stamp: tuple, edit_base: str | None) -> str:
    """The sources' stamp, the edit links' base and our code (names and times)."""
    code = sorted((str(p), p.stat().st_mtime_ns) for p in Path(__file__).parents[1].rglob("*.py"))
    return hashlib.sha256(repr((stamp, edit_base, code)).encode()).hexdigest()


def _generated_before(root: Path, docs_dir: Path, key: str) -> bool:
    try:
        record = json.loads((root / ".cache" / "cpkb-pages.json").read_text(encoding="utf-8"))
        return record["key"] == key and all(
            [(st := (docs_dir / rel).stat()).st_size, st.st_mtime_ns] == seen for rel, seen in record["files"].items()
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _write_pages(root: Path, docs_dir: Path, edit_base: str | None, key: str) -> int:
    pages = render_pages(root, edit_base)
    files = list(pages) + [p.relative_to(docs_dir).as_posix() for p in make_web_fonts(docs_dir / "assets" / "fonts")]
    files += [p.relative_to(docs_dir).as_posix() for p in planner.write_planner_data(root, docs_dir)]
    written = 0
    for rel, text in pages.items():
        path = docs_dir / rel
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written += 1
    wanted = {docs_dir / rel for rel in pages}
    for folder in GENERATED_DIRS:
        for path in (docs_dir / folder).rglob("*.md"):
            if path not in wanted:
                path.unlink()
    record = {"key": key, "files": {rel: [(st := (docs_dir / rel).stat()).st_size, st.st_mtime_ns] for rel in files}}
    (root / ".cache" / "cpkb-pages.json").write_text(json.dumps(record), encoding="utf-8")
    return written
