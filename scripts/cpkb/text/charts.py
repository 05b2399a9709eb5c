"""Charts as accessible inline SVG, drawn at build time in the page's language.

No JavaScript and no external library: each chart is an <svg role="img">
with a title and description, followed by the same numbers as a table. Each
chart is drawn twice, for a wide screen and for a phone (cpkb.css shows one):
scaling one drawing down to 390 px would shrink its labels to 6 px, so the
narrow drawing is laid out again, labels above the bars, at its own width.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass
from statistics import median

from cpkb.source.catalogue import Measure, Range
from cpkb.source.vocabulary import Vocabulary
from cpkb.text.labels import label, value_label
from cpkb.text.numbers import format_vnd, format_vnd_range, format_years

LEVEL_CLASS = {1: "cp-dot--1", 2: "cp-dot--2", 3: "cp-dot--3"}
MAX_POINTS = 500
"""Above this many measures the scatter chart aggregates them into cells. Below it
every point is a link to its measure; the catalogue's charts load only when
scrolled to, so a few hundred points cost the first view nothing."""
SAVING_COLOURS = {"energy_pct": "#b26a00", "water_pct": "#0f5c8a", "materials_pct": "#6a4c93"}
FALLBACK_COLOUR = "#4d6b5e"


@dataclass(frozen=True)
class Layout:
    """One drawing of a chart: its width and the room for labels."""

    width: int
    pad_left: int
    labels_above: bool


WIDE, NARROW = Layout(700, 300, False), Layout(360, 8, True)


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


# --- investment against payback ---------------------------------------------------


def investment_payback_chart(
    measures: list[Measure], vocab: Vocabulary, lang: str, chart_id: str, href_for: Callable[[str], str] | None = None
) -> str:
    """Scatter: mid-range investment (log scale) against mid-range payback; each dot
    links to its measure (a tap on a phone opens it; hover shows its title)."""
    points = [(m, max(m.investment_vnd.mid, 1e6), m.payback_years.mid) for m in measures]
    if not points:
        return ""
    head, rows = _payback_table(points, lang)
    legend = _legend(
        [
            (f"cp-dot-key {LEVEL_CLASS.get(level, '')}", "", value_label("complexity", level, lang))
            for level in vocab.complexities
        ]
    )
    wide = _scatter(points, lang, 640, 320, href_for)
    narrow = _scatter(points, lang, 360, 300, href_for)
    return _figure(
        chart_id,
        label("chart.investment_payback", lang),
        label("chart.investment_payback_desc", lang),
        wide,
        narrow,
        head,
        rows,
        lang,
        legend,
    )


def _payback_table(points, lang: str) -> tuple[tuple, list[tuple]]:
    """The chart's numbers as a table: one row a measure, or one a cell past MAX_POINTS."""
    if len(points) <= MAX_POINTS:
        head = (
            label("table.id", lang),
            label("table.measure", lang),
            label("figures.investment", lang),
            label("figures.payback", lang),
            label("figures.complexity", lang),
        )
        rows = [
            (
                m.id,
                m.title[lang],
                format_vnd_range(m.investment_vnd, lang),
                format_years(m.payback_years, lang),
                value_label("complexity", m.complexity, lang),
            )
            for m, _, _ in points
        ]
    else:
        head = (
            label("figures.investment", lang),
            label("figures.payback", lang),
            label("figures.complexity", lang),
            label("chart.axis_count", lang),
        )
        rows = [
            (
                f"{format_vnd(lo, lang)}–{format_vnd(hi, lang)}",
                format_years(Range(pb, pb + 0.5), lang),
                value_label("complexity", level, lang),
                str(n),
            )
            for level, lo, hi, pb, n in _cells(points)
        ]
    return head, rows


def _cells(points) -> list[tuple]:
    """Past a few hundred measures, one circle per cell (quarter decade of investment ×
    half a year of payback × complexity): (level, low, high, payback, count)."""
    cells: dict[tuple, int] = {}
    for m, inv, pb in points:
        key = (m.complexity, math.floor(math.log10(inv) * 4) / 4, math.floor(pb * 2) / 2)
        cells[key] = cells.get(key, 0) + 1
    return [(level, 10**log_inv, 10 ** (log_inv + 0.25), pb, n) for (level, log_inv, pb), n in sorted(cells.items())]


def _scatter(points, lang: str, w: int, h: int, href_for) -> tuple[str, int, int]:
    pad_l, pad_r, pad_t, pad_b = (64, 40, 16, 48) if w > 400 else (48, 14, 12, 46)
    lo = 10 ** math.floor(math.log10(min(p[1] for p in points)))
    hi = max(10 ** math.ceil(math.log10(max(p[1] for p in points) * 1.0001)), lo * 10)
    y_max = max(1.0, math.ceil(max(p[2] for p in points)))
    span = math.log10(hi) - math.log10(lo)
    x = lambda v: pad_l + (math.log10(v) - math.log10(lo)) / span * (w - pad_l - pad_r)
    y = lambda v: h - pad_b - v / y_max * (h - pad_t - pad_b)
    parts = [
        f'<line class="cp-axis" x1="{pad_l}" y1="{h - pad_b}" x2="{w - pad_r}" y2="{h - pad_b}"/>',
        f'<line class="cp-axis" x1="{pad_l}" y1="{pad_t}" x2="{pad_l}" y2="{h - pad_b}"/>',
    ]
    decades = int(round(span))
    every = 1 if w > 400 or decades <= 3 else 2  # fewer ticks where labels would collide
    for i in range(0, decades + 1, every):
        value = lo * 10**i
        parts.append(
            f'<text class="cp-tick" x="{x(value):.1f}" y="{h - pad_b + 16}" text-anchor="middle">'
            f"{_esc(format_vnd(value, lang))}</text>"
        )
    for step in range(0, int(y_max) + 1, max(1, int(y_max) // 5)):
        parts.append(f'<text class="cp-tick" x="{pad_l - 6}" y="{y(step) + 4:.1f}" text-anchor="end">{step}</text>')
        parts.append(f'<line class="cp-grid" x1="{pad_l}" y1="{y(step):.1f}" x2="{w - pad_r}" y2="{y(step):.1f}"/>')
    if len(points) <= MAX_POINTS:
        for m, inv, pb in points:
            dot = (
                f'<circle class="cp-dot {LEVEL_CLASS.get(m.complexity, "")}" cx="{x(inv):.1f}" cy="{y(pb):.1f}" '
                f'r="{6 if w < 400 else 5}"><title>{_esc(m.id)}: {_esc(m.title[lang])}</title></circle>'
            )
            href = href_for(m.id) if href_for else None
            parts.append(
                f'<a href="{_esc(href)}" aria-label="{_esc(m.id)}: {_esc(m.title[lang])}">{dot}</a>' if href else dot
            )
    else:
        cells = _cells(points)
        biggest = max(c[4] for c in cells)
        for level, low, high, pb, n in cells:
            radius = 3 + 9 * math.sqrt(n / biggest)
            parts.append(
                f'<circle class="cp-dot {LEVEL_CLASS.get(level, "")}" cx="{x(math.sqrt(low * high)):.1f}" '
                f'cy="{y(pb + 0.25):.1f}" r="{radius:.1f}"><title>{_esc(label("chart.cell", lang, n=n))}: '
                f"{_esc(format_vnd(low, lang))}–{_esc(format_vnd(high, lang))}</title></circle>"
            )
    parts.append(
        f'<text class="cp-axis-label" x="{(w + pad_l) / 2}" y="{h - 8}" text-anchor="middle">'
        f"{_esc(label('chart.axis_investment', lang))}</text>"
    )
    parts.append(
        f'<text class="cp-axis-label" transform="translate(14 {(h - pad_b) / 2}) rotate(-90)" '
        f'text-anchor="middle">{_esc(label("chart.axis_payback", lang))}</text>'
    )
    return "".join(parts), w, h


# --- bars ------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One row of a bar chart: a label and stacked segments (value, css class, colour, tooltip)."""

    label: str
    segments: tuple[tuple[float, str, str, str], ...]
    value_text: str


def _bars(rows: list[Bar], top: float, layout: Layout) -> tuple[str, int, int]:
    """Horizontal bars; on a phone each label stands above its bar, full width."""
    bar_h, gap = 18, 10
    label_h = 16 if layout.labels_above else 0
    row_h = bar_h + gap + label_h
    left = layout.pad_left if not layout.labels_above else 8
    room = layout.width - left - 44
    parts = []
    for i, row in enumerate(rows):
        y0 = 6 + i * row_h
        if layout.labels_above:
            parts.append(f'<text class="cp-tick" x="{left}" y="{y0 + 11}">{_esc(row.label)}</text>')
        else:
            parts.append(
                f'<text class="cp-tick" x="{left - 8}" y="{y0 + bar_h / 2 + 4}" text-anchor="end">'
                f"{_esc(row.label)}</text>"
            )
        start, y_bar = left, y0 + label_h
        for value, css, colour, tip in row.segments:
            width = value / top * room if top else 0
            if width > 0:
                fill = f' fill="{colour}"' if colour else ""
                parts.append(
                    f'<rect class="cp-bar {css}" x="{start:.1f}" y="{y_bar}" width="{width:.1f}" '
                    f'height="{bar_h}"{fill}><title>{_esc(tip)}</title></rect>'
                )
            start += width
        parts.append(
            f'<text class="cp-tick" x="{start + 5:.1f}" y="{y_bar + bar_h / 2 + 4}">{_esc(row.value_text)}</text>'
        )
    return "".join(parts), layout.width, len(rows) * row_h + 8


def technique_chart(measures: list[Measure], vocab: Vocabulary, lang: str, chart_id: str) -> str:
    """Horizontal bars: measures per technique, split by complexity level."""
    if not measures:
        return ""
    counts = {
        t: [sum(1 for m in measures if m.technique == t and m.complexity == lvl) for lvl in vocab.complexities]
        for t in vocab.techniques
    }
    rows = [
        Bar(
            value_label("technique", t, lang),
            tuple(
                (n, LEVEL_CLASS.get(lvl, ""), "", f"{value_label('complexity', lvl, lang)}: {n}")
                for lvl, n in zip(vocab.complexities, c, strict=True)
            ),
            str(sum(c)),
        )
        for t, c in counts.items()
    ]
    top = max(sum(c) for c in counts.values()) or 1
    head = (
        label("figures.technique", lang),
        *(value_label("complexity", c, lang) for c in vocab.complexities),
        label("chart.axis_count", lang),
    )
    table = [(value_label("technique", t, lang), *map(str, c), str(sum(c))) for t, c in counts.items()]
    legend = _legend(
        [
            (f"cp-dot-key {LEVEL_CLASS.get(level, '')}", "", value_label("complexity", level, lang))
            for level in vocab.complexities
        ]
    )
    return _figure(
        chart_id,
        label("chart.by_technique", lang),
        label("chart.by_technique_desc", lang),
        _bars(rows, top, WIDE),
        _bars(rows, top, NARROW),
        head,
        table,
        lang,
        legend,
    )


def savings_chart(measures: list[Measure], vocab: Vocabulary, lang: str, chart_id: str) -> str:
    """Median saving (mid-range) per kind and scope: a percentage is only ever
    compared with percentages of the same whole (a process stage with process
    stages, a utility system with systems), and every bar says which whole.
    Percentages without a scope cannot be compared and are left out."""
    rows, table = [], []
    for kind in vocab.percent_kinds:
        for scope in vocab.scopes:
            values = [m.savings[kind].mid for m in measures if kind in m.savings and m.savings[kind].scope == scope]
            if not values:
                continue
            mid = median(values)
            name = f"{label(f'figures.{kind}', lang)} · {value_label('scope', scope, lang)}"
            tip = f"{name}: {mid:.0f}% (n={len(values)})"
            rows.append(
                Bar(name, ((mid, "", SAVING_COLOURS.get(kind, FALLBACK_COLOUR), tip),), f"{mid:.0f}% (n={len(values)})")
            )
            table.append(
                (label(f"figures.{kind}", lang), value_label("scope", scope, lang), f"{mid:.0f}", str(len(values)))
            )
    if not rows:
        return ""
    head = (
        label("chart.saving_kind", lang),
        label("chart.scope", lang),
        label("chart.median_pct", lang),
        label("chart.axis_count", lang),
    )
    legend = _legend(
        [
            ("cp-dot-key", SAVING_COLOURS.get(kind, FALLBACK_COLOUR), label(f"figures.{kind}", lang))
            for kind in vocab.percent_kinds
        ]
    )
    return _figure(
        chart_id,
        label("chart.savings", lang),
        label("chart.savings_desc", lang),
        _bars(rows, 100, WIDE),
        _bars(rows, 100, NARROW),
        head,
        table,
        lang,
        legend,
    )


# --- the figure ----------------------------------------------------------------------


def _legend(items: list[tuple[str, str, str]]) -> str:
    """(css class, colour or "", text) per key."""

    def key(css: str, colour: str) -> str:
        style = f' style="background:{colour}"' if colour else ""
        return f'<span class="{css}"{style}></span>'

    return "".join(
        f'<span class="cp-legend__item">{key(css, colour)}{_esc(text)}</span>' for css, colour, text in items
    )


def _figure(
    chart_id: str, title: str, desc: str, wide: tuple, narrow: tuple, head, rows, lang: str, legend: str
) -> str:
    def svg(drawing: tuple, variant: str) -> str:
        body, w, h = drawing
        ident = f"{chart_id}-{variant}"
        # A drawing whose points are links is a group of links, not one image (axe: nested-interactive).
        role = "group" if "<a " in body else "img"
        return (
            f'<svg class="cp-chart__{variant}" viewBox="0 0 {w} {h}" role="{role}" '
            f'aria-labelledby="{ident}-t {ident}-d" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{ident}-t">{_esc(title)}</title><desc id="{ident}-d">{_esc(desc)}</desc>{body}</svg>'
        )

    table_head = "".join(f'<th scope="col">{_esc(h)}</th>' for h in head)
    table_rows = "".join("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f'<figure class="cp-chart" id="{chart_id}">'
        f"<figcaption><strong>{_esc(title)}</strong></figcaption>"
        f"{svg(wide, 'wide')}{svg(narrow, 'narrow')}"
        f'<div class="cp-legend">{legend}</div>'
        f"<details><summary>{_esc(label('chart.table_alt', lang))}</summary>"
        f'<div class="md-typeset__table"><table><thead><tr>{table_head}</tr></thead>'
        f"<tbody>{table_rows}</tbody></table></div></details>"
        f"</figure>"
    )
