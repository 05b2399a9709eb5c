"""One view of a measure, a sector or a chapter in one language, for the site and the PDF.

Both outputs show the same fields in the same order with the same formatting
because both read these views; they differ only in where a link points
(`href_for`: a measure id to a page of the site or an anchor in the book) and
in layout. Markdown fields arrive here rendered and sanitised
(text.markdown.render_fragment), so neither output handles raw source text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby
from typing import Callable

from markupsafe import Markup

from cpkb.source.catalogue import Catalogue, Measure, Range, Sector, Source, cost_band, payback_band, savings_band
from cpkb.text.labels import label, value_label
from cpkb.text.markdown import MEASURE_LINK
from cpkb.text.numbers import format_day, format_percent_range, format_vnd_exact, format_vnd_range, format_years

HrefFor = Callable[[str], "str | None"]
"""A measure id to the address of its page or fact sheet; None when it has none."""


@dataclass(frozen=True)
class SavingView:
    """One saving as shown: "Energy: 5–10% (utility system)"."""

    kind: str
    label: str
    value: str
    scope: str | None
    scope_label: str | None
    range: Range


@dataclass(frozen=True)
class SourceView:
    """A source as cited: `when` is the year, or for an undated web page the day it was read."""

    title: str
    publisher: str
    year: int | None
    url: str | None
    pages: str | None
    when: str


def source_view(source: Source, lang: str) -> SourceView:
    if source.year is not None:
        when = str(source.year)
    else:
        day = format_day(dt.date.fromisoformat(source.accessed), lang) if source.accessed else ""
        when = label("measure.undated", lang, day=day)
    return SourceView(source.title, source.publisher, source.year, source.url, source.pages, when)


@dataclass(frozen=True)
class RelatedView:
    id: str
    title: str
    href: str | None


@dataclass(frozen=True)
class MeasureView:
    """A measure in one language: every field formatted, Markdown rendered and safe."""

    measure: Measure
    lang: str
    sector: Sector
    sector_name: str
    stage: str
    title: str
    summary: str
    technique: str
    complexity: str
    complexity_long: str
    investment: str
    investment_exact: str
    payback: str
    savings: tuple[SavingView, ...]
    figure_basis: str
    figure_basis_note: str
    savings_basis: str
    description: Markup
    environmental_benefits: Markup
    applicability: Markup
    figure_note: Markup | None
    related: tuple[RelatedView, ...]
    also_in: tuple[tuple[str, str], ...]
    """(key, name) of the other sectors where the measure commonly applies."""
    sources: tuple[SourceView, ...]
    reviewed: str
    cost_band: str
    payback_band: str
    savings_band: str | None
    """Band of money saved per year (catalogue facet), None without an amount."""
    money_saved_mid: float | None
    """Middle of the money saved per year, for sorting (comparable across measures)."""

    @property
    def resources(self) -> tuple[str, ...]:
        """The resources a percentage saving is stated for (energy, water, materials)."""
        return saved_resources(self.savings)

    @property
    def savings_text(self) -> str:
        """Every saving with its scope, one line (search hits and catalogue cards)."""
        return savings_line(self.savings)

    @property
    def id(self) -> str:
        return self.measure.id

    @property
    def slug(self) -> str:
        return self.measure.slug

    @property
    def order(self) -> tuple:
        """Quick wins first: the simplest measures, then the fastest payback."""
        m = self.measure
        return (m.complexity, m.payback_years.mid, m.investment_vnd.mid, m.id)


def saving_views(cat: Catalogue, m: Measure, lang: str) -> tuple[SavingView, ...]:
    """The savings in the schema's order (percentages, then money per year)."""
    vocab = cat.vocabulary
    out = []
    for kind in vocab.percent_kinds + vocab.money_kinds:
        rng = m.savings.get(kind)
        if rng is None:
            continue
        if kind in vocab.money_kinds:
            value = format_vnd_range(rng, lang) + label("unit.per_year", lang)
        else:
            value = format_percent_range(rng, lang)
        scope_label = value_label("scope", rng.scope, lang) if rng.scope else None
        out.append(SavingView(kind, label(f"figures.{kind}", lang), value, rng.scope, scope_label, rng))
    return tuple(out)


def saved_resources(savings: tuple[SavingView, ...]) -> tuple[str, ...]:
    """The resources a percentage saving is stated for (energy, water, materials)."""
    return tuple(s.kind.removesuffix("_pct") for s in savings if s.kind.endswith("_pct"))


def savings_line(savings: tuple[SavingView, ...]) -> str:
    """Every saving with its scope, one line: "Energy: 5–10% (utility system); …"."""
    return "; ".join(f"{s.label}: {s.value}" + (f" ({s.scope_label})" if s.scope_label else "") for s in savings)


_RENDERED: dict[tuple, Markup] = {}
_MARKDOWN: list = []


def _markdown():
    """One Markdown converter, reset between fragments: building one costs more than
    converting a fragment (extension set-up), and a book has hundreds of fragments."""
    import markdown

    from cpkb.text.markdown import EXTENSIONS, extension_configs

    if not _MARKDOWN:
        _MARKDOWN.append(markdown.Markdown(extensions=EXTENSIONS, extension_configs=extension_configs()))
    return _MARKDOWN[0].reset()


def _render_fragment(text: str, href_for: HrefFor, where: str) -> str:
    """text.markdown.render_fragment with a reused converter (same steps, same output)."""
    from cpkb.text.markdown import escape_markdown_block, resolve_measure_links
    from cpkb.text.safety import sanitize_html

    resolved = resolve_measure_links(escape_markdown_block(text), href_for, where)
    return sanitize_html(_markdown().convert(resolved))


def measure_view(cat: Catalogue, m: Measure, lang: str, href_for: HrefFor) -> MeasureView:
    """The view of `m` in `lang`; raises MeasureLinkError for a link to an unknown measure."""
    sector = cat.sector_by_key[m.sector]

    money = cat.vocabulary.money_kinds[0] if cat.vocabulary.money_kinds else None

    def md(text: str, field: str) -> Markup:
        # The same text with the same link targets renders the same: books share
        # most measures (every sector book has the utilities), so render each once.
        key = (text, tuple(href_for(mid.upper()) for mid in MEASURE_LINK.findall(text)))
        if key not in _RENDERED:
            if len(_RENDERED) > 20_000:
                _RENDERED.clear()
            _RENDERED[key] = Markup(_render_fragment(text, href_for, f"{m.path} {field}.{lang}"))
        return _RENDERED[key]

    return MeasureView(
        measure=m,
        lang=lang,
        sector=sector,
        sector_name=sector.name[lang],
        stage=m.process_stage[lang],
        title=m.title[lang],
        summary=m.summary[lang],
        technique=value_label("technique", m.technique, lang),
        complexity=value_label("complexity", m.complexity, lang),
        complexity_long=value_label("complexity", m.complexity, lang, "_long"),
        investment=format_vnd_range(m.investment_vnd, lang),
        investment_exact=f"{format_vnd_exact(m.investment_vnd.min, lang)} – {format_vnd_exact(m.investment_vnd.max, lang)}",
        payback=format_years(m.payback_years, lang),
        savings=saving_views(cat, m, lang),
        figure_basis=value_label("figure_basis", m.figure_basis, lang),
        figure_basis_note=value_label("figure_basis", m.figure_basis, lang, "_note"),
        savings_basis=m.savings_basis[lang] if m.savings_basis else "",
        description=md(m.description[lang], "description"),
        environmental_benefits=md(m.environmental_benefits[lang], "environmental_benefits"),
        applicability=md(m.applicability[lang], "applicability"),
        figure_note=md(m.figure_note[lang], "figure_note") if m.figure_note else None,
        # The validator refuses unknown related ids, so every one is in the catalogue.
        related=tuple(RelatedView(r, cat.by_id[r].title[lang], href_for(r)) for r in m.related),
        also_in=tuple((k, cat.sector_by_key[k].name[lang]) for k in m.also_in),
        sources=tuple(source_view(s, lang) for s in m.sources),
        reviewed=format_day(m.reviewed, lang),
        cost_band=cost_band(m),
        payback_band=payback_band(m),
        savings_band=savings_band(m, money) if money else None,
        money_saved_mid=m.savings[money].mid if money and money in m.savings else None,
    )


@dataclass(frozen=True)
class SectorView:
    sector: Sector
    lang: str
    name: str
    measures: tuple[MeasureView, ...]
    stages: tuple[tuple[str, tuple[MeasureView, ...]], ...]
    """Measures grouped by process stage (first appearance order), simplest first within a stage."""
    cross: tuple[MeasureView, ...] = ()
    """Measures of other sectors (mostly utilities) that list this sector in also_in."""

    @property
    def count(self) -> int:
        return len(self.measures)


def sector_view(cat: Catalogue, sector: Sector, lang: str, href_for: HrefFor) -> SectorView:
    views = tuple(measure_view(cat, m, lang, href_for) for m in cat.in_sector(sector.key))
    order: dict[str, int] = {}
    for v in views:
        order.setdefault(v.stage, len(order))
    ordered = sorted(views, key=lambda v: (order[v.stage], v.measure.complexity, v.id))
    stages = tuple((stage, tuple(items)) for stage, items in groupby(ordered, key=lambda v: v.stage))
    cross = tuple(
        sorted((measure_view(cat, m, lang, href_for) for m in cat.also_in_sector(sector.key)), key=lambda v: v.order)
    )
    return SectorView(sector, lang, sector.name[lang], views, stages, cross)


@dataclass(frozen=True)
class TocEntryView:
    """A heading of a chapter: its id (an anchor in the rendered body), text and level."""

    id: str
    title: str
    level: int


@dataclass(frozen=True)
class ChapterView:
    """A handbook chapter in one language: title, rendered and sanitised body, its sections."""

    slug: str
    lang: str
    title: str
    body: Markup
    toc: tuple[TocEntryView, ...]


def chapter_view(chapter, lang: str, href_for: HrefFor) -> ChapterView:
    """The view of a handbook chapter (source.handbook.Chapter); the toc comes from
    Markdown's own toc_tokens (the level-2 sections under the chapter's title)."""
    import html as html_lib

    from cpkb.text.markdown import resolve_measure_links
    from cpkb.text.safety import sanitize_html

    text = resolve_measure_links(chapter.markdown, href_for, chapter.shown)
    md = _markdown()
    body = sanitize_html(md.convert(text))
    tokens = md.toc_tokens  # type: ignore[attr-defined]
    title = chapter.title
    sections = tokens
    if len(tokens) == 1 and tokens[0]["level"] == 1:
        title, sections = html_lib.unescape(tokens[0]["name"]), tokens[0]["children"]
    toc = tuple(TocEntryView(t["id"], html_lib.unescape(t["name"]), t["level"]) for t in sections)
    return ChapterView(chapter.slug, lang, title, Markup(body), toc)
