"""What may reach a reader: one URL policy and one allow-list sanitiser.

Every Markdown fragment, from a measure file or a handbook chapter, is rendered
to HTML and then cleaned here, for the site and the PDF alike. The allow-list
is exactly what our Markdown dialect produces (text/markdown.py, the flow
diagrams, task lists, admonitions); anything else (script, style, iframe,
event handlers, javascript: and other schemes) is dropped, its text kept.
The validator applies the same URL rule (cpkb.source.urls) to the sources, so an
editor learns it with file:line:col before a reviewer looks.
"""

from __future__ import annotations

import nh3

from cpkb.source.urls import SCHEMES, safe_url

__all__ = ["SCHEMES", "safe_url", "sanitize_html"]

_SVG = {
    "svg",
    "g",
    "rect",
    "text",
    "tspan",
    "path",
    "line",
    "polyline",
    "polygon",
    "circle",
    "ellipse",
    "marker",
    "defs",
    "title",
    "desc",
}
TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "code",
    "kbd",
    "em",
    "strong",
    "b",
    "i",
    "u",
    "del",
    "ins",
    "mark",
    "sup",
    "sub",
    "small",
    "s",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "colgroup",
    "col",
    "abbr",
    "details",
    "summary",
    "div",
    "span",
    "label",
    "input",
    "figure",
    "figcaption",
    "cite",
    "q",
    "time",
} | _SVG
_SVG_ATTRS = {
    "viewBox",
    "width",
    "height",
    "xmlns",
    "role",
    "aria-label",
    "aria-hidden",
    "focusable",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "dx",
    "dy",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "d",
    "points",
    "fill",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "marker-end",
    "marker-start",
    "markerWidth",
    "markerHeight",
    "refX",
    "refY",
    "orient",
    "text-anchor",
    "dominant-baseline",
    "font-size",
    "font-weight",
    "font-style",
    "font-family",
    "transform",
    "preserveAspectRatio",
    "opacity",
    "fill-opacity",
}
ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir", "role", "aria-label", "aria-hidden", "aria-describedby"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height", "loading"},
    "th": {"colspan", "rowspan", "scope", "align", "style"},
    "td": {"colspan", "rowspan", "align", "style"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "details": {"open"},
    "input": {"type", "checked", "disabled"},
    "abbr": {"title"},
    "time": {"datetime"},
    **{tag: _SVG_ATTRS for tag in _SVG},
}
STYLE_PROPERTIES = {"text-align"}
"""The only CSS a fragment may carry: the Markdown tables extension aligns columns with it."""


def _keep_safe_urls(tag: str, name: str, value: str) -> str | None:
    if name in ("href", "src"):
        return value if safe_url(value) else None
    return value


def sanitize_html(html: str) -> str:
    """The fragment with only allow-listed tags, attributes and URLs left.

    Disallowed elements are unwrapped (their text stays visible) except script,
    style and similar, which go with their content.
    """
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=_keep_safe_urls,
        url_schemes=set(SCHEMES),
        filter_style_properties=STYLE_PROPERTIES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
