"""The sanitised HTML of our Markdown dialect as a small tree of Nodes, for
markup.py and the PDFs' layouts to walk, and an <svg> subtree back to XML."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from xml.sax.saxutils import escape as xml_escape, quoteattr

_VOID = {"br", "hr", "img", "input", "col", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list = field(default_factory=list)  # Node or str

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v or "") for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: (v or "") for k, v in attrs}))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def serialize_svg(node: Node) -> str:
    """An <svg> subtree back to XML (for an image file Typst reads)."""

    def out(n) -> str:
        if isinstance(n, str):
            return xml_escape(n)
        attrs = "".join(f" {k}={quoteattr(v)}" for k, v in n.attrs.items())
        inner = "".join(out(c) for c in n.children)
        return f"<{n.tag}{attrs}>{inner}</{n.tag}>"

    # html.parser lower-cases attribute names; SVG needs a few in camel case.
    text = out(node)
    for name in ("viewBox", "markerWidth", "markerHeight", "refX", "refY", "preserveAspectRatio"):
        text = text.replace(f" {name.lower()}=", f" {name}=")
    if "xmlns=" not in text[:200]:
        text = text.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    return text


def _find(node: Node, pred) -> list[Node]:
    """Every element under `node` for which `pred` holds, in document order."""
    found = []
    for c in node.children:
        if isinstance(c, Node):
            if pred(c):
                found.append(c)
            found.extend(_find(c, pred))
    return found
