"""One book as one HTML document, ready for WeasyPrint.

What goes into a book (and in which order) is decided here; how it looks is
decided by templates/pdf/*.html.j2 and book.css. Everything taken from a
record is escaped: plain fields by Jinja's autoescape, Markdown fields by
escape_markdown_block before to_html, so hostile text prints as text.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from cpkb import LANGUAGES, __version__
from cpkb.source.catalogue import Measure, Sector
from cpkb.text.numbers import format_day, format_percent_range, format_vnd_range, format_years, vi_sort_key
from cpkb.text.labels import label, value_label
from cpkb.text.safety import sanitize_html
from cpkb.text.markdown import (MEASURE_LINK, MeasureLinkError, escape_markdown_block,
                              resolve_measure_links, to_html)
from cpkb.source.handbook import Chapter, SectorEntry, Sources
from cpkb.pdf.render import font_css
from cpkb.source.problems import Problem

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class TocEntry:
    target: str
    title: str
    level: int


@dataclass
class Division:
    """A top-level part of the book: starts on a right-hand page, has a bookmark and a TOC line."""

    id: str
    title: str
    kind: str                      # markdown | measures | worksheets | glossary | index
    html: Markup | None = None
    data: Any = None
    entries: list[TocEntry] = field(default_factory=list)


@dataclass
class BookPlan:
    """Which book (sector or complete) in which language, and the sources it is made of."""

    sources: Sources
    sector: str | None
    lang: str

    @property
    def sector_obj(self) -> Sector | None:
        return self.sources.catalogue.sector_by_key[self.sector] if self.sector else None

    def title(self) -> str:
        return self.sources.spec.title[self.lang]

    def scope(self) -> str:
        """The sector's name, or "all sectors" for the complete book."""
        sector = self.sector_obj
        return sector.name[self.lang] if sector else label("pdf.complete", self.lang)

    def metadata(self) -> dict:
        """Document metadata: title, language, subject and the (reproducible) dates."""
        stamp = source_date(self.sources.spec.date).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            "title": f"{self.title()} – {self.scope()}",
            "lang": self.lang,
            "subject": label("pdf.subject", self.lang, scope=self.scope()),
            "keywords": label("pdf.keywords", self.lang),
            "created": stamp,
            "modified": stamp,
            "generator": f"cpkb {__version__}",
        }


def source_date(book_date: dt.date) -> dt.datetime:
    """The date stamped into the PDFs: SOURCE_DATE_EPOCH when set (reproducible builds), else book.yml's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.combine(book_date, dt.time(), tzinfo=dt.timezone.utc)


def plan_books(sources: Sources, books: list[str | None], langs: list[str]) -> list[BookPlan]:
    return [BookPlan(sources, book, lang) for book in books for lang in langs]


def check_measure_links(sources: Sources) -> list[Problem]:
    """Every `measure:ID` link in the chapters and measure descriptions must name a measure."""
    known = sources.catalogue.by_id
    problems: list[Problem] = []
    texts = [(c.markdown, c.shown) for chapters in sources.general.values() for c in chapters]
    texts += [(c.markdown, c.shown) for c in sources.sector_chapters.values()]
    texts += [(m.description[lang], f"{m.path} description.{lang}") for m in sources.catalogue.measures
              for lang in LANGUAGES]
    for text, where in texts:
        try:
            resolve_measure_links(text, lambda mid: "#" if mid in known else None, where)
        except MeasureLinkError as err:
            problems.extend(err.problems)
    return problems


def render_book_html(plan: BookPlan) -> str:
    """The whole book as one HTML string (pure: no file is written)."""
    lang = plan.lang
    book_measures = _book_measures(plan)
    in_book = {m.id for m in book_measures}
    divisions = _divisions(plan, book_measures, in_book)
    return _env().get_template("book.html.j2").render(
        lang=lang, plan=plan, meta=plan.metadata(), spec=plan.sources.spec,
        title=plan.title(), subtitle=plan.sources.spec.subtitle[lang] if plan.sources.spec.subtitle else "",
        scope=plan.scope(), sector=plan.sector_obj, divisions=divisions,
        date_text=format_day(plan.sources.spec.date, lang),
        stylesheet=Markup(_stylesheet(plan)), L=lambda key, **kw: label(key, lang, **kw))


# --- what goes into a book -------------------------------------------------

def _chapters(plan: BookPlan) -> list[Chapter]:
    chapters = list(plan.sources.general[plan.lang])
    for entry in _sector_entries(plan):
        chapter = plan.sources.sector_chapters.get((entry.key, plan.lang))
        if chapter:
            chapters.append(chapter)
    return chapters


def _sector_entries(plan: BookPlan) -> list[SectorEntry]:
    entries = plan.sources.spec.sectors
    return [e for e in entries if plan.sector is None or e.key == plan.sector]


def _book_measures(plan: BookPlan) -> list[Measure]:
    """The sector's measures plus every measure its chapters link to (fact sheets are link targets)."""
    catalogue = plan.sources.catalogue
    keys = {e.key for e in _sector_entries(plan)}
    chosen = {m.id for m in catalogue.measures if m.sector in keys}
    pending = [c.markdown for c in _chapters(plan)] + [catalogue.by_id[i].description[plan.lang] for i in chosen]
    while pending:  # linked measures may link further: follow until nothing new
        for mid in (match.upper() for match in MEASURE_LINK.findall(pending.pop())):
            if mid in catalogue.by_id and mid not in chosen:
                chosen.add(mid)
                pending.append(catalogue.by_id[mid].description[plan.lang])
    return [m for m in catalogue.measures if m.id in chosen]


def _divisions(plan: BookPlan, measures: list[Measure], in_book: set[str]) -> list[Division]:
    lang, sources = plan.lang, plan.sources
    divisions = [_markdown_division(c, "general", in_book) for c in sources.general[lang]]
    for entry in _sector_entries(plan):
        chapter = sources.sector_chapters.get((entry.key, lang))
        if chapter:
            divisions.append(_markdown_division(chapter, "sector", in_book))
        own = [m for m in measures if m.sector == entry.key]
        divisions.append(_measures_division(plan, sources.catalogue.sector_by_key[entry.key], own, in_book,
                                            list_sheets=plan.sector is not None))
    own_sectors = {e.key for e in _sector_entries(plan)}
    others = [m for m in measures if m.sector not in own_sectors]
    if others:
        divisions.append(_measures_division(plan, None, others, in_book, list_sheets=True))
    for appendix in sources.spec.appendices:
        if appendix == "worksheets" and sources.worksheets:
            divisions.append(_worksheets_division(plan))
        elif appendix == "glossary" and sources.glossary:
            divisions.append(_glossary_division(plan))
        elif appendix == "index" and measures:
            divisions.append(_index_division(plan, measures))
    return divisions


def _markdown_division(chapter: Chapter, part: str, in_book: set[str]) -> Division:
    scope = f"{part}-{chapter.slug}"
    text = resolve_measure_links(chapter.markdown, lambda mid: _measure_href(mid, in_book), chapter.shown)
    body = _mark_xrefs(_scope_ids(sanitize_html(to_html(text)), scope))  # chapters are untrusted, as on the site
    entries = [TocEntry(m.group(1), _plain(m.group(2)), 2) for m in _H2.finditer(body)]
    # The title as rendered (emphasis or code in a "# Title" must not reach the TOC as Markdown).
    h1 = _H1.search(body)
    title = _plain(h1.group(1)) if h1 else chapter.title
    return Division(f"chapter-{scope}", title, "markdown", Markup(body), entries=entries)


def _measures_division(plan: BookPlan, sector: Sector | None, measures: list[Measure],
                       in_book: set[str], list_sheets: bool) -> Division:
    lang = plan.lang
    if sector:
        title = label("pdf.measures_of", lang, sector=sector.name[lang])
        ident = f"measures-{sector.key}"
    else:
        title = label("pdf.other_measures", lang)
        ident = "measures-other"
    views = [_measure_view(m, plan, in_book) for m in measures]
    summary = sorted(views, key=lambda v: v["order"])
    entries = [TocEntry(f"{ident}-summary", label("pdf.summary", lang), 2)] if measures else []
    if list_sheets:
        entries += [TocEntry(v["anchor"], f'{v["id"]} {v["title"]}', 2) for v in views]
    return Division(ident, title, "measures", data={"sheets": views, "summary": summary, "sector": sector},
                    entries=entries)


def _measure_view(m: Measure, plan: BookPlan, in_book: set[str]) -> dict:
    lang, catalogue = plan.lang, plan.sources.catalogue
    figures = [(label("figures.investment", lang), format_vnd_range(m.investment_vnd, lang))]
    for kind, rng in m.savings.items():
        value = (format_vnd_range(rng, lang) + label("unit.per_year", lang) if kind == "money_vnd_per_year"
                 else format_percent_range(rng, lang))
        figures.append((label(f"figures.{kind}", lang), value))
    figures.append((label("figures.payback", lang), format_years(m.payback_years, lang)))
    description = resolve_measure_links(escape_markdown_block(m.description[lang]),
                                        lambda mid: _measure_href(mid, in_book), m.path)
    related = [(rid, catalogue.by_id[rid].title[lang] if rid in catalogue.by_id else "",
                _measure_href(rid, in_book) if rid in in_book else None) for rid in m.related]
    return {
        "id": m.id, "anchor": f"measure-{m.slug}", "title": m.title[lang], "summary": m.summary[lang],
        "sector": catalogue.sector_by_key[m.sector].name[lang], "stage": m.process_stage[lang],
        "technique": label(f"technique.{m.technique}", lang),
        "complexity": label(f"complexity.{m.complexity}", lang),
        "complexity_level": m.complexity,
        "complexity_long": label(f"complexity.{m.complexity}_long", lang),
        "investment": format_vnd_range(m.investment_vnd, lang),
        "payback": format_years(m.payback_years, lang),
        "figures": figures,
        "basis": label(f"figure_basis.{m.figure_basis}", lang),
        "basis_note": label(f"figure_basis.{m.figure_basis}_note", lang),
        "figure_note": m.figure_note[lang] if m.figure_note else "",
        "savings_basis": m.savings_basis[lang] if m.savings_basis else "",
        "description": Markup(_mark_xrefs(_scope_ids(to_html(description), f"measure-{m.slug}"))),
        "benefits": m.environmental_benefits[lang], "applicability": m.applicability[lang],
        "related": related, "sources": m.sources, "reviewed": format_day(m.reviewed, lang),
        # Quick wins first: the simplest measures, then the fastest payback.
        "order": (m.complexity, m.payback_years.mid, m.investment_vnd.mid, m.id),
    }


def _worksheets_division(plan: BookPlan) -> Division:
    sheets = [(w, _row_height_mm(w, plan.lang)) for w in plan.sources.worksheets]
    entries = [TocEntry(f"worksheet-{w.key}", w.title[plan.lang], 2) for w, _ in sheets]
    return Division("worksheets", label("pdf.worksheets", plan.lang), "worksheets", data=sheets, entries=entries)


def _row_height_mm(sheet, lang: str) -> float:
    """Rows as tall as the page allows (room to write by hand), but the form on one page.

    A4 minus margins leaves about 250 mm; the title, purpose (about 110
    characters a line), header fields and column heads take their share.
    """
    purpose_lines = -(-len(sheet.purpose[lang]) // 110) if sheet.purpose else 0
    used = 26 + purpose_lines * 4.5 + len(sheet.fields) * 8 + 16
    return round(max(6.5, min(13.0, (246 - used) / sheet.rows)), 1)


def _glossary_division(plan: BookPlan) -> Division:
    lang = plan.lang
    other = next(l for l in LANGUAGES if l != lang)
    key = vi_sort_key if lang == "vi" else (lambda s: s.casefold())
    terms = sorted(plan.sources.glossary, key=lambda t: key(t.term[lang]))
    return Division("glossary", label("pdf.glossary", lang), "glossary",
                    data={"terms": terms, "other": other})


def _index_division(plan: BookPlan, measures: list[Measure]) -> Division:
    """Measures grouped by technique (UNEP order), then by complexity, then id."""
    lang = plan.lang
    groups = []
    vocab = plan.sources.catalogue.vocabulary
    for technique in vocab.techniques:
        of_technique = [m for m in measures if m.technique == technique]
        if not of_technique:
            continue
        levels = [(value_label("complexity", level, lang),
                   [(m.id, m.title[lang], f"#measure-{m.slug}") for m in of_technique if m.complexity == level])
                  for level in vocab.complexities]
        groups.append((value_label("technique", technique, lang), [lv for lv in levels if lv[1]]))
    return Division("index", label("pdf.index", lang), "index", data=groups)


# --- helpers ---------------------------------------------------------------

def _mark_xrefs(body: str) -> str:
    """Links to fact sheets in running text get "(p. N)" after them: paper has no links."""
    return body.replace('<a href="#measure-', '<a class="xref" href="#measure-')


def _measure_href(mid: str, in_book: set[str]) -> str | None:
    # Every id was checked beforehand (check_measure_links); all of them are in the book.
    return f"#measure-{mid.lower()}" if mid in in_book else None


_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S)
_H2 = re.compile(r'<h2\b[^>]*\bid="([^"]+)"[^>]*>(.*?)</h2>', re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_HREF = re.compile(r'\bhref="#([^"]+)"')
_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
_TAG = re.compile(r"<[^>]+>")


def _scope_ids(body: str, scope: str) -> str:
    """Prefix the ids of one chapter: all chapters share one HTML document, and two
    chapters with a "References" heading must not share an anchor. Measure anchors
    and the flow diagrams' marker ids (cp-*) are global and kept."""
    body = _HEADERLINK.sub("", body)  # the site's ¶ permalinks mean nothing on paper
    # Inline SVG does not inherit the page's font: name it, or its Vietnamese labels fall back to another font.
    body = body.replace('<svg class="cp-flow"', '<svg class="cp-flow" font-family="CP Noto Sans, DejaVu Sans"')

    def keep(name: str) -> bool:
        return name.startswith(("measure-", "cp-"))

    body = _ID.sub(lambda m: m.group(0) if keep(m.group(1)) else f'id="{scope}-{m.group(1)}"', body)
    return _HREF.sub(lambda m: m.group(0) if keep(m.group(1)) else f'href="#{scope}-{m.group(1)}"', body)


def _plain(fragment: str) -> str:
    return html_lib.unescape(_TAG.sub("", fragment)).strip()


def css_string(text: str) -> str:
    """A CSS string literal; safe inside <style> (no quote, backslash or '<' survives raw)."""
    out = []
    for ch in text:
        out.append(ch if ch.isprintable() and ch not in '"\\<>' else f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


def _stylesheet(plan: BookPlan) -> str:
    """Fonts, then the language's generated content, then book.css: one author
    stylesheet, so book.css's later rules (blank pages) win over the running heads."""
    book_css = (TEMPLATES / "book.css").read_text(encoding="utf-8")
    return "\n".join([font_css(), _css_strings(plan), book_css]).replace("</", "<\\/")


def _css_strings(plan: BookPlan) -> str:
    """Language-dependent generated content: running head, "page X of Y", page references."""
    lang = plan.lang
    before, _, rest = label("pdf.page_of", lang).partition("{page}")
    middle, _, after = rest.partition("{pages}")
    page_of = " ".join(filter(None, [css_string(before) if before else "", "counter(page)",
                                     css_string(middle) if middle else "", "counter(pages)",
                                     css_string(after) if after else ""]))
    head = css_string(f"{plan.title()} · {plan.scope()}")
    see = css_string(label("pdf.page_abbr", lang) + "\u00a0")
    return (f":root {{ --cp-lang: {css_string(lang)}; }}\n"
            f"@page :left {{ @top-left {{ content: {head}; }} @bottom-left {{ content: {page_of}; }} }}\n"
            f"@page :right {{ @bottom-right {{ content: {page_of}; }} }}\n"
            f'.xref::after {{ content: " (" {see} target-counter(attr(href), page) ")"; }}\n'
            f'.toc a::after, .index a::after {{ content: leader(".") target-counter(attr(href), page); }}\n')


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env
