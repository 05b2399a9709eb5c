"""Process flow diagrams drawn as SVG from a small text format.

    ```flow
    Nấu | nước, hơi | bã malt, nước thải
    ```

One step per line: `step | inputs | outputs and wastes`. The SVG is inline,
so it looks the same on the site (light and dark) and in the PDF, needs no
JavaScript, and its text stays searchable and readable by screen readers.
"""

from __future__ import annotations

import hashlib
import html
import textwrap

BOX_W, BOX_H, GAP = 220, 46, 26
SIDE_W = 210
LINE_H = 14
# Presentation attributes, not a <style> element: they survive the HTML
# sanitiser (which must refuse <style> from a chapter), and the site (light/dark
# through currentColor), the PDF and a standalone SVG file all read them.
_BOX = 'fill="none" stroke="currentColor" stroke-width="1.5"'
_LINE = 'fill="none" stroke="currentColor" stroke-width="1.3"'
_TEXT = 'font-size="12" fill="currentColor"'
WRAP = 30


def parse_flow(source: str) -> list[tuple[str, list[str], list[str]]]:
    steps = []
    for raw in source.strip().splitlines():
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.split("|")] + ["", ""]
        split = lambda s: [x.strip() for x in s.split(",") if x.strip()]
        steps.append((parts[0], split(parts[1]), split(parts[2])))
    return steps


def _text(x: float, y: float, lines: list[str], anchor: str, cls: str) -> str:
    top = y - (len(lines) - 1) * LINE_H / 2
    spans = "".join(
        f'<tspan x="{x:.0f}" y="{top + i * LINE_H:.0f}">{html.escape(t)}</tspan>' for i, t in enumerate(lines)
    )
    look = {"cp-flow__step": ' font-weight="600"', "cp-flow__label cp-flow__label--out": ' font-style="italic"'}
    return (
        f'<text class="{cls}" {_TEXT}{look.get(cls, "")} text-anchor="{anchor}" '
        f'dominant-baseline="middle">{spans}</text>'
    )


def render_flow_svg(source: str) -> str:
    """SVG markup for a flow block; the title lists the steps for assistive technology."""
    steps = parse_flow(source)
    width = SIDE_W * 2 + BOX_W + 40
    cx = SIDE_W + 20 + BOX_W / 2
    height = len(steps) * (BOX_H + GAP) + 10
    parts = []
    marker = "cp-arrow-" + hashlib.sha1(source.encode()).hexdigest()[:8]  # ids must be unique per page
    for i, (name, inputs, outputs) in enumerate(steps):
        y = 5 + i * (BOX_H + GAP)
        mid = y + BOX_H / 2
        parts.append(
            f'<rect class="cp-flow__box" x="{cx - BOX_W / 2:.0f}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" {_BOX}/>'
        )
        parts.append(_text(cx, mid, textwrap.wrap(name, WRAP)[:3], "middle", "cp-flow__step"))
        if i < len(steps) - 1:
            parts.append(
                f'<path class="cp-flow__arrow" d="M{cx:.0f} {y + BOX_H} v{GAP - 6}" {_LINE} marker-end="url(#{marker})"/>'
            )
        if inputs:
            x_end = cx - BOX_W / 2
            parts.append(
                f'<path class="cp-flow__in" d="M{x_end - 28:.0f} {mid} h22" {_LINE} marker-end="url(#{marker})"/>'
            )
            parts.append(_text(x_end - 34, mid, textwrap.wrap(", ".join(inputs), WRAP)[:3], "end", "cp-flow__label"))
        if outputs:
            x0 = cx + BOX_W / 2
            parts.append(f'<path class="cp-flow__out" d="M{x0:.0f} {mid} h22" {_LINE} marker-end="url(#{marker})"/>')
            parts.append(
                _text(
                    x0 + 30,
                    mid,
                    textwrap.wrap(", ".join(outputs), WRAP)[:3],
                    "start",
                    "cp-flow__label cp-flow__label--out",
                )
            )
    title = " → ".join(name for name, _, _ in steps)
    return (
        f'<svg class="cp-flow" role="img" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{html.escape(title)}">'
        f"<title>{html.escape(title)}</title>"
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">'
        '<path d="M0 0L10 5L0 10z" class="cp-flow__head" fill="currentColor"/></marker></defs>'
        + "".join(parts)
        + "</svg>"
    )


def format_flow(source, language, class_name, options, md, **kwargs) -> str:
    """pymdownx.superfences custom-fence formatter."""
    return f'<figure class="{class_name}">{render_flow_svg(source)}</figure>'
