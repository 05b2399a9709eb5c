"""Charts as accessible inline SVG, drawn at build time in the page's language.

No JavaScript and no external library: each chart is an <svg role="img">
with a title and description, followed by the same numbers as a table.
"""

from __future__ import annotations

import html
import math

from cpkb.source.catalogue import Measure, Range
from cpkb.source.vocabulary import Vocabulary
from cpkb.text.numbers import format_vnd, format_vnd_range, format_years
from cpkb.text.labels import label, value_label

W, H = 640, 320
PAD_L, PAD_R, PAD_T, PAD_B = 64, 48, 16, 48
LEVEL_CLASS = {1: "cp-dot--1", 2: "cp-dot--2", 3: "cp-dot--3"}
MAX_POINTS = 300
"""Above this many measures the scatter chart aggregates them into cells."""


def _esc(text: str) -> str:
    return html.escape(str(text), quote=True)


def investment_payback_chart(measures: list[Measure], vocab: Vocabulary, lang: str, chart_id: str) -> str:
    """Scatter: mid-range investment (log scale) against mid-range payback, one dot per measure."""
    points = [(m, max(m.investment_vnd.mid, 1e6), m.payback_years.mid) for m in measures]
    if not points:
        return ""
    lo = 10 ** math.floor(math.log10(min(p[1] for p in points)))
    hi = 10 ** math.ceil(math.log10(max(p[1] for p in points) * 1.0001))
    hi = max(hi, lo * 10)
    y_max = max(1.0, math.ceil(max(p[2] for p in points)))
    x = lambda v: PAD_L + (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * (W - PAD_L - PAD_R)
    y = lambda v: H - PAD_B - v / y_max * (H - PAD_T - PAD_B)
    parts = [f'<line class="cp-axis" x1="{PAD_L}" y1="{H - PAD_B}" x2="{W - PAD_R}" y2="{H - PAD_B}"/>',
             f'<line class="cp-axis" x1="{PAD_L}" y1="{PAD_T}" x2="{PAD_L}" y2="{H - PAD_B}"/>']
    decade = lo
    while decade <= hi:
        parts.append(f'<text class="cp-tick" x="{x(decade):.1f}" y="{H - PAD_B + 16}" text-anchor="middle">{_esc(format_vnd(decade, lang))}</text>')
        decade *= 10
    for step in range(0, int(y_max) + 1, max(1, int(y_max) // 5)):
        parts.append(f'<text class="cp-tick" x="{PAD_L - 6}" y="{y(step) + 4:.1f}" text-anchor="end">{step}</text>')
        parts.append(f'<line class="cp-grid" x1="{PAD_L}" y1="{y(step):.1f}" x2="{W - PAD_R}" y2="{y(step):.1f}"/>')
    if len(points) <= MAX_POINTS:
        for m, inv, pb in points:
            parts.append(f'<circle class="cp-dot {LEVEL_CLASS[m.complexity]}" cx="{x(inv):.1f}" cy="{y(pb):.1f}" r="5">'
                         f'<title>{_esc(m.id)}: {_esc(m.title[lang])}</title></circle>')
        rows = [(m.id, m.title[lang], format_vnd_range(m.investment_vnd, lang), format_years(m.payback_years, lang),
                 value_label("complexity", m.complexity, lang)) for m, _, _ in points]
        head = (label("table.id", lang), label("table.measure", lang), label("figures.investment", lang),
                label("figures.payback", lang), label("figures.complexity", lang))
    else:
        # Past a few hundred measures, dots per measure make a page heavy and the
        # chart unreadable: draw one circle per cell (quarter decade of
        # investment × half a year of payback × complexity), sized by its count.
        cells: dict[tuple, int] = {}
        for m, inv, pb in points:
            key = (m.complexity, math.floor(math.log10(inv) * 4) / 4, math.floor(pb * 2) / 2)
            cells[key] = cells.get(key, 0) + 1
        biggest = max(cells.values())
        rows = []
        for (level, log_inv, pb), n in sorted(cells.items()):
            radius = 3 + 9 * math.sqrt(n / biggest)
            lo_inv, hi_inv = 10 ** log_inv, 10 ** (log_inv + 0.25)
            span = f"{format_vnd(lo_inv, lang)}–{format_vnd(hi_inv, lang)}, {format_years(Range(pb, pb + 0.5), lang)}"
            parts.append(f'<circle class="cp-dot {LEVEL_CLASS[level]}" cx="{x(10 ** (log_inv + 0.125)):.1f}" '
                         f'cy="{y(pb + 0.25):.1f}" r="{radius:.1f}"><title>{_esc(label("chart.cell", lang, n=n))}: '
                         f'{_esc(span)}</title></circle>')
            rows.append((format_vnd(lo_inv, lang) + "–" + format_vnd(hi_inv, lang), format_years(Range(pb, pb + 0.5), lang),
                         value_label("complexity", level, lang), str(n)))
        head = (label("figures.investment", lang), label("figures.payback", lang), label("figures.complexity", lang),
                label("chart.axis_count", lang))
    parts.append(f'<text class="cp-axis-label" x="{(W + PAD_L) / 2}" y="{H - 8}" text-anchor="middle">{_esc(label("chart.axis_investment", lang))}</text>')
    parts.append(f'<text class="cp-axis-label" transform="translate(14 {(H - PAD_B) / 2}) rotate(-90)" text-anchor="middle">{_esc(label("chart.axis_payback", lang))}</text>')
    legend = "".join(f'<span class="cp-legend__item"><span class="cp-dot-key {LEVEL_CLASS[level]}"></span>'
                     f'{_esc(value_label("complexity", level, lang))}</span>' for level in vocab.complexities)
    return _figure(chart_id, label("chart.investment_payback", lang), label("chart.investment_payback_desc", lang),
                   "".join(parts), head, rows, lang, legend)


def technique_chart(measures: list[Measure], vocab: Vocabulary, lang: str, chart_id: str) -> str:
    """Horizontal bars: measures per technique, split by complexity level."""
    counts = {t: [sum(1 for m in measures if m.technique == t and m.complexity == lvl) for lvl in vocab.complexities]
              for t in vocab.techniques}
    if not measures:
        return ""
    most = max(sum(c) for c in counts.values()) or 1
    bar_h, gap, left = 22, 8, 230
    height = len(vocab.techniques) * (bar_h + gap) + 10
    parts = []
    for i, tech in enumerate(vocab.techniques):
        top = 5 + i * (bar_h + gap)
        parts.append(f'<text class="cp-tick" x="{left - 8}" y="{top + bar_h / 2 + 4}" text-anchor="end">{_esc(value_label("technique", tech, lang))}</text>')
        start = left
        for lvl, n in zip(vocab.complexities, counts[tech]):
            width = n / most * (W - left - 40)
            if n:
                parts.append(f'<rect class="cp-bar {LEVEL_CLASS[lvl]}" x="{start:.1f}" y="{top}" width="{width:.1f}" height="{bar_h}">'
                             f'<title>{_esc(value_label("complexity", lvl, lang))}: {n}</title></rect>')
            start += width
        parts.append(f'<text class="cp-tick" x="{start + 6:.1f}" y="{top + bar_h / 2 + 4}">{sum(counts[tech])}</text>')
    head = (label("figures.technique", lang), *(value_label("complexity", c, lang) for c in vocab.complexities),
            label("chart.axis_count", lang))
    rows = [(value_label("technique", t, lang), *map(str, c), str(sum(c))) for t, c in counts.items()]
    legend = "".join(f'<span class="cp-legend__item"><span class="cp-dot-key {LEVEL_CLASS[level]}"></span>'
                     f'{_esc(value_label("complexity", level, lang))}</span>' for level in vocab.complexities)
    return _figure(chart_id, label("chart.by_technique", lang), label("chart.by_technique_desc", lang),
                   "".join(parts), head, rows, lang, legend, height=height)


def _figure(chart_id: str, title: str, desc: str, body: str, head, rows, lang: str, legend: str,
            height: int = H) -> str:
    table_head = "".join(f"<th scope=\"col\">{_esc(h)}</th>" for h in head)
    table_rows = "".join("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return (f'<figure class="cp-chart" id="{chart_id}">'
            f'<figcaption><strong>{_esc(title)}</strong></figcaption>'
            f'<svg viewBox="0 0 {W} {height}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{chart_id}-t">{_esc(title)}</title><desc id="{chart_id}-d">{_esc(desc)}</desc>{body}</svg>'
            f'<div class="cp-legend">{legend}</div>'
            f'<details><summary>{_esc(label("chart.table_alt", lang))}</summary>'
            f'<div class="md-typeset__table"><table><thead><tr>{table_head}</tr></thead><tbody>{table_rows}</tbody></table></div></details>'
            f'</figure>')


SAVING_COLOURS = {"energy_pct": "#b26a00", "water_pct": "#0f5c8a", "materials_pct": "#6a4c93"}


def savings_chart(measures: list[Measure], vocab: Vocabulary, lang: str, chart_id: str) -> str:
    """Grouped bars: the median saving (% of the stage concerned, mid-range) per
    technique for energy, water and materials; only measures that state it count."""
    from statistics import median

    kinds = tuple(SAVING_COLOURS)
    data = {}
    for tech in vocab.techniques:
        values = {k: [m.savings[k].mid for m in measures if m.technique == tech and k in m.savings] for k in kinds}
        data[tech] = {k: (median(v), len(v)) if v else None for k, v in values.items()}
    if not any(x for row in data.values() for x in row.values()):
        return ""
    top = max(x[0] for row in data.values() for x in row.values() if x) or 1
    bar_h, group_gap, left = 8, 10, 230
    group_h = bar_h * len(kinds) + group_gap
    height = len(vocab.techniques) * group_h + 10
    parts = []
    for i, tech in enumerate(vocab.techniques):
        top_y = 5 + i * group_h
        parts.append(f'<text class="cp-tick" x="{left - 8}" y="{top_y + bar_h * 1.5 + 4}" text-anchor="end">{_esc(value_label("technique", tech, lang))}</text>')
        for j, kind in enumerate(kinds):
            value = data[tech][kind]
            if not value:
                continue
            width = value[0] / top * (W - left - 60)
            y = top_y + j * bar_h
            parts.append(f'<rect x="{left}" y="{y}" width="{width:.1f}" height="{bar_h - 1}" fill="{SAVING_COLOURS[kind]}">'
                         f'<title>{_esc(label(f"figures.{kind}", lang))}: {value[0]:.0f}% (n={value[1]})</title></rect>')
            parts.append(f'<text class="cp-tick" x="{left + width + 4:.1f}" y="{y + bar_h - 1}" font-size="9">{value[0]:.0f}%</text>')
    head = (label("figures.technique", lang),) + tuple(f'{label(f"figures.{k}", lang)} (%)' for k in kinds)
    rows = [(value_label("technique", t, lang),) + tuple(f"{v[0]:.0f} (n={v[1]})" if v else "–" for v in data[t].values())
            for t in vocab.techniques]
    legend = "".join(f'<span class="cp-legend__item"><span class="cp-dot-key" style="background:{colour}"></span>'
                     f'{_esc(label(f"figures.{kind}", lang))}</span>' for kind, colour in SAVING_COLOURS.items())
    return _figure(chart_id, label("chart.savings", lang), label("chart.savings_desc", lang),
                   "".join(parts), head, rows, lang, legend, height=height)
