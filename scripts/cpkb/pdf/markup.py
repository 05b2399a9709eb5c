"""Typst markup from source text and from the sanitised HTML of our Markdown dialect.

Nothing from a source may become Typst code: every text node is escaped
(`escape`), every value handed to a Typst function is a string literal
(`string`), and labels are reduced to a fixed alphabet (`label`). The HTML
renderer knows exactly the elements text.safety lets through (the dialect's
output); anything else is rendered as its text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from cpkb.pdf.htmltree import Node, _find, parse_html, serialize_svg

_SPECIAL = re.compile(r"([\\#*_$@<>\[\]`=\-+/~.:'\"{}()|^%&;,!?])")
_SPACE = re.compile(r"\s+")


def escape(text: str) -> str:
    """Text for Typst markup: every ASCII punctuation character escaped, white space collapsed.

    Typst accepts a backslash before any of these; escaping them all means no
    markup syntax (heading `=`, list `-`/`+`/`1.`, emphasis, math `$`, labels
    `<x>`, references `@x`, comments `//`, code `#`, dashes `--`) survives.
    """
    return _SPECIAL.sub(r"\\\1", _SPACE.sub(" ", text))


def string(text: str) -> str:
    """A Typst string literal (code mode): quotes, backslashes and controls escaped."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20 or ch in "\u2028\u2029":
            out.append(" ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


_LABEL_OK = re.compile(r"[A-Za-z0-9_-]+")


def label(ident: str) -> str:
    """A Typst label name for an HTML id: [A-Za-z0-9_-] only; any other id gets a hash."""
    if _LABEL_OK.fullmatch(ident) and len(ident) <= 120:
        return ident
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", ident)[:60]
    return f"{safe}-{hashlib.sha256(ident.encode()).hexdigest()[:10]}"


# --- HTML → Typst ----------------------------------------------------------


@dataclass
class Context:
    """What a fragment's rendering needs from the book.

    anchors: ids that exist in the book (links to others print as text);
    assets: files written next to the .typ (name → bytes), filled by the renderer;
    heading_offset: added to h1..h6 levels (a measure's "## Steps" under its h3 parts);
    site_for: an absolute URL for a link into the site, or None.
    """

    anchors: set[str]
    assets: dict[str, bytes]
    heading_offset: int = 0
    outlined_levels: int = 2
    scope: str = ""
    footnotes: dict[str, Node] = field(default_factory=dict)


def html_to_typst(html: str, ctx: Context) -> str:
    """Typst markup for a sanitised HTML fragment of our Markdown dialect."""
    root = parse_html(html)
    ctx.footnotes = {}
    for div in _find(root, lambda n: n.tag == "div" and "footnote" in n.classes()):
        for li in _find(div, lambda n: n.tag == "li" and n.attrs.get("id")):
            ctx.footnotes[li.attrs["id"]] = li
    for h in _find(root, lambda n: n.tag in ("h1", "h2", "h3", "h4", "h5", "h6") and n.attrs.get("id")):
        ctx.anchors.add(ctx.scope + h.attrs["id"])
    return _blocks(root.children, ctx).strip() + "\n"


_BLOCK = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "dl",
    "table",
    "pre",
    "blockquote",
    "div",
    "details",
    "figure",
    "hr",
    "svg",
    "summary",
    "figcaption",
}


def _blocks(children: list, ctx: Context) -> str:
    """A sequence of block elements; loose inline runs become paragraphs."""
    out: list[str] = []
    run: list = []

    def flush():
        text = _inlines(run, ctx).strip()
        if text:
            out.append(text + "\n\n")
        run.clear()

    for c in children:
        if isinstance(c, Node) and c.tag in _BLOCK:
            flush()
            out.append(_block(c, ctx))
        else:
            run.append(c)
    flush()
    return "".join(out)


def _label_suffix(node: Node, ctx: Context) -> str:
    ident = node.attrs.get("id")
    return f" <{label(ctx.scope + ident)}>" if ident else ""


def _block(n: Node, ctx: Context) -> str:
    tag = n.tag
    if tag == "p":
        body = _inlines(n.children, ctx).strip()
        return f"{body}\n\n" if body else ""
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        level = min(6, int(tag[1]) + ctx.heading_offset)
        outlined = "true" if level <= ctx.outlined_levels else "false"
        body = _inlines([c for c in n.children if not (isinstance(c, Node) and "headerlink" in c.classes())], ctx)
        return f"#heading(level: {level}, outlined: {outlined})[{body.strip()}]{_label_suffix(n, ctx)}\n\n"
    if tag in ("ul", "ol"):
        return _list(n, ctx)
    if tag == "dl":
        parts = []
        for c in n.children:
            if isinstance(c, Node) and c.tag == "dt":
                parts.append(f"#block(above: 0.8em, below: 0.3em, strong[{_inlines(c.children, ctx).strip()}])\n")
            elif isinstance(c, Node) and c.tag == "dd":
                parts.append(f"#pad(left: 1.2em)[{_blocks(c.children, ctx).strip()}]\n")
        return "".join(parts) + "\n"
    if tag == "table":
        return _table(n, ctx)
    if tag == "pre":
        return f"#raw(block: true, {string(n.text().rstrip())})\n\n"
    if tag == "blockquote":
        return f"#quote(block: true)[{_blocks(n.children, ctx).strip()}]\n\n"
    if tag == "hr":
        return "#line(length: 100%, stroke: 0.4pt + luma(160))\n\n"
    if tag == "svg":
        return _svg(n, ctx)
    if tag == "div" and "footnote" in n.classes():
        return ""  # printed as real footnotes where they are called
    if (tag == "div" and "admonition" in n.classes()) or tag == "details":
        kind = next((c for c in n.classes() if c not in ("admonition",)), "note")
        title_node = next(
            (
                c
                for c in n.children
                if isinstance(c, Node) and (c.tag == "summary" or "admonition-title" in c.classes())
            ),
            None,
        )
        rest = [c for c in n.children if c is not title_node]
        title = _inlines(title_node.children, ctx).strip() if title_node else ""
        return f"#cp-admonition({string(kind)}, [{title}])[{_blocks(rest, ctx).strip()}]\n\n"
    if tag == "figure":
        return _blocks(n.children, ctx)
    if tag in ("figcaption", "summary"):
        return f"#align(center, text(size: 0.9em)[{_inlines(n.children, ctx).strip()}])\n\n"
    return _blocks(n.children, ctx)  # div and the like: their content


def _list(n: Node, ctx: Context) -> str:
    items = [c for c in n.children if isinstance(c, Node) and c.tag == "li"]
    if any("task-list-item" in i.classes() for i in items):
        # A checklist: box and text in two columns, so a wrapped line hangs under the text.
        cells = []
        for item in items:
            box = next(iter(_find(item, lambda x: x.tag == "input")), None)
            mark = "☑" if box is not None and "checked" in box.attrs else "☐"
            rest = [c for c in item.children if not (isinstance(c, Node) and c.tag == "label")]
            cells.append(f'text(font: "DejaVu Sans", size: 1.1em)[{mark}], [{_blocks(rest, ctx).strip()}]')
        return (
            "#grid(columns: (1.4em, 1fr), row-gutter: 0.55em, column-gutter: 0.2em,\n  " + ",\n  ".join(cells) + ")\n\n"
        )
    body = []
    for item in items:
        content = _blocks(item.children, ctx).strip()
        body.append(f"[{content}]")
    if n.tag == "ol":
        start = n.attrs.get("start", "1")
        start = start if start.isdigit() else "1"
        return f"#enum(start: {start}, tight: false, {', '.join(body)})\n\n" if body else ""
    return f"#list(tight: false, {', '.join(body)})\n\n" if body else ""


def _cell_align(c: Node) -> str:
    style = c.attrs.get("style", "") + " " + c.attrs.get("align", "")
    for side in ("right", "center"):
        if side in style:
            return side
    return "left"


def _table(n: Node, ctx: Context) -> str:
    head = [
        r
        for part in n.children
        if isinstance(part, Node) and part.tag == "thead"
        for r in part.children
        if isinstance(r, Node) and r.tag == "tr"
    ]
    body = [
        r
        for part in n.children
        if isinstance(part, Node) and part.tag in ("tbody", "tfoot")
        for r in part.children
        if isinstance(r, Node) and r.tag == "tr"
    ]
    body += [r for r in n.children if isinstance(r, Node) and r.tag == "tr"]

    def cells(row: Node) -> list[str]:
        out = []
        for c in row.children:
            if isinstance(c, Node) and c.tag in ("td", "th"):
                content = (
                    _blocks(c.children, ctx).strip()
                    if any(isinstance(x, Node) and x.tag in _BLOCK for x in c.children)
                    else _inlines(c.children, ctx).strip()
                )
                span = c.attrs.get("colspan", "1")
                span = int(span) if span.isdigit() and 0 < int(span) < 50 else 1
                args = f"colspan: {span}, " if span > 1 else ""
                strong = c.tag == "th"
                out.append(
                    f"table.cell({args}align: {_cell_align(c)})[{'#strong[' + content + ']' if strong else content}]"
                )
        return out

    rows_h = [cells(r) for r in head]
    rows_b = [cells(r) for r in body]
    width = max([len(r) for r in rows_h + rows_b] or [1])
    header = f"table.header({', '.join(c for r in rows_h for c in r)}),\n  " if rows_h else ""
    content = ",\n  ".join(", ".join(r) for r in rows_b if r)
    return f"#cp-table({width}, {header}{content})\n\n"


_VIEWBOX = re.compile(r"^\s*[-\d.]+[ ,]+[-\d.]+[ ,]+([\d.]+)[ ,]+([\d.]+)\s*$")


def _svg(n: Node, ctx: Context) -> str:
    n.attrs.setdefault("font-family", "Noto Sans, DejaVu Sans")
    data = serialize_svg(n).encode("utf-8")
    name = f"figure-{hashlib.sha256(data).hexdigest()[:16]}.svg"  # by content: the same figure, the same file
    ctx.assets[name] = data
    # PDF/UA needs alternative text on every figure: the label, else the drawing's own words.
    alt = n.attrs.get("aria-label") or " ".join(n.text().split())[:200] or "SVG"
    match = _VIEWBOX.match(n.attrs.get("viewbox", ""))
    w, h = (float(match.group(1)), float(match.group(2))) if match else (4.0, 3.0)
    width_mm = round(min(150.0, 165.0 * w / h if h else 150.0), 1)
    return f"#align(center, image({string(name)}, width: {width_mm}mm, alt: {string(alt)}))\n\n"


def _inlines(children: list, ctx: Context) -> str:
    return "".join(_inline(c, ctx) for c in children)


def _inline(c, ctx: Context) -> str:
    if isinstance(c, str):
        return escape(c)
    tag = c.tag
    inner = lambda: _inlines(c.children, ctx)  # noqa: E731
    if tag in ("em", "i", "cite"):
        return f"#emph[{inner()}]"
    if tag in ("strong", "b"):
        return f"#strong[{inner()}]"
    if tag in ("del", "s"):
        return f"#strike[{inner()}]"
    if tag in ("ins", "u"):
        return f"#underline[{inner()}]"
    if tag == "mark":
        return f"#highlight[{inner()}]"
    if tag == "sup":
        ref = next(iter(_find(c, lambda x: x.tag == "a" and "footnote-ref" in x.classes())), None)
        if ref is not None:
            note = ctx.footnotes.get(ref.attrs.get("href", "").lstrip("#"))
            if note is None:
                return ""
            kids = [k for k in note.children if not (isinstance(k, Node) and "footnote-backref" in k.classes())]
            for k in kids:
                if isinstance(k, Node):
                    k.children = [
                        x for x in k.children if not (isinstance(x, Node) and "footnote-backref" in x.classes())
                    ]
            return f"#footnote[{_blocks(kids, ctx).strip()}]"
        return f"#super[{inner()}]"
    if tag == "sub":
        return f"#sub[{inner()}]"
    if tag in ("code", "kbd"):
        return f"#raw({string(c.text())})"
    if tag == "br":
        return "#linebreak()"
    if tag == "small":
        return f"#text(size: 0.85em)[{inner()}]"
    if tag == "q":
        return f"“{inner()}”"
    if tag == "img":
        alt = c.attrs.get("alt", "")
        return f"[{escape(alt)}]" if alt else ""
    if tag == "input":
        return ""
    if tag == "a":
        return _link(c, ctx)
    if tag in _BLOCK:
        return _block(c, ctx)
    return inner()


def _link(a: Node, ctx: Context) -> str:
    href = a.attrs.get("href", "")
    body = _inlines(a.children, ctx) or escape(href)
    if "headerlink" in a.classes() or "footnote-backref" in a.classes():
        return ""
    if href.startswith("#"):
        target = href[1:]
        if target.startswith("measure-") and target in ctx.anchors:
            return f"#cp-xref(<{label(target)}>)[{body}]"
        full = ctx.scope + target
        if full in ctx.anchors:
            return f"#cp-link(<{label(full)}>)[{body}]"  # the book template's: see cp-link there
        return body
    if href.startswith(("http://", "https://", "mailto:")):
        return f"#link({string(href)})[{body}]"
    return body  # a relative link into the site means nothing on paper
