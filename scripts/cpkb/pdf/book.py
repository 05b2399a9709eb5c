"""One book as one Typst document, made from the same views as the site.

What goes into a book (and in which order) is decided here; how it looks is
decided by templates/book.typ. Every value from a source reaches the Typst
file escaped (markup.escape, markup.string) or as the rendered, sanitised
HTML of view.py turned into markup by markup.html_to_typst: a hostile title
prints as text and nothing from a source becomes Typst code.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cpkb import LANGUAGES, __version__
from cpkb.pdf.markup import Context, _blocks, _find, escape, html_to_typst, label as typst_label, parse_html, string
from cpkb.source.catalogue import Measure, Sector
from cpkb.source.handbook import Sources, Worksheet
from cpkb.source.problems import Problem
from cpkb.text.labels import label, value_label
from cpkb.text.markdown import MEASURE_LINK, MeasureLinkError, resolve_measure_links
from cpkb.text.numbers import format_day, vi_sort_key
from cpkb.view import ChapterView, MeasureView, chapter_view, measure_view

TEMPLATES = Path(__file__).parent / "templates"
WORKSHEETS_BOOK = "worksheets"
"""The `sector` of a plan that holds only the worksheets (the photocopy PDF)."""


@dataclass
class BookPlan:
    """Which book (sector, complete or worksheets only) in which language, and its sources."""

    sources: Sources
    sector: str | None
    lang: str

    @property
    def sector_obj(self) -> Sector | None:
        return self.sources.catalogue.sector_by_key.get(self.sector) if self.sector else None

    def title(self) -> str:
        return self.sources.spec.title[self.lang]

    def scope(self) -> str:
        """The sector's name, "all sectors" for the complete book, or "worksheets"."""
        if self.sector == WORKSHEETS_BOOK:
            return label("pdf.worksheets", self.lang)
        sector = self.sector_obj
        return sector.name[self.lang] if sector else label("pdf.complete", self.lang)


@dataclass
class BookSource:
    """The Typst document of a book and the files it reads (flow diagrams), by name."""

    typ: str
    assets: dict[str, bytes] = field(default_factory=dict)
    timestamp: dt.datetime | None = None


def source_date(book_date: dt.date) -> dt.datetime:
    """The date stamped into the PDFs: SOURCE_DATE_EPOCH when set (reproducible builds), else book.yml's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.combine(book_date, dt.time(), tzinfo=dt.timezone.utc)


def site_url() -> str:
    """The published site's address (CPKB_SITE_URL, as for MkDocs), without a trailing slash; may be empty."""
    return os.environ.get("CPKB_SITE_URL", "").strip().rstrip("/")


def measure_url(m: Measure, lang: str) -> str | None:
    base = site_url()
    if not base:
        return None
    return f"{base}/measures/{m.slug}/" if lang == LANGUAGES[0] else f"{base}/{lang}/measures/{m.slug}/"


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


# --- what goes into a book -------------------------------------------------

def book_sectors(plan: BookPlan) -> list[str]:
    """The sectors whose measures a book prints: all for the complete book; for a
    sector book the sector and every cross-cutting one (no VSIC code: utilities)."""
    if plan.sector == WORKSHEETS_BOOK:
        return []
    keys = [e.key for e in plan.sources.spec.sectors]
    if plan.sector is None:
        return keys
    by_key = plan.sources.catalogue.sector_by_key
    return [plan.sector] + [k for k in keys if k != plan.sector and k in by_key and not by_key[k].vsic]


def book_measures(plan: BookPlan) -> list[Measure]:
    """The measures printed as fact sheets: those of the book's sectors."""
    keys = set(book_sectors(plan))
    return [m for m in plan.sources.catalogue.measures if m.sector in keys]


def referenced_measures(plan: BookPlan, printed: list[Measure]) -> list[Measure]:
    """Measures the book mentions (chapters, fact sheets, related) but does not print:
    listed with id, title and the site's address."""
    if plan.sector == WORKSHEETS_BOOK:
        return []
    cat, lang = plan.sources.catalogue, plan.lang
    texts = [c.markdown for c in _chapters(plan)]
    mentioned: set[str] = set()
    for m in printed:
        texts += [m.description[lang], m.environmental_benefits[lang], m.applicability[lang]]
        if m.figure_note:
            texts.append(m.figure_note[lang])
        mentioned.update(m.related)
    for text in texts:
        mentioned.update(mid.upper() for mid in MEASURE_LINK.findall(text))
    own = {m.id for m in printed}
    return [m for m in cat.measures if m.id in mentioned and m.id not in own]


def _chapters(plan: BookPlan):
    if plan.sector == WORKSHEETS_BOOK:
        return []
    chapters = list(plan.sources.general[plan.lang])
    for key in book_sectors(plan):
        chapter = plan.sources.sector_chapters.get((key, plan.lang))
        if chapter:
            chapters.append(chapter)
    return chapters


# --- the document ----------------------------------------------------------

class _Book:
    """Writes one book's Typst text; keeps the anchors and index entries as it goes."""

    def __init__(self, plan: BookPlan):
        self.plan, self.lang = plan, plan.lang
        self.cat = plan.sources.catalogue
        self.out: list[str] = []
        self.assets: dict[str, bytes] = {}
        self.printed = book_measures(plan)
        self.referenced = referenced_measures(plan, self.printed)
        self.anchors: set[str] = {f"measure-{m.slug}" for m in self.printed}
        self.anchors |= {f"measure-ref-{m.slug}" for m in self.referenced}
        in_book = {m.id for m in self.printed}
        known = set(self.cat.by_id)

        def href_for(mid: str) -> str | None:
            if mid in in_book:
                return f"#measure-{mid.lower()}"
            return f"#measure-ref-{mid.lower()}" if mid in known else None

        self.href_for = href_for
        self.sections: list[tuple[str, str]] = []   # (label, plain text) for the keyword index

    def L(self, key: str, **kw) -> str:  # noqa: N802
        return escape(label(key, self.lang, **kw))

    def emit(self, *parts: str) -> None:
        self.out.extend(parts)

    # -- front matter --

    def preamble(self) -> None:
        plan, lang = self.plan, self.lang
        spec = plan.sources.spec
        stamp = source_date(spec.date)
        before, _, rest = label("pdf.page_of", lang).partition("{page}")
        middle, _, after = rest.partition("{pages}")
        title = f"{plan.title()} – {plan.scope()}"
        keywords = ", ".join(string(k.strip()) for k in label("pdf.keywords", lang).split(","))
        self.emit(
            (TEMPLATES / "book.typ").read_text(encoding="utf-8"), "\n",
            f"#set document(title: {string(title)}, author: {string(label('site.name', lang))}, "
            f"description: {string(label('pdf.subject', lang, scope=plan.scope()))}, "
            f"keywords: ({keywords},), "
            f"date: datetime(year: {stamp.year}, month: {stamp.month}, day: {stamp.day}, "
            f"hour: {stamp.hour}, minute: {stamp.minute}, second: {stamp.second}))\n",
            f"#set text(lang: {string(lang)})\n",
            f"#cp-page-abbr.update([{self.L('pdf.page_abbr')}])\n",
            f"#show: cp-setup.with(head: [{escape(plan.title())} · {escape(plan.scope())}], "
            f"page-of: (p, n) => [{escape(before)}#p{escape(middle)}#n{escape(after)}])\n\n",
        )

    def cover(self) -> None:
        plan, lang, spec = self.plan, self.lang, self.plan.sources.spec
        sector = plan.sector_obj
        subtitle = spec.subtitle[lang] if spec.subtitle else ""
        vsic = f"#text(size: 10pt)[{self.L('sector.vsic')}: {escape(sector.vsic)}]\n\n" if sector and sector.vsic else ""
        self.emit(
            "#page(header: none, footer: none, margin: (x: 25mm, top: 35mm, bottom: 25mm))[\n",
            f"#text(size: 11pt, fill: cp-accent, weight: \"bold\")[{self.L('site.name')}]\n",
            "#line(length: 100%, stroke: 1.5pt + cp-accent)\n#v(18mm)\n",
            f"#block(text(size: 26pt, weight: \"bold\", fill: cp-accent, hyphenate: false)[{escape(plan.title())}])\n",
            f"#block(text(size: 13pt)[{escape(subtitle)}])\n#v(10mm)\n" if subtitle else "#v(10mm)\n",
            f"#block(text(size: 18pt, weight: \"bold\")[{escape(plan.scope())}])\n\n{vsic}",
            "#v(1fr)\n",
            f"#grid(columns: (auto, 1fr), column-gutter: 12pt, row-gutter: 6pt,\n"
            f"  [{self.L('pdf.language')}], [{self.L('pdf.language_name')}],\n"
            f"  [{self.L('pdf.edition')}], [{escape(spec.edition)}],\n"
            f"  [{self.L('pdf.date')}], [{escape(format_day(spec.date, lang))}])\n",
            f"#v(8mm)\n#text(size: 8.5pt, fill: cp-muted)[{self.L('pdf.cover_note')}]\n]\n\n",
        )

    def colophon(self) -> None:
        plan, lang, spec = self.plan, self.lang, self.plan.sources.spec
        date = format_day(spec.date, lang)
        url = site_url()
        title = f"{plan.title()} – {plan.scope()}"
        cite = label("pdf.colophon_cite_text", lang, title=title, edition=spec.edition, date=date,
                     url=url or label("site.name", lang))
        rows = [
            (label("pdf.colophon_title", lang), title),
            (label("pdf.edition", lang), label("pdf.colophon_edition_text", lang, edition=spec.edition,
                                                date=date, version=__version__)),
            (label("pdf.colophon_publisher", lang), label("pdf.colophon_publisher_text", lang)),
            (label("pdf.colophon_licence", lang), label("pdf.colophon_licence_text", lang)),
            (label("pdf.colophon_site", lang), url or label("pdf.colophon_no_site", lang)),
            (label("pdf.colophon_cite", lang), cite),
        ]
        cells = ",\n  ".join(f"strong[{escape(k)}], [{escape(v)}]" for k, v in rows)
        self.emit(
            "#page(header: none, footer: none)[\n#v(1fr)\n#set text(size: 8.5pt)\n#set par(justify: false)\n",
            f"#block(below: 10pt, text(size: 11pt, weight: \"bold\", fill: cp-accent)[{self.L('pdf.colophon')}])\n",
            f"#grid(columns: (auto, 1fr), column-gutter: 12pt, row-gutter: 8pt,\n  {cells})\n",
            f"#v(8pt)\n#block(inset: 6pt, stroke: cp-rule)[{self.L('pdf.colophon_disclaimer')}]\n]\n\n",
        )

    def contents(self) -> None:
        self.emit(f"#heading(level: 1, outlined: false, bookmarked: true)[{self.L('pdf.contents')}] <contents>\n",
                  "#outline(title: none, depth: 2, indent: 1.2em)\n\n")

    # -- divisions --

    def division(self, ident: str, title: str) -> None:
        self.emit("#cp-division()\n", f"#heading(level: 1)[{escape(title)}] <{typst_label(ident)}>\n\n")

    def chapter(self, view: ChapterView, part: str) -> None:
        scope = f"{part}-{view.slug}-"
        ident = f"chapter-{part}-{view.slug}"
        self.division(ident, view.title)
        body = str(view.body)
        key = (body, scope, tuple(t in self.anchors for t in _HREF.findall(body)))
        if key not in _CHAPTER_TYPST:
            root = parse_html(body)
            # The chapter's own "# Title" is the division heading written above.
            root.children = [c for c in root.children if not (getattr(c, "tag", "") == "h1")]
            anchors = set(self.anchors)
            ctx = Context(anchors, {}, scope=scope)
            for div in _find(root, lambda n: n.tag == "div" and "footnote" in n.classes()):
                for li in _find(div, lambda n: n.tag == "li" and n.attrs.get("id")):
                    ctx.footnotes[li.attrs["id"]] = li
            headings = {scope + h.attrs["id"] for h in _find(root, lambda n: n.tag in ("h2", "h3", "h4", "h5", "h6")
                                                               and n.attrs.get("id"))}
            ctx.anchors |= headings
            typ = _blocks(root.children, ctx)
            _CHAPTER_TYPST[key] = (typ, dict(ctx.assets), headings, self._sections_of(root, ident, scope))
        typ, assets, headings, sections = _CHAPTER_TYPST[key]
        self.anchors |= headings
        self.assets.update(assets)
        self.sections.extend(sections)
        self.emit(typ, "\n")

    @staticmethod
    def _sections_of(root, ident: str, scope: str) -> list[tuple[str, str]]:
        """(label, plain text) of each level-2 section, for the keyword index."""
        sections, current, text = [], ident, []
        for c in root.children:
            if getattr(c, "tag", "") == "h2" and c.attrs.get("id"):
                sections.append((current, " ".join(text)))
                current, text = scope + c.attrs["id"], []
            text.append(c if isinstance(c, str) else c.text())
        sections.append((current, " ".join(text)))
        return sections

    def measures(self, sector: Sector, views: list[MeasureView], list_sheets: bool) -> None:
        lang = self.lang
        ident = f"measures-{sector.key}"
        self.division(ident, label("pdf.measures_of", lang, sector=sector.name[lang]))
        if not views:
            self.emit(f"{self.L('pdf.no_measures')}\n\n")
            return
        self.emit(f"#heading(level: 2)[{self.L('pdf.summary')}] <{ident}-summary>\n",
                  f"#text(size: 8.5pt, fill: cp-muted)[{self.L('pdf.summary_order')}]\n\n")
        levels = len(self.cat.vocabulary.complexities)
        rows = []
        for v in sorted(views, key=lambda v: v.order):
            target = f"<measure-{v.slug}>"
            rows.append(
                f"box[{escape(v.id)}], [#link({target})[{escape(v.title)}] \\ #text(fill: cp-muted)[{escape(v.stage)}]], "
                f"[{escape(v.technique)}], [#cp-level({v.measure.complexity}, {levels}) {escape(v.complexity)}], "
                f"[{escape(v.investment)}], [{escape(v.payback)}], align(right, cp-pageref({target}))")
        heads = ", ".join(f"[*{self.L(k)}*]" for k in ("table.id", "table.measure", "figures.technique",
                                                       "figures.complexity", "figures.investment",
                                                       "figures.payback", "pdf.page"))
        self.emit("#table(columns: (auto, 2.2fr, 1fr, auto, 1.2fr, 0.8fr, auto), stroke: cp-rule, "
                  "inset: (x: 4pt, y: 3.5pt),\n",
                  f"  table.header({heads}),\n  " + ",\n  ".join(rows) + ")\n\n")
        for v in views:
            self.fact_sheet(v, outlined=list_sheets)

    def fact_sheet(self, v: MeasureView, outlined: bool) -> None:
        L, lang = self.L, self.lang
        anchor = f"measure-{v.slug}"
        levels = len(self.cat.vocabulary.complexities)
        self.emit("#pagebreak(weak: true)\n",
                  f"#heading(level: 2, outlined: {'true' if outlined else 'false'}, bookmarked: true)"
                  f"[{escape(v.id)}. {escape(v.title)}] <{anchor}>\n",
                  f"#text(size: 8pt, fill: cp-muted)[{escape(v.id)} · {escape(v.sector_name)} · {escape(v.stage)}]\n\n",
                  f"#emph[{escape(v.summary)}]\n\n")
        rows = [(L("figures.technique"), escape(v.technique)),
                (L("figures.complexity"), f"#cp-level({v.measure.complexity}, {levels}) {escape(v.complexity_long)}"),
                (L("figures.investment"), escape(v.investment))]
        for s in v.savings:
            scope = f" #text(fill: cp-muted)[({escape(s.scope_label)})]" if s.scope_label else ""
            rows.append((escape(s.label), escape(s.value) + scope))
        rows.append((L("figures.payback"), escape(v.payback)))
        grid = ", ".join(f"strong[{k}], [{val}]" for k, val in rows)
        notes = [f"[*{escape(v.figure_basis)}.* {escape(v.figure_basis_note)}]"]
        if v.savings_basis:
            notes.append(f"[*{L('figures.basis')}:* {escape(v.savings_basis)}]")
        ctx = Context(self.anchors, self.assets, heading_offset=2, outlined_levels=0)
        if v.figure_note:
            notes.append(f"[*{L('figures.how_derived')}:* {self.fragment(v.figure_note, ctx).strip()}]")
        self.emit(f"#cp-figures(({grid},), ({', '.join(notes)},))\n\n")

        def part(key: str, body: str) -> None:
            self.emit(f"#heading(level: 3, outlined: false)[{L(key)}]\n", body, "\n")

        part("measure.description", self.fragment(v.description, ctx))
        part("measure.environmental_benefits", self.fragment(v.environmental_benefits, ctx))
        part("measure.applicability", self.fragment(v.applicability, ctx))
        if v.related:
            items = []
            for r in v.related:
                target = f"measure-{r.id.lower()}" if f"measure-{r.id.lower()}" in self.anchors else f"measure-ref-{r.id.lower()}"
                text = f"{escape(r.id)} {escape(r.title)}"
                items.append(f"[#cp-xref(<{target}>)[{text}]]" if target in self.anchors else f"[{text}]")
            part("measure.related", f"#list({', '.join(items)})\n")
        sources = []
        for s in v.sources:
            pages = f", {L('measure.pages')} {escape(str(s.pages))}" if getattr(s, "pages", None) else ""
            url = f" #link({string(s.url)})[{escape(s.url)}]" if getattr(s, "url", None) else ""
            sources.append(f"[{escape(s.publisher)} ({escape(str(s.year))}). #emph[{escape(s.title)}]{pages}.{url}]")
        part("measure.sources", f"#set text(size: 8.5pt)\n#enum({', '.join(sources)})\n"
                                f"#text(size: 8pt, fill: cp-muted)[{L('measure.reviewed')}: {escape(v.reviewed)}]\n")
        plain = " ".join([v.title, v.summary, _text_of(v.description), _text_of(v.environmental_benefits),
                          _text_of(v.applicability)])
        self.sections.append((anchor, plain))
        del lang

    def referenced_list(self) -> None:
        if not self.referenced:
            return
        self.division("measures-referenced", label("pdf.other_measures", self.lang))
        self.emit(f"{self.L('pdf.other_measures_intro')}\n\n")
        for m in self.referenced:
            sector = self.cat.sector_by_key[m.sector].name[self.lang]
            url = measure_url(m, self.lang)
            link = f" \\ #link({string(url)})[{escape(url)}]" if url else ""
            self.emit(f"#block(breakable: false, above: 8pt)[*{escape(m.id)}* {escape(m.title[self.lang])} "
                      f"#text(fill: cp-muted)[({escape(sector)})]{link}] <measure-ref-{m.slug}>\n\n")

    def worksheets(self, with_division: bool = True) -> None:
        sheets = self.plan.sources.worksheets
        lang = self.lang
        if with_division:
            self.division("worksheets", label("pdf.worksheets", lang))
            self.emit(f"{self.L('pdf.worksheets_intro')}\n\n")
        for w in sheets:
            step = f"#text(size: 8pt, fill: cp-muted)[{self.L('pdf.step', step=w.step)}]\n\n" if w.step else ""
            purpose = f"#text(size: 8.5pt)[{escape(w.purpose[lang])}]\n\n" if w.purpose else ""
            top = (f"#heading(level: 2, outlined: true, bookmarked: true)[{escape(w.title[lang])}] "
                   f"<worksheet-{typst_label(w.key)}>\n{step}{purpose}")
            fields = ", ".join(f"[{escape(f[lang])}]" for f in w.fields)
            columns = ", ".join(f"[{escape(c[lang])}]" for c in w.columns)
            widths = ", ".join(f"{x}fr" for x in column_weights(w))
            # Each sheet on a right-hand page with a blank back: sheets are printed
            # double-sided and the back is the room a sheet may ask for (diagrams, notes).
            self.emit("#cp-recto()\n",
                      f"#cp-worksheet([{top}], ({fields}{',' if w.fields else ''}), ({columns},), "
                      f"({widths},), {int(w.rows)})\n\n")

    def glossary(self) -> None:
        lang = self.lang
        other = next(x for x in LANGUAGES if x != lang)
        key = vi_sort_key if lang == "vi" else (lambda s: s.casefold())
        terms = sorted(self.plan.sources.glossary, key=lambda t: key(t.term[lang]))
        self.division("glossary", label("pdf.glossary", lang))
        self.emit(f"{self.L('pdf.glossary_intro')}\n\n")
        rows = []
        for i, t in enumerate(terms):
            abbr = f" ({escape(t.abbr[lang])})" if t.abbr else ""
            abbr_o = f" ({escape(t.abbr[other])})" if t.abbr else ""
            rows.append(f"[*{escape(t.term[lang])}*{abbr} #metadata(none) <glossary-{i}>], "
                        f"text(lang: {string(other)})[{escape(t.term[other])}{abbr_o}], [{escape(t.definition[lang])}]")
            self.glossary_labels[t.term[lang]] = f"glossary-{i}"
        heads = f"[*{self.L('pdf.lang_' + lang)}*], [*{self.L('pdf.lang_' + other)}*], [*{self.L('pdf.definition')}*]"
        self.emit("#table(columns: (1fr, 1fr, 2fr), stroke: cp-rule, inset: 4pt,\n",
                  f"  table.header({heads}),\n  " + ",\n  ".join(rows) + ")\n\n")

    glossary_labels: dict[str, str]

    def keyword_index(self) -> None:
        """Glossary terms and measure titles with their pages, in the language's dictionary order."""
        lang = self.lang
        key = vi_sort_key if lang == "vi" else (lambda s: s.casefold())
        entries: dict[str, list[str]] = {}
        texts = [(ident, text.casefold()) for ident, text in self.sections]
        for t in self.plan.sources.glossary:
            term = t.term[lang]
            folded = term.casefold()
            pattern = re.compile(r"(?<!\w)" + re.escape(folded) + r"(?!\w)")
            # The substring test first: most terms are absent from most sections.
            hits = [ident for ident, text in texts if folded in text and pattern.search(text)][:8]
            if t.term[lang] in self.glossary_labels:
                hits.append(self.glossary_labels[term])
            if hits:
                entries.setdefault(term, []).extend(hits)
        for m in self.printed:
            entries.setdefault(f"{m.title[lang]} ({m.id})", []).append(f"measure-{m.slug}")
        self.division("index", label("pdf.keyword_index", lang))
        self.emit(f"{self.L('pdf.keyword_index_intro')}\n\n#columns(2, gutter: 8mm)[\n#set text(size: 8.5pt)\n")
        for term in sorted(entries, key=key):
            targets = list(dict.fromkeys(entries[term]))
            pages = (f"#context {{ let ps = ({', '.join(f'<{typst_label(x)}>' for x in targets)},)"
                     ".map(l => locate(l).page()).dedup().sorted(); "
                     "ps.map(p => str(p)).join(\", \") }")
            self.emit(f"#cp-index-entry([{escape(term)}], [{pages}])\n")
        self.emit("]\n\n")

    def technique_index(self) -> None:
        """Measures grouped by technique (schema order), then complexity, then id."""
        lang, vocab = self.lang, self.cat.vocabulary
        self.division("index-techniques", label("pdf.index", lang))
        self.emit(f"{self.L('pdf.index_intro')}\n\n")
        for technique in vocab.techniques:
            of_technique = [m for m in self.printed if m.technique == technique]
            if not of_technique:
                continue
            self.emit(f"#heading(level: 2, outlined: false)[{escape(value_label('technique', technique, lang))}]\n")
            for level in vocab.complexities:
                items = sorted((m for m in of_technique if m.complexity == level), key=lambda m: m.id)
                if not items:
                    continue
                self.emit(f"#heading(level: 3, outlined: false)[{escape(value_label('complexity', level, lang))}]\n")
                for m in items:
                    self.emit(f"#cp-index-entry([{escape(m.id)} {escape(m.title[lang])}], "
                              f"[#cp-pageref(<measure-{m.slug}>)])\n")
            self.emit("\n")

    def chapter_view(self, chapter) -> ChapterView:
        """chapter_view, once per chapter, language and link targets (the general
        chapters are in every book)."""
        links = tuple(self.href_for(mid.upper()) for mid in MEASURE_LINK.findall(chapter.markdown))
        key = (chapter.path, self.lang, links)
        if key not in _CHAPTERS:
            _CHAPTERS[key] = chapter_view(chapter, self.lang, self.href_for)
        return _CHAPTERS[key]

    def fragment(self, html, ctx: Context) -> str:
        """html_to_typst, once per fragment and link targets (most measures are in several books)."""
        text = str(html)
        if "<svg" in text:
            return html_to_typst(text, ctx)
        targets = tuple(t in self.anchors for t in _HREF.findall(text))
        key = (text, targets, ctx.heading_offset)
        if key not in _FRAGMENTS:
            _FRAGMENTS[key] = html_to_typst(text, ctx)
        return _FRAGMENTS[key]

    # -- the whole book --

    def build(self) -> BookSource:
        plan, sources, lang = self.plan, self.plan.sources, self.lang
        self.glossary_labels = {}
        self.preamble()
        self.cover()
        self.colophon()
        if plan.sector == WORKSHEETS_BOOK:
            self.worksheets(with_division=True)
        else:
            self.contents()
            for chapter in sources.general[lang]:
                self.chapter(self.chapter_view(chapter), "general")
            for key in book_sectors(plan):
                chapter = sources.sector_chapters.get((key, lang))
                if chapter:
                    self.chapter(self.chapter_view(chapter), "sector")
                sector = self.cat.sector_by_key[key]
                views = [measure_view(self.cat, m, lang, self.href_for) for m in self.printed if m.sector == key]
                self.measures(sector, views, list_sheets=plan.sector is not None)
            self.referenced_list()
            for appendix in sources.spec.appendices:
                if appendix == "worksheets" and sources.worksheets:
                    self.worksheets()
                elif appendix == "glossary" and sources.glossary:
                    self.glossary()
                elif appendix == "index" and self.printed:
                    self.keyword_index()
                    self.technique_index()
        self.emit('#[#metadata("end") <cp-end>]\n')
        return BookSource("".join(self.out), self.assets, source_date(sources.spec.date))


_CHAPTERS: dict[tuple, ChapterView] = {}
_CHAPTER_TYPST: dict[tuple, tuple] = {}
_FRAGMENTS: dict[tuple, str] = {}
_HREF = re.compile(r'href="#([^"]+)"')


def render_book(plan: BookPlan) -> BookSource:
    """The whole book as a Typst document with its assets (pure: no file is written)."""
    return _Book(plan).build()


def _text_of(html) -> str:
    return _plain_text(str(html))


@lru_cache(maxsize=4096)
def _plain_text(html: str) -> str:
    return parse_html(html).text()


# Columns of a worksheet get a share of the width by what is written in them:
# a tick or a score needs a little, a figure a little more, a description most.
_NARROW = re.compile(r"\(1–5\)|✓|\bno\.|yes/no|^(before|after|reject|status|implement now|study further)$|"
                     r"met / not met|\(%\)|^unit\b", re.I)
_FIGURE = re.compile(r"\((vnd|unit|years|hours/week)|vnd/year|quantity|budget|start – finish", re.I)
_WIDE = re.compile(r"description|notes|reason|cause$|evidence|actions|how to resolve|what the|change in|"
                   r"side effects|tasks|^cp option$|^option$|inputs|waste streams|conclusion", re.I)


def column_weights(sheet: Worksheet) -> list[float]:
    """Relative widths of a worksheet's columns, judged from the English headings
    (the same widths in both languages)."""
    weights = []
    for c in sheet.columns:
        head = c["en"].strip()
        if _WIDE.search(head):
            weights.append(2.6 if "description" in head.lower() else 2.0)
        elif _NARROW.search(head):
            weights.append(0.8)
        elif _FIGURE.search(head):
            weights.append(1.2)
        else:
            weights.append(1.5)
    return weights
