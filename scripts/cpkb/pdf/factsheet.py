"""A fact sheet: one A4 page per measure and language, as one Typst document.

Made from the same `view.MeasureView` as the measure's page on the site and
its fact sheet in the books: title, id, sector, stage, technique, complexity,
the key figures with their basis, the summary, the how-to steps (the numbered
list of the description), benefits, applicability, sources with their
locators, the reviewed date and the address of the measure's page. How it
looks, and how it is kept to one page, is templates/factsheet.typ; every value
from a source reaches the Typst file escaped (markup.escape, markup.string) or
as the view's sanitised HTML turned into markup (markup._blocks).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from cpkb import LANGUAGES
from cpkb.pdf.htmltree import _find, parse_html
from cpkb.pdf.markup import Context, _blocks, escape, html_to_typst, string
from cpkb.pdf.plan import site_url
from cpkb.pdf.render import BookSource
from cpkb.source.catalogue import Catalogue, Measure
from cpkb.source.handbook import factsheet_filename as factsheet_name  # noqa: F401 (part of the interface)
from cpkb.text.labels import label
from cpkb.view import MeasureView, measure_view

TEMPLATE = Path(__file__).parent / "templates" / "factsheet.typ"


@lru_cache(maxsize=1)
def _template() -> str:
    return TEMPLATE.read_text(encoding="utf-8")


def measure_address(m: Measure, lang: str) -> str:
    """The measure's page on the site: absolute with CPKB_SITE_URL, else from the site root."""
    prefix = "" if lang == LANGUAGES[0] else f"{lang}/"
    return f"{site_url()}/{prefix}measures/{m.slug}/"


def factsheet_view(cat: Catalogue, m: Measure, lang: str) -> MeasureView:
    """The measure's view with links to other measures pointing at their pages on the site."""

    def href_for(mid: str) -> str | None:
        other = cat.by_id.get(mid)
        if other is None:
            return None
        # Without the site's address a link means nothing on paper: an anchor
        # that the sheet does not have prints as text (markup._link).
        return measure_address(other, lang) if site_url() else f"#measure-{other.slug}"

    return measure_view(cat, m, lang, href_for)


def render_factsheet(cat: Catalogue, m: Measure, lang: str) -> BookSource:
    """The fact sheet of `m` in `lang` as a Typst document (pure: nothing is written)."""
    v = factsheet_view(cat, m, lang)
    sheet = _Sheet(v, len(cat.vocabulary.complexities))
    return BookSource(sheet.document(), sheet.ctx.assets, sheet_date(m))


def sheet_date(m: Measure) -> dt.datetime:
    """The date stamped into a fact sheet: the day its measure was last reviewed, so a
    sheet changes only when its measure does (not with every commit, as a book's date)."""
    return dt.datetime.combine(m.reviewed, dt.time(), tzinfo=dt.timezone.utc)


class _Sheet:
    def __init__(self, v: MeasureView, levels: int):
        self.v, self.lang, self.levels = v, v.lang, levels
        self.ctx = Context(set(), {}, heading_offset=2, outlined_levels=0)

    def L(self, key: str, **kw) -> str:  # noqa: N802
        return escape(label(key, self.lang, **kw))

    def document(self) -> str:
        v, lang = self.v, self.lang
        title = f"{v.id}. {v.title}"
        keywords = ", ".join(string(k.strip()) for k in label("pdf.keywords", lang).split(","))
        day = v.measure.reviewed
        steps = self.steps()
        return "".join(
            [
                _template(),
                "\n",
                f"#set document(title: {string(title)}, author: {string(label('site.name', lang))}, "
                f"description: {string(label('factsheet.subject', lang, id=v.id, title=v.title))}, "
                f"keywords: ({keywords},), date: datetime(year: {day.year}, month: {day.month}, day: {day.day}))\n",
                f"#set text(lang: {string(lang)})\n",
                f"#show: cp-sheet-setup.with(head: [{self.head()}], foot: [{self.L('factsheet.footer')}])\n",
                f"#cp-sheet([{self.top()}], [{self.L('factsheet.steps')}], ({''.join(f'[{s}], ' for s in steps)}), "
                f"{self.more(len(steps))}, [{self.bottom()}])\n",
            ]
        )

    def head(self) -> str:
        return (
            f"#grid(columns: (1fr, auto), [{self.L('site.name')} · {self.L('factsheet.title')}], "
            f"strong[{escape(self.v.id)}])"
        )

    def top(self) -> str:
        v, L = self.v, self.L
        savings = (
            " #linebreak() ".join(
                escape(f"{s.label}: {s.value}")
                + (f" #text(fill: cp-muted)[({escape(s.scope_label)})]" if s.scope_label else "")
                for s in v.savings
            )
            or "–"
        )
        cells = [
            (L("figures.investment"), escape(v.investment)),
            (L("figures.payback"), escape(v.payback)),
            (L("figures.savings"), savings),
            (L("figures.technique"), escape(v.technique)),
            (L("figures.complexity"), f"#cp-level({v.measure.complexity}, {self.levels}) {escape(v.complexity_long)}"),
            (L("figures.process_stage"), escape(v.stage)),
        ]
        grid = ", ".join(f"strong[{k}], [{val}]" for k, val in cells)
        notes = [f"[*{escape(v.figure_basis)}.* {escape(v.figure_basis_note)}]"]
        if v.savings_basis:
            notes.append(f"[*{L('figures.basis')}:* {escape(v.savings_basis)}]")
        return (
            f"#heading(level: 1)[{escape(v.title)}]\n"
            f"#block(below: 0.8em, text(fill: cp-muted)[{escape(v.id)} · {escape(v.sector_name)} · "
            f"{escape(v.stage)}])\n"
            f"#cp-sheet-figures(({grid},), ({', '.join(notes)},))\n"
            f"#block(above: 0.9em, text(size: 1.05em)[{escape(v.summary)}])\n"
        )

    def steps(self) -> list[str]:
        """The how-to steps: the items of the description's first numbered list."""
        root = parse_html(str(self.v.description))
        lists = _find(root, lambda n: n.tag == "ol") or _find(root, lambda n: n.tag == "ul")
        if not lists:
            return []
        items = [c for c in lists[0].children if getattr(c, "tag", "") == "li"]
        return [_blocks(item.children, self.ctx).strip() for item in items]

    def more(self, n: int) -> str:
        """A Typst function: k => the note for the n - k steps left out."""
        before, _, after = label("factsheet.more_steps", self.lang).partition("{n}")
        return f"k => [{escape(before)}#str({n} - k){escape(after)}]"

    def bottom(self) -> str:
        v, L = self.v, self.L
        benefits = html_to_typst(str(v.environmental_benefits), self.ctx).strip()
        applicability = html_to_typst(str(v.applicability), self.ctx).strip()
        sources = []
        for s in v.sources:
            pages = f", {escape(s.pages)}" if s.pages else ""
            url = f" #link({string(s.url)})[{escape(s.url)}]" if s.url else ""
            sources.append(f"[{escape(s.publisher)} ({escape(s.when)}). #emph[{escape(s.title)}]{pages}.{url}]")
        address = measure_address(v.measure, self.lang)
        page = f"#link({string(address)})[{escape(address)}]" if site_url() else escape(address)
        return (
            f"#grid(columns: (1fr, 1fr), column-gutter: 14pt,\n"
            f"  [#heading(level: 2)[{L('measure.environmental_benefits')}]\n{benefits}],\n"
            f"  [#heading(level: 2)[{L('measure.applicability')}]\n{applicability}])\n"
            f"#heading(level: 2)[{L('measure.sources')}]\n"
            f"#block(text(size: 0.85em)[#set par(justify: false)\n#enum(tight: true, {', '.join(sources)})])\n"
            f"#block(above: 1em, width: 100%, stroke: (top: cp-rule), inset: (top: 5pt), text(size: 0.85em)["
            f"*{L('factsheet.page')}:* {page} #h(1fr) *{L('measure.reviewed')}:* {escape(v.reviewed)}])\n"
        )
