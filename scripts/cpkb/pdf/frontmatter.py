"""The front of a book: the document's settings, the cover, the colophon and the
contents. A mixin of the book writer (pdf.book._Book), which supplies emit, L,
lang and plan."""

from __future__ import annotations

import re
from pathlib import Path

from cpkb import __version__
from cpkb.pdf.markup import escape, string
from cpkb.pdf.plan import site_url, source_date
from cpkb.text.labels import label
from cpkb.text.numbers import format_day

TEMPLATES = Path(__file__).parent / "templates"


class FrontMatter:
    def preamble(self) -> None:
        plan, lang = self.plan, self.lang
        spec = plan.sources.spec
        stamp = source_date(spec.date)
        before, _, rest = label("pdf.page_of", lang).partition("{page}")
        middle, _, after = rest.partition("{pages}")
        title = f"{plan.title()} – {plan.scope()}"
        keywords = ", ".join(string(k.strip()) for k in label("pdf.keywords", lang).split(","))
        self.emit(
            (TEMPLATES / "book.typ").read_text(encoding="utf-8"),
            "\n",
            f"#set document(title: {string(title)}, author: {string(label('site.name', lang))}, "
            f"description: {string(label('pdf.subject', lang, scope=plan.scope()))}, "
            f"keywords: ({keywords},), "
            f"date: datetime(year: {stamp.year}, month: {stamp.month}, day: {stamp.day}, "
            f"hour: {stamp.hour}, minute: {stamp.minute}, second: {stamp.second}))\n",
            f"#set text(lang: {string(lang)})\n",
            f"#let cp-xref = cp-xref.with(abbr: [{self.L('pdf.page_abbr')}])\n",
            f"#show: cp-setup.with(head: [{escape(plan.title())} · {escape(plan.scope())}], "
            f"page-of: (p, n) => [{escape(before)}#p{escape(middle)}#n{escape(after)}])\n\n",
        )

    def cover(self) -> None:
        plan, lang, spec = self.plan, self.lang, self.plan.sources.spec
        sector = plan.sector_obj
        subtitle = spec.subtitle[lang] if spec.subtitle else ""
        vsic = (
            f"#text(size: 10pt)[{self.L('sector.vsic')}: {escape(sector.vsic)}]\n\n" if sector and sector.vsic else ""
        )
        self.emit(
            "#page(header: none, footer: none, margin: (x: 25mm, top: 35mm, bottom: 25mm))[\n",
            f'#text(size: 11pt, fill: cp-accent, weight: "bold")[{self.L("site.name")}]\n',
            "#line(length: 100%, stroke: 1.5pt + cp-accent)\n#v(18mm)\n",
            f'#block(text(size: 26pt, weight: "bold", fill: cp-accent, hyphenate: false)[{escape(plan.title())}])\n',
            f"#block(text(size: 13pt)[{escape(subtitle)}])\n#v(10mm)\n" if subtitle else "#v(10mm)\n",
            f'#block(text(size: 18pt, weight: "bold")[{escape(plan.scope())}])\n\n{vsic}',
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
        cite = label(
            "pdf.colophon_cite_text",
            lang,
            title=title,
            edition=spec.edition,
            date=date,
            url=url or label("site.name", lang),
        )
        rows = [
            (label("pdf.colophon_title", lang), title),
            (
                label("pdf.edition", lang),
                label("pdf.colophon_edition_text", lang, edition=spec.edition, date=date, version=__version__),
            ),
            (label("pdf.colophon_publisher", lang), label("pdf.colophon_publisher_text", lang)),
            (label("pdf.colophon_licence", lang), label("pdf.colophon_licence_text", lang)),
            (label("pdf.colophon_site", lang), url or label("pdf.colophon_no_site", lang)),
            (label("pdf.colophon_cite", lang), cite),
        ]
        cells = ",\n  ".join(f"strong[{escape(k)}], [{escape(v)}]" for k, v in rows)
        self.emit(
            "#page(header: none, footer: none)[\n#v(1fr)\n#set text(size: 8.5pt)\n#set par(justify: false)\n",
            f'#block(below: 10pt, text(size: 11pt, weight: "bold", fill: cp-accent)[{self.L("pdf.colophon")}])\n',
            f"#grid(columns: (auto, 1fr), column-gutter: 12pt, row-gutter: 8pt,\n  {cells})\n",
            f"#v(8pt)\n#block(inset: 6pt, stroke: cp-rule)[{self.L('pdf.colophon_disclaimer')}]\n]\n\n",
        )

    def contents(self) -> None:
        """The contents' heading, and a place for its lines: they are filled in by
        `fill_contents` once the whole book is written."""
        self.emit(f"#heading(level: 1, outlined: false, bookmarked: true)[{self.L('pdf.contents')}] <contents>\n")
        self.contents_at = len(self.out)
        self.emit("")

    def fill_contents(self) -> None:
        """Write the contents: a line for each heading of level 1 or 2 that is not
        `outlined: false`, in book order, from the headings this book wrote (each
        one line `#heading(level: N, ...)[title] <label>`; see cp-toc-entry for why
        not Typst's outline)."""
        if self.contents_at is None:
            return
        lines = [
            f"#cp-toc-entry({level}, <{target}>)[{title}]\n"
            for level, options, title, target in _HEADING.findall("".join(self.out))
            if int(level) <= 2 and "outlined: false" not in options
        ]
        self.out[self.contents_at] = "".join(lines) + "\n"


_HEADING = re.compile(r"^(?:#cp-worksheet\(\[)?#heading\(level: (\d)([^)]*)\)\[(.*)\] <([^>\s]+)>$", re.M)
"""A heading as the book writer emits it: level, other options, title markup, label."""
