"""The back of a book: worksheets, glossary, keyword index and the index by
technique. A mixin of the book writer (pdf.book._Book), which supplies emit,
division, L, lang, plan, cat and the measures printed."""

from __future__ import annotations

import re

from cpkb import LANGUAGES
from cpkb.pdf.markup import escape, label as typst_label, string
from cpkb.text.worksheet_columns import column_weights
from cpkb.text.labels import label, value_label
from cpkb.text.numbers import vi_sort_key


class BackMatter:
    def worksheets(self, with_division: bool = True) -> None:
        sheets = self.plan.sources.worksheets
        lang = self.lang
        if with_division:
            self.division("worksheets", label("pdf.worksheets", lang))
            self.emit(f"{self.L('pdf.worksheets_intro')}\n\n")
        for w in sheets:
            step = f"#text(size: 8pt, fill: cp-muted)[{self.L('pdf.step', step=w.step)}]\n\n" if w.step else ""
            purpose = f"#text(size: 8.5pt)[{escape(w.purpose[lang])}]\n\n" if w.purpose else ""
            top = (
                f"#heading(level: 2, outlined: true, bookmarked: true)[{escape(w.title[lang])}] "
                f"<worksheet-{typst_label(w.key)}>\n{step}{purpose}"
            )
            fields = ", ".join(f"[{escape(f[lang])}]" for f in w.fields)
            columns = ", ".join(f"[{escape(c[lang])}]" for c in w.columns)
            widths = ", ".join(f"{x}fr" for x in column_weights(w))
            # Each sheet on a right-hand page with a blank back: sheets are printed
            # double-sided and the back is the room a sheet may ask for (diagrams, notes).
            self.emit(
                "#cp-recto()\n",
                f"#cp-worksheet([{top}], ({fields}{',' if w.fields else ''}), ({columns},), "
                f"({widths},), {int(w.rows)})\n\n",
            )

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
            rows.append(
                f"[*{escape(t.term[lang])}*{abbr} #metadata(none) <glossary-{i}>], "
                f"text(lang: {string(other)})[{escape(t.term[other])}{abbr_o}], [{escape(t.definition[lang])}]"
            )
            self.glossary_labels[t.term[lang]] = f"glossary-{i}"
        heads = f"[*{self.L('pdf.lang_' + lang)}*], [*{self.L('pdf.lang_' + other)}*], [*{self.L('pdf.definition')}*]"
        self.emit(
            "#table(columns: (1fr, 1fr, 2fr), stroke: cp-rule, inset: 4pt,\n",
            f"  table.header({heads}),\n  " + ",\n  ".join(rows) + ")\n\n",
        )

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
            pages = f"#context cp-pages-of({', '.join(f'<{typst_label(x)}>' for x in targets)})"
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
                    self.emit(
                        f"#cp-index-entry([{escape(m.id)} {escape(m.title[lang])}], "
                        f"[#cp-pageref(<measure-{m.slug}>)])\n"
                    )
            self.emit("\n")
