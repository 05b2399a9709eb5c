"""One book as one Typst document, made from the same views as the site.

What goes into a book (and in which order) is decided here; how it looks is
decided by templates/book.typ. Every value from a source reaches the Typst
file escaped (markup.escape, markup.string) or as the rendered, sanitised
HTML of view.py turned into markup by markup.html_to_typst: a hostile title
prints as text and nothing from a source becomes Typst code.
"""

from __future__ import annotations

import re
from functools import lru_cache

from cpkb.pdf.htmltree import _find, parse_html
from cpkb.pdf.markup import Context, _blocks, escape, html_to_typst, label as typst_label, string
from cpkb.source.catalogue import Sector
from cpkb.text.labels import label
from cpkb.text.markdown import MEASURE_LINK
from cpkb.view import ChapterView, MeasureView, chapter_view, measure_view

from cpkb.pdf.annex import SupportAnnex
from cpkb.pdf.backmatter import BackMatter, column_weights  # noqa: F401 (column_weights: part of the interface)
from cpkb.pdf.frontmatter import FrontMatter
from cpkb.pdf.plan import (
    WORKSHEETS_BOOK,
    BookPlan,
    book_measures,
    book_sectors,  # noqa: F401
    check_measure_links,  # noqa: F401
    measure_url,
    plan_books,  # noqa: F401
    referenced_measures,
    site_url,  # noqa: F401
    source_date,
)
from cpkb.pdf.render import BookSource
from cpkb.pdf.views import reuse_view


# --- the document ----------------------------------------------------------


class _Book(FrontMatter, BackMatter, SupportAnnex):
    """Writes one book's Typst text; keeps the anchors and index entries as it goes."""

    def __init__(self, plan: BookPlan):
        self.plan, self.lang = plan, plan.lang
        self.cat = plan.sources.catalogue
        self.out: list[str] = []
        self.contents_at: int | None = None  # where FrontMatter.contents leaves room for its lines
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
        self.sections: list[tuple[str, str]] = []  # (label, plain text) for the keyword index

    def L(self, key: str, **kw) -> str:  # noqa: N802
        return escape(label(key, self.lang, **kw))

    def emit(self, *parts: str) -> None:
        self.out.extend(parts)

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
            headings = {
                scope + h.attrs["id"]
                for h in _find(root, lambda n: n.tag in ("h2", "h3", "h4", "h5", "h6") and n.attrs.get("id"))
            }
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
        self.emit(
            f"#heading(level: 2)[{self.L('pdf.summary')}] <{ident}-summary>\n",
            f"#text(size: 8.5pt, fill: cp-muted)[{self.L('pdf.summary_order')}]\n\n",
        )
        levels = len(self.cat.vocabulary.complexities)
        rows = []
        for v in sorted(views, key=lambda v: v.order):
            target = f"<measure-{v.slug}>"
            rows.append(
                f"box[{escape(v.id)}], [#cp-link({target})[{escape(v.title)}] \\ #text(fill: cp-muted)[{escape(v.stage)}]], "
                f"[{escape(v.technique)}], [#cp-level({v.measure.complexity}, {levels}) {escape(v.complexity)}], "
                f"[{escape(v.investment)}], [{escape(v.payback)}], align(right, cp-pageref({target}))"
            )
        heads = ", ".join(
            f"[*{self.L(k)}*]"
            for k in (
                "table.id",
                "table.measure",
                "figures.technique",
                "figures.complexity",
                "figures.investment",
                "figures.payback",
                "pdf.page",
            )
        )
        self.emit(
            "#table(columns: (auto, 2.2fr, 1fr, auto, 1.2fr, 0.8fr, auto), stroke: cp-rule, "
            "inset: (x: 4pt, y: 3.5pt),\n",
            f"  table.header({heads}),\n  " + ",\n  ".join(rows) + ")\n\n",
        )
        for v in views:
            self.fact_sheet(v, outlined=list_sheets)

    def fact_sheet(self, v: MeasureView, outlined: bool) -> None:
        L, lang = self.L, self.lang
        anchor = f"measure-{v.slug}"
        levels = len(self.cat.vocabulary.complexities)
        self.emit(
            "#pagebreak(weak: true)\n",
            f"#heading(level: 2, outlined: {'true' if outlined else 'false'}, bookmarked: true)"
            f"[{escape(v.id)}. {escape(v.title)}] <{anchor}>\n",
            f"#text(size: 8pt, fill: cp-muted)[{escape(v.id)} · {escape(v.sector_name)} · {escape(v.stage)}]\n\n",
            f"#emph[{escape(v.summary)}]\n\n",
        )
        rows = [
            (L("figures.technique"), escape(v.technique)),
            (L("figures.complexity"), f"#cp-level({v.measure.complexity}, {levels}) {escape(v.complexity_long)}"),
            (L("figures.investment"), escape(v.investment)),
        ]
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
            part("measure.related", self._related_list(v))
        part("measure.sources", self._sources_list(v))
        plain = " ".join(
            [v.title, v.summary, _text_of(v.description), _text_of(v.environmental_benefits), _text_of(v.applicability)]
        )
        self.sections.append((anchor, plain))
        del lang

    def _related_list(self, v: MeasureView) -> str:
        """The related measures, each a link where the book has it (printed or referenced)."""
        items = []
        for r in v.related:
            target = (
                f"measure-{r.id.lower()}"
                if f"measure-{r.id.lower()}" in self.anchors
                else f"measure-ref-{r.id.lower()}"
            )
            text = f"{escape(r.id)} {escape(r.title)}"
            items.append(f"[#cp-xref(<{target}>)[{text}]]" if target in self.anchors else f"[{text}]")
        return f"#list({', '.join(items)})\n"

    def _sources_list(self, v: MeasureView) -> str:
        """The measure's sources, numbered, and who reviewed it when."""
        L = self.L
        sources = []
        for s in v.sources:
            pages = f", {L('measure.pages')} {escape(str(s.pages))}" if getattr(s, "pages", None) else ""
            url = f" #link({string(s.url)})[{escape(s.url)}]" if getattr(s, "url", None) else ""
            sources.append(f"[{escape(s.publisher)} ({escape(s.when)}). #emph[{escape(s.title)}]{pages}.{url}]")
        by = f" ({label('measure.reviewer', self.lang)}: {v.measure.reviewer})" if v.measure.reviewer else ""
        # The review date first, kept with the heading: after the list it was often
        # the only line of a fact sheet's last page. Scoped: a `set` at the top level
        # would shrink the rest of the book, and each one lengthens the style chain
        # every later element walks.
        return (
            f"#block(sticky: true, text(size: 8pt, fill: cp-muted)[{L('measure.reviewed')}: {escape(v.reviewed + by)}])\n"
            f"#[#set text(size: 8.5pt)\n#enum({', '.join(sources)})]\n"
        )

    def referenced_list(self) -> None:
        if not self.referenced:
            return
        self.division("measures-referenced", label("pdf.other_measures", self.lang))
        self.emit(f"{self.L('pdf.other_measures_intro')}\n\n")
        for m in self.referenced:
            sector = self.cat.sector_by_key[m.sector].name[self.lang]
            url = measure_url(m, self.lang)
            link = f" \\ #link({string(url)})[{escape(url)}]" if url else ""
            self.emit(
                f"#block(breakable: false, above: 8pt)[*{escape(m.id)}* {escape(m.title[self.lang])} "
                f"#text(fill: cp-muted)[({escape(sector)})]{link}] <measure-ref-{m.slug}>\n\n"
            )

    def chapter_view(self, chapter) -> ChapterView:
        """chapter_view, once per chapter, language and link targets (the general
        chapters are in every book)."""
        links = tuple(self.href_for(mid.upper()) for mid in MEASURE_LINK.findall(chapter.markdown))
        key = (chapter.path, self.lang, links)
        if key not in _CHAPTERS:
            _CHAPTERS[key] = chapter_view(chapter, self.lang, self.href_for)
        return _CHAPTERS[key]

    def view_of(self, m) -> MeasureView:
        """measure_view, once per measure, language and link targets (the utilities
        measures are in every sector book)."""
        return reuse_view(m, self.lang, self.href_for, lambda href: measure_view(self.cat, m, self.lang, href))

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
                views = [self.view_of(m) for m in self.printed if m.sector == key]
                self.measures(sector, views, list_sheets=plan.sector is not None)
            self.referenced_list()
            for appendix in sources.spec.appendices:
                if appendix == "support":
                    self.support_annex()
                elif appendix == "worksheets" and sources.worksheets:
                    self.worksheets()
                elif appendix == "glossary" and sources.glossary:
                    self.glossary()
                elif appendix == "index" and self.printed:
                    self.keyword_index()
                    self.technique_index()
        self.emit('#[#metadata("end") <cp-end>]\n')
        self.fill_contents()
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
