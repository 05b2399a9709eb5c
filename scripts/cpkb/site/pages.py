"""Generate the site's Markdown pages from the catalogue and the handbook.

Pages go into git-ignored folders under docs/ (mkdocs-static-i18n drops pages
added outside docs/, design notes §2), one file per page and language, named
`<page>.<lang>.md` for static-i18n's suffix structure. Pure Python: the MkDocs
hook only calls `generate_pages` and `build_nav`.
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from itertools import groupby
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from cpkb import LANGUAGES
from cpkb.source import handbook
from cpkb.source.catalogue import (COST_BANDS, PAYBACK_BANDS, Catalogue, Measure, cost_band,
                        load_catalogue, payback_band)
from cpkb.source.benchmarks import RESULTS
from cpkb.text.charts import investment_payback_chart, savings_chart, technique_chart
from cpkb.site import planner
from cpkb.source.fonts import make_web_fonts
from cpkb.text.numbers import format_vnd_range, format_years, sort_key
from cpkb.view import MeasureView, measure_view, sector_view
from cpkb.text.labels import label, value_label
from cpkb.source.vocabulary import Vocabulary
from cpkb.text.markdown import (MeasureLinkError, escape_markdown_block, escape_markdown_inline, render_fragment,
                               resolve_measure_links)
from cpkb.source.problems import SourceError, display_path

GENERATED_DIRS = ("measures", "sectors", "handbook", "plan", "report")
"""Folders of docs/ that hold only generated pages (all git-ignored)."""
DATA_BASENAME = "cp-measures"


def pdf_name(sector: str | None, lang: str) -> str:
    return handbook.book_filename(sector or None, lang)


def pdf_sectors(root: Path, cat: Catalogue) -> set[str]:
    """Sectors that get a PDF handbook (handbook/book.yml decides): only those are linked."""
    return {key for key in handbook.planned_books(root, cat) if key}


def to_root(depth: int, lang: str) -> str:
    """Relative path from a page `depth` folders deep (sectors/beverages/ is 2)
    to the site root, where downloads/ and pagefind/ are shared by both languages."""
    return "../" * (depth + (0 if lang == LANGUAGES[0] else 1))


@lru_cache(maxsize=1)
def _env() -> Environment:
    """One Jinja environment per process: compiling templates dominates otherwise."""
    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                      autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["md_block"] = lambda s: Markup(escape_markdown_block(str(s)))
    env.filters["md_inline"] = lambda s: Markup(escape_markdown_inline(str(s)))
    # Front-matter values reach Material's templates (<title>, header, meta
    # description), which do not autoescape: escape HTML before quoting.
    env.filters["yaml_str"] = lambda s: Markup(json.dumps(html.escape(str(s)), ensure_ascii=False))
    env.filters["url"] = lambda s: Markup(str(escape(s)).replace("(", "%28").replace(")", "%29").replace(" ", "%20"))
    env.globals["planner_calculator"] = planner.calculator
    return env


def edit_base(repo_url: str | None, edit_uri: str | None) -> str | None:
    """Where "edit this file" links start (mkdocs.yml's repo_url + edit_uri, which
    names the repository root, e.g. edit/main/); a source path is appended."""
    if not repo_url or edit_uri is None:
        return None
    return f"{repo_url.rstrip('/')}/{edit_uri.strip('/')}/"


def _with_source(source: str, markdown: str) -> str:
    """A generated page with the file an editor changes to change it ("" for none)."""
    return f"---\ncpkb_source: {json.dumps(source)}\n---\n\n{markdown}"


def render_measure_page(cat: Catalogue, m: Measure, lang: str, edit_base: str | None = None) -> str:
    """The Markdown page of one measure in one language.

    The record's Markdown arrives as HTML (the view renders it), which MkDocs
    passes through without rewriting links: they must be final addresses. The
    page is /measures/<slug>/, so a linked measure is ../<other>/.
    """
    v = measure_view(cat, m, lang, lambda mid: f"../{cat.by_id[mid].slug}/" if mid in cat.by_id else None)
    return _env().get_template("measure.md.j2").render(
        m=m, v=v, lang=lang, t=_translator(lang),
        edit_url=f"{edit_base}{m.path}" if edit_base else None,
    )


def comparison_table(views: tuple[MeasureView, ...], lang: str, link_prefix: str) -> str:
    """A sortable comparison table (assets/javascripts/tables.js sorts it by data-sort values).

    The table has no class of its own so that Material styles it like every
    other table; the wrapper scrolls sideways on a phone with the measure column
    kept in view (cpkb.css). It starts sorted by payback, quickest first.
    """
    t = lambda key: escape(label(key, lang))
    head = [("text", t("table.measure"), None), ("text", t("figures.technique"), None),
            ("num", t("figures.complexity"), None), ("num", t("figures.investment"), None),
            ("num", t("figures.savings"), None), ("num", t("figures.payback"), "ascending")]
    cells = "".join(f'<th scope="col" data-type="{kind}"{f" aria-sort={chr(34)}{sort}{chr(34)}" if sort else ""}>'
                    f'<button type="button">{text}<span class="cp-sort" aria-hidden="true"></span></button></th>'
                    for kind, text, sort in head)
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
            "</tr>")
    return (f'<div class="md-typeset__table cp-compare"><table>'
            f'<thead><tr>{cells}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def _savings_sort_key(v: MeasureView) -> float:
    """Money saved per year where stated (comparable across measures), else 0:
    percentages of different wholes do not sort against each other."""
    money = v.measure.money_vnd_per_year
    return money.mid if money else 0.0


def _charts(measures: list[Measure], vocab: Vocabulary, lang: str, key: str, measures_prefix: str) -> str:
    href = lambda mid: f"{measures_prefix}{mid.lower()}/"
    return (investment_payback_chart(measures, vocab, lang, f"chart-{key}-ip", href) +
            technique_chart(measures, vocab, lang, f"chart-{key}-tech") +
            savings_chart(measures, vocab, lang, f"chart-{key}-sav"))


def _stage_groups(measures: list[Measure], lang: str) -> list[tuple[str, list[Measure]]]:
    """Measures grouped by process stage (first appearance order), simplest first within a stage."""
    order: dict[str, int] = {}
    for m in measures:
        order.setdefault(m.process_stage[lang], len(order))
    ordered = sorted(measures, key=lambda m: (order[m.process_stage[lang]], m.complexity, m.id))
    return [(stage, list(items)) for stage, items in groupby(ordered, key=lambda m: m.process_stage[lang])]


def _link_resolver(cat: Catalogue, prefix: str):
    return lambda mid: f"{prefix}{cat.by_id[mid].slug}.md" if mid in cat.by_id else None


def _handbook_page(root: Path, source: Path, cat: Catalogue, prefix: str) -> str:
    text = source.read_text(encoding="utf-8")
    body = resolve_measure_links(text, _link_resolver(cat, prefix), display_path(source, root))
    return _with_source(display_path(source, root), body)


def render_pages(root: Path, edit_base: str | None = None) -> dict[str, str]:
    """Every generated page: {path relative to docs/: Markdown}. Raises SourceError
    listing every problem of the sources (catalogue, handbook links, glossary)."""
    from cpkb.source.translations import translation_report

    cat = load_catalogue(root / "measures", root=root)
    glossary = handbook.glossary(root)
    with_pdf = pdf_sectors(root, cat)
    translations = translation_report(root / "measures", root=root)  # read once, rendered per language
    pages: dict[str, str] = {}
    problems: list = []
    for lang in LANGUAGES:
        for m in cat.measures:
            pages[f"measures/{m.slug}.{lang}.md"] = render_measure_page(cat, m, lang, edit_base)
        pages.update(_sector_pages(root, cat, lang, with_pdf, problems))
        pages.update(_catalogue_and_downloads(cat, lang, with_pdf))
        pages.update(_handbook_pages(root, cat, lang, glossary, problems))
        pages[f"handbook/index.{lang}.md"] = _handbook_index(root, cat, pages, lang)
        pages.update(_editor_pages(root, lang, translations))
        pages.update(planner.render_planner_pages(lang))
    if problems:
        raise SourceError(problems)
    return pages


def _sector_pages(root: Path, cat: Catalogue, lang: str, with_pdf: set[str], problems: list) -> dict[str, str]:
    """One page per sector (introduction from its handbook, measures by stage,
    charts, comparison table, PDF link) and the sector index (one card per sector)."""
    env, t = _env(), _translator(lang)
    # A sector page is /sectors/<key>/: a measure is ../../measures/<slug>/.
    href = lambda mid: f"../../measures/{cat.by_id[mid].slug}/" if mid in cat.by_id else None
    pages, cards = {}, []
    for s in cat.sectors:
        view = sector_view(cat, s, lang, href)
        source = handbook.sector_handbook_path(root, s.key, lang)
        text = handbook.read_markdown(source)
        intro_md = handbook.introduction(text) if text else ""
        try:
            intro = render_fragment(intro_md, href, display_path(source, root)) if intro_md else ""
        except MeasureLinkError as err:
            problems.extend(err.problems)
            intro = ""
        cards.append({"sector": s, "count": view.count, "lead": _first_sentence_text(intro)})
        pages[f"sectors/{s.key}.{lang}.md"] = env.get_template("sector.md.j2").render(
            v=view, sector=s, lang=lang, t=t, intro=Markup(intro),
            charts=Markup(_charts(cat.in_sector(s.key), cat.vocabulary, lang, s.key, "../../measures/")),
            table=Markup(comparison_table(view.measures, lang, "../../measures/")),
            has_handbook=_both_languages(root, s.key), source=f"handbook/{s.key}/index.{lang}.md" if text else "",
            pdf_href=f"{to_root(2, lang)}downloads/{pdf_name(s.key, lang)}" if s.key in with_pdf else None)
    pages[f"sectors/index.{lang}.md"] = env.get_template("sectors_index.md.j2").render(
        lang=lang, t=t, cards=cards, with_pdf=with_pdf,
        pdf=lambda key: f"{to_root(1, lang)}downloads/{pdf_name(key, lang)}")
    return pages


_TAGS = re.compile(r"<[^>]+>")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ0-9])")


def _first_sentence_text(fragment: str) -> str:
    """The first sentence of rendered HTML as plain text (for a card's one-line lead)."""
    text = " ".join(html.unescape(_TAGS.sub(" ", fragment)).split())
    return _SENTENCE.split(text, maxsplit=1)[0] if text else ""


def _catalogue_and_downloads(cat: Catalogue, lang: str, with_pdf: set[str]) -> dict[str, str]:
    env, t = _env(), _translator(lang)
    up = to_root(1, lang)
    return {
        f"measures/index.{lang}.md": env.get_template("catalogue.md.j2").render(
            lang=lang, t=t, facets=_facets(cat, lang), labels_json=Markup(_catalogue_labels(cat, lang)),
            charts=Markup(_charts(cat.measures, cat.vocabulary, lang, "all", "")), data_name=f"{up}downloads/{DATA_BASENAME}-{lang}"),
        f"downloads.{lang}.md": env.get_template("downloads.md.j2").render(
            lang=lang, t=t, sectors=[s for s in cat.sectors if s.key in with_pdf], root=up,
            pdf=lambda key, book_lang: f"{up}downloads/{pdf_name(key or None, book_lang)}"),
    }


def _handbook_pages(root: Path, cat: Catalogue, lang: str, glossary: list, problems: list) -> dict[str, str]:
    """General chapters and sector handbooks with measure: links resolved, and the glossary."""
    pages = {}
    sources = [(f"handbook/general/{slug}.{lang}.md", handbook.chapter_path(root, slug, lang), "../../measures/")
               for slug in handbook.general_chapters(root)
               if all(handbook.chapter_path(root, slug, l).exists() for l in LANGUAGES)]
    sources += [(f"handbook/{s.key}.{lang}.md", handbook.sector_handbook_path(root, s.key, lang), "../measures/")
                for s in cat.sectors if _both_languages(root, s.key)]
    for target, source, prefix in sources:
        try:
            pages[target] = _handbook_page(root, source, cat, prefix) + planner.chapter_link(target)
        except MeasureLinkError as err:
            problems.extend(err.problems)
    if glossary:
        order = sort_key(lang)
        other = next(l for l in LANGUAGES if l != lang)
        pages[f"handbook/glossary.{lang}.md"] = _env().get_template("glossary.md.j2").render(
            lang=lang, t=_translator(lang), other=other, entries=sorted(glossary, key=lambda e: order(e.term[lang])))
    return pages


def _translator(lang: str):
    return lambda key, **values: label(key, lang, **values)


def _editor_pages(root: Path, lang: str, translations) -> dict[str, str]:
    """Field reference (from the schema), translation status and benchmark pages."""
    from cpkb.site.reference import render_field_reference
    from cpkb.site.translations import render_translation_status
    from cpkb.source.validate import load_schema

    from cpkb.site.benchmarks import render_benchmark_page

    pages = {f"guides/field-reference.{lang}.md": _with_source(
                 "measures/schema.json", render_field_reference(load_schema(root / "measures"), lang)),
             f"guides/translations.{lang}.md": _with_source(
                 "", render_translation_status(root / "measures", lang, translations))}
    benchmarks = render_benchmark_page(root, lang)
    if benchmarks:
        pages[f"guides/benchmarks.{lang}.md"] = _with_source(f"benchmarks/notes.{lang}.md", benchmarks)
    return pages


def _both_languages(root: Path, sector: str) -> bool:
    return all(handbook.sector_handbook_path(root, sector, l).exists() for l in LANGUAGES)


def _handbook_index(root: Path, cat: Catalogue, pages: dict[str, str], lang: str) -> str:
    t = lambda key: label(key, lang)
    lines = ["---", f"title: {json.dumps(t('nav.handbook'), ensure_ascii=False)}", 'cpkb_source: "handbook/README.md"',
             "---", "", f"# {t('nav.handbook')}", "",
             f"<p class=\"cp-actions\"><a class=\"md-button md-button--primary\" href=\"../downloads/\">{escape(t('downloads.title'))}</a></p>", ""]
    general = [slug for slug in handbook.general_chapters(root) if f"handbook/general/{slug}.{lang}.md" in pages]
    if general:
        lines += [f"## {t('nav.general')}", ""]
        for slug in general:
            title = handbook.title_of(handbook.read_markdown(handbook.chapter_path(root, slug, lang)), slug)
            lines.append(f"1. [{escape_markdown_inline(title)}](general/{slug}.md)")
        lines.append("")
    sectors = [s for s in cat.sectors if f"handbook/{s.key}.{lang}.md" in pages]
    if sectors:
        lines += [f"## {t('nav.sector_handbooks')}", ""]
        for s in sectors:
            lines.append(f"- [{escape_markdown_inline(s.name[lang])}]({s.key}.md)")
        lines.append("")
    if f"handbook/glossary.{lang}.md" in pages:
        lines += [f"## {t('nav.glossary')}", "", f"[{t('nav.glossary')}](glossary.md)", ""]
    return "\n".join(lines)


def _facets(cat: Catalogue, lang: str) -> list[dict]:
    vocab = cat.vocabulary
    t = lambda key: label(key, lang)
    return [
        {"key": "sector", "label": t("figures.sector"), "values": [(s.key, s.name[lang]) for s in cat.sectors]},
        {"key": "technique", "label": t("figures.technique"),
         "values": [(k, value_label("technique", k, lang)) for k in vocab.techniques]},
        {"key": "complexity", "label": t("figures.complexity"),
         "values": [(str(i), value_label("complexity", i, lang)) for i in vocab.complexities]},
        {"key": "cost", "label": t("catalogue.cost_band"), "values": [(k, t(f"cost_band.{k}")) for k, _ in COST_BANDS]},
        {"key": "payback", "label": t("catalogue.payback_band"), "values": [(k, t(f"payback_band.{k}")) for k, _ in PAYBACK_BANDS]},
    ]


def _catalogue_labels(cat: Catalogue, lang: str) -> str:
    """Strings the catalogue script needs, in the page's language (JSON, safe inside <script>)."""
    vocab = cat.vocabulary
    data = {"shown": label("catalogue.shown", lang), "none": label("catalogue.none", lang),
            "unavailable": label("search.unavailable", lang),
            "complexity": {str(i): value_label("complexity", i, lang) for i in vocab.complexities},
            "technique": {k: value_label("technique", k, lang) for k in vocab.techniques}}
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def build_nav(root: Path) -> list:
    """The navigation, in the default language; static-i18n translates section titles."""
    cat = load_catalogue(root / "measures", root=root)
    t = lambda key: label(key, LANGUAGES[0])
    docs = root / "docs"
    general = [f"handbook/general/{slug}.md" for slug in handbook.general_chapters(root)
               if all(handbook.chapter_path(root, slug, l).exists() for l in LANGUAGES)]
    sector_books = [f"handbook/{s.key}.md" for s in cat.sectors if _both_languages(root, s.key)]
    book = ["handbook/index.md"]
    if general:
        book.append({t("nav.general"): general})
    if sector_books:
        book.append({t("nav.sector_handbooks"): sector_books})
    if (root / "handbook" / "glossary.yml").exists():
        book.append("handbook/glossary.md")
    generated = ["field-reference", "translations"] + (["benchmarks"] if (root / RESULTS).exists() else [])
    guides = ["guides/index.md"] + [f"guides/{name}.md" for name in ("editing", "field-reference", "translations", "benchmarks")
                                    if name in generated or (docs / "guides" / f"{name}.{LANGUAGES[0]}.md").exists()]
    # Readers' sections first; the pages for editors (field reference, translation
    # status, benchmarks) are kept apart, last.
    return [
        "index.md",
        {t("nav.sectors"): ["sectors/index.md"] + [f"sectors/{s.key}.md" for s in cat.sectors]},
        {t("nav.catalogue"): ["measures/index.md"]},
        {t("nav.handbook"): book},
        {t("planner.nav"): ["plan/index.md", "report/index.md", "report/merge.md"]},
        {t("nav.downloads"): ["downloads.md"]},
        {t("nav.about"): ["about.md"]},
        {t("nav.guides"): guides},
    ]


def nav_translations(lang: str) -> dict[str, str]:
    """Section titles of the default language mapped to `lang`."""
    keys = ("sectors", "catalogue", "handbook", "general", "sector_handbooks", "downloads", "guides", "about")
    titles = {label(f"nav.{k}", LANGUAGES[0]): label(f"nav.{k}", lang) for k in keys}
    titles[label("planner.nav", LANGUAGES[0])] = label("planner.nav", lang)
    return titles


_LAST: dict[Path, tuple] = {}


def _sources_stamp(root: Path, docs_dir: Path) -> tuple:
    """What the generated pages depend on: the catalogue, the handbook, our
    templates and labels (file names and modification times)."""
    package = Path(__file__).parent
    folders = (root / "measures", root / "handbook", package / "templates", package.parent / "text" / "strings")
    files = [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]
    return (str(docs_dir),) + tuple(sorted((str(p), p.stat().st_mtime_ns) for p in files))


def generate_pages(root: Path, docs_dir: Path, edit_base: str | None = None) -> int:
    """Write generated pages into docs/, only where content changed; remove stale ones.

    Returns the number of files written. static-i18n runs the build once per
    language: when no source changed since the last call in this process,
    nothing is rendered again.
    """
    stamp = _sources_stamp(root, docs_dir)
    if _LAST.get(docs_dir) == stamp:
        return 0
    pages = render_pages(root, edit_base)
    make_web_fonts(docs_dir / "assets" / "fonts")
    planner.write_planner_data(root, docs_dir)
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
    _LAST[docs_dir] = stamp
    return written
