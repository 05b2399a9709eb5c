"""The one Markdown dialect of the project, shared by the site and the PDFs.

MkDocs gets these extensions from our hook (mkdocs_hooks.on_config) and the
PDF builder calls `to_html`, so a chapter renders the same in both places.
"""

from __future__ import annotations

import html
import re
from typing import Callable

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER_RE
from xml.etree import ElementTree as etree

from cpkb.source.problems import Problem
from cpkb.source.textrules import MEASURE_LINK
from cpkb.text.safety import sanitize_html
from cpkb.text.slug import slugify

EXTENSIONS = [
    "abbr",
    "admonition",
    "attr_list",
    "def_list",
    "footnotes",
    "md_in_html",
    "tables",
    "toc",
    "pymdownx.details",
    "pymdownx.superfences",
    "pymdownx.tasklist",
    "pymdownx.tilde",
    "pymdownx.caret",
    "pymdownx.mark",
    "cpkb.text.markdown",  # our own: accessible task-list checkboxes (makeExtension below)
]


def extension_configs() -> dict:
    """Extension settings; the `flow` fence draws process diagrams as SVG."""
    from cpkb.text.flowchart import format_flow

    return {
        "toc": {"permalink": True, "toc_depth": 3, "slugify": slugify},
        "pymdownx.tasklist": {"custom_checkbox": True},
        "pymdownx.superfences": {
            "custom_fences": [{"name": "flow", "class": "cp-flow", "format": format_flow}],
        },
    }


def resolve_measure_links(text: str, href_for: Callable[[str], str | None], where: str = "") -> str:
    """Replace `](measure:ID)` by `](href)`; raise ValueError naming unknown ids.

    `href_for(ID)` returns the target (a relative .md path on the site, an
    anchor in a PDF) or None when no such measure exists.
    """
    unknown: list[tuple[int, str]] = []

    def swap(match: re.Match) -> str:
        href = href_for(match.group(1).upper())
        if href is None:
            line = text.count("\n", 0, match.start()) + 1
            unknown.append((line, match.group(1)))
            return match.group(0)
        return f"]({href})"

    out = MEASURE_LINK.sub(swap, text)
    if unknown:
        raise MeasureLinkError(
            [
                Problem(
                    where,
                    line,
                    1,
                    "",
                    f"link to unknown measure '{mid}'",
                    "check the id; `ls measures/*/` lists them, measures/moved.yml the retired ones and where they went",
                )
                for line, mid in unknown
            ]
        )
    return out


class MeasureLinkError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.format() for p in problems))


def escape_markdown_block(text: str) -> str:
    """Make record text safe to embed in a generated Markdown page.

    Markdown passes raw HTML through and attr_list turns `{: onclick=...}`
    into attributes, so `<`, `&` and `{` are escaped: hostile text in a record
    shows as text, while emphasis, lists and links keep working.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("{", "&#123;")


_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]#|!])")


def escape_markdown_inline(text: str) -> str:
    """Escape a one-line text (title, table cell) so Markdown shows it literally."""
    one_line = " ".join(text.split())
    return _INLINE_SPECIAL.sub(r"\\\1", escape_markdown_block(one_line))


def to_html(text: str) -> str:
    """Render project Markdown to HTML, unsanitised (trusted input and tests only).

    No ¶ permalinks: a fragment inside a page or a book has no anchors of its own to share.
    """
    configs = extension_configs()
    configs["toc"] = {**configs["toc"], "permalink": False}
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=configs)
    return md.convert(text)


def render_fragment(text: str, href_for: Callable[[str], str | None], where: str = "") -> str:
    """Markdown from a source file (a measure field) as safe HTML, for the site and the PDF.

    Raw HTML and attribute lists in the text show as text (escape_markdown_block);
    `measure:ID` links go through `href_for` (MeasureLinkError names unknown ids);
    the rendered HTML then passes the allow-list sanitiser, the last word on
    what reaches a reader.
    """
    resolved = resolve_measure_links(escape_markdown_block(text), href_for, where)
    return sanitize_html(to_html(resolved))


class _TaskListNames(Treeprocessor):
    """Give each task-list checkbox an accessible name: the item's own text.

    pymdownx.tasklist stores `<label><input type=checkbox></label>` as raw HTML
    before the item text, an input without a name (axe-core: "label", serious)
    in every self-check list. Running after it and after the inline patterns
    (priority 19), we read the item's text from the tree and name the stored input.
    """

    def run(self, root: etree.Element) -> None:
        for li in root.iter("li"):
            if "task-list-item" not in (li.get("class") or "").split():
                continue
            holder = li if HTML_PLACEHOLDER_RE.search(li.text or "") else next(iter(li), None)
            match = HTML_PLACEHOLDER_RE.search(holder.text or "") if holder is not None else None
            if match is None:
                continue
            name = " ".join(HTML_PLACEHOLDER_RE.sub("", _own_text(holder)).split())[:200]
            blocks = self.md.htmlStash.rawHtmlBlocks
            index = int(match.group(1))
            blocks[index] = str(blocks[index]).replace(
                '<input type="checkbox"', f'<input type="checkbox" aria-label="{html.escape(name, quote=True)}"', 1
            )


def _own_text(element: etree.Element) -> str:
    """The text of an element without its nested lists."""
    parts = [element.text or ""]
    for child in element:
        if child.tag not in ("ul", "ol"):
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts)


class _CpkbExtension(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(_TaskListNames(md), "cpkb_tasklist_names", 19)


def makeExtension(**kwargs):  # noqa: N802 (Markdown's naming)
    return _CpkbExtension(**kwargs)
